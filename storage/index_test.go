package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// sent is a submitted tip and the alerts indexing it raised.
type sent struct {
	storage.Submission
	Alerts []storage.Signal
}

// send submits a one-message tip and runs the indexer over it.
func send(t *testing.T, st *storage.Store, user string, ev int64, text string) sent {
	t.Helper()
	return sent{submitText(t, st, user, ev, text), indexAll(t, st)}
}

// submitText submits a one-message tip, leaving it to the indexer.
func submitText(t *testing.T, st *storage.Store, user string, ev int64, text string) storage.Submission {
	t.Helper()
	ctx := context.Background()
	p := st.Pseudonym("telegram", user)
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// indexAll runs the indexer until no tip waits, and returns the alerts.
func indexAll(t testing.TB, st *storage.Store) []storage.Signal {
	t.Helper()
	var alerts []storage.Signal
	for {
		n, err := st.IndexTips(context.Background(), 100, time.Millisecond, func(s storage.Signal) error { alerts = append(alerts, s); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return alerts
		}
	}
}

func TestSearchIsAccentAndCaseInsensitiveAND(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	a := send(t, st, "201", 10, "Extorsión a tenderos del MERCADO Hidalgo")
	send(t, st, "202", 20, "venden droga en el mercado")
	c := send(t, st, "203", 30, "la extorsion sigue en el mercado central")
	got, _, err := st.Search(ctx, "extorsion mercado", clk.Now().Add(-time.Hour), "", 10)
	if err != nil || len(got) != 2 || got[0].ID != c.TipID || got[1].ID != a.TipID {
		t.Fatalf("search = %v, %v", ids(got), err)
	}
	if got, _, _ := st.Search(ctx, "EXTORSIÓN hidalgo", clk.Now().Add(-time.Hour), "", 10); len(got) != 1 || got[0].ID != a.TipID {
		t.Fatalf("accented upper-case query: %v", ids(got))
	}
	if got, _, _ := st.Search(ctx, "extorsion narnia", clk.Now().Add(-time.Hour), "", 10); len(got) != 0 {
		t.Fatalf("AND of words: %v", ids(got))
	}
	if got, _, _ := st.Search(ctx, "mercado", clk.Now().Add(-time.Hour), tips.Drugs, 10); len(got) != 1 {
		t.Fatalf("category filter: %v", ids(got))
	}
	clk.Add(48 * time.Hour)
	if got, _, _ := st.Search(ctx, "mercado", clk.Now().Add(-24*time.Hour), "", 10); len(got) != 0 {
		t.Fatalf("window: %v", ids(got))
	}
}

// Postings are kept per day: a search reads the days of its window,
// newest first, and stops at the window's start time within its first day.
func TestSearchAcrossDays(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	old := send(t, st, "211", 10, "cobro de piso en la colonia norte")
	clk.Add(25 * time.Hour)
	mid := send(t, st, "212", 20, "cobro de piso otra vez en la colonia norte")
	clk.Add(20 * time.Hour)
	now := send(t, st, "213", 30, "sigue el cobro de piso, colonia norte")
	if got, _, _ := st.Search(ctx, "piso colonia", clk.Now().Add(-46*time.Hour), "", 10); strings.Join(ids(got), ",") != now.TipID+","+mid.TipID+","+old.TipID {
		t.Fatalf("three days: %v", ids(got))
	}
	if got, _, _ := st.Search(ctx, "piso colonia", clk.Now().Add(-21*time.Hour), "", 10); strings.Join(ids(got), ",") != now.TipID+","+mid.TipID {
		t.Fatalf("window start inside a day: %v", ids(got))
	}
	if got, _, _ := st.Search(ctx, "piso colonia", clk.Now().Add(-46*time.Hour), "", 2); strings.Join(ids(got), ",") != now.TipID+","+mid.TipID {
		t.Fatalf("limit: %v", ids(got))
	}
}

// A long day of postings is read from its end in growing tails: every
// match is found, newest first, however many rounds it takes.
func TestSearchReadsLongPostingsInTails(t *testing.T) {
	ctx := context.Background()
	storage.SmallPostingTails(t)
	st, _, clk := newStore(t)
	var want []string
	for i := range 40 {
		text := fmt.Sprintf("cobro de piso número %d en la colonia", i)
		if i%3 == 0 {
			text += ", llegan en una camioneta"
		}
		sub := send(t, st, strconv.Itoa(700+i), int64(10+10*i), text)
		if i%3 == 0 {
			want = append([]string{sub.TipID}, want...)
		}
	}
	got, _, err := st.Search(ctx, "cobro camioneta", clk.Now().Add(-time.Hour), "", 100)
	if err != nil || strings.Join(ids(got), ",") != strings.Join(want, ",") {
		t.Fatalf("all matches: %v %v, want %v", ids(got), err, want)
	}
	if got, _, _ := st.Search(ctx, "camioneta cobro", clk.Now().Add(-time.Hour), "", 3); strings.Join(ids(got), ",") != strings.Join(want[:3], ",") {
		t.Fatalf("newest 3: %v, want %v", ids(got), want[:3])
	}
}

func ids(list []tips.Tip) []string {
	var out []string
	for _, t := range list {
		out = append(out, t.ID)
	}
	return out
}

func TestEntityFormsAndCorroboration(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	since := clk.Now().Add(-time.Hour)
	// One reporter three times: never an alert.
	for i := range 3 {
		if sub := send(t, st, "300", int64(10+10*i), "me cobran del 55 1234 5678"); len(sub.Alerts) != 0 {
			t.Fatalf("one reporter made an alert: %+v", sub.Alerts)
		}
	}
	// Two more distinct reporters, in other forms: the third distinct
	// reporter makes exactly one alert.
	if sub := send(t, st, "301", 100, "llaman del +52 55 1234 5678"); len(sub.Alerts) != 0 {
		t.Fatalf("two reporters made an alert: %+v", sub.Alerts)
	}
	sub := send(t, st, "302", 200, "el whatsapp https://wa.me/525512345678 cobra piso")
	if len(sub.Alerts) != 1 || sub.Alerts[0].Entity.Value != "+525512345678" || sub.Alerts[0].Reporters != 3 {
		t.Fatalf("third reporter: %+v", sub.Alerts)
	}
	if sub := send(t, st, "303", 300, "también del 5512345678"); len(sub.Alerts) != 0 {
		t.Fatalf("second alert in the same window: %+v", sub.Alerts)
	}
	e := tips.Extract("5512345678", "MX")[0]
	got, err := st.EntityTips(ctx, e, since, 20)
	if err != nil || len(got) != 6 {
		t.Fatalf("entity tips: %v %v", ids(got), err)
	}
	sigs, err := st.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil || len(sigs) == 0 || sigs[0].Entity.Value != "+525512345678" || sigs[0].Reporters != 4 || sigs[0].Tips != 6 {
		t.Fatalf("signals: %+v %v", sigs, err)
	}
	// No token or entity in clear anywhere in Redis.
	dump, _ := srv.Dump(ctx)
	for k, v := range dump {
		for _, s := range []string{"cobran", "whatsapp", "5512345678", "525512345678", "piso"} {
			if strings.Contains(k, s) || bytes.Contains(v, []byte(s)) {
				t.Errorf("key %q holds %q in clear", k, s)
			}
		}
	}
}

func TestNearDuplicatesAreLinkedNotMerged(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	a := send(t, st, "401", 10, "Los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes en la noche")
	b := send(t, st, "402", 20, "los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes por la noche")
	c := send(t, st, "403", 30, "Hay un incendio en la bodega de la esquina y nadie llama a los bomberos, urge ayuda")
	tb, _ := st.Tip(ctx, b.TipID)
	if tb.NearDuplicate != a.TipID {
		t.Fatalf("near duplicate of %s not linked: %+v", a.TipID, tb.NearDuplicate)
	}
	if tc, _ := st.Tip(ctx, c.TipID); tc.NearDuplicate != "" {
		t.Fatalf("unrelated tip linked: %q", tc.NearDuplicate)
	}
	if ta, _ := st.Tip(ctx, a.TipID); ta.Content.Text() == tb.Content.Text() {
		t.Fatal("tips merged")
	}
}

// Two similar tips indexed in one batch, at the same time, find each
// other; indexing them again (an indexer taking over) adds no second link.
func TestNearDuplicatesInOneBatchAreLinkedOnce(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if !srv.Real {
		t.Skip("it rewinds a consumer group with XGROUP SETID, which the embedded Redis does not have")
	}
	text := "Los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes en la noche"
	a := submitText(t, st, "411", 10, text)
	b := submitText(t, st, "412", 20, strings.ToLower(text)+" otra vez")
	for round := range 2 {
		if round == 1 { // both taken over as if their indexer had died
			c := srv.Client()
			if err := c.XGroupSetID(ctx, "t:{tips}:triage", storage.IndexGroup, "0").Err(); err != nil {
				t.Fatal(err)
			}
		}
		indexAll(t, st)
		ta, _ := st.Tip(ctx, a.TipID)
		tb, _ := st.Tip(ctx, b.TipID)
		if ta.NearDuplicate != b.TipID || tb.NearDuplicate != a.TipID {
			t.Fatalf("round %d: links %q and %q, want each the other once", round+1, ta.NearDuplicate, tb.NearDuplicate)
		}
	}
}

func TestClassifierSuggestsWhenReporterDoesNotChoose(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	sub := send(t, st, "501", 10, "venden cristal y mota en la tiendita de la esquina, hay halcones")
	tip, _ := st.Tip(ctx, sub.TipID)
	if tip.Category != tips.Drugs || tip.Suggested != tips.Drugs || tip.Confidence <= 0 {
		t.Fatalf("suggestion: %+v", tip)
	}
}

// A reporter's tag in one entity's reporter set is not the same as in
// another's: Redis cannot link one reporter's tips across entities.
func TestReporterTagsDifferAcrossEntities(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	send(t, st, "601", 10, "llaman del 55 1234 5678 y escriben a https://t.me/cobrador_falso")
	c := srv.Client()
	keys, _ := c.Keys(ctx, "t:ix:e:*").Result()
	if len(keys) < 3 {
		t.Fatalf("entity sets: %v", keys)
	}
	seen := map[string]string{}
	for _, k := range keys {
		tags := 0
		for _, z := range c.ZRangeWithScores(ctx, k, 0, -1).Val() {
			m, _ := z.Member.(string)
			if !strings.HasPrefix(m, "r") {
				continue // a tip
			}
			tags++
			if other, dup := seen[m]; dup {
				t.Fatalf("one reporter tag in %s and %s", other, k)
			}
			seen[m] = k
			if z.Score >= 0 || int64(z.Score)%(3600*1000) != 0 {
				t.Fatalf("reporter score %v is not minus an hour", z.Score)
			}
		}
		if tags != 1 {
			t.Fatalf("%s has %d reporter tags", k, tags)
		}
	}
}

// /purge erases a tip for good: nothing that names it remains, and its
// sealed content, copied before, can no longer be opened through Vigía.
func TestPurgeCryptoShreds(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	p := st.Pseudonym("telegram", "801")
	ref, err := st.PutFile(ctx, []byte("foto secreta"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:801", Part: tips.Part{Text: "cobran piso en el mercado Hidalgo, llaman del 55 1234 5678"}})
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Photo, FileRef: ref}}})
	st.SetDraftFollowUp(ctx, p, d.ID, true)
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	st.Ask(ctx, sub.TipID, 1, storage.Claimer{Name: "Ana"}, "¿cuándo?")
	// Another tip with the same words: its postings must survive the purge.
	other := send(t, st, "802", 10, "también cobran piso en el mercado Hidalgo")
	c := srv.Client()
	oldSealed, _ := c.HGet(ctx, "t:{tips}:tip:"+sub.TipID, "d").Result()
	before, _ := c.Keys(ctx, "*").Result()
	if err := st.Purge(ctx, sub.TipID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Tip(ctx, sub.TipID); err == nil {
		t.Fatal("tip still readable")
	}
	if _, err := st.TipByReceipt(ctx, sub.Receipt); err == nil {
		t.Fatal("receipt still resolves")
	}
	if got, _, _ := st.Search(ctx, "mercado hidalgo", clk.Now().Add(-time.Hour), "", 5); len(got) != 1 || got[0].ID != other.TipID {
		t.Fatalf("search after the purge: %+v, want only tip %s", got, other.TipID)
	}
	if _, err := st.File(ctx, ref); err == nil {
		t.Fatal("file still there")
	}
	// No stream entry, list entry, index member or record names it.
	dump, _ := srv.Dump(ctx)
	for k, v := range dump {
		if strings.HasSuffix(k, ":"+sub.TipID) && !strings.Contains(k, ":ix:") {
			t.Errorf("key %q remains", k)
		}
		if string(v) == sub.TipID+"\x00" {
			t.Errorf("%q still names the tip", k) // the receipt record
		}
		if strings.Contains(k, ":ix:t:") { // 4-byte tip numbers
			for i := 0; i+4 <= len(v); i += 4 {
				if strconv.FormatUint(uint64(binary.BigEndian.Uint32(v[i:])), 10) == sub.TipID {
					t.Errorf("%q still lists the tip", k)
				}
			}
		}
		if strings.HasSuffix(k, ":triage") || strings.HasSuffix(k, ":recent") || strings.Contains(k, ":ix:e:") || strings.Contains(k, ":ix:lsh:") {
			for _, m := range strings.FieldsFunc(string(v), func(r rune) bool { return r == 0 || r == ',' }) {
				if m == sub.TipID {
					t.Errorf("%q still lists the tip", k)
				}
			}
		}
	}
	after, _ := c.Keys(ctx, "*").Result()
	if len(after) >= len(before) {
		t.Errorf("%d keys before, %d after", len(before), len(after))
	}
	// The old sealed content, copied before the purge, cannot be opened:
	// its data key is gone.
	if oldSealed == "" {
		t.Fatal("no sealed content before the purge")
	}
	if n, _ := c.Exists(ctx, "t:{tips}:tip:"+sub.TipID).Result(); n != 0 {
		t.Fatal("tip hash (and its wrapped key) remains")
	}
}

// A record torn by a crash mid-write (never acknowledged) is cut off when
// the spool is opened again; the records before and after it survive, and
// a redelivered update spooled twice shows one receipt and makes one tip.
func TestSpoolSurvivesTornWrite(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, _ := storage.OpenSpool(dir, kr)
	e := storage.SpoolEntry{Pseudonym: st.Pseudonym("telegram", "1"), EventID: 5, Part: tips.Part{Text: "uno"}}
	r1, err := sp.Append(e)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := sp.Append(e); again != r1 {
		t.Fatalf("the same update got two receipts: %s %s", r1, again)
	}
	f, _ := os.OpenFile(filepath.Join(dir, "tips.spool"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{0, 0, 0, 200, 1, 2, 3}) // a crash in the middle of a write
	f.Close()
	sp, err = storage.OpenSpool(dir, kr)
	if err != nil || sp.Len() != 2 {
		t.Fatalf("after reopening: %d entries, %v", sp.Len(), err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: st.Pseudonym("telegram", "2"), EventID: 1, Part: tips.Part{Text: "dos"}}); err != nil {
		t.Fatal(err)
	}
	n, err := sp.Replay(ctx, st)
	if err != nil || n != 3 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if list, _ := st.Recent(ctx, 10); len(list) != 2 {
		t.Fatalf("%d tips, want 2 (the duplicate spooled once)", len(list))
	}
	if _, err := st.TipByReceipt(ctx, r1); err != nil {
		t.Fatalf("receipt given during the outage: %v", err)
	}
}

// Retention follows the triage decision: a dismissed tip lives only
// ClosedRetention after the decision, a verified one VerifiedRetention.
// When the dismissed tip expires its wrapped key goes with it, and so do
// its history, route, receipt and files.
func TestRetentionPerStatus(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("keys expire in real time only on a real redis-server")
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour,
		ClosedRetention: 1500 * time.Millisecond, VerifiedRetention: 10 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	submit := func(user, text string, withFile bool) (storage.Submission, string) {
		p := st.Pseudonym("telegram", user)
		d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:" + user, Part: tips.Part{Text: text}})
		ref := ""
		if withFile {
			ref, _ = st.PutFile(ctx, []byte("foto"))
			st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Photo, FileRef: ref}}})
		}
		st.SetDraftFollowUp(ctx, p, d.ID, true)
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatal(err)
		}
		return sub, ref
	}
	gone, ref := submit("801", "rumor sin sustento sobre la colonia Roma", true)
	kept, _ := submit("802", "venta de armas en la calle Juárez", false)
	ana := storage.Claimer{Key: "a", Name: "Ana"}
	st.Ask(ctx, gone.TipID, 1, ana, "¿cuándo?")
	if err := st.Decide(ctx, gone.TipID, ana, storage.Decision{Status: tips.StatusDismissed}); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, kept.TipID, ana, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	if ttl := c.PTTL(ctx, "t:{tips}:tip:"+kept.TipID).Val(); ttl < 9*24*time.Hour {
		t.Fatalf("verified tip lives %v, want about 10 days", ttl)
	}
	if ttl := c.PTTL(ctx, "t:{tips}:log:"+kept.TipID).Val(); ttl < 9*24*time.Hour {
		t.Fatalf("verified tip's history lives %v, want about 10 days", ttl)
	}
	receipts, _ := c.Keys(ctx, "t:{tips}:receipt:*").Result()
	for _, k := range receipts {
		if c.Get(ctx, k).Val() == kept.TipID {
			if ttl := c.PTTL(ctx, k).Val(); ttl < 9*24*time.Hour {
				t.Fatalf("verified tip's receipt lives %v, want about 10 days", ttl)
			}
		}
	}
	// Wait for the dismissed tip's retention (1.5 s) to run out: until
	// every check below holds, or a deadline.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, errTip := st.Tip(ctx, gone.TipID)
		_, errReceipt := st.TipByReceipt(ctx, gone.Receipt)
		_, errFile := st.File(ctx, ref)
		if left, _ := c.Keys(ctx, "*:"+gone.TipID).Result(); errTip != nil && errReceipt != nil && errFile != nil && len(left) == 0 {
			break
		}
	}
	if _, err := st.Tip(ctx, gone.TipID); err == nil {
		t.Fatal("dismissed tip still readable after its retention")
	}
	if _, err := st.TipByReceipt(ctx, gone.Receipt); err == nil {
		t.Fatal("dismissed tip's receipt still resolves")
	}
	if _, err := st.File(ctx, ref); err == nil {
		t.Fatal("dismissed tip's photo still stored")
	}
	keys, _ := c.Keys(ctx, "*:"+gone.TipID).Result()
	if len(keys) != 0 {
		t.Fatalf("records of the expired tip remain: %v", keys)
	}
	if got, err := st.Tip(ctx, kept.TipID); err != nil || got.Status != tips.StatusVerified {
		t.Fatalf("verified tip: %+v %v", got, err)
	}
}

