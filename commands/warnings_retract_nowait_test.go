package commands_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// noWaitDeletable counts the deletes that could wait out a 429
// (DeleteMessage) and those that cannot (DeleteMessageNoWait).
type noWaitDeletable struct {
	*community
	waiting, noWait int
}

func (p *noWaitDeletable) DeleteMessage(ctx context.Context, chat, msg string) error {
	p.mu.Lock()
	p.waiting++
	p.mu.Unlock()
	return p.community.DeleteMessage(ctx, chat, msg)
}

func (p *noWaitDeletable) DeleteMessageNoWait(ctx context.Context, chat, msg string) error {
	p.mu.Lock()
	p.noWait++
	p.mu.Unlock()
	return p.community.DeleteMessage(ctx, chat, msg)
}

// A retraction deletes its copies without waiting out the platform's rate
// limit where the adapter can (NoWaitRemover), as a broadcast sends: a
// 429 holds the platform back and the copies left wait for a later round
// (TestRetract429MidDeletionResumes), instead of every other destination
// waiting while it is waited out.
// Mutation: deleteCopies calling DeleteMessage → deletes that wait.
func TestRetractDeletesWithoutWaiting(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &noWaitDeletable{community: &community{}}
	tm.publishTo(t, platform, "-1")
	tm.deliverAll(t)
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	for range 3 {
		tm.clk.Add(5 * time.Second)
		tm.deliverAll(t)
	}
	if !slices.ContainsFunc(platform.deleted, func(id string) bool { return strings.HasPrefix(id, "-1/") }) {
		t.Fatalf("no copy deleted: %v", platform.deleted)
	}
	if platform.waiting != 0 || platform.noWait == 0 {
		t.Errorf("%d deletes waiting out 429s, %d not: want none and some", platform.waiting, platform.noWait)
	}
}
