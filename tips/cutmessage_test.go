package tips

import (
	"reflect"
	"slices"
	"testing"
)

// CutMessageReceipts finds a message's code-like words once, and those
// across its text and links once more only where some were cut: each
// read is a scan of every word (of a 4,096-character message, and of it
// joined with its links). Where some were cut, what is left is read
// again (cutRounds), once if nothing more is cut.
func TestCutMessageReceiptsReadsOnce(t *testing.T) {
	reads := 0
	candidatesRead = func() { reads++ }
	defer func() { candidatesRead = func() {} }()
	code := "K7QD-9XMA-R2TP-4WZN"
	known := func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == code
		}
		return out, nil
	}
	for _, c := range []struct {
		texts []string
		reads int
	}{
		{[]string{"placa AB12-CD34-EF56-GH78 vista en la colonia Centro"}, 1},
		{[]string{"placa AB12-CD34-EF56-GH78 en el video", "https://x.example/v/AB12"}, 2},
		// (What the cut left read again, within and across: cutRounds.)
		{[]string{"mi código K7QD-9XMA-R2TP-4WZN, placa AB12-CD34", "https://x.example/v/AB12"}, 5},
	} {
		reads = 0
		if _, _, err := CutMessageReceipts(c.texts, known); err != nil {
			t.Fatal(err)
		}
		if reads != c.reads {
			t.Errorf("%q: read %d times, want %d", c.texts, reads, c.reads)
		}
	}
}

// CutMessageReceipts cuts what CutReceipts then CutReceiptsAcross cut,
// asked once about the codes of both (as it did before it read the
// message's words once).
func FuzzCutMessageReceiptsAsBefore(f *testing.F) {
	f.Add("mi código es K7QD-9XMA", "https://x.example/?c=R2TP-4WZN", "K7QD-9XMA-R2TP-4WZN")
	f.Add("K7QD-9XMA-R2TP-4WZN y JCJH-0X19", "7ZXF-6YQN", "JCJH-0X19-7ZXF-6YQN")
	f.Add("es K7QD-9XMA-R2TP https://x.example/?c=4WZN", "", "K7QD-9XMA-R2TP-4WZN")
	f.Add("placa AB12-CD34-EF56-GH78", "https://x.example/AB12", "")
	f.Fuzz(func(t *testing.T, a, b, code string) {
		code, _ = NormalizeReceipt(code)
		known := func(codes []string) ([]bool, error) {
			out := make([]bool, len(codes))
			for i := range codes {
				out[i] = codes[i] == code || len(code) == 0 && len(codes[i])%2 == 1
			}
			return out, nil
		}
		texts := []string{a, b}
		got, gotCut, err := CutMessageReceipts(texts, known)
		if err != nil {
			t.Fatal(err)
		}
		want, cut, _ := CutReceipts(texts, known)
		want, crossed, _ := CutReceiptsAcross(want, known)
		if !reflect.DeepEqual(got, want) || gotCut != (cut || crossed) || !slices.Equal(texts, []string{a, b}) {
			t.Errorf("%q: %q %v, was %q %v", texts, got, gotCut, want, cut || crossed)
		}
	})
}
