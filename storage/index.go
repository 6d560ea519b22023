package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// The blind index. Redis sees only HMACs of words and entities (under the
// index key), never the words: it learns how often something is named,
// not what. A word maps to its tips per day (postings.go); an entity to
// its tips and reporters in a sorted set; all expire with retention.

// IndexOptions tune indexing and signals.
type IndexOptions struct {
	Region    string        // default region for phone numbers ("MX")
	Window    time.Duration // corroboration window (7 days)
	Threshold int           // distinct reporters that make an alert (3)
	// Own is the bot's own accounts, which a tip's text keeps but which
	// are not entities of it: indexed, a link to the bot that reporters
	// share would be a signal of the bot itself. nil: none.
	Own *tips.Own
}

// Signal is an entity named by several reporters.
type Signal struct {
	Entity     tips.Entity
	Reporters  int
	Tips       int
	Categories map[tips.Category]int
	FirstSeen  time.Time
	LastSeen   time.Time
	Score      float64
	mac        string
	// since is when the reporters an alert counted were counted from
	// (its tip's creation less the window): a kept alert counts them
	// again from there before it is sent. Two tips of one millisecond
	// share it, which is right for counting (the same window); it does
	// not tell their alerts apart: alert does.
	since time.Time
	// attempt is the attempt of the claim a kept alert was taken with
	// (DueAlerts; 0 for one not claimed): its copies are recorded with it
	// (tookAlert), and its AlertSent (doneAlert).
	attempt int64
	// begun is, for a first send (not claimed), one more than the
	// attempts its kept copy counted as it began (AlertMissing; 0 if not
	// read): its copies are recorded with it (tookAlert), as a claim made
	// then would record them. Not its AlertSent: a first send sends only
	// to the chats it found missing, and a chat told of a withdrawal late
	// it found having the alert still waits for a claim's copy.
	begun int64
	// alert names the alert instance the signal raised (alertInstance):
	// a kept alert's record holds it, and what one process does to the
	// alert it raised or claimed touches that instance only, not a later
	// alert of the entity another process raised meanwhile.
	alert string
}

func (s *Store) tokenMAC(t string) string    { return s.kr.indexMAC("t\x00" + t) }
func (s *Store) entityMAC(key string) string { return s.kr.indexMAC("e\x00" + key) }

// reporterMAC tags a reporter within one entity's reporter set: the tag
// differs from entity to entity, so the index cannot link a reporter's
// tips across entities.
func (s *Store) reporterMAC(entityMAC, p string) string {
	return s.kr.indexMAC("r\x00" + entityMAC + "\x00" + p)
}

// index adds a stored tip to the blind index, links possible near
// duplicates, and returns the entities that just reached the corroboration
// threshold in this window (each once per window): indexBatch of one tip.
func (s *Store) index(ctx context.Context, id, pseudonym string, created time.Time, text string, late bool) ([]Signal, error) {
	j := &indexJob{id: id, pseudonym: pseudonym, created: created, text: text}
	s.indexBatch(ctx, []*indexJob{j}, late)
	return j.alerts, j.err
}

// indexJob is one tip of an indexer's batch: what it is, what indexing it
// computed and queued, and how it ended.
type indexJob struct {
	id, pseudonym string
	created       time.Time
	text          string

	num      []byte   // its number in postings
	tokens   []string // its words, for postings
	entities []tips.Entity
	macs     []string        // each entity's MAC
	past     [][]tips.Entity // each entity's past forms (tips.PastForms), if any
	pastAll  []tips.Entity   // the text's tips.PastEntities, if it names an entity
	cutForms bool            // its handles and hashtags may be others' old cut forms (mayBeCutForm): it names a handle or hashtag
	sketch   tips.Sketch
	sketched bool
	bands    []string

	first, end       int                  // its commands in the round trip's pipeline
	entityCmds       []*redis.Cmd         // each entity's addEntity
	counts, retained []*redis.IntCmd      // each entity's reporters in the window, in the retention
	sketchCmd        *redis.Cmd           // its setSketch, if sketched
	tops             []topAdd             // its addTop, to the signal candidates named two or more reporters
	cands            []*redis.Cmd         // near-duplicate candidates: this week's buckets (filed), last week's, the next week's
	otherWeeks       [][]*redis.StringCmd // last week's buckets, read; the next week's, if it began (a tip indexed late)
	marks            []*redis.StatusCmd
	stored           *redis.SliceCmd // its data key and forgotten mark
	others           []string        // candidates whose sketches were read
	sketches         []*redis.StringCmd
	dups             []string
	purged           bool // found purged (or forgotten) once its entries were written
	forgotten        bool // withdrawn by its reporter (/forget) before it was read: it names no entity
	// unreadable counts the kept alert records its taking out (found
	// purged or forgotten once its entries were written), or a sift of a
	// cut form it names, could not read, and dropped (checkAlerts): not
	// its failure, as DueAlerts does not fail on them; the indexer counts
	// them in its error.
	unreadable int

	alerts []Signal
	err    error
}

