package commands

import (
	"sync"
	"time"
)

// armedAnswers remembers, per reporter (by pseudonym, in this process's
// memory only), until when the Answer button they pressed makes their next
// message the answer to a question. Redis holds the mark (answering.Next);
// this copy is for when Redis cannot be read: a message written as an
// answer must not be spooled as a tip of its own then (it would reach the
// triage queue as a new tip, and the question stay open while the
// reporter believes it answered). It holds no tip, question or answer.
type armedAnswers struct {
	mu sync.Mutex
	m  map[string]time.Time // pseudonym -> until
}

// arm remembers pseudonym's Answer as pressed, until until.
func (a *armedAnswers) arm(pseudonym string, until, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, u := range a.m {
		if !u.After(now) {
			delete(a.m, k)
		}
	}
	if a.m == nil {
		a.m = map[string]time.Time{}
	}
	a.m[pseudonym] = until
}

// disarm forgets pseudonym's Answer: used, cancelled, or not in Redis.
func (a *armedAnswers) disarm(pseudonym string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.m, pseudonym)
}

// armed reports whether pseudonym pressed an Answer whose next message
// is still the answer, as far as this process knows.
func (a *armedAnswers) armed(pseudonym string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.m[pseudonym]
	return ok && u.After(now)
}
