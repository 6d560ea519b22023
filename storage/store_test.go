package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newStore(t *testing.T) (*storage.Store, *redistest.Server, *clock) {
	t.Helper()
	srv := redistest.Start(t)
	st, clk := storeOn(t, srv.Client())
	return st, srv, clk
}

// storeOn is a store on rdb under prefix "t", with an injected clock.
func storeOn(t testing.TB, rdb *redis.Client) (*storage.Store, *clock) {
	t.Helper()
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour, DraftIdle: 10 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, clk
}

func TestKeyringRejectsShortSecret(t *testing.T) {
	if _, err := storage.NewKeyring(make([]byte, 31)); err == nil {
		t.Fatal("a 31-byte secret was accepted")
	}
}

func TestPseudonymIsStableAndKeyed(t *testing.T) {
	a, _ := storage.NewKeyring(bytes.Repeat([]byte{1}, 32))
	b, _ := storage.NewKeyring(bytes.Repeat([]byte{2}, 32))
	again, _ := storage.NewKeyring(bytes.Repeat([]byte{1}, 32))
	if a.Pseudonym("telegram", "42") != again.Pseudonym("telegram", "42") {
		t.Fatal("pseudonym not stable across restarts")
	}
	if a.Pseudonym("telegram", "42") == b.Pseudonym("telegram", "42") {
		t.Fatal("pseudonym does not depend on the secret")
	}
	if a.Pseudonym("telegram", "42") == a.Pseudonym("discord", "42") {
		t.Fatal("pseudonym does not depend on the platform")
	}
	if strings.Contains(a.Pseudonym("telegram", "42"), "42") {
		t.Fatal("pseudonym shows the id")
	}
}

func TestDraftToTipRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	p := st.Pseudonym("telegram", "555001")
	add := func(ev int64, part tips.Part) storage.Draft {
		t.Helper()
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Route: "telegram:555001", Language: "es", Part: part})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d1 := add(10, tips.Part{Text: "Cobran piso en la calle Hidalgo"})
	d2 := add(11, tips.Part{Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "PHOTO-REF"}})
	d3 := add(11, tips.Part{Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "PHOTO-REF"}}) // redelivered
	add(12, tips.Part{Text: "los martes a las 9"})
	if d1.ID != d2.ID || d2.ID != d3.ID {
		t.Fatal("parts went to different drafts")
	}
	if d3.Parts != 2 {
		t.Fatalf("a redelivered part counted twice: %d parts", d3.Parts)
	}
	if err := st.SetDraftCategory(ctx, p, d1.ID, tips.Extortion); err != nil {
		t.Fatal(err)
	}
	if err := st.SetDraftCategory(ctx, p, "otherdraft", tips.Drugs); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("category on a stale draft: %v", err)
	}
	sub, err := st.SubmitDraft(ctx, p, d1.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	if sub.Repeat || sub.TipID == "" {
		t.Fatalf("first submission: %+v", sub)
	}
	again, err := st.SubmitDraft(ctx, p, d1.ID, "es")
	if err != nil || again.TipID != sub.TipID || again.Receipt != sub.Receipt || !again.Repeat {
		t.Fatalf("retried Send made %+v (%v), want the same tip as %+v", again, err, sub)
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("draft survived submission: %v", err)
	}
	tip, err := st.Tip(ctx, sub.TipID)
	if err != nil {
		t.Fatal(err)
	}
	if tip.Category != tips.Extortion || tip.Status != tips.StatusNew || len(tip.Content.Parts) != 3 ||
		tip.Content.Text() != "Cobran piso en la calle Hidalgo\n\nlos martes a las 9" ||
		tip.Content.Parts[1].Attachment.FileRef != "PHOTO-REF" {
		t.Fatalf("tip read back wrong: %+v", tip)
	}
	byReceipt, err := st.TipByReceipt(ctx, sub.Receipt)
	if err != nil || byReceipt.ID != sub.TipID {
		t.Fatalf("receipt lookup: %v %v", byReceipt.ID, err)
	}
	if _, err := st.TipByReceipt(ctx, "0000-0000-0000-0000"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown receipt: %v", err)
	}
	recent, err := st.Recent(ctx, 10)
	if err != nil || len(recent) != 1 {
		t.Fatalf("recent: %v %v", recent, err)
	}

	// Nothing identifying or said is in Redis in clear.
	dump, err := srv.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range dump {
		for _, secret := range []string{"Cobran", "piso", "martes", "555001", "PHOTO-REF", sub.Receipt, strings.ReplaceAll(sub.Receipt, "-", "")} {
			if strings.Contains(k, secret) || bytes.Contains(v, []byte(secret)) {
				t.Errorf("key %q holds %q in clear", k, secret)
			}
		}
	}
}