// indexBatch adds stored tips to the blind index, as index does each, in
// three round trips for the whole batch, not three per tip: the postings
// with the near-duplicate candidates' lookup; what depends on their
// answers; the links between near duplicates. A pipeline runs its commands
// in order, so a tip finds those before it in the batch as near
// duplicates, and they count towards its alerts, as if indexed one after
// the other. A tip whose commands fail ends with its own error (job.err);
// the others go on.
func (s *Store) indexBatch(ctx context.Context, jobs []*indexJob, late bool) {
	defer func() {
		// A panic (on a reporter's text, on what Redis holds) fails the
		// batch's tips, to be indexed again and given up after
		// indexAttempts, instead of the process dying on them at every
		// start. Indexing a tip again changes nothing.
		if p := recover(); p != nil {
			for _, j := range jobs {
				if j.err == nil || errors.Is(j.err, errPurged) {
					j.err = fmt.Errorf("index: tip %s: panic (%T)", j.id, p) // not the value: it may quote the tip
				}
				j.alerts = nil
			}
		}
	}()
	o := s.index0
	// The text work first, on every core: it is most of the CPU.
	var wg sync.WaitGroup
	slots := make(chan struct{}, indexParallel)
	for _, j := range jobs {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			s.prepareIndex(j, late)
		})
	}
	wg.Wait()
	live := func() []*indexJob {
		var l []*indexJob
		for _, j := range jobs {
			if j.err == nil {
				l = append(l, j)
			}
		}
		return l
	}

	// Tips indexed before under a past form of an entity of these count
	// toward it: brought into its set first. Tips of other entities its
	// set holds as their old cut form count toward it no more: taken out
	// first. For maxFoldsPerTip of a tip's entities at most.
	// Not once the retention has passed since handles and hashtags kept
	// their marks: no such tip is left.
	var pastForms []*indexJob
	if s.cutFormsLive(ctx) {
		pastForms = live()
	}
	sifted := s.siftedThisHour(ctx, pastForms)
	for _, j := range pastForms {
		folds := 0
	entities:
		for i, e := range j.entities {
			if folds == maxFoldsPerTip {
				break
			}
			did := false
			if j.cutForms && mayBeCutForm(e) && !sifted[j.macs[i]] {
				sifted, err := s.siftCutForm(ctx, e, j.macs[i])
				if err = j.skipUnreadable(err); err != nil {
					j.err = fmt.Errorf("index tip: %w", err)
					break entities
				}
				did = sifted
			}
			if i < len(j.past) && len(j.past[i]) > 0 {
				folded, err := s.foldPastForms(ctx, e, j.macs[i], j.past[i])
				if err != nil {
					j.err = fmt.Errorf("index tip: %w", err)
					break entities
				}
				did = did || folded
			}
			if did {
				folds++
			}
		}
	}

	// 1. Postings, entities, this tip's sketch and bands, the candidates.
	pipe := s.rdb.Pipeline()
	postings := s.appendPostings(ctx, pipe, live(), late)
	for _, j := range live() {
		j.first = pipe.Len()
		if late {
			// Appended now, its number would sit among much newer ones:
			// listed apart, searched by its content (postings.go).
			// With its expiry in one step: a list made without one would
			// keep its tips' ids past the retention.
			day, expiry := indexDay(j.created), s.postingExpiry(j.created)
			addLate.Eval(ctx, pipe, []string{s.k.indexLate(day)}, j.id, expiry.UnixMilli()) // rare: not cached
		}
		// An entity's sorted set holds its tips, scored by time, and its
		// reporters' tags ("r" + tag), scored by minus the hour: one key
		// per entity, and reporters rounded to the hour cannot be joined
		// to tips by timestamp. A reporter's tag keeps the hour of their
		// latest tip naming the entity (LT: minus the hour only goes down),
		// whatever order their tips are indexed in: a tip indexed late (taken
		// over, replayed from the spool) must not move it back to its own
		// older hour, out of the window early.
		// The set is written, given its expiry and counted in one
		// script: made by a command and given its expiry by another, a
		// connection cut between the two would leave it without one,
		// naming the entity's tips past the retention.
		j.entityCmds = j.entityCmds[:0]
		for _, mac := range j.macs {
			j.entityCmds = append(j.entityCmds, addEntity.EvalSha(ctx, pipe, []string{s.k.indexEntity(mac)}, s.entityArgs(j, mac, o.Window)...))
		}
		// Near duplicates: tips of the last seven days whose sketch shares
		// a band with this one's (locality-sensitive hashing: the cost does
		// not grow with the number of tips). Only sketches are stored,
		// never words.
		if j.sketched {
			// The sketch first, then its bands: a tip that finds this one
			// by a band can read its sketch.
			// A tip purged (or expired) since it was read is a hash of this
			// sketch alone now: it must not stay for ever, so the script
			// gives it an expiry as it writes it (a stored tip has one
			// already, which it leaves alone).
			j.sketchCmd = setSketch.EvalSha(ctx, pipe, []string{s.k.tip(j.id)}, s.sketchArgs(j)...)
			// This week's buckets are read and this tip filed in them in
			// one script, so of two similar tips indexed at once the second
			// finds the first; last week's are only read, with plain HGETs
			// (a call in a script costs Redis more than the same command
			// sent alone). Together they hold at least the last seven days.
			// Their expiry is set in the script: a bucket made by a
			// command and given its expiry by another would be left
			// without one by a connection cut between the two.
			keys := s.bandKeys(j.created, j.bands)
			j.cands = append(j.cands, addBands.EvalSha(ctx, pipe, keys, s.bandArgs(j.id, j.created, j.bands)...))
			// A tip indexed once the next week began (replayed from the
			// spool, taken over from an indexer that died, or just past
			// midnight) reads that week's buckets too: a tip like it sent
			// since was filed there, and looked for it in vain.
			weeks := []time.Time{j.created.Add(-bandWeek)}
			if next := bandWeekStart(j.created).Add(bandWeek); !s.now().Before(next) {
				weeks = append(weeks, next)
			}
			j.otherWeeks = make([][]*redis.StringCmd, len(weeks))
			for w, at := range weeks {
				for i, k := range s.bandKeys(at, j.bands) {
					j.otherWeeks[w] = append(j.otherWeeks[w], pipe.HGet(ctx, k, j.bands[i]))
				}
			}
		}
		j.end = pipe.Len()
	}
	cmds, _ := pipe.Exec(ctx)
	for _, j := range live() {
		j.err = cmdsErr(cmds[j.first:j.end], "index tip")
		if j.err == nil {
			j.err = cmdsErr(postings[j], "index tip")
		}
		if j.err != nil {
			continue
		}
		if j.err = s.entityCounts(ctx, j, o.Window); j.err != nil {
			continue
		}
		if j.sketchCmd != nil {
			c := s.uncached(ctx, setSketch, j.sketchCmd, []string{s.k.tip(j.id)}, s.sketchArgs(j)...)
			if err := c.Err(); err != nil {
				j.err = fmt.Errorf("index tip: %w", err)
				continue
			}
		}
		for i, c := range j.cands {
			keys := s.bandKeys(j.created, j.bands)
			if j.cands[i] = s.uncached(ctx, addBands, c, keys, s.bandArgs(j.id, j.created, j.bands)...); j.cands[i].Err() != nil {
				j.err = fmt.Errorf("sketch bands: %w", j.cands[i].Err())
				break
			}
		}
		for _, week := range j.otherWeeks {
			if j.err != nil {
				break
			}
			// Another week's answers as one more list of the ids filed
			// under each band ("" where none), as addBands gives this week's.
			found := make([]any, len(week))
			for i, c := range week {
				found[i] = c.Val()
			}
			c := redis.NewCmd(ctx)
			c.SetVal(found)
			j.cands = append(j.cands, c)
		}
	}

	// 2. Signal candidates, alert marks, whether each tip is still
	// stored, and the near-duplicate candidates' sketches.
	pipe = s.rdb.Pipeline()
	var latest time.Time // the latest tip's creation
	for _, j := range live() {
		if j.created.After(latest) {
			latest = j.created
		}
		j.first = pipe.Len()
		ms := j.created.UnixMilli()
		var top, topRetained []string // the entities' MACs, for each list
		for i, e := range j.entities {
			// Entities named by two or more reporters are signal
			// candidates; /signals reads only these, not every entity ever
			// named: those of the corroboration window, or for a longer
			// window those of the retention. Only they need their name
			// kept (sealed), for /signals.
			if j.retained[i].Val() < 2 {
				continue
			}
			// Scored by when it was last named (GT: a tip indexed late
			// does not make it older, out of a window it is in).
			mac := j.macs[i]
			if j.counts[i].Val() >= 2 {
				top = append(top, mac)
			}
			topRetained = append(topRetained, mac)
			b, _ := json.Marshal(e)
			if sealed, err := s.kr.seal(b, "entity:"+mac); err == nil {
				pipe.Set(ctx, s.k.indexDisplay(mac), sealed, s.retention)
			}
		}
		// Added and given their expiry in one script per list: made by a
		// ZADD and given its expiry by a PEXPIRE after it, a list cut
		// between the two would be left without one, naming entities
		// past the retention.
		j.tops = j.tops[:0]
		for _, l := range []struct {
			key  string
			macs []string
		}{{s.k.indexTop(), top}, {s.k.indexTopRetained(), topRetained}} {
			if len(l.macs) > 0 {
				t := topAdd{key: l.key, args: s.topArgs(ms, l.macs)}
				t.cmd = addTop.EvalSha(ctx, pipe, []string{t.key}, t.args...)
				j.tops = append(j.tops, t)
			}
		}
		// One alert per entity per window: the mark names the tip that
		// raised it until the alert is handed over (then it says only
		// alertSent), and lives as long as the window. Indexing that tip
		// again (its indexer died, or another of its alerts failed) raises
		// the alerts it has not handed over: at least once, and only from
		// that tip.
		j.marks = make([]*redis.StatusCmd, len(j.entities))
		for i, mac := range j.macs {
			switch {
			case j.counts[i].Val() >= int64(o.Threshold):
				j.marks[i] = s.takeMark(ctx, pipe, mac, j.id)
			case late:
				// Indexed again, it no longer reaches the threshold (a tip
				// it counted was purged since): a mark it took before is
				// let go, or it would hold back the alert all window.
				releaseAlert.Eval(ctx, pipe, []string{s.k.indexAlert(mac)}, j.id) // rare: not cached
			}
		}
		if late {
			// Indexed before handles and hashtags kept their marks, it may
			// hold the alert of a cut form it no longer raises: let go.
			for _, e := range j.pastAll {
				releaseAlert.Eval(ctx, pipe, []string{s.k.indexAlert(s.entityMAC(e.Key()))}, j.id) // rare: not cached
			}
		}
		// Still stored, and not forgotten, now that its entries are
		// written (and its marks taken)? A tip purged or forgotten since it
		// was read is taken out again below: Purge or Forget may have run
		// before they were written, and missed them.
		j.stored = pipe.HMGet(ctx, s.k.tip(j.id), "k", tipForgotten)
		// The sketches of the candidates sharing the most bands with it.
		j.others = bestCandidates(j.id, j.cands)
		for _, other := range j.others {
			j.sketches = append(j.sketches, pipe.HGet(ctx, s.k.tip(other), "sk"))
		}
		j.end = pipe.Len()
	}
	if !latest.IsZero() {
		oldest := strconv.FormatInt(latest.Add(-s.retention).UnixMilli(), 10)
		for _, k := range []string{s.k.indexTop(), s.k.indexTopRetained()} {
			// Its expiry is set as entities are added (addTop): gone
			// once nothing is named for a retention.
			pipe.ZRemRangeByScore(ctx, k, "-inf", "("+oldest)
		}
	}
	cmds, _ = pipe.Exec(ctx)
	purged := map[string]bool{}
	for _, j := range live() {
		if j.err = cmdsErr(cmds[j.first:j.end], "index tip"); j.err != nil {
			continue
		}
		for _, t := range j.tops {
			if err := s.uncached(ctx, addTop, t.cmd, []string{t.key}, t.args...).Err(); err != nil {
				j.err = fmt.Errorf("index tip: %w", err)
				break
			}
		}
		if j.err != nil {
			continue
		}
		if v := j.stored.Val(); v[0] == nil {
			// Its reporter does not count, and no alert goes out from it.
			j.purged, purged[j.id] = true, true
			j.err = j.skipUnreadable(s.unindexPurged(ctx, j.id, j.pseudonym, j.created, j.text))
			j.dups, j.marks = nil, nil
			if j.err == nil {
				j.err = errPurged
			}
			continue
		} else if v[1] != nil {
			// Forgotten (/forget): the tip stays, its words and near
			// duplicates too, but it counts for no entity and raises no
			// alert. Forgotten since it was read, its entries are taken out
			// again; before, it wrote none (an earlier attempt's are).
			j.purged = true
			j.err = j.skipUnreadable(s.uncount(ctx, j.id, j.pseudonym, j.created, j.text))
			clear(j.marks)
		}
		for i, c := range j.sketches {
			if purged[j.others[i]] {
				continue // purged while this batch was indexed
			}
			if v, ok := tips.ParseSketch(c.Val()); ok && j.sketch.NearDuplicate(v) {
				j.dups = append(j.dups, j.others[i])
			}
		}
		j.dups = j.dups[:min(len(j.dups), 5)]
	}

	s.recountAfterPurged(ctx, jobs)

	// 3. Possible near duplicates are linked both ways, never merged: one
	// script per tip (tips share a hash tag).
	pipe = s.rdb.Pipeline()
	links := map[*indexJob]*redis.Cmd{}
	for _, j := range live() {
		if len(j.dups) > 0 {
			keys, args := s.linkArgs(j)
			links[j] = linkDups.EvalSha(ctx, pipe, keys, args...)
		}
	}
	if len(links) > 0 {
		_, _ = pipe.Exec(ctx)
		for j, c := range links {
			keys, args := s.linkArgs(j)
			if err := s.uncached(ctx, linkDups, c, keys, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
				j.err = fmt.Errorf("near duplicates: %w", err)
			}
		}
	}
	for _, j := range jobs {
		if errors.Is(j.err, errPurged) {
			j.err = nil
			continue
		}
		if j.err != nil {
			continue
		}
		for i, e := range j.entities {
			if j.marks[i] == nil {
				continue
			}
			if owner, err := j.marks[i].Result(); errors.Is(err, redis.Nil) || owner == j.id {
				j.alerts = append(j.alerts, Signal{Entity: e, Reporters: int(j.counts[i].Val()), mac: j.macs[i], since: j.created.Add(-o.Window), alert: s.alertInstance(j.macs[i], j.id)})
			}
		}
	}
}

