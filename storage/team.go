package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// ErrBadInvite is returned for a code that is unknown, expired, revoked or
// used: deliberately one error, so a guesser learns nothing.
var ErrBadInvite = errors.New("invalid invitation")

// Member is a vetted investigator or admin. Investigators are not
// anonymous: the team knows who they are. The record is sealed all the same.
type Member struct {
	// Key is the member's pseudonym, which names them in storage.
	Key      string    `json:"-"`
	Platform string    `json:"p"`
	UserID   string    `json:"u"`
	Name     string    `json:"n"`
	Role     string    `json:"r"`
	Since    time.Time `json:"s"`
	// Invite is the audit tag of the invitation they joined with
	// (CodeTag), as /invite and the audit log show it; "" for members who
	// joined before it was kept.
	Invite string `json:"i,omitempty"`
	// LastActive is when they last used an investigator command.
	LastActive time.Time `json:"-"`
}

// Invite creates a single-use invitation code for role, valid for ttl. Only
// the code's MAC is stored; the code is shown once, to the admin.
func (s *Store) Invite(ctx context.Context, role string, by string, ttl time.Duration) (string, error) {
	code, err := tips.NewReceipt(rand.Reader)
	if err != nil {
		return "", err
	}
	rec, err := json.Marshal(map[string]string{"role": role, "by": by})
	if err != nil {
		return "", err
	}
	sealed, err := s.kr.seal(rec, "invite")
	if err != nil {
		return "", err
	}
	if err := s.rdb.Set(ctx, s.k.invite(s.kr.receiptMAC("invite\x00"+code)), sealed, ttl).Err(); err != nil {
		return "", fmt.Errorf("store invite: %w", err)
	}
	return code, nil
}

// RevokeInvite deletes an unused invitation. It returns ErrBadInvite if
// there is none.
func (s *Store) RevokeInvite(ctx context.Context, code string) error {
	voided, err := s.VoidInvites(ctx, []string{code})
	if err != nil {
		return err
	}
	if !voided[0] {
		return ErrBadInvite
	}
	return nil
}

// VoidInvites deletes those of codes that are unused invitations, in one
// round trip, and reports which were.
func (s *Store) VoidInvites(ctx context.Context, codes []string) ([]bool, error) {
	pipe := s.rdb.Pipeline()
	dels := make([]*redis.IntCmd, len(codes))
	for i, code := range codes {
		dels[i] = pipe.Del(ctx, s.k.invite(s.kr.receiptMAC("invite\x00"+code)))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("void invites: %w", err)
	}
	out := make([]bool, len(codes))
	for i, d := range dels {
		out[i] = d.Val() > 0
	}
	return out, nil
}

// InviteRole returns the role an invitation code is for and who made it
// (a pseudonym), without using it up, or ErrBadInvite.
func (s *Store) InviteRole(ctx context.Context, code string) (role, by string, err error) {
	_, rec, err := s.invitation(ctx, code)
	if err != nil {
		return "", "", err
	}
	return rec["role"], rec["by"], nil
}

// invitation reads an invitation code's record, and its key, without
// using it up; ErrBadInvite if there is none or it cannot be opened.
func (s *Store) invitation(ctx context.Context, code string) (string, map[string]string, error) {
	key := s.k.invite(s.kr.receiptMAC("invite\x00" + code))
	sealed, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return key, nil, ErrBadInvite
	}
	if err != nil {
		return key, nil, fmt.Errorf("invitation: %w", err)
	}
	plain, err := s.kr.open(sealed, "invite")
	if err != nil {
		return key, nil, ErrBadInvite
	}
	var rec map[string]string
	if err := json.Unmarshal(plain, &rec); err != nil || rec["role"] == "" {
		return key, nil, ErrBadInvite
	}
	return key, rec, nil
}

