package commands_test

import (
	"strconv"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A warning marked a duplicate of another warning is not published: of
// one published, the communities would get it twice; of one not yet, the
// original is the one to publish. A duplicate of a reporter's tip (never
// published) may be; so may the duplicate once its status is changed.
func TestDuplicateWarningIsNotPublished(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.as("7003", "T", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a todos"})
	tm.report("7004", "Retén falso en la carretera", "")

	// #2 repeats #1, not published yet: publish #1 instead.
	button := press(tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2"}), "pub:")
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	notYet := tm.text("en", "publish_duplicate", map[string]any{"ID": "2", "Other": "1"})
	for name, req := range map[string]commands.Request{
		"the button shown before": {Callback: button},
		"/publish":                {Command: "publish", Args: "2"},
		"/publish with a text":    {Command: "publish", Args: "2 Retén falso en la carretera"},
	} {
		if r := tm.as("2002", "Ana", req); len(r) != 1 || r[0].Text != notYet || len(r[0].Buttons) > 0 {
			t.Errorf("%s on a duplicate of an unpublished warning answered %+v", name, r)
		}
	}
	// #1 published: #2 would send it twice.
	tm.approve(t, "2002", "Ana", "1")
	tm.deliverAll(t)
	twice := tm.text("en", "publish_duplicate_published", map[string]any{"ID": "2", "Other": "1"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != twice {
		t.Errorf("/publish of a duplicate of a published warning answered %+v", r)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 1 {
		t.Fatalf("the community got %q, want #1 once", platform.got["-1"])
	}

	// #3 repeats the reporter's tip #4, which never goes out: it may.
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "3 duplicate-of 4"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "3 Retén falso en la carretera, roban a todos"}); r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "3", "Count": 1}, 1) {
		t.Fatalf("/publish of a duplicate of a tip answered %q", r[0].Text)
	}
	// #2 given another status goes out.
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 verified"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2 Retén falso en la carretera"}); r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "2", "Count": 1}, 1) {
		t.Fatalf("verified, /publish answered %q", r[0].Text)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 3 {
		t.Fatalf("the community got %q", platform.got["-1"])
	}
}

// /retract of a warning not published says it can still be published and
// how to stop it, but not of a duplicate of another warning, which
// /publish refuses: that would be untrue. A duplicate of a reporter's tip
// can still be published, and is told so.
func TestRetractOfDuplicateWarningSaysNoPublishHint(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.as("7003", "T", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a todos"})
	tm.report("7004", "Retén falso en la carretera", "")
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "3 duplicate-of 4"})

	none := func(id string) string { return tm.text("en", "retract_none", map[string]any{"ID": id}) }
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "2"}); len(r) != 1 || r[0].Text != none("2") {
		t.Errorf("/retract of a duplicate of a warning answered %+v", r)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_duplicate", map[string]any{"ID": "2", "Other": "1"}) {
		t.Errorf("/publish of a duplicate of a warning answered %+v", r)
	}
	want := none("3") + "\n\n" + tm.text("en", "retract_none_dismiss", map[string]any{"ID": "3"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "3"}); len(r) != 1 || r[0].Text != want {
		t.Errorf("/retract of a duplicate of a tip answered %+v", r)
	}
}

