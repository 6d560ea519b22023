package discord

import (
	"github.com/bwmarrin/discordgo"
)

// Discord sends one user's events in order, but discordgo would run each
// in a goroutine of its own: a photo and then Send could reach the engine
// as Send and then the photo, and the tip would go without it. So events
// are taken in the gateway's order (Session.SyncEvents) and queued per
// user: each user's run one at a time, in order, different users' at once.
// (Telegram's adapter serialises per chat in the same way.)

// userQueue is one user's events waiting to run; one goroutine drains it.
type userQueue struct{ jobs []func() }

// enqueue runs job after the user's events queued before it. It never
// blocks: it is called on the gateway's read loop.
func (a *Adapter) enqueue(userID string, job func()) {
	a.qmu.Lock()
	q, draining := a.queues[userID]
	if !draining {
		q = &userQueue{}
		a.queues[userID] = q
	}
	q.jobs = append(q.jobs, job)
	a.qmu.Unlock()
	if !draining {
		go a.drain(userID, q)
	}
}

// drain runs a user's queued events until none is left.
func (a *Adapter) drain(userID string, q *userQueue) {
	for {
		a.qmu.Lock()
		if len(q.jobs) == 0 {
			delete(a.queues, userID) // idle users cost nothing
			a.qmu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		a.qmu.Unlock()
		job()
	}
}

// queueMessage is the gateway's message handler: the message is handled
// after its author's earlier events.
func (a *Adapter) queueMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	if !fromPerson(mc) {
		return
	}
	h, base, ok := a.begin()
	if !ok {
		return
	}
	a.enqueue(mc.Author.ID, func() {
		defer a.wg.Done()
		a.message(base, h, mc.Message)
	})
}

// queueInteraction is the gateway's interaction handler. The interaction
// is acknowledged on time whatever waits before it: its deferral timer
// starts now, not when its turn comes, and a command that opens a form
// (which must be the first answer, within 3 s, and cannot be deferred)
// does not wait its turn at all: it changes nothing the events before it
// depend on, and the form's submission is queued like any event.
func (a *Adapter) queueInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	h, base, ok := a.begin()
	if !ok {
		return
	}
	ev := a.interaction(base, h, ic)
	switch {
	case ev == nil:
		a.wg.Done()
	case ev.req.CanOpenForms:
		go func() {
			defer a.wg.Done()
			ev.run()
		}()
	default:
		a.enqueue(ev.req.UserID, func() {
			defer a.wg.Done()
			ev.run()
		})
	}
}
