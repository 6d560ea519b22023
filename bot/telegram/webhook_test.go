package telegram

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// webhookCall posts body to h as Telegram does, with secret in its
// header (none if ""), and returns the answer's status.
func webhookCall(h http.Handler, body, secret string) int {
	req := httptest.NewRequest(http.MethodPost, "/telegram", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// A panic in the inbox's client during a webhook call is that call's
// failure, as in the dispatcher and the polling loop, not the handler's:
// a write that panicked is answered 503, as a write that failed, so
// Telegram delivers the update again (never 200 for an update that may
// not be stored, whatever wraps the handler); a look at the backlog that
// panicked lets the update be stored and answered 200, as one that
// failed. Each panic is logged with its stack, without the update.
// Mutation: WebhookHandler on the inbox as given (no guardedInbox) -> the
// test process dies (panic: injected panic).
func TestPanicInTheWebhooksInboxCallsIsAFailure(t *testing.T) {
	tip := reporterTip(7).Raw
	t.Run("add", func(t *testing.T) {
		a, logs := panicAdapter(t, &sentAPI{}, nil)
		in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Add": 1}}
		h := a.WebhookHandler(in, "s3cret-s3cret-s3cret")
		if code := webhookCall(h, string(tip), "s3cret-s3cret-s3cret"); code != http.StatusServiceUnavailable {
			t.Errorf("a write that panicked: HTTP %d, want 503 (Telegram delivers it again)", code)
		}
		if in.next != 0 {
			t.Errorf("%d updates stored by a write that panicked", in.next)
		}
		if code := webhookCall(h, string(tip), "s3cret-s3cret-s3cret"); code != http.StatusOK || in.next != 1 {
			t.Errorf("delivered again: HTTP %d, %d stored; want 200, 1", code, in.next)
		}
		if logs.count("inbox add") != 1 {
			t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
		}
		if l := logs.String(); strings.Contains(l, "Juan") || strings.Contains(l, "555000111") {
			t.Errorf("the log holds the update:\n%s", l)
		}
	})
	t.Run("length", func(t *testing.T) {
		a, logs := panicAdapter(t, &sentAPI{}, nil)
		in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Len": 1}}
		h := a.WebhookHandler(in, "s3cret-s3cret-s3cret")
		if code := webhookCall(h, string(tip), "s3cret-s3cret-s3cret"); code != http.StatusOK || in.next != 1 {
			t.Errorf("a look at the backlog that panicked: HTTP %d, %d stored; want 200, 1", code, in.next)
		}
		if logs.count("inbox length") != 1 {
			t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
		}
	})
}
