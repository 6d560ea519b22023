package commands

import (
	"context"
	"time"
)

// untoldGrace is how long after its write an answer whose asker was not
// told (its write's reply lost, or its process stopped before telling)
// is left to the same message delivered again, or the same words sent
// again, before the sweep tells it: a redelivery (the platform's, after
// a restart; the spool's replay, tried again) or a reporter told NOT
// saved and sending it again comes within minutes, and tells it with
// what it holds. A redelivery after the sweep finished it is "again",
// told delivered, the asker not told twice.
const untoldGrace = 15 * time.Minute

// untoldLease is how long an answer a sweep claimed (Store.ClaimUntold)
// is left to it: not told and finished by then (its claim's reply lost,
// its tip's key not opened, its sends failing, the process stopping), a
// later sweep claims it again and tells it.
const untoldLease = 5 * time.Minute

// untoldTellWithin bounds the telling of one answer (its sends, and the
// checks of who to tell), by the sweep after it renewed its lease, and by
// the answer's own call while it holds it (storage's 5-minute hold):
// well within untoldLease, clocks a little apart, so that no other
// replica claims it while it is told.
const untoldTellWithin = 2 * time.Minute

// untoldFinishWithin bounds the finish of an answer told (one Redis
// call), which is made even once the tells were cut off.
const untoldFinishWithin = 5 * time.Second

// untoldBatch is the most answers one sweep tells.
const untoldBatch = 100

// TellUntold tells the investigators (tellAnswer) of the answers whose
// write's reply was lost and which nothing told within untoldGrace: the
// answer is in the tip's history, and its asker would otherwise never
// hear of it. Each is claimed for untoldLease, told, and only then
// finished (taken out): one not told (its tip's key not opened here,
// its history entry not read, every send failing) is left claimed, and
// a sweep after the lease tells it. Told at least once, twice at worst
// (a finish whose reply was lost; Redis failing as the same message,
// delivered again, holds it; replicas' clocks minutes apart), never
// with anything of its reporter's but the answer: the same message
// delivered again as a sweep tells it finds the sweep's hold, and is
// "again" (holdUntold).
//
// Those claimed are told whatever becomes of ctx (the process stopping),
// with untoldLastTell in all once it has ended: told now rather than
// after the lease.
func (m *Mux) TellUntold(ctx context.Context) error {
	due, unreadable, err := m.store.ClaimUntold(ctx, untoldGrace, untoldLease, untoldBatch)
	unsent, unfinished, unrenewed := 0, 0, 0
	if len(due) > 0 {
		tellCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(ctx, func() { time.AfterFunc(untoldLastTell, cancel) })
		defer stop()
		for _, u := range due {
			// Its lease renewed just before it is told, and the tell
			// bounded well within it: one told late in a long batch is
			// not claimed and told by another replica's sweep meanwhile.
			// Not renewed (another sweep holds it, it was told, Redis
			// failing): not told here.
			if ok, err := m.store.RenewUntold(tellCtx, u, untoldGrace, untoldLease); err != nil || !ok {
				unrenewed++
				continue
			}
			oneCtx, cancelOne := context.WithTimeout(tellCtx, untoldTellWithin)
			told := m.tellAnswer(oneCtx, u.TipID, u.Question, u.Answer)
			cancelOne()
			if !told {
				unsent++
				continue
			}
			// Finished even when the tells were cut off meanwhile (the
			// process stopping): told, and left claimed, it would be
			// told again after the lease, by the process restarted.
			finishCtx, cancelFinish := context.WithTimeout(context.WithoutCancel(ctx), untoldFinishWithin)
			if m.store.FinishUntold(finishCtx, u) != nil {
				unfinished++ // told; claimed still: told again after the lease
			}
			cancelFinish()
		}
	}
	if unreadable > 0 || unsent > 0 || unfinished > 0 || unrenewed > 0 {
		m.log.Warn("untold answers left for a later sweep", "unreadable", unreadable, "unsent", unsent, "told_unfinished", unfinished, "not_renewed", unrenewed)
	}
	return err
}

// untoldLastTell is how long the answers a sweep claimed are still told
// for once its context has ended (a variable for tests).
var untoldLastTell = 30 * time.Second
