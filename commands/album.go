package commands

import (
	"sync"
	"time"
)

// albumRunMemory is how long a private album's run is remembered: its
// items reach the engine one after the other, within seconds.
const albumRunMemory = 10 * time.Minute

// albumRuns remembers, per reporter (by pseudonym, in memory only),
// what the items of the private album they are sending did that its last
// item, which answers for all of it, must tell: whether one started the
// draft (only the items kept count: an album partly refused, an item too
// large or of a kind Vigía does not take, after the draft began has fewer
// parts than items, and must still say "added", not "started"), and how
// many pictures had their hidden data removed without a word.
type albumRuns struct {
	mu sync.Mutex
	m  map[string]albumRun // by pseudonym
}

// albumRun is what the silent items of an album did.
type albumRun struct {
	started bool // one started the draft
	kept    int  // items kept
	cleaned int  // pictures cleaned
	// wipeUntold: an item's write said a wipe the reporter set is to be
	// told of (storage.Draft.WipeUntold), which the draft read back for
	// the run's answer (albumAnswer) does not say.
	wipeUntold bool
	seen       time.Time
}

// newRun forgets what an earlier run of pseudonym's did.
func (a *albumRuns) newRun(pseudonym string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.m, pseudonym)
}

// item records a silent item of pseudonym's run: whether it started the
// draft, whether its picture was cleaned, and whether its write said a
// wipe is to be told of.
func (a *albumRuns) item(pseudonym string, started, cleaned, wipeUntold bool, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, r := range a.m {
		if now.Sub(r.seen) > albumRunMemory {
			delete(a.m, k) // a run whose last item never came
		}
	}
	if a.m == nil {
		a.m = map[string]albumRun{}
	}
	r := a.m[pseudonym]
	r.started = r.started || started
	r.wipeUntold = r.wipeUntold || wipeUntold
	r.kept++
	if cleaned {
		r.cleaned++
	}
	r.seen = now
	a.m[pseudonym] = r
}

// end returns what pseudonym's run did, and forgets it.
func (a *albumRuns) end(pseudonym string) albumRun {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.m[pseudonym]
	delete(a.m, pseudonym)
	return r
}
