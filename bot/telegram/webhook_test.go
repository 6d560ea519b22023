package telegram

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// logAdapter is an adapter whose log l captures, as JSON lines.
func logAdapter() (*Adapter, *panicLog) {
	a := testAdapter()
	l := &panicLog{}
	a.log = slog.New(slog.NewJSONHandler(l, nil))
	return a, l
}

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
		a, logs := logAdapter()
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
		a, logs := logAdapter()
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

// A webhook call that is not Telegram's, or not an update, is refused
// before anything is stored or logged: no secret, a wrong one (of its
// length, shorter, longer, a prefix, another case), a handler given no
// secret at all (it would otherwise take a call without the header as
// Telegram's), a body over maxUpdate, one that is not JSON, an empty one,
// another method. None is answered 2xx, none is stored, and nothing of
// the body is logged. What the call declares its body to be
// (Content-Type) is not what refuses it: the secret says who sent it, and
// the body is read as JSON whatever it is declared to be, so an update
// from Telegram is not lost to a proxy that rewrote the header.
// Mutation: WebhookHandler comparing the secret alone (no refusal of an
// empty one) -> the "no secret configured" cases are answered 200 and
// stored.
func TestWebhookRefusesWhatIsNotTelegramsUpdate(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	tip := string(reporterTip(7).Raw)
	huge := `{"update_id":8,"message":{"message_id":8,"date":1,"chat":{"id":555000111,"type":"private"},"text":"Juan ` +
		strings.Repeat("x", maxUpdate) + `"}}`
	for _, c := range []struct {
		name, configured, method, body, header, ctype string
		want                                          int
	}{
		{"no header", secret, http.MethodPost, tip, "", "application/json", http.StatusUnauthorized},
		{"wrong secret", secret, http.MethodPost, tip, "s3cret-s3cret-s3creT", "application/json", http.StatusUnauthorized},
		{"a prefix of the secret", secret, http.MethodPost, tip, secret[:10], "application/json", http.StatusUnauthorized},
		{"the secret and more", secret, http.MethodPost, tip, secret + "x", "application/json", http.StatusUnauthorized},
		{"another case", secret, http.MethodPost, tip, strings.ToUpper(secret), "application/json", http.StatusUnauthorized},
		{"no secret configured, none sent", "", http.MethodPost, tip, "", "application/json", http.StatusUnauthorized},
		{"no secret configured, an empty one sent", "", http.MethodPost, tip, "\x00empty", "application/json", http.StatusUnauthorized},
		{"body over the limit", secret, http.MethodPost, huge, secret, "application/json", http.StatusBadRequest},
		{"cut short", secret, http.MethodPost, tip[:len(tip)/2], secret, "application/json", http.StatusBadRequest},
		{"not JSON", secret, http.MethodPost, "text=Juan+555000111", secret, "application/x-www-form-urlencoded", http.StatusBadRequest},
		{"empty body", secret, http.MethodPost, "", secret, "application/json", http.StatusBadRequest},
		{"GET", secret, http.MethodGet, tip, secret, "application/json", http.StatusMethodNotAllowed},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, logs := logAdapter()
			in := newMemInbox()
			h := a.WebhookHandler(in, c.configured)
			req := httptest.NewRequest(c.method, "/telegram", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.ctype)
			switch c.header {
			case "":
			case "\x00empty":
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "")
			default:
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want || in.next != 0 {
				t.Errorf("HTTP %d, %d stored; want %d, none", rec.Code, in.next, c.want)
			}
			if l := logs.String(); strings.Contains(l, "Juan") || strings.Contains(l, "555000111") || strings.Contains(l, secret) {
				t.Errorf("the log holds the call's content:\n%s", l)
			}
		})
	}
	t.Run("Telegram's update, its content type rewritten", func(t *testing.T) {
		a, _ := logAdapter()
		in := newMemInbox()
		h := a.WebhookHandler(in, secret)
		req := httptest.NewRequest(http.MethodPost, "/telegram", strings.NewReader(tip))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || in.next != 1 {
			t.Errorf("HTTP %d, %d stored; want 200, 1", rec.Code, in.next)
		}
	})
	t.Run("the largest update taken", func(t *testing.T) {
		a, _ := logAdapter()
		in := newMemInbox()
		h := a.WebhookHandler(in, secret)
		body := huge[:maxUpdate-len(`"}}`)] + `"}}`
		if len(body) != maxUpdate {
			t.Fatalf("body of %d bytes, want %d", len(body), maxUpdate)
		}
		if code := webhookCall(h, body, secret); code != http.StatusOK || in.next != 1 {
			t.Errorf("an update of maxUpdate bytes: HTTP %d, %d stored; want 200, 1", code, in.next)
		}
	})
}

// The webhook's secret is compared in a time that tells nothing of it,
// its length included: subtle.ConstantTimeCompare, given two inputs of
// unequal length, returns at once, so a caller trying headers of every
// length would learn the secret's. It is given two inputs of one length
// (their SHA-256 digests), whatever the header's; the secret is still
// taken, and every other header refused.
// Mutation: WebhookHandler comparing the header and the secret as they
// are (as before) -> the compares of unequal lengths fail the test.
func TestWebhookSecretIsComparedAtOneLength(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	var lengths [][2]int
	old := constantTimeCompare
	constantTimeCompare = func(x, y []byte) int {
		lengths = append(lengths, [2]int{len(x), len(y)})
		return old(x, y)
	}
	t.Cleanup(func() { constantTimeCompare = old })
	tip := string(reporterTip(7).Raw)
	for _, c := range []struct {
		header string
		want   int
	}{
		{secret, http.StatusOK},
		{"s", http.StatusUnauthorized},
		{secret[:len(secret)-1], http.StatusUnauthorized},
		{secret + "x", http.StatusUnauthorized},
		{strings.Repeat("s", 4096), http.StatusUnauthorized},
		{strings.ToUpper(secret), http.StatusUnauthorized},
	} {
		lengths = nil
		a, _ := logAdapter()
		h := a.WebhookHandler(newMemInbox(), secret)
		if code := webhookCall(h, tip, c.header); code != c.want {
			t.Errorf("a header of %d bytes: HTTP %d, want %d", len(c.header), code, c.want)
		}
		if len(lengths) != 1 || lengths[0][0] != lengths[0][1] {
			t.Errorf("a header of %d bytes, the secret of %d: compared at lengths %v, want one compare of equal lengths", len(c.header), len(secret), lengths)
		}
	}
}
