package commands_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
)

// hangAll holds every Redis command until its context ends, as a Redis
// that accepts connections but does not answer.
type hangAll struct{ on *atomic.Bool }

func (h hangAll) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h hangAll) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.on.Load() {
			<-ctx.Done()
			cmd.SetErr(ctx.Err())
			return ctx.Err()
		}
		return next(ctx, cmd)
	}
}
func (h hangAll) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.on.Load() {
			<-ctx.Done()
			for _, c := range cmds {
				c.SetErr(ctx.Err())
			}
			return ctx.Err()
		}
		return next(ctx, cmds)
	}
}

// ctxRecorder records each reply and whether its context was still live.
type ctxRecorder struct {
	replies []commands.Reply
	live    []bool
}

func (r *ctxRecorder) Reply(ctx context.Context, rep commands.Reply) error {
	r.replies = append(r.replies, rep)
	r.live = append(r.live, ctx.Err() == nil)
	return nil
}

// With Redis hanging, /report on Discord still opens its form before the
// request's deadline (Discord's 3 s): the steps before it that use Redis
// give up in time, and the form needs none.
func TestReportFormOpensWhileRedisHangs(t *testing.T) {
	var on atomic.Bool
	e := newHookedEnv(t, nil, hangAll{on: &on})
	on.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	rec := &ctxRecorder{}
	e.mux.Handle(ctx, commands.Request{
		Platform: "discord", UserID: reporterID, ChatID: "u" + reporterID, EventID: 1, Language: "es-419",
		Command: "report", CommandAtStart: true, CanOpenForms: true,
	}, rec)
	if len(rec.replies) != 1 || rec.replies[0].Form == nil || !rec.live[0] {
		t.Fatalf("replies %+v, live %v: the form did not open in time", rec.replies, rec.live)
	}
	if got, want := rec.replies[0].Form.Title, e.text("es", "report_form_title", nil); got != want {
		t.Fatalf("form title %q, want %q (the client's language)", got, want)
	}
}
