package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// While Redis is down, a message of receipt codes alone whose groups are
// parted by runs of vertical tabs or form feeds among spaces and dashes
// ("K7QD -\v\f 9XMA -\v\f …", shown to an investigator as spaces) is
// refused, as the same codes parted by line breaks are: spooled, the
// replay would cut them and leave no tip for the receipt given.
// Mutation: tips' separatorsAt and spaceAt counting only " \t\n\r" as
// spaces → this test fails (spooled).
func TestCodesPartedByVerticalTabsAreRefusedInAnOutage_codes(t *testing.T) {
	const a, b = "K7QD-9XMA-R2TP-4WZN", "JCJH-0X19-7ZXF-6YQN"
	for _, sep := range []string{" -\v\f ", "-\v\v ", " \f\f\f "} {
		for _, text := range []string{
			strings.Join(strings.Split(a, "-"), sep) + " " + b,
			a + "\v\f" + strings.Join(strings.Split(b, "-"), sep),
		} {
			lined := strings.NewReplacer("\v", "\n", "\f", "\n").Replace(text)
			if !commands.RefusedInOutage(lined) {
				t.Fatalf("%q: spooled with line breaks", lined)
			}
			if !commands.RefusedInOutage(text) {
				t.Errorf("%q would be spooled in an outage", text)
			}
		}
	}
}
