package commands_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// pastRecorder records the past forms /entity looks an entity up under.
type pastRecorder struct {
	commands.Store
	past []string
}

func (s *pastRecorder) EntityTips(ctx context.Context, e tips.Entity, since time.Time, n int, past ...tips.Entity) ([]tips.Tip, error) {
	s.past = nil
	for _, p := range past {
		s.past = append(s.past, p.Key())
	}
	return s.Store.EntityTips(ctx, e, since, n, past...)
}

// /entity with a handle or hashtag that keeps its marks now also looks
// it up as it was cut before ("@khabar_हिंदी" was the handle "khabar_ह"),
// where tips indexed then are (storage's
// TestEntityFindsTipsIndexedUnderTheOldCutForm: which of those it
// keeps); an entity read as before has no other form to look up. The
// tip indexed now is listed as before.
func TestEntityLooksUpTheFormCutBefore(t *testing.T) {
	tm := newTeam(t)
	tm.report("7301", "me extorsiona @khabar_हिंदी cada semana", "")
	st := &pastRecorder{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: st, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en",
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin}})
	for arg, want := range map[string][]string{
		"@khabar_हिंदी":      {"handle:khabar_ह"},
		"#می\u200cخواهم":     {"hashtag:می"},
		"@hola\u0331mundo":   {"handle:hola"},
		"@narco_del_mercado": nil,
		"#extorsión":         nil,
	} {
		text := tm.as(adminID, "Ada", commands.Request{Command: "entity", Args: arg})[0].Text
		if !slices.Equal(st.past, want) {
			t.Errorf("/entity %s looked up past forms %q, want %q", arg, st.past, want)
		}
		if arg == "@khabar_हिंदी" && !strings.Contains(text, "#1 ") {
			t.Errorf("/entity %s:\n%s", arg, text)
		}
	}
}
