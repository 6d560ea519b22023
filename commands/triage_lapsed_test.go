package commands_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// lapseDismissal, once armed, settles a dismissal's mark as lapsed just
// before its decide script runs, as an approval does once the dismissal
// stalled past the lease (a Redis tombstone "vt:<token>" 0 on the tip, the
// mark gone from the publication): the script is then refused.
type lapseDismissal struct{ armed atomic.Bool }

func (h *lapseDismissal) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *lapseDismissal) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *lapseDismissal) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		args := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if (name == "evalsha" || name == "eval") && slices.Contains(args, any("c:{tips}:triage")) && len(args) > 5+17 {
			tip, _ := args[3].(string)
			token, _ := args[5+17].(string) // ARGV[17], after the command, its script, the number of keys and the 3 keys
			if token != "" && strings.Contains(tip, ":{tips}:tip:") && h.armed.CompareAndSwap(true, false) {
				for _, c := range []*redis.Cmd{
					redis.NewCmd(ctx, "hset", tip, "vt:"+token, 0),
					redis.NewCmd(ctx, "hdel", "c:{bc}:pub:"+strings.TrimPrefix(tip, "c:{tips}:tip:"), "v:"+token),
				} {
					if err := next(ctx, c); err != nil {
						return err
					}
				}
			}
		}
		return next(ctx, cmd)
	}
}

// A dismissal of a warning that took longer than the lease to record,
// approvals of publishing it taken meanwhile, is not recorded: its author
// is told so, in their language, and what to do (see where the warning
// stands, decide again, retract it if it went out), not a generic error.
// Mutation: decide without its ErrDecisionLapsed case → the generic error.
func TestLapsedDismissalIsExplained(t *testing.T) {
	h := &lapseDismissal{}
	e := newHookedEnv(t, nil, h)
	e.do(reporterID, commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	h.armed.Store(true)
	r := e.do(investigatorID, commands.Request{Command: "triage", Args: "1 dismissed"})
	if h.armed.Load() {
		t.Fatal("the dismissal's decide script never ran")
	}
	want := e.msg.Localize("es", "triage_lapsed", map[string]any{"ID": "1", "Status": e.msg.Localize("es", "status_dismissed", nil)})
	if len(r) != 1 || r[0].Text != want {
		t.Fatalf("a lapsed dismissal answered %+v, want %q", r, want)
	}
	if tp, err := e.store.Tip(context.Background(), "1"); err != nil || tp.Status == tips.StatusDismissed {
		t.Fatalf("tip %v %v: want not dismissed", tp.Status, err)
	}
}