// Redeem uses an invitation: the code is consumed atomically (a second use
// fails) and the user joins the team with the invitation's role. inviterOK
// is asked first whether whoever made the invitation may still make it (an
// admin revoked since, or removed from the configuration, may not): if not,
// the code is void, deleted, and ErrBadInvite returned. A nil inviterOK
// asks nothing.
func (s *Store) Redeem(ctx context.Context, code string, m Member, inviterOK func(ctx context.Context, by string) (bool, error)) (Member, error) {
	key, rec, err := s.invitation(ctx, code)
	if err != nil {
		return Member{}, err
	}
	if inviterOK != nil {
		ok, err := inviterOK(ctx, rec["by"])
		if err != nil {
			return Member{}, fmt.Errorf("redeem: %w", err)
		}
		if !ok {
			s.rdb.Del(ctx, key)
			return Member{}, ErrBadInvite
		}
	}
	// Consumed here, in one step: of two redeeming at once, one gets it.
	if n, err := s.rdb.Del(ctx, key).Result(); err != nil {
		return Member{}, fmt.Errorf("redeem: %w", err)
	} else if n == 0 {
		return Member{}, ErrBadInvite
	}
	m.Role, m.Since, m.Invite = rec["role"], s.now(), s.CodeTag(code)
	m.Key = s.kr.Pseudonym(m.Platform, m.UserID)
	if prev, err := s.Role(ctx, m.Key); err == nil && prev == "admin" {
		m.Role = "admin" // an investigator code never demotes an admin
	}
	blob, err := json.Marshal(m)
	if err != nil {
		return Member{}, err
	}
	sealedMember, err := s.kr.seal(blob, "member:"+m.Key)
	if err != nil {
		return Member{}, err
	}
	if err := s.rdb.HSet(ctx, s.k.teamMembers(), m.Key, sealedMember).Err(); err != nil {
		return Member{}, fmt.Errorf("join team: %w", err)
	}
	return m, nil
}

// Role returns the role a user was vetted for by invitation, or "". It is
// read from the sealed member record, so writing to Redis alone cannot
// make anyone an investigator or an admin.
func (s *Store) Role(ctx context.Context, pseudonym string) (string, error) {
	sealed, err := s.rdb.HGet(ctx, s.k.teamMembers(), pseudonym).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("team role: %w", err)
	}
	return s.memberRole(pseudonym, sealed), nil
}

// Profile is what every request needs to know about its sender.
type Profile struct {
	Language  string // their chosen language ("" if none)
	Role      string // their team role ("" if none; see Role)
	Answering bool   // they have a question to answer (see Answering)
	// ClientLanguage is the language their client last gave, where a
	// platform gives one with some of their requests only
	// (SetClientLanguage; "" if none).
	ClientLanguage string
	// Allowed and FirstOver are the answer of the rate limit counted with
	// the profile, as Allow gives them (Allowed when none was counted).
	Allowed, FirstOver bool
}

// Limit is a rate limit to count: one event of Kind for Subject, at most
// Max per Window (see Allow).
type Limit struct {
	Subject, Kind string
	Max           int
	Window        time.Duration
}

// Profile reads what every request needs to know about its sender (with
// client, the client language kept for them too: Profile.ClientLanguage)
// and, when count is set, counts that rate limit: one round trip.
func (s *Store) Profile(ctx context.Context, pseudonym string, count *Limit, client bool) (Profile, error) {
	pipe := s.rdb.Pipeline()
	r := s.profileOn(ctx, pipe, pseudonym, client)
	var counted *redis.Cmd
	var keys []string
	var args []any
	if count != nil {
		keys, args = s.allowArgs(count)
		counted = allow.EvalSha(ctx, pipe, keys, args...)
	}
	_, err := pipe.Exec(ctx)
	// What could be read is returned even when the count failed (Redis out
	// of memory or read-only refuses the script, not the reads).
	p := r.profile(s, pseudonym)
	if counted != nil {
		counted = s.uncached(ctx, allow, counted, keys, args...)
		n, cerr := counted.Int()
		if cerr != nil {
			return p, fmt.Errorf("rate limit: %w", cerr)
		}
		p.Allowed, p.FirstOver = n == 1, n == 0
	}
	if err != nil && !errors.Is(err, redis.Nil) && !isNoScript(err) {
		return p, fmt.Errorf("profile: %w", err)
	}
	return p, nil
}

