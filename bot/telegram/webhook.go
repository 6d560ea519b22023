package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// InboxEntry is an update waiting in the inbox.
type InboxEntry struct {
	ID  string
	Raw []byte
}

// Inbox is durable storage for received updates (Redis, in production):
// the webhook writes to it before answering Telegram, workers on any
// replica read from it and remove what they handled.
type Inbox interface {
	Add(ctx context.Context, raw []byte) error
	Read(ctx context.Context, consumer string, count int, block, stale time.Duration) ([]InboxEntry, error)
	Done(ctx context.Context, id string) error
}

// maxUpdate bounds one webhook request body.
const maxUpdate = 1 << 20

// WebhookHandler receives Telegram's webhook calls: it checks the secret
// header in constant time (401 otherwise), writes the update to the inbox,
// and only then answers 200. If the inbox cannot take it, Telegram gets a
// 503 and delivers the update again later.
func (a *Adapter) WebhookHandler(inbox Inbox, secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxUpdate+1))
		if err != nil || len(raw) > maxUpdate || !json.Valid(raw) {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if err := inbox.Add(r.Context(), raw); err != nil {
			a.log.Warn("webhook update not stored; Telegram will retry", "error", err.Error())
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// RunWebhook registers the webhook with Telegram and handles the inbox
// until ctx ends. An update is removed from the inbox only after it was
// handled; one that a dead replica left behind is taken over after a minute.
func (a *Adapter) RunWebhook(ctx context.Context, h Handler, inbox Inbox, url, secret string) error {
	a.setCommands(ctx, h.Commands())
	if _, err := a.b.SetWebhook(ctx, &bot.SetWebhookParams{
		URL: url, SecretToken: secret, AllowedUpdates: []string{"message", "edited_message", "callback_query", "channel_post"},
	}); err != nil {
		return fmt.Errorf("telegram setWebhook: %s", a.redact(err))
	}
	a.connected.Store(true)
	// One name per host (a pod, a container): a process restarted there
	// takes up the updates its predecessor had not finished.
	consumer, _ := os.Hostname()
	if consumer == "" {
		consumer = "vigia"
	}
	for ctx.Err() == nil {
		entries, err := inbox.Read(ctx, consumer, 16, 2*time.Second, time.Minute)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("telegram inbox read failed", "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		var updates []*models.Update
		ids := map[*models.Update]string{}
		for _, e := range entries {
			var u models.Update
			if err := json.Unmarshal(e.Raw, &u); err != nil {
				s, ok := salvage(e.Raw)
				if !ok {
					a.log.Warn("telegram webhook update skipped: cannot decode it")
					_ = inbox.Done(ctx, e.ID)
					continue
				}
				u = *s
			}
			updates = append(updates, &u)
			ids[&u] = e.ID
		}
		// Handled like a polling batch: each chat in order; finished even
		// if ctx ends meanwhile.
		hctx := context.WithoutCancel(ctx)
		a.handleBatch(hctx, h, updates)
		for _, u := range updates {
			if err := inbox.Done(hctx, ids[u]); err != nil {
				a.log.Warn("telegram inbox ack failed", "error", err.Error())
			}
		}
	}
	return nil
}
