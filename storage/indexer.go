package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// The blind index is built off the reporter's path: a tip is durable, and
// its reporter told so, once it is sealed and on the triage stream. An
// indexer reads that stream with its own consumer group and indexes tips
// moments later, many per batch. A tip is acknowledged in the group only
// once indexed and its alerts handed over, so an indexer that dies leaves
// its batch to the next one (indexing a tip twice changes nothing).

// IndexGroup is the consumer group the indexer reads the triage stream with.
const IndexGroup = "index"

// indexConsumer is every indexer's name in IndexGroup: entries are shared
// out by XREADGROUP, and one left idle is taken over by whoever looks.
const indexConsumer = "indexer"

// indexStale is how long an entry being indexed may stay unacknowledged
// before another indexer takes it over (its indexer is presumed dead).
var indexStale = time.Minute

// indexAttempts is how often a tip is tried before it is left unindexed.
const indexAttempts = 5

// IndexBatch is how many tips an indexer takes at a time (see postingSlack).
const IndexBatch = 50

// indexParallel is how many tips of a batch have their text work (words,
// entities, sketch) done at once.
const indexParallel = 4

// IndexTips indexes up to count tips waiting on the triage stream: first
// ones an indexer left unfinished, then new ones, waiting at most block
// for them (block > 0). alert is called for each entity a tip made reach
// the corroboration threshold, before the tip is acknowledged; if it fails,
// the tip stays unacknowledged, to be indexed again, and the alerts it has
// not handed over raised again, once stale (up to indexAttempts times). It
// returns how many stream entries it handled. At its first call, then
// once a minute, it first does the alerts' recounts that sifts of cut
// forms owe and did not do (redoOwedRecounts). If only those fail, the
// error is a *RecountsError: the tips were indexed all the same. Kept
// alert records that taking out a tip found purged or forgotten meanwhile
// could not read are dropped, and the tip is done all the same (as
// DueAlerts goes on past them): the error counts them in an
// *UnreadableAlertsError, alone (with the *RecountsError, if any) when
// nothing else failed.
func (s *Store) IndexTips(ctx context.Context, count int, block time.Duration, alert func(Signal) error) (int, error) {
	// A recount that fails is reported, with whatever this pass gives,
	// and tried again at a later look: it never holds the indexing back.
	owedErr := s.redoOwedRecounts(ctx)
	n, err := s.indexTips(ctx, count, block, alert)
	if owedErr == nil {
		return n, err
	}
	if ue := (*UnreadableAlertsError)(nil); errors.As(err, &ue) && err == error(ue) {
		// The indexing went well, but for records it dropped: said with
		// the recounts' error, both counted.
		return n, errors.Join(recountsError(owedErr), ue)
	}
	if err == nil {
		return n, recountsError(owedErr)
	}
	if re := (*RecountsError)(nil); errors.As(owedErr, &re) {
		// Some given up: said as a plain error (a count, no mark), not as
		// a RecountsError, which says the indexing went well.
		owedErr = fmt.Errorf("owed recounts: %d given up", re.givenUp)
		if re.err != nil {
			owedErr = fmt.Errorf("%w; %d given up", re.err, re.givenUp)
		}
	}
	return n, errors.Join(owedErr, err)
}

// recountsError is owedErr as a *RecountsError (the indexing went well).
func recountsError(owedErr error) *RecountsError {
	if re := (*RecountsError)(nil); errors.As(owedErr, &re) {
		return re
	}
	return &RecountsError{err: owedErr}
}

// RecountsError is IndexTips' error when the owed recounts failed, or
// some were given up, and the indexing did not: those that failed are
// tried again at a later look, and the pass indexed what it could as if
// they had not failed. (When the indexing failed too, IndexTips' error is
// not one.)
type RecountsError struct {
	err     error // the recounts that failed; nil if none did
	givenUp int
}

func (e *RecountsError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("owed recounts: %d given up", e.givenUp)
}

func (e *RecountsError) Unwrap() error { return e.err }

// Failed reports whether some owed recounts failed (Unwrap: the first
// error), to be tried again at a later look.
func (e *RecountsError) Failed() bool { return e.err != nil }

// GivenUp is how many owed recounts were given up at this look: they had
// failed owedMaxAttempts times, and their alerts were recounted after all
// or, when that could not be, are no longer kept (giveUpRecount).
func (e *RecountsError) GivenUp() int { return e.givenUp }

