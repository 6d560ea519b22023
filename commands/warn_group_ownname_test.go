package commands_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A /warn in a group signed with its sender's name is never answered with
// the own-name note: the answer is read by the whole group and would tell
// it whose name the warning holds. It is not stored either (see
// TestGroupWarnSignedWithTheSendersNameIsNotKept): answered with the
// neutral refusal, removed or not alike.
func TestGroupWarnNeverPointsOutTheSendersName(t *testing.T) {
	tm := newTeam(t)
	note := tm.msg.Localize("en", "own_name_sent", nil)
	signed := "Retén falso en la carretera esta noche. Saludos, Rosa Gómez @rosa_gomez_mx"
	// (In private the same words get the note: the case is one it fires on.)
	if r := tm.as(reporterID, "Rosa Gómez @rosa_gomez_mx", commands.Request{Command: "warn", Args: signed}); len(r) != 1 || !strings.Contains(r[0].Text, note) {
		t.Fatalf("private: %+v", r)
	}
	for _, deleteErr := range []error{nil, errors.New("Bad Request: message can't be deleted")} {
		tm.event++
		w := &adminReplier{recorder: &recorder{}, deleteErr: deleteErr}
		tm.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "7777", Name: "Rosa Gómez @rosa_gomez_mx",
			ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: signed}, w)
		r := w.take()
		refusal := "warn_group_refused"
		if deleteErr != nil {
			refusal = "warn_group_refused_not_removed"
		}
		if len(r) != 1 || r[0].Text != tm.msg.Localize("en", refusal, nil) {
			t.Fatalf("not removable %v: %+v", deleteErr != nil, r)
		}
		if strings.Contains(r[0].Text, note) {
			t.Errorf("not removable %v: the group was told the warning holds its sender's name: %q", deleteErr != nil, r[0].Text)
		}
	}
}

// A /warn in a group signed with its sender's own name, username or
// (Discord) server nickname is not kept: investigators would read who
// sent it, and, published, every community it goes to, beyond the group
// that saw it; the group cannot be told why. It is refused as any other
// ("send warnings to me in a private chat", the message removed), where
// the sender is told of their name (own_name_sent), and counts nothing
// against their limit on tips. The same words unsigned are kept.
// Mutation: storeGroupWarning without its namedBySender check -> fails
// (the signed warnings stored, answered "received").
func TestGroupWarnSignedWithTheSendersNameIsNotKept(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	refused := tm.msg.Localize("en", "warn_group_refused", nil)
	for _, c := range []struct{ name, nickname, text string }{
		{"Rosa Gómez", "", "Retén falso en la carretera esta noche. Saludos, Rosa Gómez"},
		{"Rosa @rosa_gomez_mx", "", "Retén falso en la carretera, avisen a @rosa_gomez_mx"},
		{"Rosa", "La Güera Norteña", "Retén falso en la carretera. La güera norteña"},
	} {
		tm.event++
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", Name: c.name, Nickname: c.nickname,
			ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: c.text}, w)
		if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != refused {
			t.Errorf("%q signed by %q/%q: deleted %v, %+v", c.text, c.name, c.nickname, w.deleted, r)
		}
	}
	if _, err := tm.store.Tip(ctx, "1"); err == nil {
		t.Fatal("a group warning signed with its sender's name was stored")
	}
	// Unsigned, the same warning is kept.
	tm.event++
	w := &adminReplier{recorder: &recorder{}}
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", Name: "Rosa Gómez @rosa_gomez_mx",
		ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true,
		Args: "Retén falso en la carretera esta noche"}, w)
	if r := w.take(); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("unsigned: %+v", r)
	}
	if _, err := tm.store.Tip(ctx, "1"); err != nil {
		t.Fatalf("the unsigned warning was not stored: %v", err)
	}
}

// A signed group warning stored before the sender's name was checked (by
// the previous version) and delivered again (the bot restarted before
// answering) is still answered "received", and stored once: refused now,
// its sender would be told it was not received and send it again, a
// second tip. Mutation: storeGroupWarning's namedBySender check without
// "!seen" -> fails (the redelivery refused).
func TestGroupWarnSignedStoredBeforeAndRedeliveredStaysReceived(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	signed := "Retén falso en la carretera esta noche. Saludos, Rosa Gómez"
	tm.event++
	if _, err := tm.store.SubmitWarning(ctx, tm.store.Pseudonym("telegram", "7777"), signed, "en", tm.event, ""); err != nil {
		t.Fatal(err)
	}
	w := &adminReplier{recorder: &recorder{}}
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", Name: "Rosa Gómez",
		ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: signed}, w)
	if r := w.take(); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("redelivered: %+v", r)
	}
	if _, err := tm.store.Tip(ctx, "1"); err != nil {
		t.Fatalf("the warning stored before is gone: %v", err)
	}
	if _, err := tm.store.Tip(ctx, "2"); err == nil {
		t.Fatal("the redelivered warning was stored twice")
	}
}

// A group warning that names someone who shares only the sender's first
// name ("José, el de la tienda") is kept: a first name alone is too common
// to tell (namesSender), and refusing it would turn away ordinary
// warnings. Mutation: namesSender taking a display name of one word
// ("len(words) < 2" -> "< 1") -> fails (the "Rosalinda" warning refused).
func TestGroupWarnNamingTheSendersFirstNameIsKept(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for i, c := range []struct{ name, nickname, text string }{
		{"José @jose_mx", "", "José, el de la tienda, fue amenazado anoche"},
		{"José Pérez", "", "José, el de la tienda, fue amenazado anoche"},
		{"Rosalinda", "", "Rosalinda, la de la tienda, fue amenazada anoche"},
		{"Ana @ana_k", "Ana María", "A Ana, la de la farmacia, le pidieron cuota"},
	} {
		tm.event++
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", Name: c.name, Nickname: c.nickname,
			ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: c.text}, w)
		if r := w.take(); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
			t.Errorf("%q by %q/%q: %+v", c.text, c.name, c.nickname, r)
		}
		if _, err := tm.store.Tip(ctx, strconv.Itoa(i+1)); err != nil {
			t.Errorf("%q by %q/%q not stored: %v", c.text, c.name, c.nickname, err)
		}
	}
}

// A group warning refused as signed with its sender's name counts nothing
// against their limit on tips: refused as many times as the limit, the
// sender can still send the warning unsigned. Mutation: storeGroupWarning's
// namedBySender check moved after the tip limit's Allow -> fails (the
// unsigned warning refused, over the limit).
func TestGroupWarnSignedCountsNothingAgainstTheTipLimit(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	send := func(text string) []commands.Reply {
		tm.event++
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", Name: "Rosa Gómez",
			ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: text}, w)
		return w.take()
	}
	for i := 0; i <= commands.DefaultLimits.TipsPerHour; i++ {
		if r := send("Retén falso en la carretera. Saludos, Rosa Gómez"); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "warn_group_refused", nil) {
			t.Fatalf("signed %d: %+v", i, r)
		}
	}
	if r := send("Retén falso en la carretera"); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("unsigned, after the signed ones: %+v", r)
	}
}
