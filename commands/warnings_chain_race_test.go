package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// chainRace is the team's store with a decision recorded right before the
// next approval, once: another investigator's, landing between /publish's
// reading of the warning's chain of duplicates and its approval.
type chainRace struct {
	commands.Store
	before func()
}

func (s *chainRace) ApprovePublication(ctx context.Context, id string, a storage.PublishApproval) (storage.Approval, error) {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.Store.ApprovePublication(ctx, id, a)
}

// Warning #1 marked a duplicate of reporter's tip #3 may be published;
// #3 marked a duplicate of warning #2 as /publish 1 goes through makes #1
// a duplicate of #2: the approval is refused, saying to publish #2
// instead, and the community gets the warning once, not twice.
// Mutation: the approve script without its chain check -> /publish 1
// starts the broadcast, and the community gets #1 and then #2.
func TestChainMarkedDuplicateAsApprovalGoesThrough(t *testing.T) {
	race := &chainRace{}
	e := newHookedEnv(t, func(s commands.Store) commands.Store { race.Store = s; return race }, nil, func(o *commands.Options) {
		o.Roles = commands.Roles{"telegram:" + adminID: commands.Admin}
		o.Triage = commands.Triage{ClaimTimeout: time.Hour}
		o.PublishApprovals, o.DefaultLanguage = 1, "en"
	})
	tm := &team{env: e}
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.report("7004", "Retén falso en la carretera", "")
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 duplicate-of 3"})

	race.before = func() {
		if err := tm.store.Decide(context.Background(), "3", storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: "2"}); err != nil {
			t.Error(err)
		}
	}
	want := tm.text("en", "publish_duplicate", map[string]any{"ID": "1", "Other": "2"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/publish 1 as #3 was marked a duplicate of #2 answered %+v, want %q", r, want)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "2", "Count": 1}, 1) {
		t.Fatalf("/publish of the warning kept answered %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 1 {
		t.Fatalf("the community got %q, want the warning once", got)
	}
}

// A tip on warning #1's way to its original (reporter's tip #3) marked a
// duplicate of warning #2 and reopened as /publish 1 goes through: the
// approval is refused, and the answer says it was a tip on the way that
// was triaged, not #1 (whose own triage stands: /tip 1 shows nothing
// new); /publish 1 again, on the chain as it stands, starts it.
// Mutation: approvePublication answering publish_triaged for every
// duplicate refusal (no Approval.Chain) -> it says #1 was triaged again.
func TestChainTipTriagedAsApprovalGoesThroughIsSaid(t *testing.T) {
	race := &chainRace{}
	e := newHookedEnv(t, func(s commands.Store) commands.Store { race.Store = s; return race }, nil, func(o *commands.Options) {
		o.Roles = commands.Roles{"telegram:" + adminID: commands.Admin}
		o.Triage = commands.Triage{ClaimTimeout: time.Hour}
		o.PublishApprovals, o.DefaultLanguage = 1, "en"
	})
	tm := &team{env: e}
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.report("7004", "Retén falso en la carretera", "")
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "1 duplicate-of 3"})

	race.before = func() {
		bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
		for _, d := range []storage.Decision{{Status: tips.StatusDuplicate, DuplicateOf: "2"}, {Status: tips.StatusNew}} {
			if err := tm.store.Decide(context.Background(), "3", bob, d); err != nil {
				t.Error(err)
			}
		}
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		if lang != "en" {
			race.before = func() {
				if err := tm.store.Decide(context.Background(), "3", storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusNew}); err != nil {
					t.Error(err)
				}
			}
		}
		want := tm.text(lang, "publish_chain_triaged", map[string]any{"ID": "1"})
		if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera", Language: lang}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("%s: /publish 1 as #3 was triaged again answered %+v, want %q", lang, r, want)
		}
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != tm.text("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1) {
		t.Fatalf("/publish 1 on the chain as it stands answered %+v", r)
	}
}