// indexTips is IndexTips after the owed recounts.
func (s *Store) indexTips(ctx context.Context, count int, block time.Duration, alert func(Signal) error) (int, error) {
	stream := s.k.triage()
	msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: IndexGroup, Consumer: indexConsumer,
		MinIdle: indexStale, Start: "0-0", Count: int64(count)}).Result()
	if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") {
		// The stream was lost (a flushed or replaced Redis) and made again
		// by a new tip: index everything it holds. The keyset went with
		// it (keepKeysetAgain): kept first, so that a failure to keep it
		// is tried again at the next look, the group still missing.
		err = s.keepKeysetAgain(ctx)
		if err == nil {
			err = s.rdb.XGroupCreateMkStream(ctx, stream, IndexGroup, "0").Err()
			if err != nil && strings.HasPrefix(err.Error(), "BUSYGROUP") {
				err = nil
			}
		}
		if err == nil {
			return 0, errors.New("index group was missing: created again")
		}
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("index claim: %w", err)
	}
	// How often each taken-over entry was delivered: one that keeps
	// failing (a tip that cannot be opened, an alert no chat takes) is
	// given up after indexAttempts, so it cannot hold the indexer forever.
	attempts := map[string]int64{}
	late := len(msgs) > 0 // taken over: indexed later than the tips around it
	if len(msgs) > 0 {
		pipe := s.rdb.Pipeline()
		pend := make([]*redis.XPendingExtCmd, len(msgs))
		for i, m := range msgs {
			pend[i] = pipe.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: IndexGroup, Start: m.ID, End: m.ID, Count: 1})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, fmt.Errorf("index attempts: %w", err)
		}
		for _, p := range pend {
			for _, e := range p.Val() {
				attempts[e.ID] = e.RetryCount
			}
		}
	}
	if len(msgs) == 0 {
		// Block > 0 always: go-redis treats 0 as "wait forever".
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: IndexGroup, Consumer: indexConsumer,
			Streams: []string{stream, ">"}, Count: int64(count), Block: max(block, time.Millisecond)}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return 0, fmt.Errorf("index read: %w", err)
		}
		if len(res) > 0 {
			msgs = res[0].Messages
		}
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	// The tips of the batch in one round trip.
	pipe := s.rdb.Pipeline()
	fields := make([]*redis.MapStringStringCmd, len(msgs))
	for i, m := range msgs {
		if id, _ := m.Values["id"].(string); id != "" && m.Values["r"] == nil {
			fields[i] = pipe.HGetAll(ctx, s.k.tip(id))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("index read tips: %w", err)
	}
	// The batch is indexed together (a few round trips for all its
	// tips); then each tip's alerts are handed over, one at a time.
	jobs := make([]*indexJob, len(msgs))
	var batch []*indexJob
	for i, m := range msgs {
		if fields[i] == nil {
			// A reopened tip's second entry (r) was indexed the first
			// time; a tip gone meanwhile (erased, expired) has nothing.
			continue
		}
		if jobs[i] = s.indexJobOf(m.Values["id"].(string), fields[i].Val()); jobs[i] != nil && jobs[i].err == nil {
			batch = append(batch, jobs[i])
		}
	}
	s.indexBatch(ctx, batch, late)
	var (
		done       []string
		failed     error
		unreadable int
	)
	for i, m := range msgs {
		var err error
		if j := jobs[i]; j != nil {
			err = s.handAlerts(ctx, j, alert)
			unreadable += j.unreadable
		}
		if err != nil && (attempts[m.ID] < indexAttempts || ctx.Err() != nil) {
			failed = errors.Join(failed, err) // left pending: taken over once stale
			continue
		}
		if err != nil {
			// The tip stays in triage, only not findable by /search;
			// an alert it holds goes to the next tip naming the entity.
			s.releaseAlerts(ctx, m.Values["id"].(string), fields[i].Val())
			failed = errors.Join(failed, fmt.Errorf("given up after %d attempts: %w", attempts[m.ID], err))
		}
		done = append(done, m.ID)
	}
	if len(done) > 0 {
		// Indexed and alerted: acknowledged even if ctx just ended, or the
		// batch would be indexed, and its alerts sent, again.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.rdb.XAck(actx, stream, IndexGroup, done...).Err(); err != nil {
			return 0, fmt.Errorf("index ack: %w", err)
		}
	}
	if unreadable > 0 {
		// Counted, not failed on: alone, the error is the
		// *UnreadableAlertsError itself.
		ue := &UnreadableAlertsError{Dropped: unreadable}
		if failed == nil {
			return len(done), ue
		}
		failed = errors.Join(failed, ue)
	}
	return len(done), failed
}

// indexStored indexes one stored tip from its fields: IndexTips for one.
func (s *Store) indexStored(ctx context.Context, id string, fields map[string]string, late bool, alert func(Signal) error) error {
	j := s.indexJobOf(id, fields)
	if j == nil {
		return nil
	}
	if j.err == nil {
		s.indexBatch(ctx, []*indexJob{j}, late)
	}
	return s.handAlerts(ctx, j, alert)
}

