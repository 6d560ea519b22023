package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A Bot API that takes getMe and never answers stops New after two
// tries (the default StartTries) of StartTimeout each, with
// ErrUnreachable saying so, never the token: it waited the HTTP client's
// 65 s. Mutation: whoAmI asks getMe with ctx, not tryCtx -> New is
// still waiting at the deadline, the test fails.
func TestGetMeThatNeverAnswersIsAskedTwiceThenGivenUp(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			asked.Add(1)
		}
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()
	const token = "123:NEVERANSWEREDtokenNEVERANSWERED"
	done := make(chan error, 1)
	go func() {
		_, err := New(context.Background(), Options{Token: token, APIURL: srv.URL, StartTimeout: 100 * time.Millisecond})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("New still waiting for getMe after 30 s (StartTimeout 100ms), asked %d times", asked.Load())
	}
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "(getMe: no answer within 100ms)") {
		t.Errorf("err = %v, want ErrUnreachable saying no answer came, twice", err)
	}
	if n := asked.Load(); n != 2 {
		t.Errorf("getMe asked %d times, want 2", n)
	}
	if strings.Contains(err.Error(), "NEVERANSWERED") || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("the token or the URL is in the error: %v", err)
	}
}