// appendPostings queues the batch's postings and returns the commands
// each tip depends on. A word's posting of a day gets the numbers of all
// the batch's tips holding it in one APPEND, in the batch's order (the
// order they would have been appended in one by one), right after a SET
// NX that makes it, empty, with the day's expiry if it is not there yet
// (APPEND keeps an expiry). Redis runs a connection's commands in order,
// so whatever part of the pipeline ran (a connection cut after the
// APPEND, every attempt failing there), a posting never exists without
// its expiry: none keeps its numbers past the retention. Tips share many
// words, so a batch writes far fewer, larger commands than a command
// pair per word and tip.
//
// A late batch (tips taken over: listed apart) appends nothing.
func (s *Store) appendPostings(ctx context.Context, pipe redis.Pipeliner, jobs []*indexJob, late bool) map[*indexJob][]redis.Cmder {
	if late {
		return nil
	}
	type posting struct {
		key    string
		nums   []byte
		expiry time.Time
		jobs   []*indexJob
	}
	var order []*posting
	byKey := map[string]*posting{}
	macs := map[string]string{} // a word's MAC, computed once a batch
	for _, j := range jobs {
		day := indexDay(j.created)
		for _, t := range j.tokens {
			mac, ok := macs[t]
			if !ok {
				mac = s.tokenMAC(t)
				macs[t] = mac
			}
			k := s.k.indexToken(mac, day)
			p := byKey[k]
			if p == nil {
				p = &posting{key: k, expiry: s.postingExpiry(j.created)}
				byKey[k] = p
				order = append(order, p)
			}
			p.nums = append(p.nums, j.num...)
			if n := len(p.jobs); n == 0 || p.jobs[n-1] != j {
				p.jobs = append(p.jobs, j)
			}
		}
	}
	deps := make(map[*indexJob][]redis.Cmder, len(jobs))
	// An expiry already past would make SET drop the key it makes, and
	// the APPEND make it again without one (a tip indexed at the end of
	// its retention): a minute at least, as for the bands.
	soonest := s.now().Add(time.Minute)
	for _, p := range order {
		if p.expiry.Before(soonest) {
			p.expiry = soonest
		}
		cmds := []redis.Cmder{
			pipe.SetArgs(ctx, p.key, "", redis.SetArgs{Mode: "NX", ExpireAt: p.expiry}),
			pipe.Append(ctx, p.key, string(p.nums)),
		}
		for _, j := range p.jobs {
			deps[j] = append(deps[j], cmds...)
		}
	}
	return deps
}

