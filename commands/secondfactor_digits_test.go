package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigia-project/vigia/commands"
)

// A second-factor code is read as every command reads numbers: typed on
// an Arabic, Persian or full-width keyboard, or pasted with a no-break
// space between its halves, it unlocks as "123456" does (and is not
// refused as "not six digits").
func TestUnlockCodeInOtherDigits(t *testing.T) {
	e, p, _ := newGuarded(t)
	inv := func(req commands.Request) []commands.Reply {
		req.UserChat = investigatorID
		return e.do(investigatorID, req)
	}
	inv(commands.Request{Command: "enroll"})
	secret := strings.ReplaceAll(secretRE.FindString(p.sent[investigatorID][0].Text), " ", "")
	if secret == "" {
		t.Fatal("no secret sent")
	}
	arabic := strings.NewReplacer("0", "٠", "1", "١", "2", "٢", "3", "٣", "4", "٤", "5", "٥", "6", "٦", "7", "٧", "8", "٨", "9", "٩")
	persian := strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹")
	fullWidth := strings.NewReplacer("0", "０", "1", "１", "2", "２", "3", "３", "4", "４", "5", "５", "6", "６", "7", "７", "8", "８", "9", "９")
	for name, typed := range map[string]func(string) string{
		"Arabic-Indic digits": arabic.Replace,
		"Persian digits":      persian.Replace,
		"full-width digits":   fullWidth.Replace,
		"a no-break space":    func(c string) string { return c[:3] + "\u00a0" + c[3:] },
	} {
		e.clk.Add(time.Minute) // a fresh step: a used one is refused as replayed
		code, err := totp.GenerateCode(secret, e.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		inv(commands.Request{Command: "lock"})
		if r := inv(commands.Request{Command: "unlock", Args: typed(code)}); len(r) != 1 || r[0].Text != e.text("en", "unlocked", map[string]any{"Period": "12 hours"}) {
			t.Errorf("a code typed with %s answered %+v", name, r)
		}
	}
}
