package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	if !errors.Is(err, ErrUnreachable) || !strings.HasSuffix(err.Error(), "(getMe: no answer within 100ms, twice)") {
		t.Errorf("err = %v, want ErrUnreachable saying no answer came, twice", err)
	}
	if n := asked.Load(); n != 2 {
		t.Errorf("getMe asked %d times, want 2", n)
	}
	if strings.Contains(err.Error(), "NEVERANSWERED") || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("the token or the URL is in the error: %v", err)
	}
}

// A Bot API in trouble answers getMe with a server error (a proxy's 502
// page, or a Bot API 500): asked again, a second later, as when no answer
// comes, and the failed try is logged at once, so that an operator sees
// what is wrong before the bound ends; an answer the second time starts
// the bot. Two server errors stop New with ErrServerError and the status,
// never the token nor the URL. Before, the first 5xx stopped New as a
// bare "telegram getMe: for method getMe, 502 Bad Gateway", not retried.
// Mutation: whoAmI without its statusError case -> getMe asked once, the
// error not ErrServerError, the test fails.
func TestGetMeServerErrorIsAskedAgainAndLogged(t *testing.T) {
	const token = "123:SERVERERRORtokenSERVERERROR"
	for _, c := range []struct {
		name, body string
		status     int
		recovers   bool
		reason     string
	}{
		{"a proxy's 502 page, then an answer", `<html>502 Bad Gateway</html>`, http.StatusBadGateway, true, "HTTP 502 Bad Gateway"},
		{"a Bot API's 500, twice", `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, http.StatusInternalServerError, false, "HTTP 500 Internal Server Error"},
		{"an error_code 502 on a 200, twice", `{"ok":false,"error_code":502,"description":"Bad Gateway"}`, http.StatusOK, false, "HTTP 502 Bad Gateway"},
	} {
		var asked atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if asked.Add(1) == 2 && c.recovers {
				fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
				return
			}
			w.WriteHeader(c.status)
			fmt.Fprint(w, c.body)
		}))
		var logs bytes.Buffer
		a, err := New(context.Background(), Options{Token: token, APIURL: srv.URL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		srv.Close()
		if n := asked.Load(); n != 2 {
			t.Errorf("%s: getMe asked %d times, want 2", c.name, n)
		}
		if c.recovers && (err != nil || a.Username() != "VigiaBot") {
			t.Errorf("%s: err = %v, want the bot started", c.name, err)
		}
		if !c.recovers && (!errors.Is(err, ErrServerError) || errors.Is(err, ErrUnreachable) || !strings.HasSuffix(err.Error(), "(getMe: "+c.reason+", twice)")) {
			t.Errorf("%s: err = %v, want ErrServerError with %q", c.name, err, c.reason)
		}
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), c.reason) {
			t.Errorf("%s: the first failure was not logged with %q: %q", c.name, c.reason, logs.String())
		}
		out := logs.String() + fmt.Sprint(err)
		if strings.Contains(out, "SERVERERROR") || strings.Contains(out, srv.URL) || strings.Contains(out, "Bad Gateway</html>") {
			t.Errorf("%s: the token, the URL or the body is out: %q", c.name, out)
		}
	}
}

// getMe failing one way at a try and another way at the next (a 502,
// then no answer in time, or the other way round) stops New with an
// error that says what each try met, in order, and is of both kinds:
// not "a server error, twice" when one came, nor "no answer" alone. A
// try that failed before New (the token check's, FailedBefore) is told
// first, as one of New's own. Never the token nor the URL.
// Mutations: whoAmI keeping the last try's reason alone (as before) ->
// the mixed lines say one try, the test fails; FailedBefore not read ->
// the check's 502 is not told, the test fails.
func TestGetMeFailingTwoWaysSaysEachTry_telegram(t *testing.T) {
	const token = "123:TWOWAYStokenTWOWAYS"
	const gateway, late = "HTTP 502 Bad Gateway", "no answer within 100ms"
	for _, c := range []struct {
		name  string
		tries []bool // per try: true a 502, false no answer
		split bool   // the first try a New of its own, passed on as FailedBefore
		last  error
		want  string
	}{
		{"a 502, then no answer", []bool{true, false}, false, ErrUnreachable, gateway + ", then " + late},
		{"no answer, then a 502", []bool{false, true}, false, ErrServerError, late + ", then " + gateway},
		{"the check's 502, then no answer", []bool{true, false}, true, ErrUnreachable, gateway + ", then " + late},
		{"the check's no answer, then a 502", []bool{false, true}, true, ErrServerError, late + ", then " + gateway},
	} {
		var asked atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n := int(asked.Add(1)); n <= len(c.tries) && c.tries[n-1] {
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprint(w, "<html>502 Bad Gateway</html>")
				return
			}
			<-r.Context().Done() // never answers
		}))
		o := Options{Token: token, APIURL: srv.URL, StartTimeout: 100 * time.Millisecond}
		if c.split {
			check := o
			check.StartTries = 1
			_, o.FailedBefore = New(context.Background(), check)
			o.StartTries = 1
		}
		_, err := New(context.Background(), o)
		srv.Close()
		if n := asked.Load(); n != 2 {
			t.Errorf("%s: getMe asked %d times, want 2", c.name, n)
		}
		if !errors.Is(err, ErrUnreachable) || !errors.Is(err, ErrServerError) {
			t.Errorf("%s: err = %v, want both ErrUnreachable and ErrServerError", c.name, err)
		}
		if want := c.last.Error() + " (getMe: " + c.want + ")"; err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", c.name, err, want)
		}
		if s := fmt.Sprint(err); strings.Contains(s, "TWOWAYS") || strings.Contains(s, srv.URL) {
			t.Errorf("%s: the token or the URL is in the error: %v", c.name, err)
		}
	}
}
