package storage

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// ErrEmptyDraft is returned when a draft with nothing in it is sent.
var ErrEmptyDraft = errors.New("draft is empty")

// submittedTTL is how long a sent draft remembers its tip, for retries.
const submittedTTL = 7 * 24 * time.Hour

// Submission is the result of sending a draft.
type Submission struct {
	TipID   string
	Receipt string
	// Repeat is true when this draft had been sent before (a retried or
	// redelivered Send): the same tip and receipt are returned.
	Repeat bool
	// Alerts are entities this tip made reach the corroboration threshold.
	Alerts []Signal
	// IndexErr is set when the tip is stored but its index update failed.
	IndexErr error
	// Category is the tip's category (chosen or suggested).
	Category tips.Category
}

// sealedTip is what a tip's sealed blob holds: its content and, for
// counting distinct reporters later, the reporter's pseudonym.
type sealedTip struct {
	Content  tips.Content `json:"c"`
	Reporter string       `json:"r"`
}

// saveTip stores a tip, queues it for triage and indexes it, unless the
// draft was already sent; then it returns the earlier submission record.
var saveTip = redis.NewScript(`
local prev = redis.call('GET', KEYS[5])
if prev then return prev end
local entry = redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[8], '*', 'id', ARGV[1])
redis.call('HSET', KEYS[1], 'k', ARGV[2], 'd', ARGV[3], 'c', ARGV[4], 's', ARGV[5], 't', ARGV[6], 'p', 'normal', 'e', entry)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[8])
redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[7])
redis.call('SET', KEYS[5], ARGV[9], 'PX', ARGV[10])
return false`)

