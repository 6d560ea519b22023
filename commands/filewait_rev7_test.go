package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// fileCallWaits records the per-call bound (storage.CallWait) each write
// of a stored file was made under, and the largest bound of any call.
type fileCallWaits struct {
	mu         sync.Mutex
	file       []time.Duration
	maxOfCalls time.Duration
}

func (h *fileCallWaits) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *fileCallWaits) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		if cmd.Name() == "set" && strings.Contains(cmd.Args()[1].(string), ":file:") {
			h.file = append(h.file, storage.CallWait(ctx))
		}
		h.maxOfCalls = max(h.maxOfCalls, storage.CallWait(ctx))
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}
func (h *fileCallWaits) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		h.maxOfCalls = max(h.maxOfCalls, storage.CallWait(ctx))
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// A reporter's file (PutFile, up to 20 MB) is stored on the update's
// time, not under senderCallWait's 3 s per call (ce0a808), which a slow
// link to Redis may need longer than to carry it: bounded, a file Redis
// was taking would be refused as if Redis were down. The other calls of
// the same message keep the bound (the test is not vacuous).
// Mutation (review rev7): keepPart calling PutFile with ctx instead of
// storage.WithCallWait(ctx, 0) -> fails (file stored under a 3s bound).
func TestReporterFileStoredWithoutSenderCallWait_rev7(t *testing.T) {
	h := &fileCallWaits{}
	e := newHookedEnv(t, nil, h)
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	got := e.do(reporterID, commands.Request{Text: "el halcón de la esquina", FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if len(got) == 0 {
		t.Fatal("no answer")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.file) != 1 {
		t.Fatalf("file writes %v, want 1 (answered %+v)", h.file, got)
	}
	if h.file[0] != 0 {
		t.Errorf("the file was stored under a per-call bound of %v, want none (the update's time)", h.file[0])
	}
	if h.maxOfCalls != commands.SenderCallWait {
		t.Errorf("largest per-call bound of the message's calls %v, want %v", h.maxOfCalls, commands.SenderCallWait)
	}
}
