package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vigia-project/vigia/storage"
)

// downAtDel lets through the invitations' DELs until it is armed with
// how many, then fails every one past them, as if Redis went down.
type downAtDel struct{ left atomic.Int64 }

func (h *downAtDel) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *downAtDel) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *downAtDel) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if key, _ := cmd.Args()[len(cmd.Args())-1].(string); cmd.Name() == "del" && strings.Contains(key, ":invite:") && h.left.Add(-1) < 0 {
			err := errors.New("connection reset")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// A replay voiding every pending invitation (the spool held that, past
// its bound) that Redis cuts off mid-way still says how many it voided
// before it was: tried again, it finds only the rest, and the WARN that
// tells admins to make new invitations is logged for every one gone, not
// for the rest alone (nor not at all, when Redis failed only after the
// last went). Mutation: replayVoids returning 0 with voidEveryInvite's
// error (as it did) -> the first replay says 0 of the 2 it voided.
func TestReplayCutOffWhileVoidingEveryInvitationSaysHowManyWent_receipts(t *testing.T) {
	ctx := context.Background()
	h := &downAtDel{}
	h.left.Store(1 << 30)
	st, _ := hookedStore(t, h)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := st.Invite(ctx, "investigator", "by", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
		t.Fatal(err)
	}
	h.left.Store(2) // Redis goes down after two of the three
	c, err := sp.ReplayCounts(ctx, st)
	if err == nil || c.InvitesVoided != 2 {
		t.Fatalf("replay cut off after 2 invitations voided: %+v %v, want 2 and an error", c, err)
	}
	h.left.Store(1 << 30) // back
	c, err = sp.ReplayCounts(ctx, st)
	if err != nil || c.InvitesVoided != 1 {
		t.Fatalf("replay tried again: %+v %v, want the 1 left", c, err)
	}
}
