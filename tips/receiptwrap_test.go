package tips

import (
	"slices"
	"strings"
	"testing"
)

// A receipt code with each of its four groups wrapped in brackets,
// quotes or markdown (Discord's spoilers too) reads as the code to an
// investigator: it is found, read and cut as the code, wrappers and
// all.
func TestCutReceiptsTakesWrappedGroups(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"[K7QD]-[9XMA]-[R2TP]-[4WZN]",
		"[K7QD] [9XMA] [R2TP] [4WZN]",
		"[K7QD][9XMA][R2TP][4WZN]",
		"(k7qd)-(9xma)-(r2tp)-(4wzn)",
		`"K7QD" "9XMA" "R2TP" "4WZN"`,
		`"K7QD"-"9XMA"-"R2TP"-"4WZN"`,
		"'K7QD' '9XMA' 'R2TP' '4WZN'",
		"“K7QD” “9XMA” “R2TP” “4WZN”",
		"„K7QD“ „9XMA“ „R2TP“ „4WZN”",
		"«K7QD» «9XMA» «R2TP» «4WZN»",
		"`K7QD` `9XMA` `R2TP` `4WZN`",
		"`K7QD`-`9XMA`-`R2TP`-`4WZN`",
		"*K7QD*-*9XMA*-*R2TP*-*4WZN*",
		"**K7QD** **9XMA** **R2TP** **4WZN**",
		"***K7QD***-***9XMA***-***R2TP***-***4WZN***",
		"||K7QD|| ||9XMA|| ||R2TP|| ||4WZN||",
		"||K7QD||-||9XMA||-||R2TP||-||4WZN||",
		"||K7QD||||9XMA||||R2TP||||4WZN||",
		"|K7QD|-|9XMA|-|R2TP|-|4WZN|",
		"|K7QD| |9XMA| |R2TP| |4WZN|",
		"__K7QD__-__9XMA__-__R2TP__-__4WZN__",
		"__K7QD__ __9XMA__ __R2TP__ __4WZN__",
		"_K7QD_-_9XMA_-_R2TP_-_4WZN_",
		"~~K7QD~~ ~~9XMA~~ ~~R2TP~~ ~~4WZN~~",
		"**[K7QD]** **[9XMA]** **[R2TP]** **[4WZN]**",
		"【K7QD】【9XMA】【R2TP】【4WZN】",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		for _, tc := range []struct{ in, want string }{
			{"mi código " + written + " gracias", "mi código gracias"},
			{"mi código " + written + ".", "mi código."},
			{"(mi código " + written + ")", "(mi código)"},
			{written + " gracias", "gracias"},
		} {
			out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
			if err != nil || !cut || out[0] != tc.want {
				t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
			}
		}
		if got := ReplaceReceipts("es "+written+" y", func(string) string { return "[code]" }); got != "es [code] y" {
			t.Errorf("%q: replaced %q", written, got)
		}
	}
}

// Brackets, quotes and markdown in ordinary text are not read as a
// code's wrappers: words wrapped alone, groups wrapped unlike each other
// or not all of them, are no code-like words (nothing more is looked
// up than without the wrappers), and wrapped words next to a code cut
// stay.
func TestWrappedWordsAreNoCode(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for text, want := range map[string][]string{
		`Dijo "hola" y *urgente*, ver [nota 3] (2024) ||spoiler|| __casa__ ~~pago~~ «mira» „gut“ 'x' **AB12** [CD34]`: nil,
		"[casa] [para] [mama] [esta]":            {"CASA-PARA-MAMA-ESTA"}, // as "casa para mama esta" is
		"placas [AB12]-[CD34]-[EF56]-[GH78]":     {"AB12-CD34-EF56-GH78"}, // a code-like word, looked up, kept
		"placas [AB12]-(CD34)-[EF56]-[GH78]":     nil,
		"placas [AB12]-CD34-[EF56]-[GH78]":       nil,
		"placas **AB12** **CD34** **EF56** GH78": nil,
		"(AB12) (CD34) (EF56) (GH78X)":           nil,
		"x_AB12_CD34_EF56_GH78_":                 {"AB12-CD34-EF56-GH78"}, // as "x-AB12-CD34-EF56-GH78-" is: "_" parts words
	} {
		var asked []string
		out, cut, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = codes
			return make([]bool, len(codes)), nil
		})
		if err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
			t.Errorf("%q: asked %q, want %q (%q %v %v)", text, asked, want, out, cut, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"[nota] K7QD-9XMA-R2TP-4WZN [fin]", "[nota] [fin]"},
		{"**urgente** (mi código K7QD-9XMA-R2TP-4WZN) ||ver||", "**urgente** (mi código) ||ver||"},
		{"[AB12]-[CD34]-[EF56]-[GH78] y [K7QD]-[9XMA]-[R2TP]-[4WZN]", "[AB12]-[CD34]-[EF56]-[GH78] y"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
	if _, ok := NormalizeReceipt("[K7QD]-[9XMA]-[R2TP]-[4WZN]X"); ok {
		t.Error("a wrapped code with a letter after it read as a code")
	}
	if strings.Contains(strings.Join(ReceiptCodesIn("*casa* *para* *mama* *está*"), ""), "ESTA") {
		t.Error("an accented word read through its wrappers")
	}
}
