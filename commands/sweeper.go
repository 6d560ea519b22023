package commands

import (
	"cmp"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// ExpireDrafts drops drafts idle for too long and tells each reporter, in
// their language, that nothing was sent. It returns how many it dropped.
// While a draft a wipe discards is not discarded yet (by this process or,
// as Redis keeps it owed, by another), none expires: its notice would go
// to the wiped chat.
func (m *Mux) ExpireDrafts(ctx context.Context, idle time.Duration) (int, error) {
	if _, err := m.settleDiscards(ctx); err != nil {
		return 0, err
	}
	expired, err := m.store.ExpireDrafts(ctx, 100)
	for _, d := range expired {
		platform, chatID, _ := strings.Cut(d.Route, ":")
		s, ok := m.senders[platform]
		if !ok {
			continue
		}
		lang := m.readerLanguage(ctx, d.Pseudonym, d.Language)
		text := m.msg.Localize(lang, "draft_expired", map[string]any{"Idle": m.spanIn(lang, idle)})
		if _, serr := s.Send(ctx, chatID, Reply{Text: text}); serr != nil {
			m.log.Warn("draft expiry notice not delivered", "platform", platform, "error", serr.Error())
		}
	}
	return len(expired), err
}

// readerLanguage is the language to write to a reporter in, unprompted:
// the one they chose with /language since, if they did, else the one
// they last wrote in (then the bot's default).
func (m *Mux) readerLanguage(ctx context.Context, pseudonym, last string) string {
	if pseudonym != "" {
		if p, err := m.store.Profile(ctx, pseudonym, nil, false); err == nil && p.Language != "" {
			return p.Language
		}
	}
	return cmp.Or(last, m.lang)
}

// RunSweeper calls ExpireDrafts (and the other sweeps: held messages,
// reminders, untold answers, deletions, kept alerts) every interval until
// ctx ends.
func (m *Mux) RunSweeper(ctx context.Context, interval, idle time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.checkKeyset(ctx)
			if _, err := m.ExpireDrafts(ctx, idle); err != nil && ctx.Err() == nil {
				m.log.Warn("draft sweep failed", "error", err.Error())
			}
			if err := m.SweepHeld(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("held message sweep failed", "error", err.Error())
			}
			if err := m.Remind(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("reminder sweep failed", "error", err.Error())
			}
			if err := m.TellUntold(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("untold answers sweep failed", "error", err.Error())
			}
			if err := m.RunWipes(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("deletion sweep failed", "error", err.Error())
			}
			// An investigators' chat another replica followed to its new id.
			if err := m.LoadTeamChats(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("investigators' chats not read", "error", err.Error())
			}
			if err := m.RetryAlerts(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("kept alerts not sent", "error", err.Error())
			}
		}
	}
}

// checkKeyset makes the MAC keys in use agree with the keyset kept in
// Redis (storage.Store.CheckKeyset), and says when they did not. A check
// that fails says so once, and again only when its reason changes or
// after a check went through: a replica still on the old secret during a
// rotation (the keyset sealed since under the new one) fails every
// minute until it is restarted, and said so every minute.
func (m *Mux) checkKeyset(ctx context.Context) {
	found, err := m.store.CheckKeyset(ctx)
	if err == nil {
		if m.keysetLog.swap("") {
			m.log.Info("keyset checked again")
		}
	}
	switch {
	case err != nil && ctx.Err() == nil:
		if m.keysetLog.swap(err.Error()) {
			m.log.Warn("keyset not checked (told again only if this changes)", "error", err.Error())
		}
	case found == storage.KeysetKeptAgain:
		m.log.Warn("keyset lost with Redis's data: the keys in use kept again")
	case found == storage.KeysetReplaced:
		m.log.Warn("keyset kept by a replica started since Redis lost its data replaced with the keys in use")
	case found == storage.KeysetAdopted:
		m.log.Warn("keys in use differed from the keyset kept in Redis: now using the keyset")
	}
}

