package telegram

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A 429 is waited out (retry_after) and the message still goes, a bounded
// number of times; the reply text is escaped HTML.
func TestSendRetriesAfter429AndEscapes(t *testing.T) {
	var calls, limited atomic.Int32
	var lastText atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		case strings.HasSuffix(r.URL.Path, "/sendMessage"):
			calls.Add(1)
			if limited.Load() < 1 {
				limited.Add(1)
				fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`)
				return
			}
			_ = r.ParseMultipartForm(1 << 20)
			lastText.Store(r.FormValue("text"))
			fmt.Fprint(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"}}}`)
		}
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if a.username != "VigiaBot" {
		t.Fatalf("username %q", a.username)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.Send(ctx, "5", commands.Reply{Text: `<b>x</b> & "y"`}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d sendMessage calls, want 2", calls.Load())
	}
	if got := lastText.Load(); got != "&lt;b&gt;x&lt;/b&gt; &amp; &#34;y&#34;" {
		t.Fatalf("text sent as %q", got)
	}

	// Always limited: gives up after maxRetries instead of looping forever.
	limited.Store(-100)
	calls.Store(0)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":0}}`)
	})
	if _, err := a.Send(ctx, "5", commands.Reply{Text: "x"}); err == nil {
		t.Fatal("a send that is always limited succeeded")
	}
	if calls.Load() != maxRetries+1 {
		t.Fatalf("%d attempts, want %d", calls.Load(), maxRetries+1)
	}
}

// getMe refused says which of the token or the URL is wrong: a 401 is
// the token; a 404 from a URL other than Telegram's (a local Bot API
// server's address or path mistyped, a proxy's page), whether a Bot API
// answer or not, is the URL, not "token rejected" (Telegram's own 404:
// TestGetMeNotFoundFromALocalBotAPIIsTheURL).
func TestGetMeRefusedSaysTokenOrURL(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   error
	}{
		{http.StatusUnauthorized, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, ErrUnauthorized},
		{http.StatusNotFound, `{"ok":false,"error_code":404,"description":"Not Found"}`, ErrNoBotAPI},
		{http.StatusNotFound, "404 page not found\n", ErrNoBotAPI},
		{http.StatusNotFound, "<html><body><h1>404 Not Found</h1></body></html>", ErrNoBotAPI},
		{http.StatusNotFound, `{"detail":"Not Found"}`, ErrNoBotAPI},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(c.status)
			fmt.Fprint(w, c.body)
		}))
		if _, err := New(context.Background(), Options{Token: "1:x", APIURL: srv.URL}); err != c.want {
			t.Errorf("getMe answered %d %q: err = %v, want %v", c.status, c.body, err, c.want)
		}
		srv.Close()
	}
}

// A local Bot API server (tdlib's telegram-bot-api) answers a path that
// does not start with /bot with its own JSON 404 "Not Found", and a bad
// token with a 401: there a 404 is the URL's path, not the token. Only
// Telegram's own server answers a token with a 404.
func TestGetMeNotFoundFromALocalBotAPIIsTheURL(t *testing.T) {
	const token = "1:SECRETSECRETSECRETSECRET"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !strings.HasPrefix(r.URL.Path, "/bot"):
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		case r.URL.Path != "/bot"+token+"/getMe":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized: invalid token specified"}`)
		default:
			fmt.Fprint(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Vigia","username":"VigiaBot"}}`)
		}
	}))
	defer srv.Close()
	for _, c := range []struct {
		url, token string
		want       error
	}{
		{srv.URL, token, nil},
		{srv.URL + "/telegram", token, ErrNoBotAPI},
		{srv.URL, "1:OTHEROTHEROTHEROTHEROTHER", ErrUnauthorized},
	} {
		if _, err := New(context.Background(), Options{Token: c.token, APIURL: c.url}); err != c.want {
			t.Errorf("getMe at %s: err = %v, want %v", strings.TrimPrefix(c.url, srv.URL), err, c.want)
		}
	}
	// Telegram's own server: its JSON 404 is its answer to the token.
	a := &Adapter{o: Options{Token: token, APIURL: "https://api.telegram.org"}, http: &http.Client{Transport: roundTrip(func(string) (int, string) {
		return http.StatusNotFound, `{"ok":false,"error_code":404,"description":"Not Found"}`
	})}}
	if _, err := a.getMe(context.Background()); err != ErrUnauthorized {
		t.Errorf("Telegram's getMe answered 404: err = %v, want %v", err, ErrUnauthorized)
	}
}