func TestTipsGoToTriageStreamAndExpire(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	p := st.Pseudonym("telegram", "1")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "r", Part: tips.Part{Text: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	msgs, err := c.XRange(ctx, "t:{tips}:triage", "-", "+").Result()
	if err != nil || len(msgs) != 1 || msgs[0].Values["id"] != sub.TipID {
		t.Fatalf("triage stream: %v %v", msgs, err)
	}
	// Two readers: investigators, and the indexer (the tip waits for it).
	groups, err := c.XInfoGroups(ctx, "t:{tips}:triage").Result()
	byName := map[string]redis.XInfoGroup{}
	for _, g := range groups {
		byName[g.Name] = g
	}
	if _, ok := byName[storage.TriageGroup]; err != nil || len(groups) != 2 || !ok || byName[storage.IndexGroup].Lag != 1 {
		t.Fatalf("consumer groups: %v %v", groups, err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatalf("Init is not idempotent: %v", err)
	}
	for _, k := range []string{"t:{tips}:tip:" + sub.TipID} {
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil || ttl <= 47*time.Hour || ttl > 48*time.Hour {
			t.Fatalf("%s expires in %v (%v), want the 48h retention", k, ttl, err)
		}
	}
	receipts, _ := c.Keys(ctx, "t:{tips}:receipt:*").Result()
	if len(receipts) != 1 || c.PTTL(ctx, receipts[0]).Val() <= 47*time.Hour {
		t.Fatalf("receipt key missing or without retention: %v", receipts)
	}
}

func TestDraftLimits(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("telegram", "2")
	for i := range 3 {
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(i), Part: tips.Part{Text: "abc"}, MaxParts: 3, MaxChars: 100}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 9, Part: tips.Part{Text: "abc"}, MaxParts: 3, MaxChars: 100}); !errors.Is(err, storage.ErrDraftFull) {
		t.Fatalf("fourth part: %v, want ErrDraftFull", err)
	}
	q := st.Pseudonym("telegram", "3")
	if _, err := st.AddToDraft(ctx, q, storage.DraftPart{EventID: 1, Part: tips.Part{Text: strings.Repeat("ñ", 101)}, MaxChars: 100}); !errors.Is(err, storage.ErrDraftFull) {
		t.Fatalf("101 runes over a 100 limit: %v", err)
	}
}

func TestDraftExpiryTellsReporter(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	p := st.Pseudonym("telegram", "4")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:4", Language: "pt-BR", Part: tips.Part{Text: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(9 * time.Minute)
	if got, err := st.ExpireDrafts(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("draft expired early: %v %v", got, err)
	}
	// Activity pushes the deadline back.
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Route: "telegram:4", Language: "pt-BR", Part: tips.Part{Text: "y"}}); err != nil {
		t.Fatal(err)
	}
	clk.Add(9 * time.Minute)
	if got, err := st.ExpireDrafts(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("active draft expired: %v %v", got, err)
	}
	clk.Add(2 * time.Minute)
	got, err := st.ExpireDrafts(ctx, 10)
	if err != nil || len(got) != 1 || got[0].Route != "telegram:4" || got[0].Language != "pt-BR" {
		t.Fatalf("expired drafts = %+v, %v", got, err)
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal("expired draft still there")
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "pt-BR"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("sending an expired draft: %v", err)
	}
	if got, _ := st.ExpireDrafts(ctx, 10); len(got) != 0 {
		t.Fatal("reporter told twice")
	}
}

func TestDiscardDraft(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("telegram", "5")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Part: tips.Part{Text: "x"}})
	if err := st.DiscardDraft(ctx, p, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DiscardDraft(ctx, p, d.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second discard: %v", err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "en"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("send after cancel: %v", err)
	}
}

