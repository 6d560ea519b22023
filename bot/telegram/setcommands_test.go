package telegram

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// A menu Telegram refuses while the bot runs is warned of, once per
// language; one cut short because the process is stopping is not (serve
// failing to start on a taken VIGIA_HTTP_ADDR logged five "setMyCommands
// failed" warnings quoting that error before the line that says it).
func TestCommandMenuWarnsOnlyWhileRunning(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: refused"}`)
	}))
	defer srv.Close()
	table := []*commands.Command{{Name: "help"}}
	for _, stopping := range []bool{false, true} {
		var logs bytes.Buffer
		a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL,
			Messages: msg, DefaultLanguage: "es", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if stopping {
			cancel()
		}
		a.setCommands(ctx, table)
		cancel()
		n, want := strings.Count(logs.String(), "telegram setMyCommands failed"), len(locales.Supported)+1 // and the default menu
		if stopping {
			want = 0
		}
		if n != want {
			t.Errorf("stopping %v: %d warnings, want %d: %s", stopping, n, want, logs.String())
		}
	}
}