// ProfileSend is Profile for a press of Send on draft draftID in the
// sender's private chat, whose limit (count, if set) is counted on the
// sender's own state: in the same round trip, once the chat's limit
// allows it, it takes the Send's first step (SubmitDraftWithin's, tip
// limit counted): one round trip fewer per tip. The claim it returns,
// nil if it took none (the chat over its limit, or Redis failing: the
// Send then goes as any other), is for SubmitClaimed, or to Release.
func (s *Store) ProfileSend(ctx context.Context, pseudonym string, count *Limit, client bool, draftID string, limit *Limit) (Profile, *SendClaim, error) {
	if count != nil && count.Subject != pseudonym {
		p, err := s.Profile(ctx, pseudonym, count, client)
		return p, nil, err
	}
	pipe := s.rdb.Pipeline()
	r := s.profileOn(ctx, pipe, pseudonym, client)
	cl, err := s.claimOn(ctx, pipe, pseudonym, draftID, "", limit, count)
	if err != nil {
		p, err := s.Profile(ctx, pseudonym, count, client)
		return p, nil, err
	}
	_, _ = pipe.Exec(ctx)
	// What could be read is returned even when the rest failed, as
	// Profile does.
	p := r.profile(s, pseudonym)
	var rerr error
	if err := r.err(); err != nil {
		rerr = fmt.Errorf("profile: %w", err)
	}
	if isNoScript(cl.claim.Err()) {
		cl.claim = claimDraft.Eval(ctx, onceScripter{s.rdb}, cl.keys, cl.args...)
	}
	if err := cl.claim.Err(); err != nil && !errors.Is(err, redis.Nil) && ReplyLost(err) {
		cl.look(ctx) // its reply lost: ran, it is this Send's claim
	}
	cerr := cl.claim.Err()
	if cerr == nil || errors.Is(cerr, redis.Nil) {
		cerr = cl.prior.Err() // (a Send not known to be new is not claimed here)
	}
	if cerr != nil && !errors.Is(cerr, redis.Nil) {
		// Not known to be claimed: the Send claims again, as any other
		// (a claim is idempotent; only its tip limit may count twice, as
		// when a reporter presses Send again after a failure).
		cl.Release(ctx)
		if count != nil {
			return p, nil, fmt.Errorf("rate limit: %w", cerr)
		}
		return p, nil, rerr
	}
	if n, ok := cl.claim.Val().(int64); ok && (n == -7 || n == -8) {
		p.Allowed, p.FirstOver = false, n == -7
		cl.Release(ctx)
		return p, nil, rerr
	}
	return p, cl, rerr
}

// profileReads are a profile's reads, queued on a pipeline.
type profileReads struct {
	lang      valueCmd
	client    *valueCmd // (nil: not read)
	member    valueCmd
	answering *redis.IntCmd
}

func (s *Store) profileOn(ctx context.Context, pipe redis.Pipeliner, pseudonym string, client bool) profileReads {
	r := profileReads{
		lang:      getOn(ctx, pipe, s.k.language(pseudonym)),
		member:    hgetOn(ctx, pipe, s.k.teamMembers(), pseudonym),
		answering: pipe.Exists(ctx, s.k.answering(pseudonym)),
	}
	if client {
		c := getOn(ctx, pipe, s.k.clientLanguage(pseudonym))
		r.client = &c
	}
	return r
}

