package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-telegram/bot"
)

// InboxEntry is an update waiting in the inbox.
type InboxEntry struct {
	ID  string
	Raw []byte
}

// Inbox is durable storage for received updates (Redis, in production):
// the webhook (and the polling loop, while it answers) writes to it, the
// dispatcher (dispatch.go) on any replica reads from it and removes what
// it handled.
type Inbox interface {
	// Add stores updates, all or none, and returns once they are durable.
	// An update stored already (the same UpdateKey, in the last day) is
	// not stored again: Telegram delivers an update again when its
	// delivery was not confirmed, though it may have been stored (a
	// webhook call that timed out, a crash before polling confirmed it).
	Add(ctx context.Context, raws ...[]byte) error
	// Pending returns up to count of consumer's own unacknowledged
	// updates with ids after after ("0" for the first): what a process
	// under the same name left when it stopped.
	Pending(ctx context.Context, consumer, after string, count int) ([]InboxEntry, error)
	// Read returns up to count updates another consumer left idle for
	// stale, or else new ones, waiting at most block for them.
	Read(ctx context.Context, consumer string, count int, block, stale time.Duration) ([]InboxEntry, error)
	// Keep resets the idle time of updates consumer holds, so no other
	// consumer takes them over as stale. It claims only those still
	// pending for consumer and returns the others, lost: another
	// consumer took them over (this one was cut off from Redis, or
	// frozen, past the stale time), or they are no longer pending.
	Keep(ctx context.Context, consumer string, ids []string) (lost []string, err error)
	// Fetch returns, in the order of ids, those of these updates still
	// in the inbox, read but not removed (a backlog consumer left there),
	// and still pending for consumer (not taken over by another), their
	// idle time reset.
	Fetch(ctx context.Context, consumer string, ids []string) ([]InboxEntry, error)
	// Done removes a handled update.
	Done(ctx context.Context, id string) error
	// Len is how many updates wait in the inbox, not yet handled.
	Len(ctx context.Context) (int64, error)
}

// UpdateKey is Telegram's id of a raw update (its update_id, in decimal),
// unique per bot and the same each time Telegram delivers the update
// again; "" if it has none. An inbox stores an update once per key
// (Inbox.Add).
func UpdateKey(raw []byte) string {
	var u struct {
		ID *int64 `json:"update_id"`
	}
	if json.Unmarshal(raw, &u) != nil || u.ID == nil {
		return ""
	}
	return strconv.FormatInt(*u.ID, 10)
}

// maxBacklog is the most updates left waiting in the inbox before no more
// are taken: polling waits before its next getUpdates (Telegram keeps
// them, a day), the webhook answers 503 (Telegram delivers them again
// later). A flood then fills Telegram's queue, not Redis's memory, which
// the tips themselves need.
const maxBacklog = 10000

// fullWarnEvery bounds the warnings of a full inbox: one at most this
// often, however many webhook calls are refused or polls held back.
const fullWarnEvery = time.Minute

// backlogFull reports whether the inbox holds maxBacklog updates or more
// (not if it cannot tell: Redis down is handled where updates are stored),
// warning of it at most once every fullWarnEvery.
func (a *Adapter) backlogFull(ctx context.Context, inbox Inbox) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	n, err := inbox.Len(ctx)
	if err != nil || n < maxBacklog {
		return false
	}
	now := time.Now().UnixNano()
	last := a.fullWarned.Load()
	if (last == 0 || now-last >= int64(fullWarnEvery)) && a.fullWarned.CompareAndSwap(last, now) {
		a.log.Warn("telegram inbox full: updates are held back at Telegram (polling waits, the webhook answers 503) until it drains", "backlog", maxBacklog)
	}
	return true
}

// constantTimeCompare is subtle.ConstantTimeCompare; tests watch what it
// is given.
var constantTimeCompare = subtle.ConstantTimeCompare

// secretMatches reports whether got is the webhook's secret, in a time
// that tells nothing of the secret, its length included: compared as
// they are, two strings of unequal length return at once
// (subtle.ConstantTimeCompare), which tells a caller trying lengths
// the secret's. Their SHA-256 digests are always 32 bytes.
func secretMatches(got, secret string) bool {
	g, s := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(secret))
	return constantTimeCompare(g[:], s[:]) == 1
}

// maxUpdate bounds one webhook request body.
const maxUpdate = 1 << 20

// WebhookHandler receives Telegram's webhook calls: it checks the secret
// header in constant time, its length too (secretMatches; 401 otherwise,
// and always if secret is empty), takes a body of at most maxUpdate
// bytes of JSON (400 otherwise), writes the update to the inbox, and
// only then answers 200. If the inbox cannot
// take it, or not within inboxAddTimeout, Telegram gets a 503 and
// delivers the update again later. A panic in the inbox's client is that
// call's failure (guardedInbox), as in the dispatcher and the polling
// loop: a write that panicked is answered 503, never 200, whatever wraps
// the handler.
func (a *Adapter) WebhookHandler(inbox Inbox, secret string) http.Handler {
	inbox = guardedInbox{a, inbox}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// No secret refuses every call: compared, an empty one would
		// take a call without the header for Telegram's.
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || !secretMatches(got, secret) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxUpdate+1))
		if err != nil || len(raw) > maxUpdate || !json.Valid(raw) {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if a.backlogFull(r.Context(), inbox) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		// Its own deadline: a hung Redis must not hold every webhook
		// call open (Telegram then waits, with up to 40 connections).
		// An update that timed out is answered 503 and sent again.
		ctx, cancel := context.WithTimeout(r.Context(), inboxAddTimeout)
		err = inbox.Add(ctx, raw)
		cancel()
		if err != nil {
			a.log.Warn("webhook update not stored; Telegram will retry", "error", err.Error())
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// RunWebhook registers the webhook with Telegram and handles the inbox
// until ctx ends (dispatch.go). An update is removed from the inbox only
// after it was handled; one that a dead replica left behind is taken over
// after a minute.
func (a *Adapter) RunWebhook(ctx context.Context, h Handler, inbox Inbox, url, secret string) error {
	a.setCommands(ctx, h.Commands())
	if _, err := a.b.SetWebhook(ctx, &bot.SetWebhookParams{
		URL: url, SecretToken: secret, AllowedUpdates: allowedUpdates,
	}); err != nil {
		return fmt.Errorf("telegram setWebhook: %s", a.redact(err))
	}
	a.connected.Store(true)
	a.webhookDispatcher(h, inbox).run(ctx)
	return nil
}

// webhookDispatcher is the dispatcher of the webhook's inbox. It does not
// remember the updates it answers, as polling's does (atOnce): there an
// update whose write to the inbox failed is handled at once, and one the
// dispatcher answered must not be; the webhook handles none at once (it
// answers 503, and Telegram delivers the update again, which the inbox
// stores once: Inbox.Add). Remembered, they only took memory, up to
// atOnceMax, for a day.
func (a *Adapter) webhookDispatcher(h Handler, inbox Inbox) *dispatcher {
	d := a.newDispatcher(h, inbox)
	d.atOnce = nil
	return d
}