// candidateSketches is how many near-duplicate candidates of a tip have
// their sketch read and compared: those sharing the most bands with it,
// which are the most alike (of two tips, the more alike the likelier a
// band is the same). A tip links at most five.
const candidateSketches = 12

// bestCandidates returns the tips filed under a tip's bands (cands: the
// buckets' answers, a comma-separated list of ids per band), other than
// the tip itself: at most candidateSketches, those sharing most bands
// first, the newest first among equals.
func bestCandidates(id string, cands []*redis.Cmd) []string {
	shared := map[string]int{}
	for _, c := range cands {
		found, _ := c.Slice()
		for _, v := range found {
			list, _ := v.(string)
			for other := range strings.SplitSeq(list, ",") {
				if other != "" && other != id {
					shared[other]++
				}
			}
		}
	}
	others := make([]string, 0, len(shared))
	for o := range shared {
		others = append(others, o)
	}
	newer := func(a, b string) bool { // tip numbers: a longer one is newer
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return a > b
	}
	sort.Slice(others, func(i, k int) bool {
		if shared[others[i]] != shared[others[k]] {
			return shared[others[i]] > shared[others[k]]
		}
		return newer(others[i], others[k])
	})
	return others[:min(len(others), candidateSketches)]
}

// recountAfterPurged corrects the batch's tips written after one found
// purged while it was indexed (Purge ran between the batch's read and its
// writes): they counted its reporter. Where that reporter no longer counts
// for an entity (taken out with the tip, no other tip of theirs names it),
// a later tip's count of it is one less, as if the purged tip had never
// been indexed before it; the marks those tips took in this batch are let
// go and taken again from the corrected counts, in the batch's order.
// Rare: two more round trips then.
func (s *Store) recountAfterPurged(ctx context.Context, jobs []*indexJob) {
	type reporterTag struct {
		mac, tag string
		hour     time.Time
	}
	var (
		after   []*indexJob
		at      = map[*indexJob]int{}     // position in jobs
		gone    = map[int][]reporterTag{} // by position in jobs: the purged tip's reporter tags
		tagCmds = map[reporterTag]*redis.FloatCmd{}
		pipe    = s.rdb.Pipeline()
	)
	for p, j := range jobs {
		switch {
		case j.purged:
			for _, mac := range j.macs {
				t := reporterTag{mac, "r" + s.reporterMAC(mac, j.pseudonym), j.created.Truncate(time.Hour)}
				gone[p] = append(gone[p], t)
				tagCmds[t] = pipe.ZScore(ctx, s.k.indexEntity(mac), t.tag)
			}
		case j.err == nil && len(gone) > 0:
			after, at[j] = append(after, j), p
		}
	}
	if len(after) == 0 {
		return
	}
	for _, j := range after {
		j.first = pipe.Len()
		for i, mac := range j.macs {
			if j.marks[i] != nil {
				releaseAlert.Eval(ctx, pipe, []string{s.k.indexAlert(mac)}, j.id) // rare: not cached
			}
		}
		j.end = pipe.Len()
	}
	cmds, _ := pipe.Exec(ctx)
	for _, c := range tagCmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			for _, j := range after {
				j.err = fmt.Errorf("recount after a purge: %w", err)
			}
			return
		}
	}
	pipe = s.rdb.Pipeline()
	for _, j := range after {
		if j.err = cmdsErr(cmds[j.first:j.end], "recount after a purge"); j.err != nil {
			continue
		}
		j.first = pipe.Len()
		for i, mac := range j.macs {
			counted := map[string]bool{}
			n := j.counts[i].Val()
			since := j.created.Add(-s.index0.Window).Truncate(time.Hour)
			for p, tags := range gone {
				for _, t := range tags {
					// Counted by this tip (written before it, in its
					// window), and gone now: one reporter less.
					if p < at[j] && t.mac == mac && !counted[t.tag] && !t.hour.Before(since) && errors.Is(tagCmds[t].Err(), redis.Nil) {
						counted[t.tag] = true
						n--
					}
				}
			}
			j.counts[i] = redis.NewIntResult(n, nil)
			j.marks[i] = nil
			if n >= int64(s.index0.Threshold) {
				j.marks[i] = s.takeMark(ctx, pipe, mac, j.id)
			}
		}
		j.end = pipe.Len()
	}
	cmds, _ = pipe.Exec(ctx)
	for _, j := range after {
		if j.err == nil {
			j.err = cmdsErr(cmds[j.first:j.end], "recount after a purge")
		}
	}
}

