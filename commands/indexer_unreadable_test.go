package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// unreadableIndex is a store whose indexer's passes say, once each, what
// errs gives: a pass that did its tips but dropped kept alert records it
// could not read (storage.UnreadableAlertsError).
type unreadableIndex struct {
	*storage.Store
	errs []error
}

func (s *unreadableIndex) IndexTips(context.Context, int, time.Duration, func(storage.Signal) error) (int, error) {
	if len(s.errs) == 0 {
		return 0, nil
	}
	err := s.errs[0]
	s.errs = s.errs[1:]
	return 1, err
}

// An indexing pass that dropped kept alert records it could not read, its
// tips done all the same, is no failure of the indexer (which would log
// "indexing failed" and wait): the records are counted in the log under
// "kept alerts not sent", as the sweep counts those DueAlerts drops, alone
// or beside owed recounts that failed. A real failure beside them is
// still one.
// Mutation: indexTips without its UnreadableAlertsError case -> fails
// (IndexPending returns the error).
func TestIndexerCountsUnreadableAlertRecordsAsNoFailure(t *testing.T) {
	tm := newTeam(t)
	logs := &bytes.Buffer{}
	ue := &storage.UnreadableAlertsError{Dropped: 2}
	st := &unreadableIndex{Store: tm.store, errs: []error{ue, errors.Join(&storage.RecountsError{}, ue)}}
	mux := commands.New(commands.Options{Store: st, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err := mux.IndexPending(context.Background()); err != nil {
		t.Fatalf("IndexPending: %v, want the dropped records no failure", err)
	}
	if n := strings.Count(logs.String(), "kept alerts not sent"); n != 2 || !strings.Contains(logs.String(), "2 kept alert records could not be read") {
		t.Fatalf("the dropped records not counted in the log:\n%s", logs)
	}
	st.errs = []error{errors.Join(errors.New("index read: connection refused"), ue)}
	if err := mux.IndexPending(context.Background()); err == nil {
		t.Fatal("a failed pass beside dropped records taken for no failure")
	}
}

// A pass that failed and dropped kept alert records it could not read
// (as storage.IndexTips joins them, beside failed owed recounts too)
// counts the records once in the log, under "kept alerts not sent": the
// failure it returns, which RunIndexer logs as "indexing failed", no
// longer counts them again.
// Mutation: indexTips returning the pass's error as it came (with the
// records) → this fails (counted twice).
func TestIndexerCountsUnreadableRecordsOnceBesideAFailure(t *testing.T) {
	tm := newTeam(t)
	ue := &storage.UnreadableAlertsError{Dropped: 3}
	failed := errors.New("index read: connection refused")
	for _, pass := range []error{
		errors.Join(failed, ue),
		errors.Join(errors.New("owed recounts: 1 given up"), errors.Join(failed, ue)),
	} {
		logs := &bytes.Buffer{}
		st := &unreadableIndex{Store: tm.store, errs: []error{pass}}
		mux := commands.New(commands.Options{Store: st, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		err := mux.IndexPending(context.Background())
		if !errors.Is(err, failed) {
			t.Fatalf("IndexPending: %v, want the pass's failure", err)
		}
		// As RunIndexer logs it.
		all := logs.String() + err.Error()
		if n := strings.Count(all, "could not be read"); n != 1 || strings.Count(logs.String(), "kept alerts not sent") != 1 {
			t.Fatalf("the dropped records counted %d times:\n%s\nreturned: %v", n, logs, err)
		}
	}
}
