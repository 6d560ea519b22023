package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// Four reporters pasting the bot's own invite link, or mentioning it,
// make no alert and no signal of the bot: its own accounts are not
// entities. What else their tips name still corroborates.
// Mutation: prepareIndex without Own.Without -> this test fails (an
// alert of "telegram @vigiabot", its tips under the bot's handle).
func TestTheBotsOwnHandleIsNoSignal(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	own := new(tips.Own)
	own.Add("VigiaBot")
	clk := &clock{t: time.Now()}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour, DraftIdle: 10 * time.Minute, Now: clk.Now,
		Index: storage.IndexOptions{Own: own}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	since := clk.Now().Add(-time.Hour)
	var alerts []storage.Signal
	for i, text := range []string{
		"compartan t.me/vigiabot?start=invita, el de la moto cobra piso: 55 1234 5678",
		"por https://t.me/VigiaBot avisen: @vigiabot. llaman del 5512345678",
		"escriban a @VigiaBot, cobran del +52 55 1234 5678",
		"https://telegram.me/vigiabot?start=x el 55 1234 5678 amenaza",
	} {
		alerts = append(alerts, send(t, st, fmt.Sprint(800+i), int64(100+i), text).Alerts...)
	}
	if len(alerts) != 1 || alerts[0].Entity.Value != "+525512345678" {
		t.Errorf("alerts: %+v", alerts)
	}
	sigs, err := st.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		if strings.Contains(strings.ToLower(s.Entity.Value), "vigiabot") {
			t.Errorf("the bot is a signal: %+v", s)
		}
	}
	if len(sigs) != 1 || sigs[0].Reporters != 4 {
		t.Errorf("signals: %+v", sigs)
	}
	for _, e := range tips.Extract("t.me/vigiabot?start=invita @vigiabot", "MX") {
		if got, err := st.EntityTips(ctx, e, since, 20); err != nil || len(got) != 0 {
			t.Errorf("tips under %s: %v %v", e.Key(), ids(got), err)
		}
	}
}
