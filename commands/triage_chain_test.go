package commands_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A duplicate mark names a tip whose chain of duplicates runs past the
// nine tips /triage follows: the mark is refused, saying so, rather than
// made onto a tip in the middle of the chain; so a way back to the tip
// beyond the bound (#11 -> … -> #10 -> #11) cannot close a cycle.
// (Such a chain is left from before marks were refused that make one
// longer than the bound: see TestMarkOfAnOriginalPastTheChainBoundIsRefused.)
// Mutation: the chain's bound taken as its end (as before) -> /triage 12
// duplicate-of 1 marks #12 a duplicate of #9, and /triage 11
// duplicate-of 1 makes #9 -> #10 -> #11 -> #9.
func TestDuplicateMarkPastTheChainBoundIsRefused(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for i := 1; i <= 12; i++ {
		tm.report(strconv.Itoa(7000+i), "cobran piso en el mercado", "")
	}
	chainBefore(t, tm, 1, 11) // #1 -> #2 -> … -> #11
	c := tm.srv.Client()
	if got := c.HGet(ctx, "w:{tips}:tip:10", "dup").Val(); got != "11" {
		t.Fatalf("#10 is a duplicate of %q, want #11: the chain was not built", got)
	}
	for _, id := range []string{"12", "11"} {
		want := tm.text("en", "triage_duplicate_chain_too_long", map[string]any{"ID": id, "Other": "1", "Last": "9", "Max": 9})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: id + " duplicate-of 1"}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage %s duplicate-of 1 answered %+v, want %q", id, r, want)
		}
		if got := c.HGet(ctx, "w:{tips}:tip:"+id, "dup").Val(); got != "" {
			t.Fatalf("#%s marked a duplicate of #%s", id, got)
		}
	}
}

// chainBefore marks tips #from … #to-1 each a duplicate of the next, as
// versions before the store checked a mark's chain recorded them (one
// mark at a time, each of the original onto another tip): chains longer
// than the bound are left from then.
func chainBefore(t *testing.T, tm *team, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := tm.srv.Client().HSet(context.Background(), "w:{tips}:tip:"+strconv.Itoa(i), "s", "duplicate", "dup", strconv.Itoa(i+1)).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// Marking a chain's original a duplicate of another tip lengthens every
// chain behind it: with tips eight marks deep behind #9 (#1 -> … -> #9),
// /triage 9 duplicate-of 10 would make a chain of nine marks, past the
// nine tips /triage follows; it is refused, saying what to do instead,
// and nothing changes: every chain can still be followed to its end. What
// it says to do instead goes through.
// Mutation: the decide script without its check of the tips behind
// (behind + 1 + m > max) -> #9 is marked a duplicate of #10, and
// /triage 12 duplicate-of 1 is refused as past the bound.
func TestMarkOfAnOriginalPastTheChainBoundIsRefused(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for i := 1; i <= 12; i++ {
		tm.report(strconv.Itoa(7000+i), "cobran piso en el mercado", "")
	}
	for i := 1; i <= 8; i++ { // #1 -> #2 -> … -> #9, the original marked each time
		want := tm.text("en", "triage_done", map[string]any{"ID": strconv.Itoa(i), "Status": tm.text("en", "status_duplicate", nil)})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: fmt.Sprintf("%d duplicate-of %d", i, i+1)}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage %d duplicate-of %d answered %+v", i, i+1, r)
		}
	}
	want := tm.text("en", "triage_duplicate_chain_deep", map[string]any{"ID": "9", "Other": "10", "Max": 9})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "9 duplicate-of 10"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/triage 9 duplicate-of 10 answered %+v, want %q", r, want)
	}
	c := tm.srv.Client()
	if got := c.HMGet(ctx, "w:{tips}:tip:9", "s", "dup").Val(); got[0] == "duplicate" || got[1] != nil {
		t.Fatalf("#9 is %v after the refusal", got)
	}
	// The chain from #1 is read to its end (#9): #12 is marked onto it.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "12 duplicate-of 1"}); len(r) != 1 || r[0].Text != tm.text("en", "triage_done", map[string]any{"ID": "12", "Status": tm.text("en", "status_duplicate", nil)}) {
		t.Fatalf("/triage 12 duplicate-of 1 answered %+v", r)
	}
	if got := c.HGet(ctx, "w:{tips}:tip:12", "dup").Val(); got != "9" {
		t.Fatalf("#12 is a duplicate of %q, want #9", got)
	}
	// What the refusal says to do: #10 a duplicate of #9.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "10 duplicate 9"}); len(r) != 1 || r[0].Text != tm.text("en", "triage_done", map[string]any{"ID": "10", "Status": tm.text("en", "status_duplicate", nil)}) {
		t.Fatalf("/triage 10 duplicate 9 answered %+v", r)
	}
}

