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
// what it holds. Whoever takes it tells it, once (Store.TakeUntold): a
// redelivery after the sweep is "again", told delivered, the asker not
// told twice.
const untoldGrace = 15 * time.Minute

// untoldBatch is the most answers one sweep tells.
const untoldBatch = 100

// TellUntold tells the investigators (tellAnswer) of the answers whose
// write's reply was lost and which nothing told within untoldGrace: the
// answer is in the tip's history, and its asker would otherwise never
// hear of it. Each is taken in one step before it is told: told at most
// once, by one process, never with anything of its reporter's but the
// answer.
//
// Those taken are told whatever becomes of ctx (the process stopping):
// once taken, nothing else names them, and a tell under an ended context
// drops them untold. ctx ended, what is left to tell has untoldLastTell
// in all.
func (m *Mux) TellUntold(ctx context.Context) error {
	due, err := m.store.TakeUntold(ctx, untoldGrace, untoldBatch)
	if len(due) == 0 {
		return err
	}
	tellCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(untoldLastTell, cancel) })
	defer stop()
	for _, u := range due {
		m.tellAnswer(tellCtx, u.TipID, u.Question, u.Answer)
	}
	return err
}

// untoldLastTell is how long the answers a sweep took are still told
// for once its context has ended.
const untoldLastTell = 30 * time.Second
