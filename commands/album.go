package commands

import (
	"sync"
	"time"
)

// albumRunMemory is how long a private album's run is remembered: its
// items reach the engine one after the other, within seconds.
const albumRunMemory = 10 * time.Minute

// albumStarts remembers, per reporter (by pseudonym, in memory only),
// whether an item of the private album they are sending started their
// draft. The album's last item answers for all of it, and only the items
// kept count: an album partly refused (an item too large, of a kind Vigía
// does not take) after the draft began has fewer parts than items, and
// must still say "added", not "started".
type albumStarts struct {
	mu sync.Mutex
	m  map[string]time.Time // pseudonym: when an item of the run started the draft
}

// newRun forgets what an earlier run of pseudonym's did.
func (a *albumStarts) newRun(pseudonym string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.m, pseudonym)
}

// started records that an item of pseudonym's run started the draft.
func (a *albumStarts) started(pseudonym string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, t := range a.m {
		if now.Sub(t) > albumRunMemory {
			delete(a.m, k) // a run whose last item never came
		}
	}
	if a.m == nil {
		a.m = map[string]time.Time{}
	}
	a.m[pseudonym] = now
}

// end reports whether an item of pseudonym's run started the draft, and
// forgets the run.
func (a *albumStarts) end(pseudonym string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.m[pseudonym]
	delete(a.m, pseudonym)
	return ok
}