// takeMark queues taking the alert mark of entity mac for tip id, unless
// a tip has it: it answers the tip that has it (redis.Nil if none had).
func (s *Store) takeMark(ctx context.Context, pipe redis.Pipeliner, mac, id string) *redis.StatusCmd {
	return pipe.SetArgs(ctx, s.k.indexAlert(mac), id, redis.SetArgs{Mode: "NX", Get: true, TTL: s.index0.Window})
}

// errPurged marks, within indexBatch, a tip purged while it was indexed:
// taken out again, it is done, with no alert.
var errPurged = errors.New("purged while indexed")

// prepareIndex is a tip's text work for indexing: its words, entities and
// sketch. A panic (on a reporter's text) is the tip's error, not the
// process's end.
func (s *Store) prepareIndex(j *indexJob, late bool) {
	defer func() {
		if p := recover(); p != nil {
			j.err = fmt.Errorf("index: tip %s: panic (%T)", j.id, p) // not the value: it may quote the tip
		}
	}()
	num, err := postingNum(j.id)
	if err != nil {
		j.err = err
		return
	}
	j.num = num
	// A late tip's words too: its postings are not written again, but
	// their expiry is (appendPostings).
	j.tokens = tips.IndexTokens(j.text)
	if !j.forgotten {
		j.entities = s.index0.Own.Without(tips.Extract(j.text, s.index0.Region))
	}
	j.macs = make([]string, len(j.entities))
	for i, e := range j.entities {
		j.macs[i] = s.entityMAC(e.Key())
	}
	// Any handle or hashtag may be another's old cut form, one of Latin
	// letters too ("@hola\u0331mundo" was "hola"): a tip naming it need
	// hold no character mayHavePastForms looks for.
	j.cutForms = slices.ContainsFunc(j.entities, mayBeCutForm)
	if len(j.entities) > 0 && mayHavePastForms(j.text) {
		if past := tips.PastEntities(j.text); len(past) > 0 {
			j.pastAll = past
			j.past = make([][]tips.Entity, len(j.entities))
			for i, e := range j.entities {
				j.past[i] = tips.PastFormsAmong(past, e)
			}
		}
	}
	j.sketch, j.sketched = tips.NewSketch(j.text, s.kr.keys().Index)
	if j.sketched {
		j.bands = j.sketch.Bands()
	}
}

// cmdsErr is the first error among a tip's commands in a pipeline, other
// than a key not found and a script Redis had not cached (sent again).
func cmdsErr(cmds []redis.Cmder, what string) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) && !isNoScript(err) {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// skipUnreadable is err, but nil for an *UnreadableAlertsError, whose
// records it counts (unreadable): the tip was taken out all the same, and
// a record it could not read is dropped, as DueAlerts drops one, not
// failed on until the tip is given up.
func (j *indexJob) skipUnreadable(err error) error {
	if ue := (*UnreadableAlertsError)(nil); errors.As(err, &ue) {
		j.unreadable += ue.Dropped
		return nil
	}
	return err
}

// unindexPurged takes out again what indexing tip id wrote, the tip
// having been purged meanwhile, as Purge does: its postings, bands and
// late entry, the alert marks it took, its place among each entity's tips
// (those of its past forms too) and its reporter's (unless another of
// their tips names the entity), and the hash its sketch made again.
func (s *Store) unindexPurged(ctx context.Context, id, pseudonym string, created time.Time, text string) error {
	pipe := s.rdb.Pipeline()
	entities := s.unindex(ctx, pipe, id, created, text)
	dropShredded.Eval(ctx, pipe, []string{s.k.tip(id)}) // rare: not cached
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("unindex purged tip: %w", err)
	}
	// A purge cut short once the key went (it cannot run again) may have
	// left it in those it was indexed under before handles and hashtags
	// kept their marks: as Purge does.
	past, err := s.pastEntities(ctx, id, created, text)
	if err != nil {
		return fmt.Errorf("unindex purged tip: %w", err)
	}
	if err := s.unindexEntities(ctx, append(entities, past...), id, pseudonym); err != nil {
		return fmt.Errorf("unindex purged tip: %w", err)
	}
	return nil
}

// entityArgs are addEntity's arguments for tip j naming the entity of
// MAC mac.
func (s *Store) entityArgs(j *indexJob, mac string, window time.Duration) []any {
	trim := ""
	if trimNow(s.k.indexEntity(mac), j.id) {
		trim = strconv.FormatInt(j.created.Add(-s.retention).UnixMilli(), 10)
	}
	return []any{
		j.created.UnixMilli(), j.id,
		-j.created.Truncate(time.Hour).UnixMilli(), "r" + s.reporterMAC(mac, j.pseudonym),
		trim, s.retention.Milliseconds(),
		reportersSince(j.created.Add(-window)), reportersSince(j.created.Add(-s.retention)),
	}
}

// entityCounts reads tip j's addEntity answers (run again, uncached,
// where Redis did not have the script) into its counts.
func (s *Store) entityCounts(ctx context.Context, j *indexJob, window time.Duration) error {
	j.counts, j.retained = j.counts[:0], j.retained[:0]
	for i, c := range j.entityCmds {
		mac := j.macs[i]
		c = s.uncached(ctx, addEntity, c, []string{s.k.indexEntity(mac)}, s.entityArgs(j, mac, window)...)
		v, err := c.Int64Slice()
		if err == nil && len(v) != 2 {
			err = fmt.Errorf("entity counts: %d values", len(v))
		}
		if err != nil {
			return fmt.Errorf("index tip: %w", err)
		}
		j.counts = append(j.counts, redis.NewIntResult(v[0], nil))
		j.retained = append(j.retained, redis.NewIntResult(v[1], nil))
	}
	return nil
}

