package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A 429 still in force when the adapter stops waiting, because its retries
// ran out or because it is shutting down, is commands.ErrRateLimited: the
// broadcaster then knows the message was not delivered.
func TestSendRefusedByRateLimitIsErrRateLimited(t *testing.T) {
	var retryAfter atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		w.WriteHeader(http.StatusTooManyRequests)
		n := retryAfter.Load()
		fmt.Fprintf(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, n, n)
	}))
	defer srv.Close()
	waiting := make(chan struct{}, 10)
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL,
		OnRateLimit: func() { waiting <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}

	// Retries exhausted.
	_, err = a.Send(context.Background(), "-100", commands.Reply{Text: "x"})
	if !errors.Is(err, commands.ErrRateLimited) || errors.Is(err, commands.ErrDestinationGone) {
		t.Fatalf("always limited: %v", err)
	}

	// Stopped while waiting out a long retry_after.
	for len(waiting) > 0 {
		<-waiting
	}
	retryAfter.Store(60)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := a.Send(ctx, "-100", commands.Reply{Text: "x"})
		done <- err
	}()
	<-waiting // the 429 came back; the adapter waits
	cancel()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Send kept waiting after its context ended")
	}
	if !errors.Is(err, commands.ErrRateLimited) {
		t.Fatalf("stopped while limited: %v", err)
	}
}

// The broadcaster's send (SendNoWait) does not wait out a 429: it asks
// once and returns at once a *commands.RateLimitError carrying Telegram's
// retry_after, so that one chat's wait does not hold up every other
// destination. Replies and Send still wait (above).
func TestSendNoWaitReturnsTheRateLimitAtOnce(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		asked.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 60","parameters":{"retry_after":60}}`)
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.SendNoWait(context.Background(), "-100", commands.Reply{Text: "x"})
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("SendNoWait waited out the 429")
	}
	var rl *commands.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 60*time.Second || !errors.Is(err, commands.ErrRateLimited) {
		t.Fatalf("SendNoWait: %v, want a RateLimitError of 60 s", err)
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("Telegram was asked %d times, want once", n)
	}
	if strings.Contains(err.Error(), "-100") {
		t.Fatalf("the error names the chat: %v", err)
	}
}