// /triage 1 duplicate-of 2 reads #2 as an original; #2 is marked a
// duplicate of #1 before #1's mark is written: the store refuses #1's
// mark, and the investigator is told of the cycle as if it had been read
// first. Neither is left a duplicate of the other with no original.
// Mutation: the decide script without its cycle check -> #1 and #2 are
// recorded duplicates of each other, and /triage answers done.
func TestOppositeDuplicateMarkMeanwhileIsAnsweredAsACycle(t *testing.T) {
	ctx := context.Background()
	rs := &raceDecide{}
	e := newHookedEnv(t, func(s commands.Store) commands.Store { rs.Store = s; return rs }, nil, func(o *commands.Options) {
		o.Roles = commands.Roles{"telegram:" + adminID: commands.Admin}
		o.Triage = commands.Triage{ClaimTimeout: time.Hour}
		o.DefaultLanguage = "en"
	})
	tm := &team{env: e}
	tm.report("7001", "cobran piso en el mercado", "")
	tm.report("7002", "cobran piso en el mercado otra vez", "")
	rs.before = func() {
		if err := tm.store.Decide(ctx, "2", storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: "1"}); err != nil {
			t.Error(err)
		}
	}
	want := tm.text("en", "triage_duplicate_cycle", map[string]any{"ID": "1", "Other": "2"})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 duplicate-of 2"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/triage 1 duplicate-of 2 as #2 was marked one of #1 answered %+v, want %q", r, want)
	}
	one, err1 := tm.store.Tip(ctx, "1")
	two, err2 := tm.store.Tip(ctx, "2")
	if err1 != nil || err2 != nil || one.Status == tips.StatusDuplicate || two.DuplicateOf != "1" {
		t.Fatalf("#1 %s of %q, #2 %s of %q (%v %v): want #2 a duplicate of #1 alone", one.Status, one.DuplicateOf, two.Status, two.DuplicateOf, err1, err2)
	}
}

// A tip with more than MaxDuplicates tips marked duplicates of it (more
// than a mark reads to check the chains behind it) is not marked a
// duplicate itself: /triage says why, and what to do instead, not that a
// chain behind it runs too deep (there may be none).
// Mutation: commands/triage.go without its ChainMany case -> /triage
// answers with the generic error; storage answering ChainDeep for it (as
// before) -> /triage speaks of a chain of more than nine tips.
func TestMarkOfATipWithTooManyDuplicatesSaysSo(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for i := 1; i <= 2; i++ {
		tm.report(strconv.Itoa(7100+i), "cobran piso en el mercado", "")
	}
	c := tm.srv.Client()
	behind := make([]any, 0, storage.MaxDuplicates+1)
	for i := range storage.MaxDuplicates + 1 {
		behind = append(behind, strconv.Itoa(100+i))
	}
	if err := c.SAdd(ctx, "w:{bc}:dups:1", behind...).Err(); err != nil {
		t.Fatal(err)
	}
	// Each marked a duplicate of #1 (its publication hash names it): not
	// stale entries, which a mark drops before it counts.
	pipe := c.Pipeline()
	for _, id := range behind {
		pipe.HSet(ctx, "w:{bc}:pub:"+id.(string), "dup", "1")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	want := tm.text("en", "triage_duplicate_too_many", map[string]any{"ID": "1", "Other": "2", "Max": storage.MaxDuplicates})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 duplicate-of 2"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/triage 1 duplicate-of 2 answered %+v, want %q", r, want)
	}
	if got := c.HGet(ctx, "w:{tips}:tip:1", "dup").Val(); got != "" {
		t.Fatalf("#1 marked a duplicate of #%s", got)
	}
}

// movingChain is a store whose duplicate marks are refused as the store
// refuses one when marks onto the chain keep being recorded while it is
// read (storage.ChainMoved, after its last read): nothing recorded.
type movingChain struct {
	commands.Store
}

func (s *movingChain) Decide(ctx context.Context, id string, by storage.Claimer, d storage.Decision) error {
	if d.Status == tips.StatusDuplicate {
		return &storage.DuplicateChainError{Kind: storage.ChainMoved}
	}
	return s.Store.Decide(ctx, id, by, d)
}

// A duplicate mark the store refuses because other marks onto the same
// chain kept landing while it read it (ChainMoved) is answered, in the
// investigator's language, with what happened and what to do (look
// again, send it again), not with the generic error; the tip is left as
// it was.
// Mutation: commands/triage.go without its ChainMoved case -> /triage
// answers with the generic error, test fails.
func TestDuplicateMarkRefusedAsTheChainMovedSaysSo(t *testing.T) {
	ctx := context.Background()
	e := newHookedEnv(t, func(s commands.Store) commands.Store { return &movingChain{s} }, nil, func(o *commands.Options) {
		o.Roles = commands.Roles{"telegram:" + adminID: commands.Admin}
		o.Triage = commands.Triage{ClaimTimeout: time.Hour}
		o.DefaultLanguage = "en"
	})
	tm := &team{env: e}
	tm.report("7001", "cobran piso en el mercado", "")
	tm.report("7002", "cobran piso en el mercado otra vez", "")
	for _, tc := range []struct{ lang, args string }{{"en", "2 duplicate-of 1"}, {"es", "2 duplicada 1"}, {"fr", "2 doublon 1"}, {"pt-BR", "2 duplicada 1"}} {
		want := tm.text(tc.lang, "triage_duplicate_moved", map[string]any{"ID": "2", "Other": "1"})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: tc.args, Language: tc.lang}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage %s (%s) refused as the chain moved answered %+v, want %q", tc.args, tc.lang, r, want)
		}
	}
	if two, err := tm.store.Tip(ctx, "2"); err != nil || two.Status == tips.StatusDuplicate {
		t.Fatalf("#2 is %s (%v) after the refusal", two.Status, err)
	}
}