// err is the first of the reads' errors (a key not there is none).
func (r profileReads) err() error {
	errs := []error{r.lang.Err(), r.member.Err(), r.answering.Err()}
	if r.client != nil {
		errs = append(errs, r.client.Err())
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// profile is what the reads found (Allowed, until a count says otherwise).
func (r profileReads) profile(s *Store, pseudonym string) Profile {
	p := Profile{Allowed: true, Language: r.lang.Val(), Answering: r.answering.Val() == 1}
	if r.client != nil {
		p.ClientLanguage = r.client.Val()
	}
	if sealed, err := r.member.Bytes(); err == nil {
		p.Role = s.memberRole(pseudonym, sealed)
	}
	return p
}

// memberRole opens a member's sealed record and returns its role ("" if it
// does not open: writing to Redis alone cannot make a member).
func (s *Store) memberRole(pseudonym string, sealed []byte) string {
	plain, err := s.kr.open(sealed, "member:"+pseudonym)
	if err != nil {
		return ""
	}
	var m Member
	if json.Unmarshal(plain, &m) != nil {
		return ""
	}
	return m.Role
}

// Revoke removes a member vetted by invitation, and their second factor;
// ErrNotFound if none.
func (s *Store) Revoke(ctx context.Context, key string) error {
	err := s.DropInvitedRole(ctx, key)
	if err := s.dropSecondFactor(ctx, key); err != nil {
		return fmt.Errorf("revoke second factor: %w", err)
	}
	return err
}

// DropInvitedRole removes the role a member was given by invitation and
// nothing else: for a member the configuration also lists, whose second
// factor stays theirs; ErrNotFound if none.
func (s *Store) DropInvitedRole(ctx context.Context, key string) error {
	n, err := s.rdb.HDel(ctx, s.k.teamMembers(), key).Result()
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	s.rdb.HDel(ctx, s.k.teamActive(), key)
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Touch records that a member acted now.
func (s *Store) Touch(ctx context.Context, key string) error {
	return s.rdb.HSet(ctx, s.k.teamActive(), key, s.now().UnixMilli()).Err()
}

// Team lists the members vetted by invitation, oldest first.
func (s *Store) Team(ctx context.Context) ([]Member, error) {
	recs, err := s.rdb.HGetAll(ctx, s.k.teamMembers()).Result()
	if err != nil {
		return nil, fmt.Errorf("team: %w", err)
	}
	active, err := s.rdb.HGetAll(ctx, s.k.teamActive()).Result()
	if err != nil {
		return nil, fmt.Errorf("team activity: %w", err)
	}
	var out []Member
	for key, sealed := range recs {
		plain, err := s.kr.open([]byte(sealed), "member:"+key)
		if err != nil {
			continue
		}
		var m Member
		if json.Unmarshal(plain, &m) != nil {
			continue
		}
		m.Key = key
		if ms, err := strconv.ParseInt(active[key], 10, 64); err == nil {
			m.LastActive = time.UnixMilli(ms)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out, nil
}

// MemberName is a team member as investigators read them: the name they
// go by, which anyone may copy, and their member tag, which tells them
// apart.
type MemberName struct {
	Name string
	Tag  string
}

// tagAlphabet spells member tags: no 0, O, 1 or I, which read alike.
const tagAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// MemberTag is the short tag of a team member (by pseudonym) that
// investigators see beside their name in tips' histories, claims and the
// queue, and admins in /team: a display name can be copied by a colleague,
// the tag cannot (a hash of the member's keyed pseudonym, stable as it is;
// it reveals nothing of the member's platform id, nor of any reporter).
// Five characters of 32 (25 bits): two members of a team of a hundred
// share one once in some 7,000 teams (four, 20 bits, once in 200; two of
// a team of 300 once in 25), and a shared tag tells nobody apart. Its
// first four are the four-character tag entries made before kept, so
// those still read as the same member's.
func MemberTag(key string) string {
	sum := sha256.Sum256([]byte("vigia member tag\x00" + key))
	v := uint32(sum[3])<<24 | uint32(sum[0])<<16 | uint32(sum[1])<<8 | uint32(sum[2])
	b := make([]byte, 5)
	for i := range b {
		b[i] = tagAlphabet[v&31]
		v >>= 5
	}
	return string(b)
}
