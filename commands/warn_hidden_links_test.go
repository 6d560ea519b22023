package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// hiddenLink is the address behind "esta cuenta" in a /warn (a Telegram
// text link): the extortionist's account the warning is about.
const hiddenLink = "https://t.me/cobrador_del_mercado"

// A link shown as words in a private /warn ("cuidado con esta cuenta",
// pointing to the extortionist's) is kept as a tip's is, its address on a
// line after the text: investigators read where it pointed, and the
// communities, once it is published, read the address defanged (never
// words that open an address they cannot see). Its address does not count
// against the limit on a message, as a tip's does not.
func TestWarnKeepsHiddenLinksVisibleAndDefanged(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana")
	r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText + ", cuidado con esta cuenta", HiddenLinks: []string{hiddenLink}})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_received", map[string]any{"Receipt": receiptRE.FindString(r[0].Text)})) {
		t.Fatalf("/warn with a hidden link: %+v", r)
	}
	tip, err := tm.store.Tip(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if got := tip.Content.Text(); !strings.Contains(got, "\n"+hiddenLink) {
		t.Fatalf("the hidden link's address was not kept with the warning: %q", got)
	}
	tm.approve(t, "2002", "Ana", "1")
	tm.deliverAll(t)
	platform.mu.Lock()
	got := strings.Join(platform.got["-1"], "\n")
	platform.mu.Unlock()
	if !strings.Contains(got, tips.Defang(hiddenLink)) || strings.Contains(got, hiddenLink) {
		t.Fatalf("published without the address, or with it live: %q", got)
	}

	// Near the limit on a message, the address does not tip it over.
	tm2 := newTeam(t)
	long := strings.Repeat("x", commands.DefaultLimits.MaxMessageRunes)
	if r := tm2.as(reporterID, "R", commands.Request{Command: "warn", Args: long, HiddenLinks: []string{hiddenLink}}); len(r) != 1 ||
		r[0].Text == tm2.msg.Localize("en", "warn_too_long", map[string]any{"Max": commands.DefaultLimits.MaxMessageRunes}) {
		t.Fatalf("a warning at the limit with a hidden link: %+v", r)
	}
}

// In a group the same: the address is stored with the warning. An
// invitation code behind words in a group /warn was in view of everyone
// there (a tap opens it): it is void, as one written out is.
func TestGroupWarnKeepsHiddenLinksAndVoidsCodesInThem(t *testing.T) {
	tm := newTeam(t)
	_, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: warningText + ", cuidado con esta cuenta", HiddenLinks: []string{hiddenLink}})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("group /warn with a hidden link: %+v", r)
	}
	tip, err := tm.store.Tip(context.Background(), "1")
	if err != nil || !strings.Contains(tip.Content.Text(), "\n"+hiddenLink) {
		t.Fatalf("the hidden link's address was not kept with the group warning: %v %+v", err, tip.Content)
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	_, r = tm.inGroup("7778", "-1", false, commands.Request{Command: "warn", Args: "retén en la carretera, aquí",
		HiddenLinks: []string{"https://example.org/?c=" + code}})
	if len(r) != 1 || !strings.Contains(r[0].Text, tm.msg.Localize("en", "redeem_void_in_group", nil)) {
		t.Fatalf("an invitation code behind words, group not told it is void: %+v", r)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code}); r[0].Text != tm.msg.Localize("en", "redeem_bad", nil) {
		t.Fatalf("the invitation code seen behind words in a group still works: %+v", r)
	}
}

// A group /warn whose words hide a link to the sender's own account (the
// Telegram adapter hands it on as "@username") is stored without it: the
// sender never saw the address, and the group's answer may not say whose
// it is. Another account's link is kept. (Review of fdf41f6.)
func TestGroupWarnDropsAHiddenLinkToTheSendersOwnAccount(t *testing.T) {
	tm := newTeam(t)
	_, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Name: "Rosa @rosa_gomez_mx",
		Args: warningText + ", aquí", HiddenLinks: []string{"@rosa_gomez_mx", hiddenLink}})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("group /warn with hidden links: %+v", r)
	}
	tip, err := tm.store.Tip(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if text := tip.Content.Text(); strings.Contains(text, "rosa_gomez_mx") || !strings.Contains(text, "\n"+hiddenLink) {
		t.Fatalf("group warning kept %q: want the sender's own account dropped, the other link kept", text)
	}
}