// fileAPI is a fake Bot API that answers file sends by their content:
// what each file holds says how Telegram answers it, as which kind.
type fileAPI struct {
	mu      sync.Mutex
	calls   []string          // "method content" or "sendMessage text"
	answers map[string]string // "method content" -> error response; others succeed
}

func (f *fileAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if method == "getMe" {
		fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		return
	}
	_ = r.ParseMultipartForm(1 << 20)
	call := method + " " + r.FormValue("text")
	for _, field := range []string{"photo", "document"} {
		if fh := r.MultipartForm.File[field]; len(fh) == 1 {
			file, _ := fh[0].Open()
			data, _ := io.ReadAll(file)
			call = method + " " + string(data)
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	answer, refuse := f.answers[call]
	f.mu.Unlock()
	if refuse {
		fmt.Fprint(w, answer)
		return
	}
	fmt.Fprint(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"}}}`)
}

// A file Telegram refuses does not take the tip view down with it: a photo
// refused as a photo goes as a document; one refused as that too is
// replaced by the localised notice, and the files after it still go.
func TestRefusedFileIsSentAsDocumentOrReplacedByNotice(t *testing.T) {
	api := &fileAPI{answers: map[string]string{
		"sendPhoto huge":    `{"ok":false,"error_code":400,"description":"Bad Request: PHOTO_INVALID_DIMENSIONS"}`,
		"sendPhoto odd":     `{"ok":false,"error_code":400,"description":"Bad Request: IMAGE_PROCESS_FAILED"}`,
		"sendDocument odd":  `{"ok":false,"error_code":413,"description":"Request Entity Too Large"}`,
		"sendDocument down": `{"ok":false,"error_code":500,"description":"Internal Server Error"}`,
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	file := func(kind tips.AttachmentKind, data string) commands.File {
		return commands.File{Attachment: tips.Attachment{Platform: tips.Stored, Kind: kind}, Data: []byte(data)}
	}
	ctx := context.Background()
	rep := commands.Reply{Text: "tip", Protected: true, FileMissing: "Falta un archivo", Files: []commands.File{
		file(tips.Photo, "huge"), file(tips.Photo, "odd"), file(tips.Photo, "fine"), file(tips.Document, "doc"),
	}}
	if err := (&replier{a: a, chatID: 5}).Reply(ctx, rep); err != nil {
		t.Fatalf("reply failed: %v", err)
	}
	notice := "sendMessage Falta un archivo"
	want := []string{"sendMessage tip", "sendPhoto huge", "sendDocument huge", "sendPhoto odd", "sendDocument odd", notice, "sendPhoto fine", "sendDocument doc"}
	if !slices.Equal(api.calls, want) {
		t.Fatalf("calls:\n%q\nwant\n%q", api.calls, want)
	}

	// A failure that is not a refusal still fails the reply.
	api.calls = nil
	rep.Files = []commands.File{file(tips.Document, "down"), file(tips.Photo, "fine")}
	if err := (&replier{a: a, chatID: 5}).Reply(ctx, rep); err == nil {
		t.Fatal("a 500 passed as a refusal")
	}
}

// A reply goes out even when the update's time ran out before it (Redis
// hung before the tip reached the spool): the reporter hears the receipt
// of a tip that was kept.
func TestReplyAfterTheDeadlineStillGoesOut(t *testing.T) {
	api := &fileAPI{answers: map[string]string{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	if err := (&replier{a: a, chatID: 5}).Reply(ctx, commands.Reply{Text: "receipt"}); err != nil {
		t.Fatalf("reply after the deadline: %v", err)
	}
	if !slices.Equal(api.calls, []string{"sendMessage receipt"}) {
		t.Fatalf("calls: %q", api.calls)
	}
}