// A request learns, in one round trip, its sender's chosen language, team
// role and whether they have a question to answer, and counts a rate limit.
func TestProfileLanguageRoleAnsweringAndLimit(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if !srv.Real {
		t.Skip("it fills Redis with CONFIG SET maxmemory, which the embedded Redis does not have")
	}
	p := st.Pseudonym("telegram", "6")
	if got, err := st.Profile(ctx, p, nil, false); err != nil || got != (storage.Profile{Allowed: true}) {
		t.Fatalf("nobody: %+v %v", got, err)
	}
	if err := st.SetLanguage(ctx, p, "fr"); err != nil {
		t.Fatal(err)
	}
	code, err := st.Invite(ctx, "investigator", "admin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Redeem(ctx, code, storage.Member{Platform: "telegram", UserID: "6", Name: "Ana"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAnswering(ctx, p, "q", time.Hour); err != nil {
		t.Fatal(err)
	}
	want := storage.Profile{Language: "fr", Role: "investigator", Answering: true, Allowed: true}
	if got, err := st.Profile(ctx, p, nil, false); err != nil || got != want {
		t.Fatalf("%+v %v, want %+v", got, err, want)
	}
	// The limit counted with the profile is the one Allow counts.
	limit := &storage.Limit{Subject: p, Kind: "chat", Max: 2, Window: time.Hour}
	for i, w := range []struct{ allowed, firstOver bool }{{true, false}, {true, false}, {false, true}, {false, false}} {
		got, err := st.Profile(ctx, p, limit, false)
		if err != nil || got.Allowed != w.allowed || got.FirstOver != w.firstOver || got.Language != "fr" {
			t.Fatalf("event %d: %+v %v, want allowed %v first over %v", i+1, got, err, w.allowed, w.firstOver)
		}
	}
	if ok, _, err := st.Allow(ctx, p, "chat", 4, time.Hour); err != nil || ok { // the fifth event
		t.Fatalf("Allow does not see the events counted with the profile: %v %v", ok, err)
	}
	// Redis refusing writes (out of memory) refuses the count, not the
	// reads: the sender keeps their language and role.
	c := srv.Client()
	if err := c.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	defer c.ConfigSet(ctx, "maxmemory", "0")
	got, err := st.Profile(ctx, p, limit, false)
	if err == nil || got.Language != "fr" || got.Role != "investigator" || !got.Answering {
		t.Fatalf("profile with the count refused: %+v %v", got, err)
	}
}

func TestTipSurvivesRedisRestart(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if !srv.Real {
		t.Skip("needs a real redis-server with an append-only file")
	}
	p := st.Pseudonym("telegram", "7")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Part: tips.Part{Text: "durable"}})
	sub, err := st.SubmitDraft(ctx, p, d.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	srv.Restart()
	tip, err := st.TipByReceipt(ctx, sub.Receipt)
	if err != nil || tip.Content.Text() != "durable" {
		t.Fatalf("after restart: %+v %v", tip, err)
	}
}

// A Send button forged with someone else's draft id finds nothing: the
// receipt (the retry record) is derived from the reporter and the draft.
func TestForgedSendFindsNothing(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	victim := st.Pseudonym("telegram", "10")
	d, _ := st.AddToDraft(ctx, victim, storage.DraftPart{EventID: 1, Part: tips.Part{Text: "x"}})
	if _, err := st.SubmitDraft(ctx, victim, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	attacker := st.Pseudonym("telegram", "666")
	if sub, err := st.SubmitDraft(ctx, attacker, d.ID, "es"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("attacker got %+v, %v", sub, err)
	}
}

// Parts redelivered after their tip was sent do not start a stray draft
// (which a second Send would turn into a duplicate tip); newer ones do.
func TestRedeliveredPartsAfterSendAreIgnored(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("telegram", "11")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 500, Part: tips.Part{Text: "uno"}})
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 501, Part: tips.Part{Text: "dos"}})
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []int64{500, 501} {
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Part: tips.Part{Text: "uno"}}); !errors.Is(err, storage.ErrDuplicateEvent) {
			t.Fatalf("redelivered event %d: %v", ev, err)
		}
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a redelivered part started a draft: %v", err)
	}
	d2, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 503, Part: tips.Part{Text: "nuevo"}})
	if err != nil || d2.ID == d.ID || d2.Parts != 1 {
		t.Fatalf("new draft after send: %+v %v", d2, err)
	}
}

// A big platform id (Discord snowflakes pass 2^53) still orders right.
func TestLargeEventIDsKeepOrder(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("discord", "12")
	base := int64(1_300_000_000_000_000_001)
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: base, Part: tips.Part{Text: "a"}})
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: base + 1, Part: tips.Part{Text: "b"}})
	sub, err := st.SubmitDraft(ctx, p, d.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	if tip, _ := st.Tip(ctx, sub.TipID); tip.Content.Text() != "a\n\nb" {
		t.Fatalf("order: %q", tip.Content.Text())
	}
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: base + 1, Part: tips.Part{Text: "b"}}); !errors.Is(err, storage.ErrDuplicateEvent) {
		t.Fatalf("event one above 2^53 precision not recognised: %v", err)
	}
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: base + 3, Part: tips.Part{Text: "c"}}); err != nil {
		t.Fatalf("next event refused: %v", err)
	}
}

