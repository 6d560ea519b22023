package storage

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
)

// A purge and a /forget take a tip out of the entities its Telegram links
// were read as before t.me, telegram.me and telegram.dog were read alike
// (774bbac): the domain telegram.dog, the accounts "s", "joinchat", "c"
// of "t.me/S/…", "T.ME/JoinChat/…", "t.me/C/…", the tip and its
// reporter's tag, and let go of an alert it holds under one. They now read
// its text the new way, which names none of those.
// Mutation: pastEntities and unindex without tips.PastLinkEntities ->
// fails (the tip and its reporter left in the old sets, the alert held).
func TestPurgeAndForgetTakeATipOutOfItsTelegramLinksPastReadings(t *testing.T) {
	takesOutPastReadings(t, []pastReading{
		{"me cobran piso, ver telegram.dog/halcon_55", []string{"domain:telegram.dog"}},
		{"el canal https://t.me/S/halcon_55 amenaza", []string{"handle:telegram:s", "handle:s"}},
		{"grupo T.ME/JoinChat/AbCdEf y telegram.me/C/123/4", []string{"handle:telegram:joinchat", "handle:joinchat", "handle:telegram:c", "handle:c"}},
	})
}

// A purge and a /forget take a tip out of the accounts its links were
// read as before the blanks around an account's name were taken out
// ("t.me/vigia_user%00" was the account "vigia_user\x00") and "<name>.t.me"
// was a domain ("vigiauser.t.me"), and the handles read before
// confusables held ɑ and the like ("@ɑlfa_99" was "ɑlfa_99"): the tip, its reporter's tag and an
// alert it holds there. They now read its text as the account
// "vigia_user", "vigiauser", which names none of those.
// Mutation: tips.PastLinkEntities without the past reading (extract(…,
// true)) -> fails (the tip and its reporter left under
// "telegram:vigia_user\x00", the alert held).
func TestPurgeAndForgetTakeATipOutOfItsAccountsPastReadings(t *testing.T) {
	takesOutPastReadings(t, []pastReading{
		{"me amenaza https://t.me/vigia_user%00 desde ayer", []string{"handle:telegram:vigia_user\x00", "handle:vigia_user\x00"}},
		{"el canal t.me/s/Halcon_55%0A cobra piso", []string{"handle:telegram:halcon_55\n", "handle:halcon_55\n"}},
		{"ver https://vigiauser.t.me hoy", []string{"domain:vigiauser.t.me"}},
		{"me escribe @ɑlfa_99 cada noche", []string{"handle:ɑlfa_99"}},
	})
}

// A purge and a /forget take a tip out of what its "<name>.t.me" links
// were read as before telegramSubdomain kept to usernames Telegram gives
// (4 to 32 letters, digits or "_"): the account "s" of "s.t.me", and the
// link itself where it is no link now ("ab.t.me" written bare, with its
// domain as read before "<name>.t.me" was an account; a name with a "_",
// no host name's): the tip, its reporter's tag and an alert it holds
// there.
// Mutation: tips.PastLinkEntities keeping of the unbounded reading its
// handles only -> fails ("url:ab.t.me", "url:a_b.t.me/x" still hold the
// tip); its past reading bounded -> fails ("domain:ab.t.me").
func TestPurgeAndForgetTakeATipOutOfItsSubdomainsPastReadings(t *testing.T) {
	takesOutPastReadings(t, []pastReading{
		{"el canal https://s.t.me cobra piso", []string{"handle:telegram:s", "handle:s"}},
		{"me amenaza ab.t.me cada noche", []string{"url:ab.t.me", "domain:ab.t.me", "handle:telegram:ab", "handle:ab"}},
		{"me amenaza https://a_b.t.me/x cada noche", []string{"url:a_b.t.me/x", "handle:telegram:a_b", "handle:a_b"}},
	})
}

// pastReading is a tip's text and the entity keys it was indexed under
// as its links were read before.
type pastReading struct {
	text string
	old  []string // entity keys it was indexed under then
}

// takesOutPastReadings indexes each text, files the tip (its reporter's
// tag, an alert) under its old keys as the earlier reading did, runs a
// purge and a /forget on a restarted store, and fails where any old set
// or alert still holds it.
func takesOutPastReadings(t *testing.T, cases []pastReading) {
	t.Helper()
	ctx := context.Background()
	ops := map[string]func(*Store, string) error{
		"purge":   func(s *Store, id string) error { return s.Purge(ctx, id) },
		"/forget": func(s *Store, id string) error { return s.Forget(ctx, id) },
	}
	for name, op := range ops {
		for i, c := range cases {
			s := internalStore(t)
			user := string(rune('a' + i))
			id := batchSubmit(t, s, user, int64(i+1), c.text)
			indexUntilDone(t, s)
			created, err := s.rdb.HGet(ctx, s.k.tip(id), "t").Int64()
			if err != nil {
				t.Fatal(err)
			}
			p := s.Pseudonym("telegram", user)
			for _, key := range c.old { // indexed as before, its alert raised there
				mac := s.entityMAC(key)
				s.rdb.ZAdd(ctx, s.k.indexEntity(mac), redis.Z{Score: float64(created), Member: id}, redis.Z{Score: -float64(created), Member: "r" + s.reporterMAC(mac, p)})
				s.rdb.PExpire(ctx, s.k.indexEntity(mac), s.retention)
				s.rdb.Set(ctx, s.k.indexAlert(mac), id, s.index0.Window)
			}
			r := restarted(t, s)
			if err := op(r, id); err != nil {
				t.Fatal(err)
			}
			for _, key := range c.old {
				mac := r.entityMAC(key)
				if m := r.rdb.ZRange(ctx, r.k.indexEntity(mac), 0, -1).Val(); len(m) > 0 {
					t.Errorf("%s of %q: the set of %q, as its link was read before, still holds %d members (the tip, its reporter)", name, c.text, key, len(m))
				}
				if r.rdb.Exists(ctx, r.k.indexAlert(mac)).Val() == 1 {
					t.Errorf("%s of %q: it still holds its alert under %q", name, c.text, key)
				}
			}
		}
	}
}

// A purge and a /forget take a tip out of what its names were read as
// before a zero-width joiner next to an ASCII letter, digit or full stop
// was dropped (ed3bbc6): the handle, address and hashtag cut at the
// joiner, and the phone number read after a joiner that now joins its
// digits to the trunk prefix before it ("044 \u200d55 1234 5678" was
// +52 55 1234 5678, read in the index's region): the tip, its
// reporter's tag and an alert it holds there.
// Mutation: tips.PastLinkEntities reading the joiners' past forms
// without the index's region -> fails (the tip and its reporter left
// under "phone:+525512345678", the alert held).
func TestPurgeAndForgetTakeATipOutOfItsJoinersPastReadings(t *testing.T) {
	const j = "\u200d"
	takesOutPastReadings(t, []pastReading{
		{"cobra @sica" + j + "rio_norte cada lunes", []string{"handle:sica"}},
		{"escriban a sica" + j + "rio@mail.example hoy", []string{"email:rio@mail.example"}},
		{"usan #cobro" + j + "depiso en el mercado", []string{"hashtag:cobro"}},
		{"llamen al 044 " + j + "55 1234 5678 de noche", []string{"phone:+525512345678"}},
	})
}
