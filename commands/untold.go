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
func (m *Mux) TellUntold(ctx context.Context) error {
	due, err := m.store.TakeUntold(ctx, untoldGrace, untoldBatch)
	for _, u := range due {
		m.tellAnswer(ctx, u.TipID, u.Question, u.Answer)
	}
	return err
}
