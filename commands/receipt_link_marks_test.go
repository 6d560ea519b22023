package commands_test

import (
	"testing"
)

// The same with the code's last piece set off in the address by marks
// the scan did not read there: three of markdown's ("?c=___4WZN___"),
// quotes or brackets of other scripts ("?c=«4WZN»", "#「4WZN」"), or marks
// percent-escaped as a browser writes them ("?c=%5F4WZN",
// "?c=%C2%AB4WZN%C2%BB"): cut live, in a /reply's answer and at the
// replay of a message spooled in an outage. Mutation: linkSpans reading
// at most two ASCII pieceMarks, unescaped (as before) → this test fails
// (live, /reply and replay).
func TestReceiptCodeSplitIntoALinkAfterEscapedOrWideMarksIsNotShown_codes(t *testing.T) {
	splitIntoALinkNotShown(t, []func(head, last string) string{
		func(head, last string) string {
			return "mi código " + head + " https://x.example/?c=___" + last + "___ gracias"
		},
		func(head, last string) string {
			return "mi código " + head + " https://x.example/?c=«" + last + "» gracias"
		},
		func(head, last string) string { return "mi código " + head + " https://x.example/#「" + last + "」" },
		func(head, last string) string {
			return "mi código " + head + " https://x.example/?c=%5F" + last + "&d=1"
		},
		func(head, last string) string {
			return "mi código " + head + " https://x.example/?c=%C2%AB" + last + "%C2%BB"
		},
	})
}