// addEntity adds a tip to an entity's sorted set (KEYS[1]): the tip
// (ARGV[2]) scored by its time (ARGV[1], ms) and its reporter's tag
// (ARGV[4]) by minus its hour (ARGV[3]), LT; drops the members older
// than ARGV[5] (ms) unless it is ""; sets the set's expiry (ARGV[6] ms)
// in the same script: made by a command and given its expiry by
// another, a connection cut between the two would leave it without one,
// naming the entity's tips past the retention. It returns how many
// reporters are tagged since ARGV[7] (the window) and since ARGV[8]
// (the retention), as reportersSince bounds.
var addEntity = redis.NewScript(`
redis.call('ZADD', KEYS[1], 'LT', ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if ARGV[5] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '0', '(' .. ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '(-' .. ARGV[5], '(0')
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[7]), redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[8])}`)

// sketchArgs are setSketch's arguments for tip j: its sketch, and the
// retention in whole seconds (one at least: EXPIRE 0 would delete).
func (s *Store) sketchArgs(j *indexJob) []any {
	return []any{j.sketch.String(), max(int64(s.retention/time.Second), 1)}
}

// setSketch writes a tip's sketch (ARGV[1]) in its hash (KEYS[1]) and
// gives the hash an expiry (ARGV[2] s) if it has none (a tip purged
// since it was read: the sketch alone would make it again), in one
// script: a connection cut between two commands would leave it without.
var setSketch = redis.NewScript(`
redis.call('HSET', KEYS[1], 'sk', ARGV[1])
return redis.call('EXPIRE', KEYS[1], ARGV[2], 'NX')`)

// topAdd is an addTop of a tip's entities to a list of signal
// candidates: its key, arguments and command in the pipeline.
type topAdd struct {
	key  string
	args []any
	cmd  *redis.Cmd
}

// topArgs are addTop's arguments adding the entities of MACs macs named
// at ms (unix ms): the retention in ms, then score and member pairs.
func (s *Store) topArgs(ms int64, macs []string) []any {
	args := make([]any, 0, 1+2*len(macs))
	args = append(args, s.retention.Milliseconds())
	for _, mac := range macs {
		args = append(args, ms, mac)
	}
	return args
}

// addTop adds entities to a list of signal candidates (KEYS[1]), each
// scored by when it was last named (GT: a tip indexed late does not make
// it older), ARGV[2...] score and member pairs, and sets the list's
// expiry (ARGV[1] ms) in the same script: made by a command and given
// its expiry by another, a connection cut between the two would leave it
// without one, naming entities past the retention.
var addTop = redis.NewScript(`
for i = 2, #ARGV, 1000 do -- 500 pairs a call: unpack is bounded (Lua's C stack)
  redis.call('ZADD', KEYS[1], 'GT', unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`)

// addLate adds tip ARGV[1] to a day's late tips (KEYS[1]) and sets the
// list's expiry (unix ms ARGV[2]), the day's postings'.
var addLate = redis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
return redis.call('PEXPIREAT', KEYS[1], ARGV[2])`)

// dropShredded deletes a tip's hash (KEYS[1]) if it holds no data key:
// what is left of a purged tip (its sketch, links to it).
var dropShredded = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'k') == 0 then return redis.call('DEL', KEYS[1]) end
return 0`)

// trimNow says whether adding tip id to index key k should also drop the
// members older than the retention: about one add in sixteen does, so a
// set holds at most a few stale members (queries ignore them by score)
// and intake does not pay a range deletion per word. The key expires with
// the retention anyway.
func trimNow(k, id string) bool {
	h := fnv.New32a()
	h.Write([]byte(k))
	h.Write([]byte(id))
	return h.Sum32()%16 == 0
}

// reportersSince is the score bound of an entity's reporters tagged since
// t: their scores are minus their hour.
func reportersSince(t time.Time) string {
	return strconv.FormatInt(-t.Truncate(time.Hour).UnixMilli(), 10)
}

// bandArgs are addBands' arguments: the tip, its buckets' expiry
// (bandTTL) and its bands.
func (s *Store) bandArgs(id string, created time.Time, bands []string) []any {
	return append([]any{id, s.bandTTL(created).Milliseconds()}, anySlice(bands)...)
}

// bandWeekStart is the start of the week (seven UTC days counted from the
// Unix epoch) t falls in.
func bandWeekStart(t time.Time) time.Time {
	days := t.Unix() / 86400
	return time.Unix((days-days%7)*86400, 0).UTC()
}

// bandTTL is how long the buckets of a tip's week still live (at least a
// minute, for a tip indexed that late): bandExpiry, relative to the
// store's clock, as every other expiry here.
func (s *Store) bandTTL(created time.Time) time.Duration {
	return max(s.bandExpiry(created).Sub(s.now()), time.Minute)
}

// bandExpiry is when the buckets of a tip's week can go: through the
// next week, when tips still look them up, and a day; sooner if the
// retention ends sooner for the newest tip the week can hold (its end
// plus the retention), so that a short retention does not leave tips'
// ids in them past it. It depends on the week and the retention only:
// every tip of the week asks its buckets for the same moment (addBands
// gives it only to a bucket without one).
func (s *Store) bandExpiry(created time.Time) time.Time {
	week := bandWeekStart(created)
	return week.Add(bandWeek + min(bandWeek+24*time.Hour, s.retention))
}

// bandWeek is how long a tip's sketch bands are filed together: a tip is
// compared with those of its week and the week before.
const bandWeek = 7 * 24 * time.Hour

// bandKeys names the buckets of a tip's bands, in the order of bands:
// those of the week (seven UTC days counted from the Unix epoch) it was
// created in, named by the week's first day.
func (s *Store) bandKeys(created time.Time, bands []string) []string {
	week := bandWeekStart(created).Format("20060102")
	keys := make([]string, len(bands))
	for i, b := range bands {
		keys[i] = s.k.indexBands(week, b)
	}
	return keys
}

