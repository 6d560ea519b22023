package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A warning the team dismissed (a hoax, say) is not published: the
// communities would read it under "Community warning, verified", and the
// investigator approving it, by command or by a button shown before the
// dismissal, may not know. Once its status is changed, it can be.
func TestDismissedWarningIsNotPublished(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})

	button := press(tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}), "pub:")
	if button == "" {
		t.Fatal("no button under the preview")
	}
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 dismissed bulo"})
	refused := tm.text("en", "publish_dismissed", map[string]any{"ID": "1"})
	for name, req := range map[string]commands.Request{
		"the button shown before": {Callback: button},
		"/publish":                {Command: "publish", Args: "1"},
		"/publish with a text":    {Command: "publish", Args: "1 Retén falso en la carretera"},
	} {
		if r := tm.as("2002", "Ana", req); len(r) != 1 || r[0].Text != refused || len(r[0].Buttons) > 0 {
			t.Errorf("%s on a dismissed warning answered %+v", name, r)
		}
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) > 0 {
		t.Fatalf("a dismissed warning went out: %q", platform.got["-1"])
	}

	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 verified"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1) {
		t.Fatalf("verified again, /publish answered %q", r[0].Text)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 1 {
		t.Fatalf("verified again, the community got %q", platform.got["-1"])
	}
}

// Dismissing a warning already published does not take it down: the
// investigator is told that its copies may still be up, as verified, and
// that /retract withdraws them. Once withdrawn, or for any other tip,
// the answer is the plain one.
func TestDismissingPublishedWarningPointsToRetract(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.approve(t, "2002", "Ana", "1")
	tm.deliverAll(t)
	tm.report("7001", "Cobran piso en el mercado", "")

	dismissed := func(id string) string {
		return tm.text("en", "triage_done", map[string]any{"ID": id, "Status": tm.text("en", "status_dismissed", nil)})
	}
	want := dismissed("1") + "\n\n" + tm.text("en", "triage_dismissed_published", map[string]any{"ID": "1"})
	if r := tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 dismissed bulo"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("dismissing a published warning answered %+v", r)
	}
	// /publish on it now says it went out, and how to take it down.
	already := tm.text("en", "publish_already", map[string]any{"ID": "1"}) + "\n\n" + tm.text("en", "triage_dismissed_published", map[string]any{"ID": "1"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != already {
		t.Fatalf("/publish of a published warning dismissed since answered %+v", r)
	}
	if r := tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 dismissed"}); len(r) != 1 || r[0].Text != dismissed("2") {
		t.Fatalf("dismissing a tip answered %+v", r)
	}
	tm.as("2003", "Bob", commands.Request{Command: "retract", Args: "1"})
	tm.deliverAll(t)
	if r := tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 dismissed"}); len(r) != 1 || r[0].Text != dismissed("1") {
		t.Fatalf("dismissing a withdrawn warning answered %+v", r)
	}
	// Withdrawn and dismissed, it cannot go out again: /publish says it
	// was published, not to change its status and publish it.
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_already", map[string]any{"ID": "1"}) {
		t.Fatalf("/publish of a withdrawn warning dismissed since answered %+v", r)
	}
}

// /retract on a warning not published yet, approved by one investigator
// of the two needed, says it may still go out and how to stop it; the
// way it gives (dismissing it) does stop it.
func TestRetractBeforePublicationSaysHowToStopIt(t *testing.T) {
	tm := newTeamPublishing(t, 2)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob", "2004 Carla")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.approve(t, "2002", "Ana", "1") // 1 of 2

	none := tm.text("en", "retract_none", map[string]any{"ID": "1"})
	want := none + "\n\n" + tm.text("en", "retract_none_dismiss", map[string]any{"ID": "1"})
	if r := tm.as("2003", "Bob", commands.Request{Command: "retract", Args: "1"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/retract before publication answered %+v", r)
	}
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 dismissed"})
	if r := tm.as("2003", "Bob", commands.Request{Command: "retract", Args: "1"}); len(r) != 1 || r[0].Text != none {
		t.Fatalf("/retract of a dismissed warning answered %+v", r)
	}
	if r := tm.as("2004", "Carla", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_dismissed", map[string]any{"ID": "1"}) {
		t.Fatalf("a second approval after the dismissal answered %+v", r)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) > 0 {
		t.Fatalf("went out: %q", platform.got["-1"])
	}
}

// A warning verified again after a dismissal, or after being marked a
// duplicate of another warning, whose verify was recorded but whose
// after-step on the publication was lost (a crash, a lost reply between
// the two), still carries the earlier decision's veto or mark: /publish
// of the warning, verified, publishes it, rather than answering "check
// it, then /publish again" until someone triages it anew.
// Mutation: mayPublish not passing the decision number it read
// (Decision: 0), or the approve script without its stand-in for the
// lost after-step → publish_dismissed (the dismissed case).
func TestVerifiedWarningWithLostAfterStepIsPublished(t *testing.T) {
	for _, before := range []string{"dismissed bulo", "duplicate-of 2"} {
		tm := newTeamPublishing(t, 1)
		platform := &community{}
		tm.mux.AddSender("telegram", platform)
		tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
		tm.investigators("2002 Ana", "2003 Bob")
		tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
		tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera federal"})
		tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 " + before})

		ctx, rdb, pub := context.Background(), tm.srv.Client(), "w:{bc}:pub:1"
		left, err := rdb.HGetAll(ctx, pub).Result()
		if err != nil || left["dn"] == "" || left["veto"]+left["dup"] == "" {
			t.Fatalf("%s: publication %v %v: want its decision's veto or mark", before, left, err)
		}
		tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 verified"})
		// The verify's after-step lost: the publication as it was.
		rdb.HDel(ctx, pub, "veto", "dup")
		for _, f := range []string{"dn", "veto", "dup"} {
			if left[f] != "" {
				rdb.HSet(ctx, pub, f, left[f])
			}
		}
		want := tm.text("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1)
		if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("%s, then verified: /publish answered %+v", before, r)
		}
		tm.deliverAll(t)
		if len(platform.got["-1"]) != 1 {
			t.Fatalf("%s, then verified: the community got %q", before, platform.got["-1"])
		}
	}
}
