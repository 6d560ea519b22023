package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// ask numbers and records a question, as the engine does once it is delivered.
func ask(t *testing.T, st *storage.Store, id string, by storage.Claimer, text string) int {
	t.Helper()
	ctx := context.Background()
	n, err := st.QuestionNumber(ctx, id, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Ask(ctx, id, n, by, text); err != nil {
		t.Fatal(err)
	}
	return n
}

func answers(tip tips.Tip) []string {
	var out []string
	for _, e := range tip.History {
		if e.Kind == tips.EntryAnswer {
			out = append(out, e.Text)
		}
	}
	return out
}

// Every open question of a tip can be answered, once, and the answer says
// who asked it; the tip shows the newest question still open.
func TestEveryQuestionIsAnsweredOnce(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := submit(t, st, "104", 10, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	beto := storage.Claimer{Key: "beto-key", Name: "Beto", Route: "telegram:2003"}
	day := ask(t, st, id, ana, "¿Qué día?")
	hour := ask(t, st, id, beto, "¿Qué hora?")
	if day != 1 || hour != 2 {
		t.Fatalf("question numbers %d, %d", day, hour)
	}
	open, err := st.OpenQuestions(ctx, id)
	if err != nil || len(open) != 2 || open[0].Text != "¿Qué día?" || open[0].By.Key != ana.Key || open[1].By.Route != beto.Route {
		t.Fatalf("open questions: %+v %v", open, err)
	}
	dump, _ := srv.Dump(ctx)
	for k, v := range dump {
		for _, clear := range []string{"Qué día", "Qué hora", "telegram:2002", "ana-key"} {
			if contains(v, clear) {
				t.Fatalf("%q in clear in %s", clear, k)
			}
		}
	}

	// The newest first: the tip shows the older one, still open.
	q, err := st.Answer(ctx, id, hour, "A las nueve")
	if err != nil || q.Text != "¿Qué hora?" || q.By.Key != beto.Key || q.By.Route != beto.Route {
		t.Fatalf("answer to question %d: %+v %v", hour, q, err)
	}
	if tip, _ := st.Tip(ctx, id); tip.OpenQuestion != "¿Qué día?" {
		t.Fatalf("open question after answering the newest: %q", tip.OpenQuestion)
	}
	if _, err := st.Answer(ctx, id, hour, "A las diez"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a question answered twice: %v", err)
	}
	if q, err = st.Answer(ctx, id, day, "El lunes"); err != nil || q.By.Route != ana.Route {
		t.Fatalf("answer to question %d: %+v %v", day, q, err)
	}
	tip, _ := st.Tip(ctx, id)
	if got := answers(tip); tip.OpenQuestion != "" || strings.Join(got, "|") != "A las nueve|El lunes" {
		t.Fatalf("after both answers: open %q, answers %q", tip.OpenQuestion, got)
	}
	if open, err := st.OpenQuestions(ctx, id); err != nil || len(open) != 0 {
		t.Fatalf("open questions after both answers: %+v %v", open, err)
	}
}

// A question asked before questions were numbered (the tip's "oq" alone) is
// question 0: it stays open when another is asked, and can be answered.
func TestQuestionAskedBeforeNumbering(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := submit(t, st, "104", 10, "", true)
	ask(t, st, id, storage.Claimer{Name: "Ana"}, "¿Qué día?")
	srv.Client().HDel(ctx, "t:{tips}:tip:"+id, "q:1", "qb:1") // as the previous version left it
	if open, err := st.OpenQuestions(ctx, id); err != nil || len(open) != 1 || open[0].N != 0 || open[0].Text != "¿Qué día?" {
		t.Fatalf("the earlier question: %+v %v", open, err)
	}
	ask(t, st, id, storage.Claimer{Name: "Ana"}, "¿Qué hora?")
	if open, err := st.OpenQuestions(ctx, id); err != nil || len(open) != 2 || open[0].N != 0 || open[1].Text != "¿Qué hora?" {
		t.Fatalf("after a new question: %+v %v", open, err)
	}
	if q, err := st.Answer(ctx, id, 0, "El lunes"); err != nil || q.Text != "¿Qué día?" || q.By.Route != "" {
		t.Fatalf("answer to the earlier question: %+v %v", q, err)
	}
	if tip, _ := st.Tip(ctx, id); tip.OpenQuestion != "¿Qué hora?" || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("after answering it: %q %q", tip.OpenQuestion, answers(tip))
	}
	if _, err := st.Answer(ctx, id, 0, "El martes"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the earlier question answered twice: %v", err)
	}

	// Alone, it is answered as question 0 too.
	other := submit(t, st, "105", 20, "", true)
	ask(t, st, other, storage.Claimer{Name: "Ana"}, "¿Dónde?")
	srv.Client().HDel(ctx, "t:{tips}:tip:"+other, "q:1", "qb:1")
	if q, err := st.Answer(ctx, other, 0, "En la esquina"); err != nil || q.Text != "¿Dónde?" {
		t.Fatalf("answer to the earlier question alone: %+v %v", q, err)
	}
	if tip, _ := st.Tip(ctx, other); tip.OpenQuestion != "" || strings.Join(answers(tip), "|") != "En la esquina" {
		t.Fatalf("after answering it: %q %q", tip.OpenQuestion, answers(tip))
	}
}

// /forget drops every open question; a purged (or expired) tip takes none
// and is not brought back by a late question or answer.
func TestQuestionsOfForgottenAndGoneTips(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := submit(t, st, "104", 10, "", true)
	ask(t, st, id, storage.Claimer{Name: "Ana"}, "¿Qué día?")
	n := ask(t, st, id, storage.Claimer{Name: "Ana"}, "¿Qué hora?")
	if err := st.Forget(ctx, id); err != nil {
		t.Fatal(err)
	}
	if open, err := st.OpenQuestions(ctx, id); err != nil || len(open) != 0 {
		t.Fatalf("open questions after /forget: %+v %v", open, err)
	}
	if _, err := st.Answer(ctx, id, n, "A las nueve"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("answer after /forget: %v", err)
	}
	if tip, _ := st.Tip(ctx, id); tip.OpenQuestion != "" || len(answers(tip)) != 0 {
		t.Fatalf("after /forget: %+v", tip)
	}

	gone := submit(t, st, "105", 20, "", true)
	n = ask(t, st, gone, storage.Claimer{Name: "Ana"}, "¿Dónde?")
	if err := st.Purge(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Answer(ctx, gone, n, "En la esquina"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("answer to a purged tip: %v", err)
	}
	if _, err := st.QuestionNumber(ctx, gone, 7*24*time.Hour); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("question number of a purged tip: %v", err)
	}
	if err := st.Ask(ctx, gone, n+1, storage.Claimer{Name: "Ana"}, "¿Cuándo?"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("question to a purged tip: %v", err)
	}
	if keys, _ := srv.Client().Keys(ctx, "t:{tips}:*:"+gone).Result(); len(keys) != 0 {
		t.Fatalf("a purged tip came back: %v", keys)
	}
}

// A question is neither numbered nor recorded for a reporter who cannot be
// reached: who did not allow questions, or withdrew with /forget, even
// while the question was on its way to them.
func TestNoQuestionWithoutARoute(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	ana := storage.Claimer{Name: "Ana"}
	silent := submit(t, st, "104", 10, "", false)
	if _, err := st.QuestionNumber(ctx, silent, 7*24*time.Hour); !errors.Is(err, storage.ErrNoRoute) {
		t.Fatalf("question number without a route: %v", err)
	}

	id := submit(t, st, "105", 20, "", true)
	n, err := st.QuestionNumber(ctx, id, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Forget(ctx, id); err != nil { // while the question is being sent
		t.Fatal(err)
	}
	if err := st.Ask(ctx, id, n, ana, "¿Qué día?"); !errors.Is(err, storage.ErrNoRoute) {
		t.Fatalf("question recorded after /forget: %v", err)
	}
	if open, err := st.OpenQuestions(ctx, id); err != nil || len(open) != 0 {
		t.Fatalf("open questions: %+v %v", open, err)
	}
	if tip, _ := st.Tip(ctx, id); tip.OpenQuestion != "" || len(tip.History) != 0 {
		t.Fatalf("after /forget: open %q, history %+v", tip.OpenQuestion, tip.History)
	}
	if _, err := st.QuestionNumber(ctx, id, 7*24*time.Hour); !errors.Is(err, storage.ErrNoRoute) {
		t.Fatalf("question number after /forget: %v", err)
	}
}

// UpdateAnswering changes a reporter's marks as one step: a change another
// request saves meanwhile is not lost, the update runs again on it. Sealed,
// and on a Redis Cluster too (one key).
func TestUpdateAnsweringKeepsWhatChangedMeanwhile(t *testing.T) {
	run := func(t *testing.T, st *storage.Store, dump func() map[string][]byte) {
		ctx := context.Background()
		p := st.Pseudonym("telegram", "104")
		if err := st.SetAnswering(ctx, p, "mark-one", time.Hour); err != nil {
			t.Fatal(err)
		}
		var seen []string
		err := st.UpdateAnswering(ctx, p, func(v string) (string, time.Duration) {
			if len(seen) == 0 { // another request saves its mark meanwhile
				if err := st.SetAnswering(ctx, p, v+",mark-two", time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			seen = append(seen, v)
			return v + ",mark-three", time.Hour
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := st.Answering(ctx, p); err != nil || v != "mark-one,mark-two,mark-three" || len(seen) != 2 {
			t.Fatalf("after the update: %q %v (it saw %q)", v, err, seen)
		}
		for k, v := range dump() {
			if contains(v, "mark-") {
				t.Fatalf("a mark in clear in %s", k)
			}
		}
		// Nothing left to remember: no key.
		if err := st.UpdateAnswering(ctx, p, func(string) (string, time.Duration) { return "", 0 }); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Answering(ctx, p); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("after clearing: %v", err)
		}
		// None to start from: the update sees "".
		err = st.UpdateAnswering(ctx, p, func(v string) (string, time.Duration) { return v + "mark-four", time.Hour })
		if v, _ := st.Answering(ctx, p); err != nil || v != "mark-four" {
			t.Fatalf("from none: %q %v", v, err)
		}
	}
	t.Run("single", func(t *testing.T) {
		st, srv, _ := newStore(t)
		run(t, st, func() map[string][]byte { d, _ := srv.Dump(context.Background()); return d })
	})
	t.Run("cluster", func(t *testing.T) {
		cl := redistest.StartCluster(t)
		kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
		st, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c"})
		if err != nil {
			t.Fatal(err)
		}
		run(t, st, func() map[string][]byte { return nil })
	})
}

// Questions numbered at the same moment cannot pass the limit of open
// questions together: each holds its place from when it is numbered. One
// given back (not delivered) frees its place; one recorded keeps it.
func TestQuestionNumberHoldsItsPlaceAtOnce(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	id := submit(t, st, "105", 20, "", true)
	const tries = storage.MaxQuestionsPerDay - 1
	var wg sync.WaitGroup
	numbered := make(chan int, tries)
	for range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := st.QuestionNumber(ctx, id, 7*24*time.Hour)
			switch {
			case err == nil:
				numbered <- n
			case !errors.Is(err, storage.ErrOpenQuestions):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(numbered)
	var ns []int
	for n := range numbered {
		ns = append(ns, n)
	}
	if len(ns) != storage.MaxOpenQuestions {
		t.Fatalf("%d questions numbered at once, want %d", len(ns), storage.MaxOpenQuestions)
	}
	if err := st.Ask(ctx, id, ns[0], storage.Claimer{Name: "Ana"}, "¿Qué día?"); err != nil {
		t.Fatal(err)
	}
	if err := st.UnnumberQuestion(ctx, id, ns[0]); err != nil { // recorded: kept
		t.Fatal(err)
	}
	if err := st.UnnumberQuestion(ctx, id, ns[1]); err != nil { // not delivered
		t.Fatal(err)
	}
	if _, err := st.QuestionNumber(ctx, id, 7*24*time.Hour); err != nil {
		t.Fatalf("a place given back: %v", err)
	}
	if _, err := st.QuestionNumber(ctx, id, 7*24*time.Hour); !errors.Is(err, storage.ErrOpenQuestions) {
		t.Fatalf("past the limit again: %v", err)
	}
	// Numbered and never recorded nor given back (its process stopped on
	// the way): its place is held a while, not for the reply window.
	clk.Add(15 * time.Minute)
	if _, err := st.QuestionNumber(ctx, id, 7*24*time.Hour); err != nil {
		t.Fatalf("places held by questions never delivered, 15 minutes on: %v", err)
	}
}

// Questions asked before a question's time was kept count from when they
// are first seen, for the reply window: not until they are answered.
func TestQuestionsAskedBeforeTheirTimeWasKeptStopCounting(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	id := submit(t, st, "105", 20, "", true)
	ana := storage.Claimer{Name: "Ana"}
	for _, q := range []string{"¿Qué día?", "¿Qué hora?", "¿Dónde?"} {
		ask(t, st, id, ana, q)
	}
	srv.Client().HDel(ctx, st.TipKey(id), "qs:1", "qs:2", "qs:3") // as the previous version left them
	const week = 7 * 24 * time.Hour
	if _, err := st.QuestionNumber(ctx, id, week); !errors.Is(err, storage.ErrOpenQuestions) {
		t.Fatalf("three unanswered: %v", err)
	}
	clk.Add(week - time.Minute)
	if _, err := st.QuestionNumber(ctx, id, week); !errors.Is(err, storage.ErrOpenQuestions) {
		t.Fatalf("three unanswered, within a week of when they were first seen: %v", err)
	}
	clk.Add(time.Minute)
	if _, err := st.QuestionNumber(ctx, id, week); err != nil {
		t.Fatalf("a week after they were first seen: %v", err)
	}
}

// UnnumberQuestion of a question recorded as asked gives nothing back:
// it still counts, for its reply window from when it was numbered (not
// from when it was given back, nor from when a place was next sought).
func TestUnnumberingARecordedQuestionKeepsIt(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	id := submit(t, st, "105", 20, "", true)
	ana := storage.Claimer{Name: "Ana"}
	var ns []int
	for _, q := range []string{"¿Qué día?", "¿Qué hora?", "¿Dónde?"} {
		ns = append(ns, ask(t, st, id, ana, q))
	}
	const week = 7 * 24 * time.Hour
	clk.Add(24 * time.Hour)
	for _, n := range ns {
		if err := st.UnnumberQuestion(ctx, id, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.QuestionNumber(ctx, id, week); !errors.Is(err, storage.ErrOpenQuestions) {
		t.Fatalf("three asked, then given back: %v, want them still open", err)
	}
	clk.Add(week - 24*time.Hour)
	if _, err := st.QuestionNumber(ctx, id, week); err != nil {
		t.Fatalf("a week after the three were asked: %v", err)
	}
}

// /forget takes out, with the route and the open questions, the marks
// that name the reporter's messages which answered the tip's questions
// ("qa:<n>", keyed hashes of their pseudonym and platform event): no
// field keyed to them is left on the tip. Their answers stay in its
// history, as the tip stays in triage.
func TestForgetDropsTheMarksOfTheReportersAnswers(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := submit(t, st, "104", 10, "", true)
	p := st.Pseudonym("telegram", "104")
	for i, text := range []string{"El lunes", "A las nueve"} {
		n := ask(t, st, id, storage.Claimer{Name: "Ana"}, "¿Cuándo?")
		if _, again, err := st.AnswerOnce(ctx, id, n, text, p, int64(70+i)); err != nil || again {
			t.Fatalf("answer %d: %v, again %v", n, err, again)
		}
		if got, err := st.AnsweredBy(ctx, id, p, int64(70+i)); err != nil || got != n {
			t.Fatalf("the question event %d answered: %d, %v", 70+i, got, err)
		}
	}
	if err := st.Forget(ctx, id); err != nil {
		t.Fatal(err)
	}
	fields, err := srv.Client().HKeys(ctx, "t:{tips}:tip:"+id).Result()
	if err != nil || len(fields) == 0 {
		t.Fatalf("the tip's fields: %v, %v", fields, err)
	}
	for _, f := range fields {
		if strings.HasPrefix(f, "qa:") {
			t.Fatalf("after /forget the tip keeps %q, keyed to its reporter (fields %q)", f, fields)
		}
	}
	if _, err := st.AnsweredBy(ctx, id, p, 70); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the answer's message known after /forget: %v", err)
	}
	if tip, err := st.Tip(ctx, id); err != nil || strings.Join(answers(tip), "|") != "El lunes|A las nueve" {
		t.Fatalf("answers after /forget: %q, %v", answers(tip), err)
	}
}

// A question whose reply window has ended can no longer be answered: its
// sealed fields (the question, who asked) are not kept in the tip's hash
// for the tip's whole life, but taken out at its next question once a
// reply held as its window ended can no longer answer it (a second window
// and two days), and the tip shows the newest question left. One still
// within that stays.
// Mutation: numberQuestion counting an expired question out without
// deleting its fields -> fails (q:1 and qb:1 still in the tip's hash);
// deleting them once its reply window alone has ended -> fails (q:1 taken
// out 8 days after it was asked).
func TestExpiredQuestionsLeaveTheTipAtItsNextQuestion(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	id := submit(t, st, "106", 30, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	ask(t, st, id, ana, "¿Qué día?")
	clk.Add(6 * 24 * time.Hour)
	ask(t, st, id, ana, "¿Qué hora?")
	clk.Add(2 * 24 * time.Hour) // the first's window ended: kept, a reply held may answer it
	ask(t, st, id, ana, "¿Dónde?")
	fields := srv.Client().HGetAll(ctx, st.TipKey(id)).Val()
	for _, f := range []string{"q:1", "qb:1", "qs:1"} {
		if _, ok := fields[f]; !ok {
			t.Fatalf("the question whose window ended 1 day ago lost its %s", f)
		}
	}
	clk.Add(8*24*time.Hour + time.Minute) // the first's two windows and two days ended
	ask(t, st, id, ana, "¿Con quién?")
	fields = srv.Client().HGetAll(ctx, st.TipKey(id)).Val()
	for _, f := range []string{"q:1", "qb:1", "qs:1"} {
		if _, ok := fields[f]; ok {
			t.Fatalf("the expired question's %s is still in the tip's hash", f)
		}
	}
	for _, f := range []string{"q:2", "qb:2", "qs:2", "q:3", "qb:3", "qs:3", "q:4", "qb:4", "qs:4"} {
		if _, ok := fields[f]; !ok {
			t.Fatalf("a question still kept lost its %s", f)
		}
	}
	open, err := st.OpenQuestions(ctx, id)
	if err != nil || len(open) != 3 || open[0].Text != "¿Qué hora?" || open[2].Text != "¿Con quién?" {
		t.Fatalf("open questions: %+v %v", open, err)
	}
	if tip, err := st.Tip(ctx, id); err != nil || tip.OpenQuestion != "¿Con quién?" {
		t.Fatalf("the tip shows %q (%v)", tip.OpenQuestion, err)
	}
	// All past: none left, the tip shows none.
	clk.Add(17 * 24 * time.Hour)
	if _, err := st.QuestionNumber(ctx, id, 7*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if tip, err := st.Tip(ctx, id); err != nil || tip.OpenQuestion != "" {
		t.Fatalf("every question expired, the tip shows %q (%v)", tip.OpenQuestion, err)
	}
	if open, err := st.OpenQuestions(ctx, id); err != nil || len(open) != 0 {
		t.Fatalf("open questions, every one expired: %+v %v", open, err)
	}
}