// indexDay names the UTC day a tip's words (and, if late, its id) are indexed under.
func indexDay(t time.Time) string { return t.UTC().Format("20060102") }

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// addBands returns the ids filed under each of a tip's
// bands (ARGV[3…]) in its bucket (KEYS[1…]), then files the tip id
// (ARGV[1]) there (once: indexing a tip again changes nothing), keeping
// the last eight ids per band. Most bands are new: one HSETNX files
// those, and only a band already there is read and written again. Each
// bucket is given its expiry (ARGV[2] ms) in the same script: made by a
// command and given it by another, a connection cut between the two
// would leave it without one, keeping its tips' ids past the retention.
// Only a bucket without one is given it (PTTL -1: the tip's write made
// it, or a purge emptied and deleted it and this write made it again):
// every tip of a week asks for the same moment (Store.bandExpiry), and a PTTL
// costs Redis about a third of a PEXPIRE, which writes (ten a tip).
// One EXISTS of all the buckets first spares the ten PTTLs where it
// tells already: all there (a busy week: each has its expiry, given by
// the script that made it, or by RepairIndexExpiry for one an earlier
// version made) none is asked; none there, each is made by this write
// and given its expiry unasked; only in between is each asked (EXISTS
// counts a bucket named twice twice: "all" and "none" hold all the same).
// A bucket left without one while the others are all there is not asked:
// only RepairIndexExpiry's next look (at a start, once a day) gives it
// one (README, "Index keys without an expiry").
var addBands = redis.NewScript(`
local out = {}
local had = #KEYS > 0 and redis.call('EXISTS', unpack(KEYS)) or 0
for i = 3, #ARGV do
  local k = KEYS[i - 2]
  out[i - 2] = ''
  if redis.call('HSETNX', k, ARGV[i], ARGV[1]) == 0 then
    local v = redis.call('HGET', k, ARGV[i])
    out[i - 2] = v
    if not string.find(',' .. v .. ',', ',' .. ARGV[1] .. ',', 1, true) then
      v = v .. ',' .. ARGV[1]
      local n = 0
      for _ in string.gmatch(v, ',') do n = n + 1 end
      if n >= 8 then v = string.sub(v, string.find(v, ',') + 1) end
      redis.call('HSET', k, ARGV[i], v)
    end
  end
  if had == 0 then redis.call('PEXPIRE', k, ARGV[2])
  elseif had < #KEYS and redis.call('PTTL', k) == -1 then redis.call('PEXPIRE', k, ARGV[2]) end
end
return out`)

// dropBands removes a tip id from its bands (ARGV[2…]) in their buckets
// (KEYS[1…]).
var dropBands = redis.NewScript(`
for i = 2, #ARGV do
  local k = KEYS[i - 1]
  local v = redis.call('HGET', k, ARGV[i])
  if v then
    local kept = {}
    for x in string.gmatch(v, '[^,]+') do
      if x ~= ARGV[1] then table.insert(kept, x) end
    end
    if #kept == 0 then redis.call('HDEL', k, ARGV[i])
    else redis.call('HSET', k, ARGV[i], table.concat(kept, ',')) end
  end
end
return 1`)

// linkArgs are linkDups' keys and arguments for a tip and its near
// duplicates.
func (s *Store) linkArgs(j *indexJob) ([]string, []any) {
	keys, args := []string{s.k.tip(j.id)}, []any{j.id}
	for _, d := range j.dups {
		keys, args = append(keys, s.k.tip(d)), append(args, d)
	}
	return keys, args
}

// linkDups records on a tip (KEYS[1], id ARGV[1]) that each other tip
// (KEYS[i], id ARGV[i]) resembles it, and on each of those that it
// resembles them: each id once, added to what is there (a tip indexed at
// the same time may have linked it already). A tip that expired is not
// brought back.
var linkDups = redis.NewScript(`
local function link(k, id)
  if redis.call('EXISTS', k) == 0 then return end
  local v = redis.call('HGET', k, 'nd')
  if not v then redis.call('HSET', k, 'nd', id) return end
  if string.find(',' .. v .. ',', ',' .. id .. ',', 1, true) then return end
  if string.len(v) < 100 then redis.call('HSET', k, 'nd', v .. ',' .. id) end
end
for i = 2, #KEYS do
  link(KEYS[1], ARGV[i])
  link(KEYS[i], ARGV[1])
end
return 1`)

// EntityTips returns up to n tips naming the entity, newest first.
//
// past are the forms the entity was indexed under before it was read as
// now (tips.PastForms: "@khabar_हिंदी" was the handle "khabar_ह"): a tip
// indexed then is under those only, until the retention ends. Their tips
// are looked up too, and each kept only if its text names e as entities
// are read now (such a cut form, a prefix of many words, names other
// entities' tips too) and its reporter has not withdrawn it (/forget
// took it out of the entity's set, and out of the old ones only since).
// Not once no tip listed from since on can be under them
// (mayBeUnderPastForms): then they cost nothing.
func (s *Store) EntityTips(ctx context.Context, e tips.Entity, since time.Time, n int, past ...tips.Entity) ([]tips.Tip, error) {
	if len(past) > 0 && !s.mayBeUnderPastForms(ctx, since) {
		past = nil
	}
	// A handle's or hashtag's own set may hold, until the retention
	// ends, tips of other entities indexed when it was their cut form
	// (siftCutForm takes them out when a tip names it): not listed.
	var own func(tips.Tip) bool
	if mayBeCutForm(e) {
		own = func(t tips.Tip) bool { return s.namesEntity(t.Content.Text(), e) }
	}
	out, err := s.entityTips(ctx, s.k.indexEntity(s.entityMAC(e.Key())), since, n, keepEach(own))
	if err != nil {
		return nil, err
	}
	// One round trip a batch of candidates for their /forget marks, not
	// one a candidate (an old form lists up to maxCandidates).
	names := func(ctx context.Context, found []tips.Tip) ([]tips.Tip, error) {
		found = slices.DeleteFunc(found, func(t tips.Tip) bool {
			return !s.namesEntity(t.Content.Text(), e)
		})
		if len(found) == 0 {
			return found, nil
		}
		pipe := s.rdb.Pipeline()
		forgotten := make([]*redis.BoolCmd, len(found))
		for i, t := range found {
			forgotten[i] = pipe.HExists(ctx, s.k.tip(t.ID), tipForgotten)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("forgotten: %w", err)
		}
		kept := found[:0]
		for i, t := range found {
			if !forgotten[i].Val() {
				kept = append(kept, t)
			}
		}
		return kept, nil
	}
	for _, p := range past {
		if p.Key() == e.Key() {
			continue
		}
		old, err := s.entityTips(ctx, s.k.indexEntity(s.entityMAC(p.Key())), since, n, names)
		if err != nil {
			return nil, fmt.Errorf("entity: %w", err)
		}
		out = newestFirst(out, old, n)
	}
	return out, nil
}

