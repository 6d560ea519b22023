package commands

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/vigia-project/vigia/storage"
)

// SecondFactor configures the investigators' second factor.
type SecondFactor struct {
	// Required makes team commands wait for /unlock with a TOTP code.
	Required bool
	// UnlockFor is how long an unlock lasts (12 h).
	UnlockFor time.Duration
	// ShowSecretFor is how long the enrolment message stays (2 min).
	ShowSecretFor time.Duration
	// WrongCodes is how many /unlock attempts a member gets per 15 minutes (5).
	WrongCodes int
}

func (f *SecondFactor) defaults() {
	if f.UnlockFor <= 0 {
		f.UnlockFor = 12 * time.Hour
	}
	if f.ShowSecretFor <= 0 {
		f.ShowSecretFor = 2 * time.Minute
	}
	if f.WrongCodes <= 0 {
		f.WrongCodes = 5
	}
}

// totpOptions are the authenticator apps' common settings: 6 digits, 30 s.
var totpOptions = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// locked reports whether a team member must still give their second factor.
func (m *Mux) locked(ctx context.Context, c *Context) (bool, error) {
	if !m.twoFactor.Required || c.Role < Investigator {
		return false, nil
	}
	ok, err := m.store.Unlocked(ctx, c.Pseudonym)
	return !ok, err
}

// enroll gives a team member a new TOTP secret, in a message deleted after
// ShowSecretFor. Replacing a confirmed secret needs a code from it, so an
// unlocked but stolen session cannot take over the second factor.
func enroll(ctx context.Context, c *Context) error {
	m := c.mux
	if !m.twoFactor.Required {
		return c.Say(ctx, "twofa_off", nil)
	}
	switch f, err := m.store.SecondFactor(ctx, c.Pseudonym); {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	case f.Confirmed || f.Guarded:
		ok, err := c.checkCode(ctx, f.Secret, c.Request.Args, "enroll_usage")
		if err != nil || !ok {
			return err
		}
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Vigia", AccountName: "investigator", SecretSize: 20,
		Period: totpOptions.Period, Digits: totpOptions.Digits, Algorithm: totpOptions.Algorithm})
	if err != nil {
		return err
	}
	text := c.T("enroll_secret", map[string]any{
		"Secret": groupsOf4(key.Secret()), "URL": key.URL(),
		"Minutes": max(1, int(m.twoFactor.ShowSecretFor/time.Minute)),
	})
	sender, ok := m.senders[c.Request.Platform]
	if !ok || c.Request.UserChat == "" {
		// No way to delete it later (the terminal demo): show it here.
		if err := m.store.Enroll(ctx, c.Pseudonym, key.Secret()); err != nil {
			return err
		}
		return c.Reply(ctx, Reply{Text: text, Protected: true})
	}
	// The key is stored only once it has reached the member: a key that
	// never arrived (direct messages closed, a failed send) must not
	// replace the one they have, or they could neither /unlock nor
	// enrol again without an admin.
	ids, err := sender.Send(ctx, c.Request.UserChat, Reply{Text: text, Protected: true})
	if errors.Is(err, ErrDestinationGone) {
		return c.Say(ctx, "enroll_dm_closed", nil)
	}
	if err != nil {
		return err
	}
	// (Language and Pseudonym: if its deletion is given up, the member is
	// told so, in their language: tellWipeGivenUp.)
	w := storage.Wipe{Route: c.Request.Platform + ":" + c.Request.UserChat, MessageID: lastID(ids), Language: c.Lang, Pseudonym: c.Pseudonym}
	wipeErr := m.store.ScheduleWipe(ctx, w, m.now().Add(m.twoFactor.ShowSecretFor))
	if err := m.store.Enroll(ctx, c.Pseudonym, key.Secret()); err != nil {
		return err
	}
	if wipeErr != nil {
		// The secret is on screen and will not go away by itself: say so.
		m.log.Warn("enrolment message deletion not scheduled", "error", wipeErr.Error())
		return c.Say(ctx, "enroll_delete_failed", nil)
	}
	if c.Request.ChatID != c.Request.UserChat {
		return c.Say(ctx, "enroll_sent", nil)
	}
	return nil
}

// unlock checks a TOTP code and unlocks team commands for UnlockFor.
func unlock(ctx context.Context, c *Context) error {
	m := c.mux
	if !m.twoFactor.Required {
		return c.Say(ctx, "twofa_off", nil)
	}
	f, err := m.store.SecondFactor(ctx, c.Pseudonym)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "unlock_not_enrolled", nil)
	}
	if err != nil {
		return err
	}
	if ok, err := c.checkCode(ctx, f.Secret, c.Request.Args, "unlock_usage"); err != nil || !ok {
		return err
	}
	return c.Say(ctx, "unlocked", map[string]any{"Period": m.spanIn(c.Lang, m.twoFactor.UnlockFor)})
}

// lock ends the member's unlock now. Without a second factor there is
// nothing to lock, and it says so rather than "Locked".
func lock(ctx context.Context, c *Context) error {
	if !c.mux.twoFactor.Required {
		return c.Say(ctx, "twofa_off", nil)
	}
	if err := c.mux.store.Lock(ctx, c.Pseudonym); err != nil {
		return err
	}
	return c.Say(ctx, "locked_now", nil)
}

// codeWindow is the window of the second factor's attempts.
const codeWindow = 15 * time.Minute

// checkCode accepts code if it is the secret's code for the current 30 s
// step or a neighbour (clock drift), and that step was not used before;
// using it unlocks the member. Attempts are limited per member. It answers
// the user itself when the code is not accepted (with usage when there is
// no code at all).
func (c *Context) checkCode(ctx context.Context, secret, code, usage string) (bool, error) {
	m := c.mux
	// What is not six digits is no guess at a code: the usage, uncounted.
	// Digits are read as every command reads numbers (asciiNumerals: an
	// Arabic or full-width keyboard's), and any space is dropped ("123 456"
	// as apps show it, with a no-break space when copied from some).
	code = strings.Join(strings.Fields(asciiNumerals(code)), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return false, c.Say(ctx, usage, nil)
	}
	// Counted before it is checked, so that guesses sent at once are all
	// counted; a right one is forgiven below: wrong codes alone run down
	// the attempts (locking and unlocking a few times shut a member out).
	ok, _, err := m.store.Allow(ctx, c.Pseudonym, "totp", m.twoFactor.WrongCodes, codeWindow)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, c.Say(ctx, "unlock_too_many", nil)
	}
	now := m.now().Unix() / int64(totpOptions.Period)
	for _, step := range []int64{now, now - 1, now + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*int64(totpOptions.Period), 0), totpOptions)
		if err != nil {
			return false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		fresh, err := m.store.Unlock(ctx, c.Pseudonym, step, m.twoFactor.UnlockFor)
		if err != nil {
			return false, err
		}
		if !fresh {
			return false, c.Say(ctx, "unlock_used", nil)
		}
		if err := m.store.Forgive(ctx, c.Pseudonym, "totp", codeWindow); err != nil {
			m.log.Warn("second-factor attempt not forgiven", "error", err.Error()) // (it only counts against them)
		}
		return true, nil
	}
	return false, c.Say(ctx, "unlock_wrong", nil)
}

// groupsOf4 spaces a secret for reading and typing.
func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