// A duplicate mark written as it is said ("/triage 2 duplicate of 1",
// "duplicada de la 1", "doublon du 1", "duplicada da 1") is understood,
// in each language Vigía speaks, as "/triage 2 duplicate-of 1"; written
// without the original's number ("duplicate of x", "duplicate of"), it
// gets the usage, in the investigator's language, and nothing is marked.
// Mutation: triage without skipping the connecting words → "/triage 2
// duplicate of 1" gets the usage, test fails.
func TestDuplicateMarkWrittenAsItIsSaidIsUnderstood(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for i := 1; i <= 7; i++ {
		tm.report(strconv.Itoa(7200+i), "cobran piso en el mercado", "")
	}
	for _, tc := range []struct{ lang, id, args string }{
		{"en", "2", "duplicate of 1"},
		{"en", "3", "duplicate of #1"},
		{"es", "4", "duplicada de la 1"},
		{"fr", "5", "doublon du 1"},
		{"pt-BR", "6", "duplicada da 1"},
	} {
		want := tm.text(tc.lang, "triage_done", map[string]any{"ID": tc.id, "Status": tm.text(tc.lang, "status_duplicate", nil)})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: tc.id + " " + tc.args, Language: tc.lang}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage %s %s (%s) answered %+v, want %q", tc.id, tc.args, tc.lang, r, want)
		}
		if two, err := tm.store.Tip(ctx, tc.id); err != nil || two.Status != tips.StatusDuplicate || two.DuplicateOf != "1" {
			t.Fatalf("#%s is %s of %q (%v), want a duplicate of #1", tc.id, two.Status, two.DuplicateOf, err)
		}
	}
	usage := tm.text("es", "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})
	for _, args := range []string{"7 duplicate of x", "7 duplicada de", "7 duplicate of 1 2"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: args, Language: "es"}); len(r) != 1 || !strings.HasSuffix(r[0].Text, usage) {
			t.Fatalf("/triage %s (es) answered %+v, want the usage %q", args, r, usage)
		}
	}
	if seven, err := tm.store.Tip(ctx, "7"); err != nil || seven.Status == tips.StatusDuplicate {
		t.Fatalf("#7 is %s (%v) after the usage", seven.Status, err)
	}
}

// French elides "de" before a vowel sound, and investigators write it
// before a number too: "/triage 2 doublon d'1", with a typographic
// apostrophe ("d’1", as phones type it) or a space ("d' 1"), is
// "doublon de 1"; "d'x", "d'" alone and a bare "doublon" get the usage,
// and nothing is marked.
// Mutation: fr triage_duplicate_of_words without "d'" → "/triage 2
// doublon d'1" gets the usage, test fails.
func TestFrenchElidedDuplicateOfIsUnderstood(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for i := 1; i <= 6; i++ {
		tm.report(strconv.Itoa(7300+i), "cobran piso en el mercado", "")
	}
	for _, tc := range []struct{ id, args string }{
		{"2", "doublon d'1"},
		{"3", "doublon d’1 urgente"},
		{"4", "doublon D'#1"},
		{"5", "doublon d' 1"},
	} {
		want := tm.text("fr", "triage_done", map[string]any{"ID": tc.id, "Status": tm.text("fr", "status_duplicate", nil)})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: tc.id + " " + tc.args, Language: "fr"}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage %s %s answered %+v, want %q", tc.id, tc.args, r, want)
		}
		if tip, err := tm.store.Tip(ctx, tc.id); err != nil || tip.Status != tips.StatusDuplicate || tip.DuplicateOf != "1" {
			t.Fatalf("#%s is %s of %q (%v), want a duplicate of #1", tc.id, tip.Status, tip.DuplicateOf, err)
		}
	}
	usage := tm.text("fr", "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})
	for _, args := range []string{"6 doublon d'x", "6 doublon d'", "6 doublon d’", "6 doublon"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: args, Language: "fr"}); len(r) != 1 || !strings.HasSuffix(r[0].Text, usage) {
			t.Fatalf("/triage %s answered %+v, want the usage %q", args, r, usage)
		}
	}
	if six, err := tm.store.Tip(ctx, "6"); err != nil || six.Status == tips.StatusDuplicate {
		t.Fatalf("#6 is %s (%v) after the usage", six.Status, err)
	}
}
