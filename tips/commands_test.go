package tips

import "testing"

// A "/word" that a chat client would take for a bot command gets a word
// joiner after its slash; other slashes stay; Refang gives the text back.
func TestDisarmCommands(t *testing.T) {
	for in, want := range map[string]string{
		"/next":                       "/\u2060next",
		"escriban /lock y (/unlock)":  "escriban /\u2060lock y (/\u2060unlock)",
		"«/tip@VigiaBot 1»\n/_x":      "«/\u2060tip@VigiaBot 1»\n/\u2060_x",
		"60 km/h, 1/2, a_b/c, //x, /": "60 km/h, 1/2, a_b/c, //x, /",
		"hxxps://evil[.]example/next": "hxxps://evil[.]example/next",
		"ñ/next / ñ":                  "ñ/\u2060next / ñ",
		"sin barra":                   "sin barra",
	} {
		if got := DisarmCommands(in); got != want {
			t.Errorf("DisarmCommands(%q) = %q, want %q", in, got, want)
		}
		if got := Refang(DisarmCommands(in)); got != Refang(in) {
			t.Errorf("Refang(DisarmCommands(%q)) = %q", in, got)
		}
	}
}