// entityTips walks an entity's sorted set newest first, a page at a time
// (paging by score, so each page costs the same however deep), keeping
// the tips keep keeps (if set).
func (s *Store) entityTips(ctx context.Context, key string, since time.Time, n int, keep keepTips) ([]tips.Tip, error) {
	min := strconv.FormatInt(since.UnixMilli(), 10)
	var out []tips.Tip
	const page = 200
	max := "+inf"
	seen := map[string]bool{}
	for examined := 0; len(out) < n && examined < maxCandidates; {
		res, err := s.rdb.ZRevRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Min: min, Max: max, Count: page}).Result()
		if err != nil {
			return nil, fmt.Errorf("entity: %w", err)
		}
		var ids []string
		for _, z := range res {
			id, _ := z.Member.(string)
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			break
		}
		max = strconv.FormatFloat(res[len(res)-1].Score, 'f', 0, 64)
		examined += len(ids)
		found, err := s.pickTips(ctx, ids, since, "", n-len(out), keep)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
		if len(res) < page {
			break
		}
	}
	return out, nil
}

// signalCandidates returns the entities that may be signals of the
// window, named since from, the most recently named first (the score of
// each is when it was last named). A window longer than the corroboration
// window reads the retention's candidates, and the corroboration window's
// (which alone hold the entities indexed before the retention's were
// listed).
func (s *Store) signalCandidates(ctx context.Context, window time.Duration, from string) ([]redis.Z, error) {
	lists := []string{s.k.indexTop()}
	if window > s.index0.Window {
		lists = append(lists, s.k.indexTopRetained())
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(lists))
	for i, k := range lists {
		cmds[i] = pipe.ZRevRangeByScoreWithScores(ctx, k, &redis.ZRangeBy{Min: from, Max: "+inf", Count: maxSignalCandidates})
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("signals: %w", err)
	}
	if len(cmds) == 1 {
		return cmds[0].Val(), nil
	}
	last := map[string]float64{}
	for _, c := range cmds {
		for _, z := range c.Val() {
			mac, _ := z.Member.(string)
			last[mac] = max(last[mac], z.Score)
		}
	}
	top := make([]redis.Z, 0, len(last))
	for mac, score := range last {
		top = append(top, redis.Z{Member: mac, Score: score})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].Score > top[j].Score })
	return top[:min(len(top), maxSignalCandidates)], nil
}

// maxSignalCandidates is how many of the window's candidates /signals scores:
// the most recently named (a strong signal is named often, so recently).
// Each costs two counts; at a million tips a day a week holds tens of
// thousands of candidates, most of them named by two reporters once.
const maxSignalCandidates = 1000

// Signals returns the strongest signals of the window (any, up to the
// retention): entities named by the most distinct reporters, weighed by
// recency and category severity.
func (s *Store) Signals(ctx context.Context, window time.Duration, n int) ([]Signal, error) {
	now := s.now()
	from := strconv.FormatInt(now.Add(-window).UnixMilli(), 10)
	top, err := s.signalCandidates(ctx, window, from)
	if err != nil {
		return nil, err
	}
	// 1. Score every candidate from two counts, in one round trip.
	type cmds struct{ reps, count *redis.IntCmd }
	pipe := s.rdb.Pipeline()
	all := make([]cmds, len(top))
	for i, z := range top {
		mac, _ := z.Member.(string)
		all[i] = cmds{
			reps:  pipe.ZCount(ctx, s.k.indexEntity(mac), "-inf", reportersSince(now.Add(-window))),
			count: pipe.ZCount(ctx, s.k.indexEntity(mac), from, "+inf"),
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("signals: %w", err)
	}
	var out []Signal
	for i, z := range top {
		c := all[i]
		// Fewer than two reporters in this window is not a signal: listing it
		// would show one reporter's tips together.
		if c.count.Val() == 0 || c.reps.Val() < 2 {
			continue
		}
		mac, _ := z.Member.(string)
		sig := Signal{Reporters: int(c.reps.Val()), Tips: int(c.count.Val()), Categories: map[tips.Category]int{}, mac: mac,
			LastSeen: time.UnixMilli(int64(z.Score))}
		recency := 1 - float64(now.Sub(sig.LastSeen))/float64(window)
		sig.Score = 10*float64(sig.Reporters) + float64(sig.Tips) + 5*max(recency, 0)
		out = append(out, sig)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	// 2. For the best candidates only: the entity's name, when it was first
	// seen, and the categories of its latest 50 tips (from the tips
	// themselves, so an investigator's override counts and expired tips do
	// not), in two more round trips.
	out = out[:min(len(out), 3*n)]
	pipe = s.rdb.Pipeline()
	disp := make([]*redis.StringCmd, len(out))
	first := make([]*redis.ZSliceCmd, len(out))
	ids := make([]*redis.StringSliceCmd, len(out))
	for i := range out {
		disp[i] = pipe.Get(ctx, s.k.indexDisplay(out[i].mac))
		first[i] = pipe.ZRangeByScoreWithScores(ctx, s.k.indexEntity(out[i].mac), &redis.ZRangeBy{Min: "0", Max: "+inf", Count: 1})
		ids[i] = pipe.ZRevRangeByScore(ctx, s.k.indexEntity(out[i].mac), &redis.ZRangeBy{Min: from, Max: "+inf", Count: 50})
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("signal details: %w", err)
	}
	pipe = s.rdb.Pipeline()
	cats := make([][]*redis.StringCmd, len(out))
	for i := range out {
		for _, id := range ids[i].Val() {
			cats[i] = append(cats[i], pipe.HGet(ctx, s.k.tip(id), "c"))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("signal categories: %w", err)
	}
	kept := out[:0]
	for i := range out {
		plain, err := s.kr.open([]byte(disp[i].Val()), "entity:"+out[i].mac)
		if disp[i].Err() != nil || err != nil {
			continue
		}
		_ = json.Unmarshal(plain, &out[i].Entity)
		if f := first[i].Val(); len(f) > 0 {
			out[i].FirstSeen = time.UnixMilli(int64(f[0].Score))
		}
		severity := 1.0
		for _, c := range cats[i] {
			if c.Err() == nil {
				cat := tips.Category(c.Val())
				out[i].Categories[cat]++
				severity = max(severity, tips.Severity(cat))
			}
		}
		out[i].Score += 2 * severity
		kept = append(kept, out[i])
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Score > kept[j].Score })
	return kept[:min(len(kept), n)], nil
}