// claimDraft marks the draft ARGV[1] as being sent (so the expiry sweeper
// leaves it alone) and returns all its fields, or false if it is not there.
var claimDraft = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'sending', ARGV[2])
return redis.call('HGETALL', KEYS[1])`)

// finishDraft runs once the tip is stored: it raises the reporter's event
// floor, so redelivered events of this tip cannot start a new draft, and
// removes the sent parts. Parts added meanwhile stay, as a new draft.
// ARGV: draft id, floor, floor ttl ms, parts sent, chars sent, new id, sent fields...
var finishDraft = redis.NewScript(`
local floor = redis.call('HGET', KEYS[2], 'floor')
if not floor or ARGV[2] > floor then redis.call('HSET', KEYS[2], 'floor', ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n <= tonumber(ARGV[4]) then redis.call('DEL', KEYS[1]) return 1 end
for i = 7, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local chars = tonumber(redis.call('HGET', KEYS[1], 'chars') or '0') - tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'id', ARGV[6], 'n', n - tonumber(ARGV[4]), 'chars', chars)
redis.call('HDEL', KEYS[1], 'sending', 'cat')
return 2`)

// floorTTL is how long a sent tip's events are remembered; Telegram keeps
// an unconfirmed update for at most 24 hours.
const floorTTL = 48 * time.Hour

// SubmitDraft turns the reporter's draft draftID into a tip: sealed under a
// fresh data key, queued on the triage stream, findable by its receipt. It
// returns only once Redis has the tip. Sending the same draft again returns
// the same tip. eventID is the platform event that pressed Send.
func (s *Store) SubmitDraft(ctx context.Context, pseudonym, draftID, language string, eventID int64) (Submission, error) {
	return s.submit(ctx, pseudonym, draftID, language, eventID, "")
}

// submit is SubmitDraft with a receipt code chosen in advance ("" draws
// one): a spooled tip keeps the code its reporter was already given.
func (s *Store) submit(ctx context.Context, pseudonym, draftID, language string, eventID int64, receipt string) (Submission, error) {
	subID := s.kr.submissionID(pseudonym, draftID)
	subKey := s.k.submitted(subID)
	if sub, err := s.submitted(ctx, subKey, subID, pseudonym, draftID); !errors.Is(err, ErrNotFound) {
		return sub, err
	}
	now := s.now()
	raw, err := claimDraft.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, draftID, now.UnixMilli()).StringSlice()
	if errors.Is(err, redis.Nil) {
		return Submission{}, ErrNotFound
	}
	if err != nil {
		return Submission{}, fmt.Errorf("claim draft: %w", err)
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(raw); i += 2 {
		fields[raw[i]] = raw[i+1]
	}
	content, err := s.draftContent(fields, pseudonym)
	if err != nil {
		return Submission{}, err
	}
	if len(content.Parts) == 0 {
		return Submission{}, ErrEmptyDraft
	}
	content.Language = language
	// The reporter's choice wins; without one, the classifier suggests.
	suggested, confidence := tips.Classify(content.Text())
	category, ok := tips.ParseCategory(fields["cat"])
	if !ok {
		category = suggested
	}
	ok = ok && fields["cat"] != "" // the reporter chose it
	if receipt == "" {
		if receipt, err = tips.NewReceipt(rand.Reader); err != nil {
			return Submission{}, err
		}
	}
	seq, err := s.rdb.Incr(ctx, s.k.tipSeq()).Result()
	if err != nil {
		return Submission{}, fmt.Errorf("number tip: %w", err)
	}
	id := strconv.FormatInt(seq, 10)
	wrapped, blob, err := s.sealTip(id, sealedTip{Content: content, Reporter: pseudonym})
	if err != nil {
		return Submission{}, err
	}
	sealedReceipt, err := s.kr.seal([]byte(receipt), submissionContext(subID))
	if err != nil {
		return Submission{}, err
	}
	oldest := now.Add(-s.retention).UnixMilli()
	prev, err := saveTip.Run(ctx, s.rdb,
		[]string{s.k.tip(id), s.k.triage(), s.k.recent(), s.k.receipt(s.kr.receiptID(receipt)), subKey},
		id, wrapped, blob, string(category), string(tips.StatusNew), now.UnixMilli(), s.retention.Milliseconds(),
		oldest, id+"|"+base64.StdEncoding.EncodeToString(sealedReceipt), min(submittedTTL, s.retention).Milliseconds()).Text()
	switch {
	case errors.Is(err, redis.Nil):
		// stored now
	case err != nil:
		return Submission{}, fmt.Errorf("save tip: %w", err)
	default:
		return s.decodeSubmitted(prev, subID, pseudonym, draftID)
	}
	// A reporter who allowed questions can be reached, for as long as the
	// tip lives; the route is sealed with the tip's own key.
	if fields["fu"] == "1" {
		if route, err := s.kr.open([]byte(fields["route"]), "route:"+pseudonym); err == nil {
			if err := s.saveRoute(ctx, id, string(route), language); err != nil {
				return Submission{}, err
			}
		}
	}
	// Stored files now live as long as the tip. Should this fail, the tip
	// still says a file was sent; investigators are told it is missing.
	for _, id := range storedFiles(content) {
		s.rdb.PExpire(ctx, s.k.file(id), s.retention)
	}
	// The tip is durable. Tidying the draft may fail without harm: a retried
	// Send finds the submission record and returns the same tip.
	floor := eventID
	var sent []any
	for f := range fields {
		if ev, ok := strings.CutPrefix(f, "p:"); ok {
			sent = append(sent, f)
			if n, err := strconv.ParseInt(ev, 10, 64); err == nil && n > floor {
				floor = n
			}
		}
	}
	chosen := 0
	if ok {
		chosen = 1
	}
	// The names of the tip's receipt and submission records, so /purge can
	// find them (they are MACs: they say nothing by themselves).
	s.rdb.HSet(ctx, s.k.tip(id), "sg", string(suggested), "sx", int(confidence*100), "rc", chosen,
		"rk", s.k.receipt(s.kr.receiptID(receipt)), "sb", subKey)
	// The tip is stored; a failed index update must not make the reporter
	// resend it, so it is reported to the caller, not returned as failure.
	alerts, indexErr := s.index(ctx, id, pseudonym, category, content.Text(), now)
	newID := make([]byte, 8)
	_, _ = rand.Read(newID)
	args := append([]any{draftID, eventKey(floor), floorTTL.Milliseconds(), len(sent), cmp.Or(fields["chars"], "0"), hex.EncodeToString(newID)}, sent...)
	if res, err := finishDraft.Run(ctx, s.rdb, []string{s.k.draft(pseudonym), s.k.state(pseudonym)}, args...).Int(); err == nil && res == 1 {
		s.rdb.ZRem(ctx, s.k.draftDeadlines(), pseudonym)
	}
	return Submission{TipID: id, Receipt: receipt, Alerts: alerts, IndexErr: indexErr, Category: category}, nil
}

// submissionContext binds a sent draft's sealed receipt to the record's
// name, a MAC of the reporter and the draft: vigia rotate-key can re-seal
// it knowing only the name.
func submissionContext(subID string) string { return "submitted:" + subID }

// legacySubmissionContext is what records written before rotate-key existed
// are bound to; they live at most submittedTTL.
func legacySubmissionContext(pseudonym, draftID string) string {
	return "receipt:" + pseudonym + ":" + draftID
}

func (s *Store) submitted(ctx context.Context, key, subID, pseudonym, draftID string) (Submission, error) {
	v, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return Submission{}, ErrNotFound
	}
	if err != nil {
		return Submission{}, fmt.Errorf("check submitted: %w", err)
	}
	return s.decodeSubmitted(v, subID, pseudonym, draftID)
}

func (s *Store) decodeSubmitted(v, subID, pseudonym, draftID string) (Submission, error) {
	id, enc, ok := strings.Cut(v, "|")
	if !ok {
		return Submission{}, fmt.Errorf("submitted record is malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return Submission{}, fmt.Errorf("submitted record: %w", err)
	}
	receipt, err := s.kr.open(raw, submissionContext(subID))
	if err != nil {
		receipt, err = s.kr.open(raw, legacySubmissionContext(pseudonym, draftID))
	}
	if err != nil {
		return Submission{}, fmt.Errorf("submitted receipt: %w", err)
	}
	return Submission{TipID: id, Receipt: string(receipt), Repeat: true}, nil
}

// sealTip seals a tip under a fresh data key and wraps that key.
func (s *Store) sealTip(id string, t sealedTip) (wrapped, blob []byte, err error) {
	plain, err := json.Marshal(t)
	if err != nil {
		return nil, nil, fmt.Errorf("encode tip: %w", err)
	}
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, nil, fmt.Errorf("data key: %w", err)
	}
	if blob, err = seal(dataKey, plain, "tip:"+id); err != nil {
		return nil, nil, err
	}
	if wrapped, err = s.kr.seal(dataKey, "tipkey:"+id); err != nil {
		return nil, nil, err
	}
	return wrapped, blob, nil
}

// Tip returns the tip id, opened, with its history, or ErrNotFound.
func (s *Store) Tip(ctx context.Context, id string) (tips.Tip, error) {
	fields, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return tips.Tip{}, fmt.Errorf("read tip: %w", err)
	}
	t, err := s.openTip(id, fields)
	if err != nil {
		return t, err
	}
	if dataKey, err := s.kr.open([]byte(fields["k"]), "tipkey:"+id); err == nil {
		t.History = s.history(ctx, id, dataKey)
	}
	n, err := s.rdb.Exists(ctx, s.k.route(id)).Result()
	if err != nil {
		return t, fmt.Errorf("read route: %w", err)
	}
	t.FollowUp = n == 1
	return t, nil
}

func (s *Store) openTip(id string, fields map[string]string) (tips.Tip, error) {
	if fields["k"] == "" {
		return tips.Tip{}, ErrNotFound
	}
	dataKey, err := s.kr.open([]byte(fields["k"]), "tipkey:"+id)
	if err != nil {
		return tips.Tip{}, fmt.Errorf("unwrap tip %s: %w", id, err)
	}
	plain, err := open(dataKey, []byte(fields["d"]), "tip:"+id)
	if err != nil {
		return tips.Tip{}, fmt.Errorf("open tip %s: %w", id, err)
	}
	var st sealedTip
	if err := json.Unmarshal(plain, &st); err != nil {
		return tips.Tip{}, fmt.Errorf("decode tip %s: %w", id, err)
	}
	ms, _ := strconv.ParseInt(fields["t"], 10, 64)
	t := tips.Tip{
		ID:            id,
		Created:       time.UnixMilli(ms),
		Category:      tips.Category(fields["c"]),
		Status:        tips.Status(fields["s"]),
		Priority:      tips.Priority(cmpOr(fields["p"], string(tips.Normal))),
		DuplicateOf:   fields["dup"],
		Content:       st.Content,
		Suggested:     tips.Category(fields["sg"]),
		NearDuplicate: strings.ReplaceAll(fields["nd"], ",", ", #"),
	}
	t.Confidence, _ = strconv.Atoi(fields["sx"])
	t.ReporterChose = fields["rc"] == "1"
	if l := fields["l"]; l != "" {
		if plain, err := open(dataKey, []byte(l), "labels:"+id); err == nil {
			_ = json.Unmarshal(plain, &t.Labels)
		}
	}
	if cw := fields["cw"]; cw != "" && t.Status == tips.StatusClaimed {
		if c, ok := s.openClaimer(cw); ok {
			t.ClaimedBy = c.Name
		}
		if ca, err := strconv.ParseInt(fields["ca"], 10, 64); err == nil {
			t.ClaimedAt = time.UnixMilli(ca)
		}
	}
	if oq := fields["oq"]; oq != "" {
		if plain, err := open(dataKey, []byte(oq), "question:"+id); err == nil {
			t.OpenQuestion = string(plain)
		}
	}
	return t, nil
}

// Recent returns up to n of the newest tips, newest first.
func (s *Store) Recent(ctx context.Context, n int) ([]tips.Tip, error) {
	oldest := strconv.FormatInt(s.now().Add(-s.retention).UnixMilli(), 10)
	ids, err := s.rdb.ZRevRangeByScore(ctx, s.k.recent(), &redis.ZRangeBy{Max: "+inf", Min: oldest, Count: int64(n)}).Result()
	if err != nil {
		return nil, fmt.Errorf("recent tips: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.k.tip(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read recent tips: %w", err)
	}
	out := make([]tips.Tip, 0, len(ids))
	for i, id := range ids {
		t, err := s.openTip(id, cmds[i].Val())
		if errors.Is(err, ErrNotFound) {
			continue // expired between the two reads
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// TipByReceipt returns the tip a receipt code was given for, or ErrNotFound.
// The code must be in canonical form (tips.NormalizeReceipt).
func (s *Store) TipByReceipt(ctx context.Context, receipt string) (tips.Tip, error) {
	id, err := s.rdb.Get(ctx, s.k.receipt(s.kr.receiptID(receipt))).Result()
	if errors.Is(err, redis.Nil) {
		return tips.Tip{}, ErrNotFound
	}
	if err != nil {
		return tips.Tip{}, fmt.Errorf("find receipt: %w", err)
	}
	return s.Tip(ctx, id)
}