// indexJobOf opens a stored tip for indexing; nil if it holds nothing to
// index (a purged tip's hash). A panic (on a reporter's text) is the job's
// error: the tip is given up after indexAttempts, instead of the process
// dying on it again at every start.
func (s *Store) indexJobOf(id string, fields map[string]string) (j *indexJob) {
	if fields["k"] == "" {
		return nil
	}
	j = &indexJob{id: id}
	defer func() {
		if p := recover(); p != nil {
			j.err = fmt.Errorf("index: tip %s: panic (%T)", id, p) // not the value: it may quote the tip
		}
	}()
	st, _, err := s.openStored(id, fields)
	if err != nil {
		j.err = fmt.Errorf("index: %w", err)
		return j
	}
	ms, _ := strconv.ParseInt(fields["t"], 10, 64)
	j.pseudonym, j.created, j.text = reporterOf(st.Reporter), time.UnixMilli(ms), st.Content.Text() // (tips stored before kept the suffix)
	j.forgotten = fields[tipForgotten] != ""
	return j
}

// handAlerts hands over the alerts an indexed tip raised, one at a time
// (alert is not called concurrently); the tip's error, if indexing failed.
func (s *Store) handAlerts(ctx context.Context, j *indexJob, alert func(Signal) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("index: tip %s: panic (%T)", j.id, p)
		}
	}()
	err = j.err
	for _, a := range j.alerts {
		if aerr := alert(a); aerr != nil {
			err = errors.Join(err, aerr)
			continue
		}
		err = errors.Join(err, s.alertHanded(ctx, a, j.id))
	}
	return err
}

// alertSent is an alert mark once its alert was handed over, followed by
// the alert's instance (sentMark): it names no tip, and indexing the tip
// that raised it again does not raise it again. A withdrawal lets go of
// its own alert's mark only (releaseSentMark), not the entity's next
// alert's, raised as the mark expired. A mark written before it named
// its instance is alertSent alone.
const alertSent = "sent"

// sentMark is the alert mark of alert instance inst once it was handed
// over.
func sentMark(inst string) string { return alertSent + ":" + inst }

// markSent sets an alert mark (KEYS[1]) to sentMark (ARGV[2]) if it
// still names tip ARGV[1], keeping its expiry.
var markSent = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
return 0`)

// alertHanded records that the alert a tip id raised was handed over,
// even if ctx just ended: it is not raised again.
func (s *Store) alertHanded(ctx context.Context, a Signal, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := markSent.Run(ctx, s.rdb, []string{s.k.indexAlert(a.mac)}, id, sentMark(a.alert)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("alert handed over: %w", err)
	}
	return nil
}

// releaseAlert deletes an alert mark (KEYS[1]) if it names tip ARGV[1].
var releaseAlert = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// releaseAlerts lets the next tip naming one of a given-up tip's entities
// raise the alert this tip could not hand over.
func (s *Store) releaseAlerts(ctx context.Context, id string, fields map[string]string) {
	st, _, err := s.openStored(id, fields)
	if err != nil {
		return // never indexed: it holds no alert
	}
	pipe := s.rdb.Pipeline()
	for _, e := range tips.Extract(st.Content.Text(), s.index0.Region) {
		releaseAlert.Eval(ctx, pipe, []string{s.k.indexAlert(s.entityMAC(e.Key()))}, id) // rare: not cached
	}
	_, _ = pipe.Exec(ctx)
}

// IndexBacklog is how many tips wait to be indexed (or are being indexed).
func (s *Store) IndexBacklog(ctx context.Context) (int64, error) {
	groups, err := s.rdb.XInfoGroups(ctx, s.k.triage()).Result()
	if err != nil {
		return 0, err
	}
	for _, g := range groups {
		if g.Name != IndexGroup {
			continue
		}
		if g.Lag >= 0 && g.EntriesRead > 0 {
			return g.Lag + g.Pending, nil
		}
		// Redis cannot tell the lag once entries were deleted (a purged
		// tip's), and the embedded Redis of the demo and tests never can
		// (it gives no entries-read, and the stream's length as the lag):
		// count the entries after the group's last one.
		n, start := int64(0), "("+g.LastDeliveredID
		for {
			page, err := s.rdb.XRangeN(ctx, s.k.triage(), start, "+", 1000).Result()
			if err != nil {
				return 0, err
			}
			n += int64(len(page))
			if len(page) < 1000 {
				return n + g.Pending, nil
			}
			start = "(" + page[len(page)-1].ID
		}
	}
	return 0, errors.New("index group missing")
}