// Vigía's least-privilege Redis user (-@dangerous, as README and
// docker-compose.yml prescribe) may still run CONFIG GET, so Persistence can
// check persistence; a user without it gets ErrConfigForbidden, which
// serve turns into a warning saying what to allow.
func TestPersistenceAsLeastPrivilegeUser(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("miniredis has no ACLs")
	}
	open := func(url string) *storage.Store {
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewClient(opt)
		t.Cleanup(func() { c.Close() })
		st, _ := storeOn(t, c)
		return st
	}
	if p, err := open(srv.LeastPrivilegeURL("t")).Persistence(ctx); !p.AppendOnly || !p.FsyncAlways || err != nil {
		t.Fatalf("least-privilege user: persistence %+v, %v", p, err)
	}
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "noconfig", "on", ">pw", "~t:*", "+@all", "-@dangerous").Err(); err != nil {
		t.Fatal(err)
	}
	_, err := open("redis://noconfig:pw@" + srv.Addr + "/0").Persistence(ctx)
	if !errors.Is(err, storage.ErrConfigForbidden) {
		t.Fatalf("without CONFIG GET: %v", err)
	}
}

// A user without a right Vigía needs at start (here XGROUP, after the
// keyset was read) is a configuration mistake too: ErrRedisSettings.
func TestInitWithoutARightIsRedisSettings(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("needs a real redis-server (ACL users)")
	}
	ctx := context.Background()
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "lim", "on", ">pw", "~*", "+@all", "-xgroup").Err(); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Username: "lim", Password: "pw"})
	defer rdb.Close()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); !errors.Is(err, storage.ErrRedisSettings) {
		t.Fatalf("Init: %v, want ErrRedisSettings", err)
	}
}

// A draft holding only "ghost" parts (each spooled as a tip of its own
// while Redis hung, its draft write run when Redis resumed, its event
// remembered as sent at the replay) expires without telling the reporter
// their unsent tip was deleted: nothing unsent was. A draft with another
// part still tells them.
func TestGhostDraftExpiresWithoutANotice(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	ghost, mixed := st.Pseudonym("telegram", "41"), st.Pseudonym("telegram", "42")
	for _, p := range []string{ghost, mixed} {
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Route: "telegram:4x", Part: tips.Part{Text: "cobran piso"}}); err != nil {
			t.Fatal(err)
		}
		if err := st.RememberEvent(ctx, p, 2); err != nil { // the replay stored it as a tip
			t.Fatal(err)
		}
	}
	if _, err := st.AddToDraft(ctx, mixed, storage.DraftPart{EventID: 3, Route: "telegram:42", Part: tips.Part{Text: "y armas"}}); err != nil {
		t.Fatal(err)
	}
	clk.Add(11 * time.Minute)
	got, err := st.ExpireDrafts(ctx, 10)
	if err != nil || len(got) != 1 || got[0].Route != "telegram:42" {
		t.Fatalf("expired drafts to tell = %+v, %v (want the mixed one only)", got, err)
	}
	for _, p := range []string{ghost, mixed} {
		if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
			t.Fatal("an expired draft is still there")
		}
	}
}

// A Redis-compatible server that answers CONFIG GET without appendonly (a
// managed one that reports only some settings) has not said "appendonly
// no": its persistence is unknown (an error, which serve warns of), not
// absent (which serve refuses).
func TestPersistenceNotReportedIsUnknown(t *testing.T) {
	srv := redistest.Start(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	c.AddHook(configGetAnswers{})
	st, _ := storeOn(t, c)
	if p, err := st.Persistence(context.Background()); err == nil || errors.Is(err, storage.ErrConfigForbidden) {
		t.Fatalf("CONFIG GET without appendonly: %+v, %v", p, err)
	}
}

// configGetAnswers answers CONFIG GET with nothing, as some managed Redis do
// for the settings they keep to themselves.
type configGetAnswers struct{}

func (configGetAnswers) DialHook(next redis.DialHook) redis.DialHook { return next }
func (configGetAnswers) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if c, ok := cmd.(*redis.MapStringStringCmd); ok && cmd.Name() == "config" {
			c.SetVal(map[string]string{})
			return nil
		}
		return next(ctx, cmd)
	}
}
func (configGetAnswers) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
