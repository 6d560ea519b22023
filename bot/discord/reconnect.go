package discord

import (
	"context"
	"errors"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The adapter reconnects the gateway itself; discordgo's own reconnection
// (Session.ShouldReconnectOnError) is off from New on. discordgo reads
// that flag without a lock in its heartbeat and read loops, after they
// close a failed connection, so it cannot be turned off for shutdown
// while they run: stop's write raced with their read. Now nothing of the
// session discordgo reads unlocked is written once its goroutines run.
//
// A Disconnect (discordgo emits one from every close: a heartbeat not
// acknowledged, a read error, Discord's op 7, or stop's own) signals the
// reconnector, which calls Open, with discordgo's backoff, until it
// connects or the adapter stops. Open decides, as discordgo's reconnect
// did, whether to resume the session or identify afresh.

// reconnectFirst and reconnectMost bound the wait between attempts: it
// doubles from the first up to the most, as discordgo's did.
const (
	reconnectFirst = time.Second
	reconnectMost  = 10 * time.Minute
)

// onDisconnect tells the reconnector the connection is closed. It never
// blocks: it runs on discordgo's goroutine that closed the connection.
func (a *Adapter) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	select {
	case a.dropped <- struct{}{}:
	default: // one is already due
	}
}

// startReconnector starts the reconnector, which ends when ctx does or
// stop begins. stop waits for it before it closes the gateway, so no Open
// of it runs with or after that close.
func (a *Adapter) startReconnector(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopping {
		return
	}
	done := make(chan struct{})
	a.reconnectorDone = done
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-a.halt:
				return
			case <-a.dropped:
			}
			a.reconnect(ctx)
		}
	}()
}

// reconnect opens the gateway again, waiting between failed attempts,
// until it is open, ctx ends or stop begins. It logs counts only: an
// error may name the gateway's address.
func (a *Adapter) reconnect(ctx context.Context) {
	wait := reconnectFirst
	for attempt := 1; ; attempt++ {
		select {
		case <-ctx.Done():
			return
		case <-a.halt:
			return
		default:
		}
		if a.beforeReopen != nil {
			a.beforeReopen()
		}
		// Open may ask for the gateway's URL (a REST call, which reads
		// s.Ratelimiter): held for reading, sweepLimiter does not swap it.
		a.rl.RLock()
		err := a.s.Open()
		a.rl.RUnlock()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			a.log.Info("discord gateway reconnected", "attempts", attempt)
			return
		}
		a.log.Warn("discord gateway reconnection failed", "attempts", attempt, "retry_in_s", wait.Seconds())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-a.halt:
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, reconnectMost)
	}
}
