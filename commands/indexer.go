package commands

import (
	"context"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// IndexPending indexes the tips waiting to be indexed, a batch at a time,
// sending the alerts they raise, until none is left (or one fails).
func (m *Mux) IndexPending(ctx context.Context) error {
	for {
		n, err := m.store.IndexTips(ctx, storage.IndexBatch, time.Millisecond, m.alerter(ctx))
		if err != nil || n == 0 {
			return err
		}
	}
}

// RunIndexer indexes new tips as they arrive until ctx ends. A tip is
// searchable, and counts towards alerts, moments after its reporter was
// told it is received.
func (m *Mux) RunIndexer(ctx context.Context) {
	for ctx.Err() == nil {
		_, err := m.store.IndexTips(ctx, storage.IndexBatch, 2*time.Second, m.alerter(ctx))
		if err != nil && ctx.Err() == nil {
			m.log.Warn("indexing failed", "error", err.Error())
			select { // Redis is down, or a tip cannot be read: do not spin
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
}

// alerter hands the indexer's alerts to the investigator chats.
func (m *Mux) alerter(ctx context.Context) func(storage.Signal) error {
	return func(s storage.Signal) error { return m.alert(ctx, s) }
}
