package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
)

// roundTrip is an in-memory Bot API: no sockets, so a synctest bubble's
// clock runs while the adapter waits.
type roundTrip func(method string) (status int, body string)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	status, body := f(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{"Content-Type": {"application/json"}}, Request: r}, nil
}

const pollToken = "123:SECRETpollTOKENsecretPOLL"

// pollingAdapter is an adapter whose every call goes to api.
func pollingAdapter(t *testing.T, api roundTrip, log *slog.Logger, onRateLimit func()) *Adapter {
	t.Helper()
	client := &http.Client{Transport: api}
	a := &Adapter{o: Options{Token: pollToken, APIURL: "http://telegram.invalid", PollTimeout: time.Second, HandlerTimeout: time.Second, Workers: 1, OnRateLimit: onRateLimit},
		log: log, http: client, id: 42, username: "VigiaBot"}
	b, err := bot.New(pollToken, bot.WithServerURL("http://telegram.invalid"), bot.WithSkipGetMe(), bot.WithHTTPClient(time.Second, client),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}))
	if err != nil {
		t.Fatal(err)
	}
	a.b = b
	return a
}

type noHandler struct{}

func (noHandler) Handle(context.Context, commands.Request, commands.Replier) {}
func (noHandler) Commands() []*commands.Command                              { return nil }

// A 429 on getUpdates is waited out for Telegram's parameters.retry_after,
// not the adapter's own backoff (half a second at first): polling sooner
// is refused again. It counts as a rate limit for the metrics.
func TestGetUpdates429WaitsRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var mu sync.Mutex
		var polls []time.Time
		limited := 0
		a := pollingAdapter(t, func(method string) (int, string) {
			if method != "getUpdates" {
				return 200, `{"ok":true,"result":true}`
			}
			mu.Lock()
			defer mu.Unlock()
			polls = append(polls, time.Now())
			if len(polls) == 1 {
				return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`
			}
			cancel()
			return 200, `{"ok":true,"result":[]}`
		}, slog.New(slog.DiscardHandler), func() { limited++ })
		if err := a.Run(ctx, noHandler{}); err != nil {
			t.Fatal(err)
		}
		if len(polls) != 2 || polls[1].Sub(polls[0]) < 7*time.Second {
			t.Fatalf("polled again %v after a 429 with retry_after 7 (%d polls)", polls[len(polls)-1].Sub(polls[0]), len(polls))
		}
		if limited != 1 {
			t.Errorf("OnRateLimit called %d times, want 1", limited)
		}
	})
}

// A token revoked while the bot runs (401 on getUpdates): Run stops at
// once with ErrUnauthorized after one ERROR line that says so, without the
// token, instead of a warning every 30 s forever.
func TestRevokedTokenStopsPollingWithOneError(t *testing.T) {
	for _, inbox := range []bool{false, true} {
		t.Run(fmt.Sprintf("inbox %v", inbox), func(t *testing.T) { revokedTokenStopsPolling(t, inbox) })
	}
}

// revokedTokenStopsPolling is TestRevokedTokenStopsPollingWithOneError,
// polled updates going through an inbox or not (with one, Run stops its
// dispatcher before returning, its caller's ctx still live).
func revokedTokenStopsPolling(t *testing.T, inbox bool) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var logs bytes.Buffer
		polls := 0
		a := pollingAdapter(t, func(method string) (int, string) {
			if method != "getUpdates" {
				return 200, `{"ok":true,"result":true}`
			}
			if polls++; polls == 5 {
				cancel() // (without the fix: it would poll forever)
			}
			return 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`
		}, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
		if inbox {
			a.o.Inbox = newMemInbox()
		}
		err := a.Run(ctx, noHandler{})
		if !errors.Is(err, ErrUnauthorized) || polls != 1 {
			t.Fatalf("Run returned %v after %d polls, want ErrUnauthorized after 1", err, polls)
		}
		out := logs.String()
		if strings.Count(out, "level=ERROR") != 1 || !strings.Contains(out, "refused the bot token") || strings.Contains(out, "level=WARN") {
			t.Errorf("want one ERROR saying the token was refused, got:\n%s", out)
		}
		if strings.Contains(out, "SECRETpoll") {
			t.Errorf("the token is in the log:\n%s", out)
		}
	})
}

// An update polled that cannot be decoded, or only in part, is logged
// without its update_id: the inbox keeps no update id in clear (a MAC of
// it), and the logs hold no id either; the warning alone says what
// happened.
func TestUndecodableUpdatesAreLoggedWithoutTheirID(t *testing.T) {
	var logs bytes.Buffer
	a := testAdapter()
	a.log = slog.New(slog.NewTextHandler(&logs, nil))
	body := `{"ok":true,"result":[` +
		`{"update_id":987654321,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":"hola","forward_origin":{"type":"some_new_kind","date":1}}},` +
		`{"update_id":987654322,"message":"not a message"}]}`
	updates, _, next, err := a.decodeUpdates([]byte(body), 0, 200)
	if err != nil || len(updates) != 1 || next != 987654323 {
		t.Fatalf("decoded %d updates, next %d, error %v: want the salvaged one, both confirmed", len(updates), next, err)
	}
	out := logs.String()
	if !strings.Contains(out, "partly undecodable") || !strings.Contains(out, "skipped") {
		t.Fatalf("logs %q: want both warnings", out)
	}
	if strings.Contains(out, "98765432") {
		t.Fatalf("logs hold an update id: %q", out)
	}
}
