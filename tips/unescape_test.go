package tips

import (
	"strings"
	"testing"
)

// UnescapeUnreserved decodes escapes of letters, digits and "-._~" only,
// once, and keeps any other "%" as written.
func TestUnescapeUnreserved(t *testing.T) {
	for in, want := range map[string]string{
		"https://t.me/%76ecin":   "https://t.me/vecin",
		"%54%2E%4d%45/%5F%7e%2D": "T.ME/_~-",
		"%2576 %2F %20 %C3%B1 %": "%2576 %2F %20 %C3%B1 %",
		"100% %7 %zz %4":         "100% %7 %zz %4",
		"sin escapes":            "sin escapes",
		"%%76%":                  "%v%",
		strings.Repeat("%41", 3): "AAA",
	} {
		if got := UnescapeUnreserved(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
