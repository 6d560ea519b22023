package commands

import (
	"context"
	"errors"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// IndexPending indexes the tips waiting to be indexed, a batch at a time,
// sending the alerts they raise, until none is left (or one fails).
func (m *Mux) IndexPending(ctx context.Context) error {
	for {
		n, err := m.indexTips(ctx, time.Millisecond)
		if err != nil || n == 0 {
			return err
		}
	}
}

// indexerPause is how long RunIndexer waits after a failed batch (Redis
// down, or a tip that cannot be read) before the next: it does not spin.
// Tests shorten it.
var indexerPause = 5 * time.Second

// RunIndexer indexes new tips as they arrive until ctx ends. A tip is
// searchable, and counts towards alerts, moments after its reporter was
// told it is received. A run of failed batches, one every indexerPause
// while Redis is down, is logged as the broadcaster's rounds are
// (failureLog): its first, then at most once per failureLogEvery,
// counting those left out.
func (m *Mux) RunIndexer(ctx context.Context) {
	var failures failureLog
	for ctx.Err() == nil {
		_, err := m.indexTips(ctx, 2*time.Second)
		if ctx.Err() != nil {
			return
		}
		failures.round(m.log, "indexing failed", err, m.now())
		if err != nil {
			select { // Redis is down, or a tip cannot be read: do not spin
			case <-ctx.Done():
			case <-time.After(indexerPause):
			}
		}
	}
}

// indexTips indexes a batch of tips (waiting for them at most block). Owed
// recounts that failed while the indexing did not are logged here, not
// returned: the indexing went on (they are tried again a minute later);
// so are kept alert records it dropped, unreadable (a count).
func (m *Mux) indexTips(ctx context.Context, block time.Duration) (int, error) {
	n, err := m.store.IndexTips(ctx, storage.IndexBatch, block, m.alerter(ctx))
	if ue := (*storage.UnreadableAlertsError)(nil); errors.As(err, &ue) {
		// Dropped, the tips done all the same (as the sweep's DueAlerts):
		// counted, not a failure; alone, the indexing went well.
		m.log.Warn("kept alerts not sent", "error", ue.Error())
		if err == error(ue) {
			return n, nil
		}
		// Beside a failure: that is returned (and logged as the
		// indexing's failure) without them, counted once.
		err = withoutUnreadable(err)
	}
	if re := (*storage.RecountsError)(nil); errors.As(err, &re) {
		if re.Failed() {
			m.log.Warn("owed recounts failed", "error", re.Error())
		}
		if given := re.GivenUp(); given > 0 {
			// A count, never a mark: marks name entities.
			m.log.Warn("owed recounts given up after failing again and again; their alerts no longer kept", "count", given)
		}
		return n, nil
	}
	return n, err
}

// withoutUnreadable is err, a storage.IndexTips error joining failures
// (errors.Join, at any depth) with a *storage.UnreadableAlertsError,
// without the latter.
func withoutUnreadable(err error) error {
	if ue := (*storage.UnreadableAlertsError)(nil); errors.As(err, &ue) && err == error(ue) {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var kept []error
	for _, e := range j.Unwrap() {
		if e = withoutUnreadable(e); e != nil {
			kept = append(kept, e)
		}
	}
	return errors.Join(kept...)
}

// alerter hands the indexer's alerts to the investigator chats.
func (m *Mux) alerter(ctx context.Context) func(storage.Signal) error {
	return func(s storage.Signal) error { return m.alert(ctx, s) }
}

// unreadableAlerts is err, but nil for a *storage.UnreadableAlertsError:
// a purge or a /forget that did all it had to, dropping kept alert records
// it could not read, is done; the log counts them as the sweep's "kept
// alerts not sent" does (a count, never an entity).
func (m *Mux) unreadableAlerts(err error) error {
	if ue := (*storage.UnreadableAlertsError)(nil); errors.As(err, &ue) {
		m.log.Warn("kept alerts not sent", "error", ue.Error())
		return nil
	}
	return err
}
