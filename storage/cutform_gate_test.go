package storage

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// keyTouches counts the commands sent to Redis, alone or in a pipeline,
// that name one of keys (as a key of a script too).
type keyTouches struct {
	keys []string
	mu   sync.Mutex
	n    int
}

func (h *keyTouches) count(cmds []redis.Cmder) {
	for _, c := range cmds {
		if slices.ContainsFunc(c.Args(), func(a any) bool { s, ok := a.(string); return ok && slices.Contains(h.keys, s) }) {
			h.mu.Lock()
			h.n++
			h.mu.Unlock()
		}
	}
}

func (h *keyTouches) touches() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func (h *keyTouches) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *keyTouches) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (h *keyTouches) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.count(cmds)
		return next(ctx, cmds)
	}
}

// /entity looks a handle's past cut form up while a tip it lists (those
// of the retention) may be under it: it finds the tip indexed there. Not
// once the retention has passed since handles kept their marks (no tip
// indexed under the old form is listed any more): the form's set is not
// read at all.
// Mutation: EntityTips looking the past forms up whatever
// mayBeUnderPastForms says -> fails (the set read, the retention past).
func TestEntityLooksUpPastFormsWhileTheirTipsMayBeListed(t *testing.T) {
	ctx := context.Background()
	const text = "me extorsiona @khabar_हिंदी cada semana"
	for _, passed := range []bool{false, true} {
		s := internalStore(t)
		since := s.now().Add(-s.retention + time.Hour)
		if passed {
			since = s.now().Add(-s.retention - time.Hour)
		}
		s.rdb.Set(ctx, s.k.indexFormsSince(), since.UnixMilli(), 0)
		s = restarted(t, s)
		id := batchSubmit(t, s, "991", 1, text)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, "991", "handle", "khabar_हिदी", "khabar_ह")
		e := tips.Extract(text, "")[0]
		h := &keyTouches{keys: []string{s.k.indexEntity(s.entityMAC("handle:khabar_ह"))}}
		s.rdb.AddHook(h)
		res, err := s.EntityTips(ctx, e, s.now().Add(-s.retention), 10, tips.PastForms(text, e)...)
		if err != nil {
			t.Fatal(err)
		}
		switch found := len(res) == 1 && res[0].ID == id; {
		case !passed && !found:
			t.Errorf("retention not passed: /entity %v, want the tip under the past form %s", res, id)
		case passed && h.touches() > 0:
			t.Errorf("retention passed: /entity read the past form's set (%d commands)", h.touches())
		}
	}
}

// A purge and a /forget take a tip out of the sets of its handles' past
// cut forms, and let go of an alert it holds under one, if it was created
// before handles kept their marks, even once the retention has passed
// since (a verified tip outlives it, and a set keeps its stale members
// until a trim). A tip created since, once the retention has passed,
// was never indexed under them: they are not read at all.
// Mutations: mayBeUnderPastForms true whatever the tip -> fails (the
// past form's keys read for a tip created since); mayBeUnderPastForms
// as cutFormsLive (the retention alone) -> fails (the tip created before
// left in the past form's set, and its alert held).
func TestPurgeAndForgetLookUpPastFormsOnlyWhereTheTipMayBe(t *testing.T) {
	ctx := context.Background()
	const text = "me extorsiona @khabar_हिंदी cada semana"
	ops := map[string]func(*Store, string) error{
		"purge":   func(s *Store, id string) error { return s.Purge(ctx, id) },
		"/forget": func(s *Store, id string) error { return s.Forget(ctx, id) },
	}
	for name, op := range ops {
		for _, createdBefore := range []bool{true, false} {
			s := internalStore(t)
			id := batchSubmit(t, s, "992", 1, text)
			indexUntilDone(t, s)
			indexEntityAsBefore(t, s, id, "992", "handle", "khabar_हिदी", "khabar_ह")
			oldMAC := s.entityMAC("handle:khabar_ह")
			oldKey, alertKey := s.k.indexEntity(oldMAC), s.k.indexAlert(oldMAC)
			s.rdb.Set(ctx, alertKey, id, s.index0.Window) // raised under the old form, not handed over
			created, err := s.rdb.HGet(ctx, s.k.tip(id), "t").Int64()
			if err != nil {
				t.Fatal(err)
			}
			since := created - 1
			if createdBefore {
				since = created + 1
			}
			s.rdb.Set(ctx, s.k.indexFormsSince(), since, 0)
			r := restarted(t, s)
			later := time.UnixMilli(since).Add(r.retention + time.Hour)
			r.now = func() time.Time { return later }
			h := &keyTouches{keys: []string{oldKey, alertKey}}
			r.rdb.AddHook(h)
			if err := op(r, id); err != nil {
				t.Fatal(err)
			}
			if !createdBefore {
				if h.touches() > 0 {
					t.Errorf("%s of a tip created since handles kept their marks read its past form's keys (%d commands)", name, h.touches())
				}
				continue
			}
			if m := r.rdb.ZRange(ctx, oldKey, 0, -1).Val(); len(m) > 0 {
				t.Errorf("%s of a tip created before handles kept their marks: its past form's set still holds %d members", name, len(m))
			}
			if r.rdb.Exists(ctx, alertKey).Val() == 1 {
				t.Errorf("%s of a tip created before handles kept their marks: it still holds its past form's alert", name)
			}
		}
	}
}