// A dismissed tip that is reopened lives as long as any open tip again,
// not the shorter time the dismissal gave it.
func TestReopenedTipLivesAsOpen(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour, ClosedRetention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "803")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:803", Part: tips.Part{Text: "cobro de piso en el mercado"}})
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	ana := storage.Claimer{Key: "a", Name: "Ana"}
	c := srv.Client()
	for _, step := range []struct {
		status   tips.Status
		min, max time.Duration
	}{
		{tips.StatusDismissed, 59 * time.Minute, time.Hour},
		{tips.StatusNew, 47 * time.Hour, 48 * time.Hour},
		{tips.StatusEscalated, 47 * time.Hour, 48 * time.Hour},
	} {
		if err := st.Decide(ctx, sub.TipID, ana, storage.Decision{Status: step.status}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"t:{tips}:tip:" + sub.TipID, "t:{tips}:log:" + sub.TipID} {
			if ttl := c.PTTL(ctx, k).Val(); ttl < step.min || ttl > step.max {
				t.Fatalf("after %s, %s lives %v, want %v–%v", step.status, k, ttl, step.min, step.max)
			}
		}
	}
}

// A tip is indexed after its reporter was told it is received: an indexer
// that dies mid-batch leaves its tips to the next one, and an alert it
// could not hand over is raised again, by the same tip only.
func TestIndexerTakesOverADeadIndexersTips(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	if !srv.Real {
		t.Skip("it needs the pending entries' idle times and delivery counts of a real redis-server")
	}
	c := srv.Client()
	found := func(query string) int {
		t.Helper()
		got, _, err := st.Search(ctx, query, clk.Now().Add(-time.Hour), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	submitText(t, st, "401", 10, "cobran piso en el tianguis, llaman del 55 8765 4321")
	if n := found("tianguis"); n != 0 {
		t.Fatalf("found %d before indexing", n)
	}
	if n, err := st.IndexBacklog(ctx); err != nil || n != 1 {
		t.Fatalf("backlog %d %v, want 1", n, err)
	}
	// An indexer takes the tip and dies before acknowledging it.
	if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: storage.IndexGroup, Consumer: "indexer", Streams: []string{"t:{tips}:triage", ">"}, Count: 10, Block: -1}).Err(); err != nil {
		t.Fatal(err)
	}
	if alerts := indexAll(t, st); len(alerts) != 0 || found("tianguis") != 0 {
		t.Fatal("a tip another indexer is working on was taken over before it was stale")
	}
	stale := func() {
		t.Helper()
		pend, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{tips}:triage", Group: storage.IndexGroup, Start: "-", End: "+", Count: 10}).Result()
		if err != nil || len(pend) == 0 {
			t.Fatalf("nothing pending: %v", err)
		}
		for _, p := range pend {
			if err := c.Do(ctx, "XCLAIM", "t:{tips}:triage", storage.IndexGroup, p.Consumer, 0, p.ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	stale()
	indexAll(t, st)
	if found("tianguis") != 1 {
		t.Fatal("a dead indexer's tip was never indexed")
	}
	if n, err := st.IndexBacklog(ctx); err != nil || n != 0 {
		t.Fatalf("backlog %d %v, want 0", n, err)
	}

	// The third reporter's tip raises the alert; handing it over fails.
	submitText(t, st, "402", 20, "me extorsionan del +52 55 8765 4321")
	indexAll(t, st)
	third := submitText(t, st, "403", 30, "llamadas del 5587654321 pidiendo cuota")
	// A panic while indexing a tip (here in the hand-over) is an error for
	// that tip, not the end of the process.
	if n, err := st.IndexTips(ctx, 10, time.Millisecond, func(storage.Signal) error { panic("no chat") }); err == nil || n != 0 {
		t.Fatalf("a panic: %d handled, %v", n, err)
	}
	stale()
	failed := 0
	if _, err := st.IndexTips(ctx, 10, time.Millisecond, func(storage.Signal) error { failed++; return errors.New("no chat") }); err == nil || failed != 1 {
		t.Fatalf("alert hand-over failed %d times, err %v", failed, err)
	}
	// Another reporter's tip meanwhile does not raise it: the alert belongs
	// to the tip that reached the threshold.
	submitText(t, st, "404", 40, "también a mí del 55 8765 4321")
	if alerts := indexAll(t, st); len(alerts) != 0 {
		t.Fatalf("alert raised by a later tip: %+v", alerts)
	}
	stale()
	// The indexer is stopped (its context ends) right after handing the
	// alert over: the tip is acknowledged all the same, or the next
	// indexer would send the alert again.
	stop, cancel := context.WithCancel(ctx)
	var raised []storage.Signal
	if _, err := st.IndexTips(stop, 10, time.Millisecond, func(s storage.Signal) error { raised = append(raised, s); cancel(); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(raised) != 1 || raised[0].Entity.Value != "+525587654321" {
		t.Fatalf("the third reporter's alert was not raised again: %+v", raised)
	}
	if n, err := st.IndexBacklog(ctx); err != nil || n != 0 {
		t.Fatalf("backlog %d %v: the alerted tip was not acknowledged", n, err)
	}
	// Indexing a tip twice (taken over after it was indexed, before its
	// acknowledgement) changes nothing a search sees.
	if got, err := st.EntityTips(ctx, tips.Extract("5587654321", "MX")[0], clk.Now().Add(-time.Hour), 10); err != nil || len(got) != 4 {
		t.Fatalf("entity tips: %v %v", ids(got), err)
	}
	if got, _, _ := st.Search(ctx, "cuota", clk.Now().Add(-time.Hour), "", 10); len(got) != 1 || got[0].ID != third.TipID {
		t.Fatalf("search after re-indexing: %v", ids(got))
	}

	// An alert no chat ever takes is given up after five attempts: the
	// tip is acknowledged, and the indexer moves on.
	submitText(t, st, "407", 70, "cobro en la caseta, del 55 2222 3333")
	submitText(t, st, "408", 80, "la caseta cobra, llaman del 5522223333")
	indexAll(t, st)
	submitText(t, st, "409", 90, "cuota en la caseta del +52 55 2222 3333")
	refuse := func(storage.Signal) error { return errors.New("no chat") }
	for attempt := 1; attempt <= 5; attempt++ {
		if attempt > 1 {
			stale()
		}
		n, err := st.IndexTips(ctx, 10, time.Millisecond, refuse)
		if err == nil || (attempt < 5) != (n == 0) {
			t.Fatalf("attempt %d: %d handled, %v", attempt, n, err)
		}
	}
	if n, err := st.IndexBacklog(ctx); err != nil || n != 0 {
		t.Fatalf("backlog %d %v after giving up, want 0", n, err)
	}
	// The alert it could not hand over goes to the next tip naming it.
	submitText(t, st, "410", 95, "otra vez el 55 2222 3333")
	if alerts := indexAll(t, st); len(alerts) != 1 || alerts[0].Entity.Value != "+525522223333" {
		t.Fatalf("after a given-up alert, the next tip raised %+v", alerts)
	}

	// A waiting tip's entry deleted (as /purge does): Redis no longer
	// knows the group's lag, the backlog is still counted.
	gone := submitText(t, st, "405", 50, "primera")
	submitText(t, st, "406", 60, "segunda")
	entries, _ := c.XRange(ctx, "t:{tips}:triage", "-", "+").Result()
	for _, e := range entries {
		if e.Values["id"] == gone.TipID {
			c.XDel(ctx, "t:{tips}:triage", e.ID)
		}
	}
	if groups, _ := c.XInfoGroups(ctx, "t:{tips}:triage").Result(); groups[0].Lag != -1 {
		t.Fatalf("Redis still knows the lag (%d): the test does not test the count", groups[0].Lag)
	}
	if n, err := st.IndexBacklog(ctx); err != nil || n != 1 {
		t.Fatalf("backlog %d %v, want 1", n, err)
	}
}

// An index group lost with the stream (a flushed Redis, the stream made
// again by the next tip) is made again, and that tip is indexed.
func TestIndexGroupLostIsMadeAgain(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	if err := srv.Client().Del(ctx, "t:{tips}:triage").Err(); err != nil {
		t.Fatal(err)
	}
	submitText(t, st, "421", 10, "retén falso en la carretera a Saltillo")
	if _, err := st.IndexTips(ctx, 10, time.Millisecond, func(storage.Signal) error { return nil }); err == nil {
		t.Fatal("no error for a missing index group")
	}
	indexAll(t, st)
	if got, _, err := st.Search(ctx, "saltillo", clk.Now().Add(-time.Hour), "", 5); err != nil || len(got) != 1 {
		t.Fatalf("search: %v %v", ids(got), err)
	}
}

// Tips indexed late (taken over from an indexer that died, after newer
// tips were indexed) are found in their place, and hide no newer tip,
// however short the posting tails a search reads.
func TestLateIndexedTipsAreFoundInOrder(t *testing.T) {
	storage.SmallPostingTails(t)
	ctx := context.Background()
	st, srv, clk := newStore(t)
	c := srv.Client()
	var want []string
	for i := range 3 {
		want = append(want, submitText(t, st, strconv.Itoa(500+i), int64(10*i+10), "retén en la caseta de Tepotzotlán").TipID)
	}
	// An indexer takes the first three and dies.
	if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: storage.IndexGroup, Consumer: "indexer", Streams: []string{"t:{tips}:triage", ">"}, Count: 3, Block: -1}).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < 20; i++ {
		text := "retén en la caseta de Tepotzotlán"
		if i == 19 {
			text = "otro retén, sin caseta"
		}
		// One at a time, so that the short tails' slack of one holds.
		want = append(want, send(t, st, strconv.Itoa(500+i), int64(10*i+10), text).TipID)
	}
	pend, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{tips}:triage", Group: storage.IndexGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) != 3 {
		t.Fatalf("pending: %v %v", pend, err)
	}
	for _, p := range pend {
		c.Do(ctx, "XCLAIM", "t:{tips}:triage", storage.IndexGroup, p.Consumer, 0, p.ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID")
	}
	indexAll(t, st)
	slices.Reverse(want)
	since := clk.Now().Add(-time.Hour)
	if got, _, _ := st.Search(ctx, "reten", since, "", 30); strings.Join(ids(got), ",") != strings.Join(want, ",") {
		t.Fatalf("all 20:\n got %v\nwant %v", ids(got), want)
	}
	if got, _, _ := st.Search(ctx, "caseta tepotzotlan", since, "", 30); strings.Join(ids(got), ",") != strings.Join(want[1:], ",") {
		t.Fatalf("both words:\n got %v\nwant %v", ids(got), want[1:])
	}
	if got, _, _ := st.Search(ctx, "reten", since, "", 5); strings.Join(ids(got), ",") != strings.Join(want[:5], ",") {
		t.Fatalf("newest 5: %v, want %v", ids(got), want[:5])
	}
}

// A near-duplicate is found up to seven days after the tip it resembles,
// wherever in the week the first one fell; two weeks after, it is not.
func TestNearDuplicatesWithinSevenDays(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	text := "Los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes en la noche"
	week := time.Now().UTC().Truncate(24 * time.Hour)
	for day := range 7 {
		clk := &clock{t: week.AddDate(0, 0, day).Add(12 * time.Hour)}
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: fmt.Sprint("w", day), Retention: 60 * 24 * time.Hour, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		a := send(t, st, "421", 10, text)
		clk.Add(7*24*time.Hour - time.Minute)
		b := send(t, st, "422", 20, strings.ToLower(text)+" otra vez")
		if tb, _ := st.Tip(ctx, b.TipID); tb.NearDuplicate != a.TipID {
			t.Fatalf("day %d: a near duplicate seven days later not linked: %q", day, tb.NearDuplicate)
		}
		clk.Add(14 * 24 * time.Hour)
		c := send(t, st, "423", 30, text+" de nuevo")
		if tc, _ := st.Tip(ctx, c.TipID); tc.NearDuplicate != "" {
			t.Fatalf("day %d: linked to a tip two weeks older: %q", day, tc.NearDuplicate)
		}
	}
}

// Every index key expires: those of a tip indexed while Redis did not
// have the scripts cached (a new or restarted Redis: they are sent again
// in full), and those of a tip indexed with the scripts cached.
func TestIndexKeysExpire(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	c := srv.Client()
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	send(t, st, "431", 10, "Los halcones de la plaza cobran cuota a los tenderos, llaman del 55 1234 5678 #Morelos")
	send(t, st, "432", 20, "Unos sicarios del cartel amenazan a la periodista del diario local desde el lunes, llaman del 55 1234 5678")
	if srv.Real {
		// A third reporter's tip, taken over from an indexer that died on
		// it, is indexed late (listed apart) and raises the alert (a mark).
		submitText(t, st, "433", 30, "otra vez llaman del 55 1234 5678 para cobrar")
		if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: storage.IndexGroup, Consumer: "indexer", Streams: []string{"t:{tips}:triage", ">"}, Count: 1, Block: -1}).Err(); err != nil {
			t.Fatal(err)
		}
		pend, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{tips}:triage", Group: storage.IndexGroup, Start: "-", End: "+", Count: 10}).Result()
		if err != nil || len(pend) != 1 {
			t.Fatalf("pending: %v %v", pend, err)
		}
		if err := c.Do(ctx, "XCLAIM", "t:{tips}:triage", storage.IndexGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
		if alerts := indexAll(t, st); len(alerts) != 1 {
			t.Fatalf("the late tip raised %d alerts, want 1", len(alerts))
		}
	}
	keys, err := c.Keys(ctx, "t:ix:*").Result()
	if err != nil || len(keys) < 20 {
		t.Fatalf("index keys: %d %v", len(keys), err)
	}
	bands := 0
	kinds := map[string]bool{}
	for _, k := range keys {
		if strings.Contains(k, ":lsh:") {
			bands++
		}
		kinds[strings.Split(k, ":")[2]] = true
		if ttl := c.PTTL(ctx, k).Val(); ttl <= 0 {
			t.Fatalf("%s never expires (%v)", k, ttl)
		}
	}
	if bands < 15 {
		t.Fatalf("%d sketch band buckets, want both tips' (about 20)", bands)
	}
	want := []string{"t", "e", "d", "s", "lsh", "top"}
	if srv.Real {
		want = append(want, "late", "a")
	}
	for _, kind := range want {
		if !kinds[kind] {
			t.Errorf("no t:ix:%s: key written: its expiry is not checked", kind)
		}
	}
}

// A purged tip that raised an alert it could not hand over leaves no mark
// naming it: the next tip that brings the entity to the threshold raises
// the alert. One it handed over stays sent for the window.
func TestPurgedTipReleasesItsAlert(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	send(t, st, "431", 10, "cobran piso, llaman del 55 4444 5555")
	send(t, st, "432", 20, "me extorsionan del 5544445555")
	third := submitText(t, st, "433", 30, "cuota, del +52 55 4444 5555")
	if _, err := st.IndexTips(ctx, 10, time.Millisecond, func(storage.Signal) error { return errors.New("no chat") }); err == nil {
		t.Fatal("a failed hand-over was not reported")
	}
	if err := st.Purge(ctx, third.TipID); err != nil {
		t.Fatal(err)
	}
	dump, _ := srv.Dump(ctx)
	for k, v := range dump {
		if strings.Contains(k, ":ix:a:") && string(v) == third.TipID+"\x00" {
			t.Errorf("alert mark %q still names the purged tip", k)
		}
	}
	fourth := send(t, st, "434", 40, "del 55 4444 5555 otra vez")
	if len(fourth.Alerts) != 1 || fourth.Alerts[0].Reporters != 3 {
		t.Fatalf("the next third reporter raised %+v", fourth.Alerts)
	}
	// That one went out: purging its tip does not let a later one raise it.
	if err := st.Purge(ctx, fourth.TipID); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"el 5544445555 sigue", "y el 5544445555 de nuevo"} {
		if sub := send(t, st, strconv.Itoa(435+i), int64(50+10*i), text); len(sub.Alerts) != 0 {
			t.Fatalf("alerted again in the window: %+v", sub.Alerts)
		}
	}
}

// A tip its reporter withdraws with /forget stops counting for the
// entities it names, as a purged tip: before it is indexed (it raises no
// alert) and after (its reporter leaves /signals and /entity unless
// another of their tips names the entity). The tip itself stays in
// triage, and Redis holds nothing of it or its reporter in clear.
// Mutations: Forget not taking the tip out of its entities → 3 reporters
// after the first reporter's tip is forgotten; the indexer ignoring the
// forgotten mark (when it reads the tip, and once its entries are
// written) → the tip forgotten before indexing raises the alert.
func TestForgottenTipsNoLongerCorroborate(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	since := clk.Now().Add(-time.Hour)
	first := send(t, st, "451", 10, "cobran piso, llaman del 55 6666 7777")
	send(t, st, "452", 20, "me extorsionan del 5566667777")
	third := submitText(t, st, "453", 30, "cuota, del +52 55 6666 7777")
	if err := st.Forget(ctx, third.TipID); err != nil {
		t.Fatal(err)
	}
	if alerts := indexAll(t, st); len(alerts) != 0 {
		t.Fatalf("a tip forgotten before it was indexed raised %+v", alerts)
	}
	if err := st.Forget(ctx, third.TipID); err != nil { // twice: nothing more
		t.Fatal(err)
	}
	fourth := send(t, st, "454", 40, "del 55 6666 7777 otra vez")
	if len(fourth.Alerts) != 1 || fourth.Alerts[0].Reporters != 3 {
		t.Fatalf("the next third reporter raised %+v", fourth.Alerts)
	}
	// The first reporter forgets theirs: two reporters left.
	if err := st.Forget(ctx, first.TipID); err != nil {
		t.Fatal(err)
	}
	sigs, err := st.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil || len(sigs) != 1 || sigs[0].Reporters != 2 || sigs[0].Tips != 2 {
		t.Fatalf("signals after /forget: %+v %v", sigs, err)
	}
	e := tips.Extract("5566667777", "MX")[0]
	if got, err := st.EntityTips(ctx, e, since, 20); err != nil || len(got) != 2 {
		t.Fatalf("entity tips after /forget: %v %v", ids(got), err)
	}
	for _, id := range []string{first.TipID, third.TipID} {
		if _, err := st.Tip(ctx, id); err != nil {
			t.Fatalf("forgotten tip %s gone: %v", id, err)
		}
	}
	dump, _ := srv.Dump(ctx)
	for k, v := range dump {
		for _, s := range []string{"cobran", "5566667777", "525566667777"} {
			if strings.Contains(k, s) || bytes.Contains(v, []byte(s)) {
				t.Errorf("key %q holds %q in clear", k, s)
			}
		}
	}
}