// Remind reminds investigators of claims left untouched for RemindAfter,
// and announces in the investigator chats urgent tips waiting longer than
// UrgentAfter. Each goes out once per claim or tip.
func (m *Mux) Remind(ctx context.Context) error {
	claims, err := m.store.OpenClaims(ctx, m.triage.ClaimTimeout)
	if err != nil {
		return err
	}
	for _, cl := range claims {
		switch {
		case !cl.Waiting && cl.Idle >= m.triage.RemindAfter && cl.Claimer.Route != "":
			if first, err := m.store.MarkOnce(ctx, cl.TipID, "rm"); err != nil || !first {
				continue
			}
			// Not to someone no longer on the team (revoked while their
			// /next ran, taken out of the configuration): the claim
			// returns to the queue when it times out.
			if on, err := m.stillOnTeam(ctx, cl.Claimer.Key); err != nil {
				_ = m.store.Unmark(ctx, cl.TipID, "rm") // asked again at the next sweep
				continue
			} else if !on {
				continue
			}
			lang := cmp.Or(cl.Claimer.Language, m.lang) // the language they work in
			text := m.msg.Localize(lang, "remind_claim", map[string]any{"ID": cl.TipID, "Age": m.ageIn(lang, cl.Idle)})
			m.notify(ctx, cl.Claimer.Route, Reply{Text: text})
		case cl.Waiting && cl.Priority == "urgent" && m.now().Sub(cl.Created) >= m.triage.UrgentAfter:
			if first, err := m.store.MarkOnce(ctx, cl.TipID, "ua"); err != nil || !first {
				continue
			}
			data := map[string]any{"ID": cl.TipID, "Age": m.ageIn(m.lang, m.now().Sub(cl.Created))}
			chats, delivered := m.teamChatRoutes(), 0
			for _, chat := range chats {
				if m.notifyQuietly(ctx, chat, Reply{Text: m.notice(chat, m.lang, "announce_urgent", data)}) {
					delivered++
				}
			}
			if delivered > 0 && delivered < len(chats) {
				m.log.Warn("urgent tip announced in some investigators' chats only", "refused", len(chats)-delivered)
			}
			if delivered == 0 {
				// No chat took it (none configured, the bot removed, the
				// platform down): announced at the next sweep instead, while
				// the tip still waits, and told of once an hour.
				if err := m.store.Unmark(ctx, cl.TipID, "ua"); err != nil {
					return err
				}
				if m.urgentLog.due(m.now(), time.Hour) {
					m.log.Warn("urgent tip not announced: no investigators' chat took the announcement; trying again every minute (check VIGIA_INVESTIGATOR_CHATS and the bot's rights there)")
				}
			}
		}
	}
	return nil
}

// ageIn renders a duration in lang, like Context.age.
func (m *Mux) ageIn(lang string, d time.Duration) string {
	switch {
	case d < time.Minute:
		return m.msg.Localize(lang, "age_under_minute", nil) // not "0 minutes"
	case d < time.Hour:
		return m.msg.Localize(lang, "age_minutes", nil, int(d/time.Minute))
	case d < 48*time.Hour:
		return m.msg.Localize(lang, "age_hours", nil, int(d/time.Hour))
	default:
		return m.msg.Localize(lang, "age_days", nil, int(d/(24*time.Hour)))
	}
}

// spanIn renders a set length of time (a setting, a delay the user chose)
// in lang, exactly where it can: in days or hours when it is a whole
// number of them, else in minutes ("90 minutes" where ageIn would say
// "1 hour").
func (m *Mux) spanIn(lang string, d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= day && d%day == 0:
		return m.msg.Localize(lang, "age_days", nil, int(d/day))
	case d >= time.Hour && d%time.Hour == 0:
		return m.msg.Localize(lang, "age_hours", nil, int(d/time.Hour))
	default:
		return m.msg.Localize(lang, "age_minutes", nil, max(int(d/time.Minute), 1))
	}
}

// keysetLog is the reason the keyset check last failed, "" if it went
// through: a failure is told of once, not at every sweep.
type keysetLog struct {
	mu     sync.Mutex
	reason string
}

// swap keeps reason as the last one and reports whether it changed.
func (l *keysetLog) swap(reason string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := l.reason != reason
	l.reason = reason
	return changed
}
