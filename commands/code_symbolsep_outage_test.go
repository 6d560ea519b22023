package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// While Redis is down, a message of receipt codes alone whose groups are
// parted by a keyboard symbol or the katakana prolonged sound mark
// ("K7QD~9XMA~…", "K7QDー9XMAー…"), or written in superscripts or with
// a dingbat's circled digits ("ᴷ⁷ᵠᴰ-…", "K❼QD-…"), is refused, as the
// same codes with dashes are: spooled, the replay would cut them and
// leave no tip for the receipt given. Mutation: tips' groupSeparator,
// separatorAt, decomposedChar and pictograph as before → this test
// fails (spooled).
func TestCodesPartedBySymbolsOrInSuperscriptsAreRefusedInAnOutage_codes2(t *testing.T) {
	const a, b = "K7QD-9XMA-R2TP-4WZN", "JCJH-0X19-7ZXF-6YQN"
	if !commands.RefusedInOutage(a + " " + b) {
		t.Fatalf("%q: spooled with dashes", a+" "+b)
	}
	var texts []string
	for _, sep := range []string{"~", "*", "=", "$", "%", "^", "&", "ー", "ｰ"} {
		texts = append(texts,
			strings.ReplaceAll(a, "-", sep)+" "+b,
			a+" "+strings.ReplaceAll(b, "-", sep))
	}
	texts = append(texts,
		"ᴷ⁷ᵠᴰ-⁹ˣᴹᴬ-ᴿ²ᵀᴾ-⁴ᵂᶻᴺ",
		"K❼QD-❾XMA-R❷TP-❹WZN",
		"JCJH-⓿X➀➈-➆ZXF-➏YQN",
		b+" ᴷ⁷ᵠᴰ ⁹ˣᴹᴬ ᴿ²ᵀᴾ ⁴ᵂᶻᴺ",
		a+" JCJH-⓿X➀➈-➆ZXF-➏YQN")
	for _, text := range texts {
		if !commands.RefusedInOutage(text) {
			t.Errorf("%q would be spooled in an outage", text)
		}
	}
}
