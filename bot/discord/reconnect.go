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
// connects or the adapter stops, or Discord refuses the bot for good (see
// refusal), at an Open or on the connection that was up (liveclose.go):
// then Run returns that refusal. Open decides, as discordgo's reconnect
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
			if r := a.liveRefusal(); r != nil { // read on the connection that dropped (liveclose.go)
				a.refused <- r // (buffered: the one send)
				return
			}
			if err := a.reconnect(ctx); err != nil {
				a.refused <- err // (buffered: the one send)
				return
			}
		}
	}()
}

// reconnect opens the gateway again, waiting between failed attempts,
// until it is open, ctx ends or stop begins. It logs counts only: an
// error may name the gateway's address. An Open cut because ctx ended or
// stop began is no failure: a clean stop logs no warning. Discord
// refusing the bot for good (a close code it documents as not to be
// retried: a token reset, the intents refused) ends it at once with that
// refusal, which the reconnector hands to Run: another attempt would
// meet the same refusal, every 10 minutes, forever, while the bot looked
// merely disconnected.
func (a *Adapter) reconnect(ctx context.Context) error {
	wait := reconnectFirst
	for attempt := 1; ; attempt++ {
		if a.ending(ctx) {
			return nil
		}
		// Open may ask for the gateway's URL (a REST call, which reads
		// s.Ratelimiter): held for reading, sweepLimiter does not swap it.
		// A panic in it (discordgo's Open) is a failed attempt: logged,
		// and tried again after the wait, the reconnector running on.
		err := a.guarded("gateway reconnection", func() error {
			if a.beforeReopen != nil {
				a.beforeReopen()
			}
			a.rl.RLock()
			defer a.rl.RUnlock()
			return a.open(ctx)
		})
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			// Open found, under discordgo's lock, a connection open: the
			// gateway is up, whatever the Disconnect that sent us here
			// said. discordgo emits a Disconnect after it lets go of that
			// lock, on the closing goroutine: a dead connection's
			// heartbeat closing it a second time (its first write fails
			// after op 7's close) can emit one after the next
			// connection's Connect, and no Connect follows it.
			a.gatewayUp.Store(true)
			a.log.Info("discord gateway reconnected", "attempts", attempt)
			return nil
		}
		// No connection is open; undoes a true stored above from an Open
		// a close overtook (its Disconnect is what sent us here again).
		a.gatewayUp.Store(false)
		if a.ending(ctx) {
			return nil // the Open cut by stop or ctx (handshake.go): no failure to warn of
		}
		if r := refusal(err); r != nil {
			return r
		}
		a.log.Warn("discord gateway reconnection failed", "attempts", attempt, "retry_in_s", wait.Seconds())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-a.halt:
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, reconnectMost)
	}
}

// ending reports whether ctx has ended or stop has begun.
func (a *Adapter) ending(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-a.halt:
		return true
	default:
		return false
	}
}
