package discord

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// newEngine is the real engine on a real Redis, answering in English;
// each of set may change its options.
func newEngine(t *testing.T, set ...func(*commands.Options)) (*commands.Mux, *locales.Bundle) {
	t.Helper()
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(redistest.Start(t).Client(), kr, storage.Options{Prefix: "d", Retention: 24 * time.Hour, DraftIdle: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	o := commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Retention: 24 * time.Hour}
	for _, f := range set {
		f(&o)
	}
	return commands.New(o), msg
}
