package commands_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
)

// A private /warn whose tip was stored but whose mark as a warning
// (kind "warning", high priority) Redis refused outright, never run
// (LOADING): SubmitWarning returns the stored tip with the error. The
// reporter was told NOT saved, and sending it again made a second tip of
// the same warning. It is stored: they get its receipt, as a group's
// warning with a tip id is told received.
// Mutation: warn returning SubmitWarning's error though it has a tip id
// → fails: told error_storage, no receipt.
func TestPrivateWarnWhoseMarkIsRefusedIsToldReceived(t *testing.T) {
	h := &refuseMark{}
	e := newHookedEnv(t, nil, h)
	h.armed.Store(true)
	r := e.do(reporterID, commands.Request{Command: "warn", Args: warningText})
	if h.armed.Load() {
		t.Fatal("the warning's mark was not refused")
	}
	code := ""
	if len(r) == 1 {
		code = receiptRE.FindString(r[0].Text)
	}
	want := e.text("es", "warn_received", map[string]any{"Receipt": code}) + "\n\n" + e.text("es", "warn_advice", nil)
	if len(r) != 1 || code == "" || r[0].Text != want {
		t.Fatalf("its mark refused: %+v; want it told received, with its receipt", r)
	}
	tip, err := e.store.Tip(context.Background(), "1")
	if err != nil || tip.Content.Text() != warningText {
		t.Fatalf("tip 1: %v", err)
	}
	if _, err := e.store.Tip(context.Background(), "2"); err == nil {
		t.Fatal("a second tip")
	}
	if strings.Contains(e.logs.String(), warningText) || strings.Contains(e.logs.String(), code) {
		t.Fatalf("the log holds the warning or its receipt: %s", e.logs.String())
	}
}

// refuseMark, armed, answers the next markWarning call (EVALSHA or EVAL
// of one tip, "warning", "high") LOADING without sending it.
type refuseMark struct{ armed atomic.Bool }

type loadingError struct{}

func (loadingError) Error() string { return "LOADING Redis is loading the dataset in memory" }
func (loadingError) RedisError()   {}

func (h *refuseMark) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *refuseMark) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		a := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if (name == "evalsha" || name == "eval") && len(a) == 6 && a[4] == "warning" && a[5] == "high" && h.armed.CompareAndSwap(true, false) {
			cmd.SetErr(loadingError{})
			return cmd.Err()
		}
		return next(ctx, cmd)
	}
}
func (h *refuseMark) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
