package commands

import (
	"reflect"
	"testing"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// categoryButtonsAsBefore is categoryButtons as it was made before its
// buttons shared one slice: a row at a time, each label through
// categoryName.
func categoryButtonsAsBefore(c *Context, d storage.Draft) [][]Button {
	var rows [][]Button
	for i := 0; i < len(tips.Categories); i += 2 {
		var row []Button
		for _, cat := range tips.Categories[i:min(i+2, len(tips.Categories))] {
			row = append(row, Button{Label: c.categoryName(cat), Data: cbCategory + d.ID + ":" + string(cat)})
		}
		rows = append(rows, row)
	}
	return append(rows, c.sendCancel(d)...)
}

// A draft's buttons are those made a row at a time, in every language,
// the follow-up toggle on and off; a row appended to (as a caller may)
// leaves the next row's buttons as they were. Mutations: a row cut
// without its capacity bound (buttons[i:j]) → fails (appending to the
// first row writes over the second's first button); a label's id taken
// one category over → fails.
func TestCategoryButtonsAreThoseMadeRowByRow(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := &Mux{msg: msg}
	for _, lang := range append(append([]string{}, locales.Supported...), "de", "") {
		for _, d := range []storage.Draft{{ID: "f33c9220132af786"}, {ID: "a1", FollowUp: true}, {}} {
			c := &Context{mux: m, Lang: lang}
			got, want := c.categoryButtons(d), categoryButtonsAsBefore(c, d)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %+v: %q, want %q", lang, d, got, want)
			}
			for i := range len(got) - 1 {
				next := append([]Button(nil), got[i+1]...)
				_ = append(got[i], Button{Label: "x", Data: "x"})
				if !reflect.DeepEqual(got[i+1], next) {
					t.Fatalf("%s: a button appended to row %d changed row %d: %q", lang, i, i+1, got[i+1])
				}
			}
		}
	}
}

// BenchmarkCategoryButtons is a draft's buttons, as every answer about a
// draft (each tip's message) makes them.
func BenchmarkCategoryButtons(b *testing.B) {
	msg, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	c := &Context{mux: &Mux{msg: msg}, Lang: "es"}
	d := storage.Draft{ID: "f33c9220132af786"}
	b.ReportAllocs()
	for b.Loop() {
		c.categoryButtons(d)
	}
}