// A warning marked a duplicate of another that was itself marked a
// duplicate since points to the original the team keeps, not to the
// one in the middle (which /publish refuses too); and if a warning on the
// way was published, to that one: the communities have it already.
// Mutation: notDuplicate naming orig (no chain followed) → "#2", whose
// /publish refuses in turn.
func TestDuplicateOfDuplicateNamesTheOriginal(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.as("7003", "T", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a todos"})

	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 duplicate-of 2"})
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 3"}) // later: #1 -> #2 -> #3
	want := tm.text("en", "publish_duplicate", map[string]any{"ID": "1", "Other": "3"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/publish of a duplicate of a duplicate answered %+v, want %q", r, want)
	}
	none := tm.text("en", "retract_none", map[string]any{"ID": "1"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}); len(r) != 1 || r[0].Text != none {
		t.Fatalf("/retract of a duplicate of a duplicate answered %+v", r)
	}

	// #2 was published before it was marked: #1 would send it again.
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 verified"})
	tm.approve(t, "2002", "Ana", "2")
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 3"})
	want = tm.text("en", "publish_duplicate_published", map[string]any{"ID": "1", "Other": "2"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/publish of a duplicate of a published duplicate answered %+v, want %q", r, want)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 1 {
		t.Fatalf("the community got %q, want #2 once", platform.got["-1"])
	}
}

// A warning marked a duplicate of a warning that was marked since a
// duplicate of a reporter's tip is still a duplicate of a warning: the
// one in the middle is the one the team keeps (its /publish goes
// through), or both would go out. /retract of the first does not say it
// may still be published.
// Mutation: original returning the end of the chain (the reporter's tip)
// rather than the last warning on it → /publish 1 goes through, and the
// community gets the warning twice.
func TestDuplicateOfDuplicateOfTipKeepsTheMiddleWarning(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.report("7004", "Retén falso en la carretera", "")

	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 duplicate-of 2"})
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 3"}) // later: #1 -> #2 -> tip #3
	want := tm.text("en", "publish_duplicate", map[string]any{"ID": "1", "Other": "2"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/publish of a duplicate of a duplicate of a tip answered %+v, want %q", r, want)
	}
	none := tm.text("en", "retract_none", map[string]any{"ID": "1"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}); len(r) != 1 || r[0].Text != none {
		t.Fatalf("/retract of a duplicate of a duplicate of a tip answered %+v", r)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "2", "Count": 1}, 1) {
		t.Fatalf("/publish of the warning kept answered %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 1 {
		t.Fatalf("the community got %q, want the warning once", got)
	}
}

// A warning published, then marked a duplicate of another: /publish of
// that other is refused, naming the one published (the communities have
// the warning), and nothing goes out twice; with the duplicate's status
// changed, it goes out.
// Mutation: the approve script without its walk over the warning's
// duplicates -> /publish 1 starts the broadcast and the community gets it
// twice.
func TestPublishOfOriginalOfPublishedDuplicateIsRefused(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})

	tm.approve(t, "2002", "Ana", "2")
	tm.deliverAll(t)
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	want := tm.text("en", "publish_duplicate_of_it_published", map[string]any{"ID": "1", "Other": "2"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/publish of the original of a published duplicate answered %+v, want %q", r, want)
	}
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 1 {
		t.Fatalf("the community got %q, want the warning once", got)
	}

	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 verified"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1) {
		t.Fatalf("#2 verified, /publish 1 answered %+v", r)
	}
}

// A warning marked a duplicate of a chain of reporter's tips longer than
// /publish follows, at whose end a warning was published: /publish says
// the chain is too long to check, and nothing goes out twice; marked a
// duplicate of the original itself, it is refused as a duplicate of a
// published warning.
// Mutation: original stopping at its bound as at the chain's end (no
// "long") -> /publish 1 starts the broadcast and the community gets the
// warning twice.
func TestPublishOfDuplicatePastTheChainBoundIsRefused(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	for i := 2; i <= 10; i++ { // #2…#10: reporters' tips
		tm.report(strconv.Itoa(7000+i), "Retén falso en la carretera", "")
	}
	tm.as("7011", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.approve(t, "2002", "Ana", "11")
	tm.deliverAll(t)
	chainBefore(t, tm, 1, 11) // #1 -> #2 -> … -> #11, left from before the bound was kept
	want := tm.text("en", "publish_chain_too_long", map[string]any{"ID": "1", "Max": 9})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/publish past the chain's bound answered %+v, want %q", r, want)
	}
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 1 {
		t.Fatalf("the community got %q, want the warning once", got)
	}
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 duplicate 11"})
	want = tm.text("en", "publish_duplicate_published", map[string]any{"ID": "1", "Other": "11"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("marked a duplicate of the original, /publish answered %+v, want %q", r, want)
	}
}

// /publish of a warning a published duplicate of which went out shows no
// preview (whose button the approval would refuse): it says at once why
// it does not go out. Once the duplicate is marked otherwise, the preview
// is shown.
// Mutation: previewPublication without the check -> /publish 1 shows the
// preview and its button.
func TestPublishPreviewOfOriginalOfPublishedDuplicateIsRefusedFirst(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	tm.mux.AddSender("telegram", &community{})
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.approve(t, "2002", "Ana", "2")
	tm.deliverAll(t)
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})

	want := tm.text("en", "publish_duplicate_of_it_published", map[string]any{"ID": "1", "Other": "2"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != want || len(r[0].Buttons) > 0 {
		t.Fatalf("/publish 1 with its duplicate #2 out answered %+v, want %q and no button", r, want)
	}
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 verified"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || len(r[0].Buttons) == 0 {
		t.Fatalf("#2 verified, /publish 1 answered %+v, want the preview", r)
	}
}
