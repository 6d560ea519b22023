package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// route is where a reporter who allowed questions can be reached.
type route struct {
	Route    string `json:"r"`
	Language string `json:"l"`
}

// ReporterRoute returns where to reach a tip's reporter and in which
// language, or ErrNotFound if they did not allow questions or forgot it.
func (s *Store) ReporterRoute(ctx context.Context, id string) (string, string, error) {
	sealed, err := s.rdb.Get(ctx, s.k.route(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("read route: %w", err)
	}
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return "", "", err
	}
	plain, err := open(dataKey, sealed, "route:"+id)
	if err != nil {
		return "", "", err
	}
	var r route
	if err := json.Unmarshal(plain, &r); err != nil {
		return "", "", err
	}
	return r.Route, r.Language, nil
}

// A tip's questions to its reporter are numbered from 1 ("qn" counts
// them). Each open one is two fields of the tip's hash, both sealed with
// its data key: "q:<n>", the question, and "qb:<n>", who asked it. "oq"
// is a copy of the newest open question's, which is what the tip shows.
// A tip asked its question before questions were numbered has it in "oq"
// alone: that one is question 0. "qa:<n>" names, by a keyed hash, the
// message whose delivery answered question n (AnswerOnce), so that
// delivering it again is known as done, not as a question closed (or,
// for Answer, which has no message, a token drawn for its one write, by
// which a lost reply is looked for). "qh:<n>" is a keyed hash of the
// answer's words (AnswerOnce): the reporter sending them again in a
// message of its own is known as the same answer. "qu:<n>" and "qv:<n>"
// keep question n and its asker (sealed) from the answer's write until
// the call that wrote it is answered, and "qi:<n>" the answer's place in
// the history: a write whose reply was lost leaves them, and the same
// message or words tried again, by any process, tell them, or, none
// tried again within untold grace, the sweep does (ClaimUntold, then
// FinishUntold once told: taken out then; the tip's "untold" set names
// them for the sweep). "qc:<n>" holds them for the call telling them (a
// token and until when: toTell's, or a sweep's claim), "qr:<n>" counts
// the sweeps' claims that could not read them (untoldUnread). "qe:<n>" says question n expired
// unanswered and was taken out (numberQuestion). /forget takes these
// marks out with the route, but for "qu:", "qv:" and "qi:": an answer
// given before it is still told, once, to who asked (it stays in the
// history all the same). ("qt:<n>", a token of the call that wrote the
// answer, is no longer written: an earlier version's is taken out as
// the tip's next question is numbered, or with /forget.)

// Question is an open question to a tip's reporter.
type Question struct {
	N    int    // its number among the tip's questions (0: asked before they were numbered)
	Text string // as delivered
	By   Claimer
	// Asked is when it was numbered, just before it was delivered
	// ("qs:<n>"), from which its reply window runs; zero if not recorded
	// (a question kept before that was, until the next /ask sees it).
	Asked time.Time
}

// asker is who asked a question: their member pseudonym, to check they are
// still on the team, and where to tell them the answer.
type asker struct {
	Key   string `json:"k"`
	Route string `json:"r"`
	// Language is the one they read, for the answer ("" before it was
	// recorded: the bot's default).
	Language string `json:"l,omitempty"`
}

// Lua shared by the question scripts: "numbered" is whether the tip hash
// holds a numbered question; "logEntry" appends a sealed history entry
// living as long as the tip (as appendLog does), and returns the
// history's length (the entry's place, from 1: the history is only ever
// appended to).
const questionLua = `
local function numbered(tip)
  for _, f in ipairs(redis.call('HKEYS', tip)) do
    if string.sub(f, 1, 2) == 'q:' then return true end
  end
  return false
end
-- pointAtNewest points "oq" at the newest question still asked, or drops it.
local function pointAtNewest(tip)
  local newest = -1
  for _, f in ipairs(redis.call('HKEYS', tip)) do
    local m = string.sub(f, 1, 2) == 'q:' and tonumber(string.sub(f, 3))
    if m and m > newest then newest = m end
  end
  if newest >= 0 then
    redis.call('HSET', tip, 'oq', redis.call('HGET', tip, 'q:' .. newest))
  else
    redis.call('HDEL', tip, 'oq')
  end
end
local function logEntry(tip, log, entry, retention)
  local ttl = redis.call('PTTL', tip)
  if ttl <= 0 then ttl = tonumber(retention) end
  local len = redis.call('RPUSH', log, entry)
  redis.call('PEXPIRE', log, ttl)
  return len
end
`

// ErrNoRoute is returned when a tip's reporter cannot be asked a question:
// they did not allow questions, or withdrew that with /forget.
var ErrNoRoute = errors.New("reporter cannot be asked")

// ErrOpenQuestions is returned when a tip's reporter has MaxOpenQuestions
// questions they have not answered: no more are asked until they answer.
var ErrOpenQuestions = errors.New("too many unanswered questions")

// ErrQuestionsToday is returned when a tip's reporter was asked
// MaxQuestionsPerDay questions in the last 24 hours.
var ErrQuestionsToday = errors.New("too many questions in a day")

// The most questions a tip's reporter is asked, whoever asks: unanswered
// at once, and in 24 hours. Each reaches them in a chat they may keep
// clear for their safety; a rogue investigator, or a stolen unlocked
// phone, must not fill it.
const (
	MaxOpenQuestions   = 3
	MaxQuestionsPerDay = 10
)

// A question counts toward MaxOpenQuestions from when it is numbered
// ("qs:<n>", Unix ms) until it is answered, withdrawn with /forget, or its
// reply window ends; numbered and not yet recorded (on its way), for
// pendingQuestion at most: a process that stopped while delivering it
// does not hold a place for the whole window.
const pendingQuestion = 15 * time.Minute

// expiredQuestionKept is how long after it was asked a question whose reply
// window (window) has ended is kept before its next question takes it out:
// a reply held as that window ended (commands' held messages) keeps its own
// window from when it was held, a day past it for the sweep, and its "it is
// my answer" still answers the question then; and a reply spooled in its
// window is answered to it when replayed. Two windows and two days (a day
// for the question's delivery and the clocks' drift).
func expiredQuestionKept(window time.Duration) time.Duration {
	return 2*window + 48*time.Hour
}

// numberQuestion counts a question of tip KEYS[1], if the tip is still
// there (else 0: a tip that expired or was purged is not brought back),
// its reporter can still be reached at route KEYS[2] (else -1), fewer than
// ARGV[1] of its questions are open (else -2) and fewer than ARGV[2] were
// numbered since ARGV[4] ms before ARGV[3], now (else -3). "qt" keeps when
// (Unix ms) the tip's questions of that span were numbered. Open are those
// asked less than ARGV[5] ms ago (the reply window) and not answered, and
// those numbered less than ARGV[6] ms ago and not yet asked: the question
// numbered is one of them at once ("qs:<n>"), so that two asked at the
// same moment cannot both pass the limit. A question asked before its
// time was kept counts from when it is first seen here. An asked question
// whose reply window has ended no longer counts, and once ARGV[7] ms have
// passed since it was asked (expiredQuestionKept) its fields ("q:<n>",
// "qb:<n>", "qs:<n>") are taken out here, at the tip's next question (the
// HKEYS read already, no scan of its own; at most MaxQuestionsPerDay a day
// are asked), and "oq" becomes the newest left; "qe:<n>" then says it
// expired (a number, no text), so that its Answer, pressed later, says
// its time has ended, not that no question is open (QuestionExpired).
// (Its answered mark "qa:<n>", if any, stays, as for an answered one.)
// An earlier version's "qt:<n>" (a token of the call that wrote an
// answer, read by nothing now) is taken out here too.
var numberQuestion = redis.NewScript(questionLua + `
local tip, now = KEYS[1], tonumber(ARGV[3])
if redis.call('HEXISTS', tip, 'k') == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local asked, since, numbered = {}, {}, false
for _, f in ipairs(redis.call('HKEYS', tip)) do
  local pre, n = string.match(f, '^(q[st]?):(%d+)$')
  if pre == 'q' then asked[n], numbered = true, true end
  if pre == 'qs' then since[n] = true end
  if pre == 'qt' then redis.call('HDEL', tip, f) end
end
if not numbered and redis.call('HEXISTS', tip, 'oq') == 1 then asked['0'] = true end
local open, expired = 0, false
for n in pairs(asked) do
  local at = tonumber(redis.call('HGET', tip, 'qs:' .. n) or '')
  if not at then
    at = now
    redis.call('HSET', tip, 'qs:' .. n, ARGV[3])
  end
  if at > now - tonumber(ARGV[5]) then
    open = open + 1
  elseif at <= now - tonumber(ARGV[7]) then
    redis.call('HDEL', tip, 'q:' .. n, 'qb:' .. n, 'qs:' .. n)
    redis.call('HSET', tip, 'qe:' .. n, 1)
    expired = true
  end
end
if expired then pointAtNewest(tip) end
for n in pairs(since) do
  if not asked[n] then
    local at = tonumber(redis.call('HGET', tip, 'qs:' .. n)) or 0
    if at > now - tonumber(ARGV[6]) then open = open + 1 else redis.call('HDEL', tip, 'qs:' .. n) end
  end
end
if open >= tonumber(ARGV[1]) then return -2 end
local recent = {}
for at in string.gmatch(redis.call('HGET', tip, 'qt') or '', '%d+') do
  if tonumber(at) > now - tonumber(ARGV[4]) then table.insert(recent, at) end
end
if #recent >= tonumber(ARGV[2]) then return -3 end
table.insert(recent, ARGV[3])
redis.call('HSET', tip, 'qt', table.concat(recent, ','))
local n = redis.call('HINCRBY', tip, 'qn', 1)
redis.call('HSET', tip, 'qs:' .. n, ARGV[3])
return n`)

// unnumberQuestion gives back the place question ARGV[1] of tip KEYS[1]
// held among its open questions, unless it was asked (recorded) meanwhile.
var unnumberQuestion = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'q:' .. ARGV[1]) == 1 then return 0 end
return redis.call('HDEL', KEYS[1], 'qs:' .. ARGV[1])`)

// askQuestion opens question ARGV[1] of tip KEYS[1] (text ARGV[2], asker
// ARGV[3]) and adds ARGV[4] to its history KEYS[2], unless the tip is gone
// (0) or the reporter withdrew meanwhile, erasing route KEYS[3] (-1). A
// question asked before questions were numbered stays open, as question 0.
var askQuestion = redis.NewScript(questionLua + `
local tip, n = KEYS[1], ARGV[1]
if redis.call('HEXISTS', tip, 'k') == 0 then return 0 end
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local old = redis.call('HGET', tip, 'oq')
if old and not numbered(tip) then redis.call('HSET', tip, 'q:0', old) end
redis.call('HSET', tip, 'q:' .. n, ARGV[2], 'qb:' .. n, ARGV[3], 'oq', ARGV[2])
logEntry(tip, KEYS[2], ARGV[4], ARGV[5])
return 1`)

// answerQuestion closes question ARGV[1] of tip KEYS[1] and adds the
// answer ARGV[2] to its history KEYS[2], once: it returns the question and
// its asker, or nil if the question is not open (answered, withdrawn, or
// its tip is gone). "oq" becomes the newest question still open. Given
// ARGV[4], the answering message's mark, it keeps it ("qa:<n>"), and
// answers {} to that message delivered again once the question is closed.
// It keeps the question and its asker untold ("qu:<n>", "qv:<n>", and the
// answer's place in the history, "qi:<n>"), named ARGV[7] in the untold
// set KEYS[3] from ARGV[5] (now, Unix ms), and returns them to the same
// message or words again, {q, by, 'untold'}, without taking them out:
// the caller holds them (toTell's hold, which one caller alone wins, or
// the sweep's claim) and takes them once told (FinishUntold), so that a
// call whose reply was lost still finds them there, not taken by a reply
// no one read.
var answerQuestion = redis.NewScript(questionLua + `
local tip, n, by_msg = KEYS[1], ARGV[1], ARGV[4] or ''
if redis.call('HEXISTS', tip, 'k') == 0 then return false end
local q = redis.call('HGET', tip, 'q:' .. n)
if not q and n == '0' and not numbered(tip) then q = redis.call('HGET', tip, 'oq') end
if not q then
  local same = by_msg ~= '' and redis.call('HGET', tip, 'qa:' .. n) == by_msg
  same = same or ((ARGV[6] or '') ~= '' and redis.call('HGET', tip, 'qh:' .. n) == ARGV[6])
  if not same then return false end
  local u = redis.call('HMGET', tip, 'qu:' .. n, 'qv:' .. n)
  if not u[1] then return {} end
  return {u[1], u[2] or '', 'untold'}
end
local by = redis.call('HGET', tip, 'qb:' .. n) or ''
redis.call('HDEL', tip, 'q:' .. n, 'qb:' .. n, 'qs:' .. n, 'qt:' .. n)
if (ARGV[6] or '') ~= '' then redis.call('HSET', tip, 'qh:' .. n, ARGV[6]) end
pointAtNewest(tip)
local at = logEntry(tip, KEYS[2], ARGV[2], ARGV[3]) - 1
if by_msg ~= '' then
  redis.call('HSET', tip, 'qa:' .. n, by_msg, 'qu:' .. n, q, 'qv:' .. n, by, 'qi:' .. n, at)
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[7])
end
return {q, by}`)

// forgetRoute erases route KEYS[2], every open question of tip KEYS[1]
// and the marks of the reporter's messages and words that answered its
// questions ("qa:<n>", "qh:<n>", keyed to their pseudonym, and an earlier
// version's "qt:<n>"), the marks of its expired questions ("qe:<n>"), and
// marks the tip, if it is still stored, as no longer counting
// (tipForgotten). An answer not yet told ("qu:<n>", "qv:<n>", "qi:<n>")
// stays, to be told (toTell, ClaimUntold): the reporter answered
// before they withdrew, the answer stays in the history, and its asker
// would have been told had its write's reply not been lost.
var forgetRoute = redis.NewScript(`
redis.call('DEL', KEYS[2])
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local pre = string.sub(f, 1, 3)
  if f == 'oq' or string.sub(f, 1, 2) == 'q:' or pre == 'qb:' or pre == 'qs:' or pre == 'qa:' or pre == 'qt:' or pre == 'qe:' or pre == 'qh:' then redis.call('HDEL', KEYS[1], f) end
end
if redis.call('HEXISTS', KEYS[1], 'k') == 1 then redis.call('HSET', KEYS[1], 'fg', 1) end
return 1`)

// tipForgotten is the field of a tip's hash that says its reporter
// withdrew it with /forget: it stays in triage and in /search, but no
// longer counts for the entities it names (/signals, /entity, alerts).
// It says nothing of who reported.
const tipForgotten = "fg"

// Forget erases the route to a tip's reporter: no more questions can reach
// them. Open questions are dropped, and the marks of the messages that
// answered its questions (AnswerOnce): the same message delivered again
// after /forget is no longer known as an answer (answers stay in the
// tip's history). The tip no longer counts for the
// entities it names, as a purged tip's: it leaves their tips, and its
// reporter their reporters unless another of their tips names them; an
// alert it raised and did not hand over is let go, and one kept for a
// chat that did not take it is recounted before it is sent again
// (DueAlerts), withdrawn if too few reporters are left.
func (s *Store) Forget(ctx context.Context, id string) error {
	if err := forgetRoute.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.route(id)}).Err(); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	// Marked first, then taken out: an indexer that writes the tip's
	// entries meanwhile finds the mark once they are written, and takes
	// them out itself (indexBatch).
	fields, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	st, _, err := s.openStored(id, fields)
	if err != nil {
		return nil // gone, or unreadable: nothing can be taken out (nor was indexed)
	}
	ms, _ := strconv.ParseInt(fields["t"], 10, 64)
	if err := s.uncount(ctx, id, reporterOf(st.Reporter), time.UnixMilli(ms), st.Content.Text()); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	return nil
}

// QuestionNumber numbers the next question to a tip's reporter, before it
// is delivered (its Answer button names it); ErrNotFound if the tip is
// gone, ErrNoRoute if its reporter cannot be asked, ErrOpenQuestions or
// ErrQuestionsToday past a limit on questions to them. A question counts
// as open from when it is numbered, so that two asked at the same moment
// cannot both pass the limit, until it is answered, withdrawn, or window
// (the time its reporter has to reply) ends; one not delivered is given
// back with UnnumberQuestion. A question numbered counts for the day's
// limit even if it is not delivered.
func (s *Store) QuestionNumber(ctx context.Context, id string, window time.Duration) (int, error) {
	n, err := numberQuestion.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.route(id)},
		MaxOpenQuestions, MaxQuestionsPerDay, s.now().UnixMilli(), (24 * time.Hour).Milliseconds(),
		window.Milliseconds(), pendingQuestion.Milliseconds(), expiredQuestionKept(window).Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("number question: %w", err)
	}
	switch n {
	case 0:
		return 0, ErrNotFound
	case -1:
		return 0, ErrNoRoute
	case -2:
		return 0, ErrOpenQuestions
	case -3:
		return 0, ErrQuestionsToday
	}
	return n, nil
}

// UnnumberQuestion says question n of a tip, numbered by QuestionNumber,
// was not delivered: it no longer counts among the open questions (it
// still counts for the day's limit).
func (s *Store) UnnumberQuestion(ctx context.Context, id string, n int) error {
	if err := unnumberQuestion.Run(ctx, s.rdb, []string{s.k.tip(id)}, n).Err(); err != nil {
		return fmt.Errorf("unnumber question: %w", err)
	}
	return nil
}

// Ask records question n to a tip's reporter, once delivered (or maybe
// delivered: its outcome unknown): in the
// history, and open until it is answered, with who asked it. Earlier
// questions stay open. ErrNotFound if the tip is gone, ErrNoRoute if the
// reporter withdrew (with /forget) while it was on its way: it is not
// recorded.
func (s *Store) Ask(ctx context.Context, id string, n int, by Claimer, question string) error {
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return err
	}
	num := strconv.Itoa(n)
	text, err := seal(dataKey, []byte(question), "question:"+id)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(asker{Key: by.Key, Route: by.Route, Language: by.Language})
	who, err := seal(dataKey, b, "asker:"+id+":"+num)
	if err != nil {
		return err
	}
	entry, err := s.sealEntry(id, dataKey, tips.Entry{Who: by.Name, Tag: by.tag(), Kind: tips.EntryQuestion, Text: question})
	if err != nil {
		return err
	}
	ok, err := askQuestion.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.tipLog(id), s.k.route(id)}, num, text, who, entry, s.retention.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	switch ok {
	case 0:
		return ErrNotFound
	case -1:
		return ErrNoRoute
	}
	return nil
}

// OpenQuestions returns a tip's open questions, oldest first, with when
// each was asked (its reply window is the engine's to check); ErrNotFound
// if the tip is gone.
func (s *Store) OpenQuestions(ctx context.Context, id string) ([]Question, error) {
	fields, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("open questions: %w", err)
	}
	if fields["k"] == "" {
		return nil, ErrNotFound
	}
	dataKey, err := s.kr.open([]byte(fields["k"]), "tipkey:"+id)
	if err != nil {
		return nil, err
	}
	var out []Question
	for f, v := range fields {
		num, ok := strings.CutPrefix(f, "q:")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			continue
		}
		if q, err := openQuestion(id, dataKey, n, v, fields["qb:"+num]); err == nil {
			q.Asked = askedAt(fields["qs:"+num])
			out = append(out, q)
		}
	}
	if len(out) == 0 && fields["oq"] != "" {
		if q, err := openQuestion(id, dataKey, 0, fields["oq"], ""); err == nil {
			q.Asked = askedAt(fields["qs:0"])
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b Question) int { return a.N - b.N })
	return out, nil
}

// QuestionExpired reports whether question n of a tip was taken out of
// it as expired, its reply window long ended (expiredQuestionKept,
// "qe:<n>"): no longer open, and not answered. False for one answered,
// withdrawn (Forget), still open, or of a tip gone.
func (s *Store) QuestionExpired(ctx context.Context, id string, n int) (bool, error) {
	v, err := s.rdb.HExists(ctx, s.k.tip(id), "qe:"+strconv.Itoa(n)).Result()
	if err != nil {
		return false, fmt.Errorf("question expired: %w", err)
	}
	return v, nil
}

// askedAt reads a question's "qs:<n>" (Unix ms); zero if it has none.
func askedAt(v string) time.Time {
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// openQuestion opens a question's sealed fields; its asker is left empty
// where it was not recorded.
func openQuestion(id string, dataKey []byte, n int, text, by string) (Question, error) {
	plain, err := open(dataKey, []byte(text), "question:"+id)
	if err != nil {
		return Question{}, err
	}
	q := Question{N: n, Text: string(plain)}
	if by == "" {
		return q, nil
	}
	if plain, err := open(dataKey, []byte(by), "asker:"+id+":"+strconv.Itoa(n)); err == nil {
		var a asker
		if json.Unmarshal(plain, &a) == nil {
			q.By = Claimer{Key: a.Key, Route: a.Route, Language: a.Language}
		}
	}
	return q, nil
}

// Answer adds the reporter's answer to question n of a tip, in its
// history, and closes that question: a question is answered once. It
// returns the question answered, or ErrNotFound if it is not open (already
// answered, withdrawn with /forget, or its tip is gone).
//
// Its write is sent once, as AnswerOnce's, with a mark of its own drawn
// at random (no message to key it to): go-redis's retry of a write that
// ran, its reply lost, would find the question closed (ErrNotFound: the
// answer taken for none, the investigators never told) or be refused
// (LOADING: told NOT saved). A lost reply is looked for by that mark.
//
// The question returned is held for its caller (toTell) to tell its
// asker, who then calls FinishUntold; not finished (every send failed,
// the process stopped), the sweep tells it after its grace (ClaimUntold).
// AnswerOnce's the same.
func (s *Store) Answer(ctx context.Context, id string, n int, answer string) (Question, error) {
	var token [16]byte
	if _, err := rand.Read(token[:]); err != nil {
		return Question{}, err
	}
	q, _, err := s.answer(ctx, id, n, answer, s.kr.receiptMAC("answer\x00"+hex.EncodeToString(token[:])), "")
	return q, err
}

// AnswerOnce is Answer for a reporter's platform event: that message
// delivered again (a replay tried again after its answer was stored)
// reports again, the question closed by it, instead of ErrNotFound; it
// is not added twice. The tip keeps only a keyed hash of the message.
// Its write is sent once, not retried by go-redis: one whose reply was
// lost (the connection closed, a timeout) is looked for by that hash,
// and, found, returned as stored now (again false), with its question.
//
// The same answer sent again by the reporter in a message of its own (told
// NOT saved where its first write's outcome could not be known, and so
// sent again) is known by a keyed hash of its words ("qh:<n>",
// sameAnswerMark): "again" as well (or stored now, where its first write
// was not told), not ErrNotFound (which would make it a tip of its own).
func (s *Store) AnswerOnce(ctx context.Context, id string, n int, answer, pseudonym string, eventID int64) (q Question, again bool, err error) {
	return s.answer(ctx, id, n, answer, s.answeredMark(id, pseudonym, eventID), s.sameAnswerMark(id, n, answer, pseudonym))
}

// sameAnswerMark is the keyed hash AnswerOnce keeps ("qh:<n>") of the
// words of the reporter's answer to question n of tip id (their spaces
// folded): never the words.
func (s *Store) sameAnswerMark(id string, n int, answer, pseudonym string) string {
	return s.kr.receiptMAC("sameanswer\x00" + pseudonym + "\x00" + id + "\x00" + strconv.Itoa(n) + "\x00" + strings.Join(strings.Fields(answer), " "))
}

// answeredMark is the keyed hash AnswerOnce keeps ("qa:<n>") of the
// reporter's message that answered question n of tip id.
func (s *Store) answeredMark(id, pseudonym string, eventID int64) string {
	return s.kr.receiptMAC("answered\x00" + pseudonym + "\x00" + strconv.FormatInt(eventID, 10) + "\x00" + id)
}

// answeredBy returns the number of the question of tip KEYS[1] whose
// "qa:<n>" mark is ARGV[1], or -1 if none is.
var answeredBy = redis.NewScript(`
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local n = string.match(f, '^qa:(%d+)$')
  if n and redis.call('HGET', KEYS[1], f) == ARGV[1] then return tonumber(n) end
end
return -1`)

// AnsweredBy returns the number of the tip's question that the reporter's
// platform event answered (AnswerOnce), or ErrNotFound if it answered
// none of them: a command naming the tip, not the question (/reply CODE),
// delivered again by the platform is known as the answer it was, not
// taken for another question's, nor for none.
func (s *Store) AnsweredBy(ctx context.Context, id, pseudonym string, eventID int64) (int, error) {
	n, err := answeredBy.Run(ctx, s.rdb, []string{s.k.tip(id)}, s.answeredMark(id, pseudonym, eventID)).Int()
	if err != nil {
		return 0, fmt.Errorf("answered by: %w", err)
	}
	if n < 0 {
		return 0, ErrNotFound
	}
	return n, nil
}

// answeredWords returns the words' marks ("qh:<n>") of tip KEYS[1]'s
// answered questions, as number and mark, in turn: of its newest question
// ("qn"), and of any other whose answer is still untold ("qu:<n>").
var answeredWords = redis.NewScript(`
local out = {}
local newest = redis.call('HGET', KEYS[1], 'qn') or '0'
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local n = string.match(f, '^qh:(%d+)$')
  if n and (tonumber(n) == tonumber(newest) or redis.call('HEXISTS', KEYS[1], 'qu:' .. n) == 1) then
    table.insert(out, n)
    table.insert(out, redis.call('HGET', KEYS[1], f))
  end
end
return out`)

// AnsweredWith returns the number of the tip's question that the reporter
// answered with these words (AnswerOnce's "qh:<n>", their spaces folded),
// or ErrNotFound if they answered none with them: the same words sent
// again in a command naming the tip, not the question (/reply CODE),
// after their first write's outcome could not be known, are known as the
// answer recorded, not as an answer to no open question. answer is as
// given to AnswerOnce. Only the tip's newest question's answer, or one
// still untold (its outcome not known to the reporter), is looked at: a
// question asked since makes the same words ("sí") meant for it, expired
// or answered, not the old answer sent again (told "delivered", they went
// nowhere).
func (s *Store) AnsweredWith(ctx context.Context, id, answer, pseudonym string) (int, error) {
	v, err := answeredWords.Run(ctx, s.rdb, []string{s.k.tip(id)}).StringSlice()
	if err != nil {
		return 0, fmt.Errorf("answered with: %w", err)
	}
	for i := 0; i+1 < len(v); i += 2 {
		n, err := strconv.Atoi(v[i])
		if err == nil && v[i+1] == s.sameAnswerMark(id, n, answer, pseudonym) {
			return n, nil
		}
	}
	return 0, ErrNotFound
}

func (s *Store) answer(ctx context.Context, id string, n int, answer, mark, same string) (Question, bool, error) {
	// The tip's key, and the question as it is before the answer (read in
	// the same call): what an answer whose reply was lost returns.
	num := strconv.Itoa(n)
	f, err := s.rdb.HMGet(ctx, s.k.tip(id), "k", "q:"+num, "qb:"+num, "oq", "qa:"+num, "qu:"+num, "qv:"+num, "qh:"+num).Result()
	if err != nil {
		return Question{}, false, fmt.Errorf("read tip key: %w", err)
	}
	wrapped, _ := f[0].(string)
	if wrapped == "" {
		return Question{}, false, ErrNotFound
	}
	dataKey, err := s.kr.open([]byte(wrapped), "tipkey:"+id)
	if err != nil {
		return Question{}, false, err
	}
	entry, err := s.sealEntry(id, dataKey, tips.Entry{Kind: tips.EntryAnswer, Text: answer})
	if err != nil {
		return Question{}, false, err
	}
	keys := []string{s.k.tip(id), s.k.tipLog(id), s.k.untold()}
	args := []any{n, entry, s.retention.Milliseconds(), mark, s.now().UnixMilli(), same, untoldMember(id, n)}
	// Sent once (sentOnce): go-redis's retry of a script that ran, its
	// reply lost, would return the retry's error (LOADING: "never ran"),
	// or find it answered by this very message ("again": the
	// investigators never told).
	cmd := answerQuestion.EvalSha(ctx, onceScripter{s.rdb}, keys, args...)
	if isNoScript(cmd.Err()) {
		cmd = answerQuestion.Eval(ctx, onceScripter{s.rdb}, keys, args...)
	}
	v, err := cmd.StringSlice()
	if errors.Is(err, redis.Nil) {
		return Question{}, false, ErrNotFound
	}
	if err != nil && (f[4] == mark || same != "" && f[7] == same) {
		// This message, or these words (sent again in a message of its
		// own), answered the question before it was read here: the
		// script answered it "again", its reply lost, or was refused
		// (LOADING: never ran); stored all the same, an error would tell
		// the reporter NOT saved (sent again: a tip of its own). Not
		// told yet ("qu:<n>" left by a call whose reply was lost, read
		// here before the script, which leaves it): told now (taken
		// out; "again" if another call took it): "again" would leave it
		// untold, the message not tried again.
		if u, _ := f[5].(string); u != "" {
			by, _ := f[6].(string)
			return s.toTell(ctx, id, dataKey, n, u, by)
		}
		return Question{N: n}, true, nil
	}
	if err != nil && ReplyLost(err) {
		// The script may have run: the answer is recorded if its mark
		// ("qa:<n>") or its words' ("qh:<n>") are there now, whether by
		// this call, or by an earlier one (this message, or these words,
		// sent again: the script answers them with what was left
		// untold, not taking it out), or by the same message delivered
		// at the same time. What is left untold ("qu:<n>") is taken now
		// (toTell: once, whoever takes it); none left, another call
		// told it: "again". Looking only for this message's mark, a
		// resend (another message, the same words) whose reply was lost
		// was an error here, and what it was answered no one told.
		now, lerr := s.rdb.HMGet(ctx, s.k.tip(id), "qa:"+num, "qh:"+num, "qu:"+num, "qv:"+num).Result()
		if lerr == nil && (now[0] == mark || same != "" && now[1] == same) {
			if u, _ := now[2].(string); u != "" {
				by, _ := now[3].(string)
				return s.toTell(ctx, id, dataKey, n, u, by)
			}
			return Question{N: n}, true, nil
		}
		// Not known whether it ran: the caller is told an error (the
		// reporter, or a replay that stops and tries again). Should it
		// have run, its question is kept as not yet told ("qu:<n>",
		// "qv:<n>", in Redis: any process, after a restart too): the
		// same message tried again, or the same words sent again by
		// the reporter ("qh:<n>"), finds it and tells it, once.
	}
	if err != nil {
		return Question{}, false, fmt.Errorf("answer: %w", err)
	}
	switch len(v) {
	case 0:
		return Question{N: n}, true, nil
	case 3:
		// Stored before by this message, or these words, and not told
		// (its write's reply lost): taken now (toTell), to be told once.
		return s.toTell(ctx, id, dataKey, n, v[0], v[1])
	case 2:
		return s.toTell(ctx, id, dataKey, n, v[0], v[1])
	}
	return Question{}, false, fmt.Errorf("answer: %d values", len(v))
}

// toTell holds the answered question n's "not yet told" copy ("qu:<n>",
// "qv:<n>", "qi:<n>", named in the untold set), which the answer's write
// left, for untoldLiveHold (holdUntold, with a token of its own), and
// returns the question (text and by, sealed, as read) to be told by the
// caller, who finishes it (FinishUntold) once told: a tell whose every
// send failed leaves it due, and the sweep tells it after its grace.
// "again" if it is gone (told by another call, the same message or
// words, or the sweep) or another call holds it now (which tells it, or,
// failing, leaves it to the sweep). Its hold run again (go-redis's retry
// after a lost reply) finds its own token: held still, not "again" (a
// retried HDEL's 0 read as "again" left it told by no one). Not held
// (Redis failing), it is told here all the same: told twice, maybe,
// never not at all.
func (s *Store) toTell(ctx context.Context, id string, dataKey []byte, n int, text, by string) (Question, bool, error) {
	now := s.now()
	held, err := holdUntold.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.untold()}, n, untoldMember(id, n), untoldToken(), now.UnixMilli(), now.Add(untoldLiveHold).UnixMilli(), "").Int()
	if err == nil && held == 0 {
		return Question{N: n}, true, nil
	}
	q, err := openQuestion(id, dataKey, n, text, by)
	return q, false, err
}

// untoldLiveHold is how long an answer's own call holds its untold copy
// (toTell) while it tells it: the engine bounds that tell well within it.
const untoldLiveHold = 5 * time.Minute

// untoldToken draws a claim's token ("qc:<n>"): random, it says nothing
// of the tip, its reporter or the answer.
func untoldToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// holdUntold holds what the answer to question ARGV[1] of tip KEYS[1]
// left untold ("qu:<n>"), named ARGV[2] in the untold set KEYS[2], for
// the caller whose token is ARGV[3] (ARGV[4]: now, Unix ms) until ARGV[5]
// ("qc:<n>", "<token> <until>"), and, given ARGV[6], moves its score
// there (ZADD XX). It returns 1 if held, 0 if it is gone (its hold and
// name taken out then) or another token holds it until after now. Run
// again with the same token (a retry after a lost reply, a sweep
// renewing its lease before it tells), it holds it again.
var holdUntold = redis.NewScript(`-- holdUntold
local n = ARGV[1]
local f = 'qc:' .. n
if redis.call('HEXISTS', KEYS[1], 'qu:' .. n) == 0 then
  redis.call('HDEL', KEYS[1], f)
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 0
end
local c = redis.call('HGET', KEYS[1], f)
if c then
  local tok, untl = string.match(c, '^(%S+) (%d+)$')
  if tok ~= ARGV[3] and tonumber(untl or '0') > tonumber(ARGV[4]) then return 0 end
end
redis.call('HSET', KEYS[1], f, ARGV[3] .. ' ' .. ARGV[5])
if (ARGV[6] or '') ~= '' then redis.call('ZADD', KEYS[2], 'XX', ARGV[6], ARGV[2]) end
return 1`)

// untoldMember names question n of tip id in the untold set.
func untoldMember(id string, n int) string { return id + ":" + strconv.Itoa(n) }

// claimUntold claims what the answer to question ARGV[1] of tip KEYS[1]
// left untold ("qu:<n>", "qv:<n>", "qi:<n>"), named ARGV[2] in the
// untold set KEYS[3], for a lease: its score becomes ARGV[3] (ZADD XX:
// not named again if another call took it out meanwhile), so that a
// sweep that claims it and does not finish it (its reply lost, the tip's
// key not opened, its sends failing, the process stopping) leaves it to
// a sweep after the lease; one whose score is past ARGV[4] (the range's
// end) was claimed by another sweep since it was ranged: {} then, left
// to that sweep. It returns the tip's wrapped key, the
// question and its asker (sealed) and the answer's entry in the history
// KEYS[2] ("" if it has none), or nil where another call took them (or
// /forget's tip gone with them): the member is taken out then, with a
// "qi:<n>" left alone (an earlier version's toTell or /forget took
// "qu:<n>" and "qv:<n>" only). One held by another call ("qc:<n>",
// holdUntold: the answer's own call telling it, or a sweep renewing its
// lease) until after ARGV[6], now, is left to it: {}. Else it is held
// for the token ARGV[5] until ARGV[7]. Run again (a retry after a lost
// reply), it claims it again, the same.
var claimUntold = redis.NewScript(`
local n = ARGV[1]
local u = redis.call('HMGET', KEYS[1], 'k', 'qu:' .. n, 'qv:' .. n, 'qi:' .. n, 'qc:' .. n)
if not u[2] or not u[1] then
  redis.call('ZREM', KEYS[3], ARGV[2])
  redis.call('HDEL', KEYS[1], 'qu:' .. n, 'qv:' .. n, 'qi:' .. n, 'qc:' .. n, 'qr:' .. n)
  return false
end
local due = redis.call('ZSCORE', KEYS[3], ARGV[2])
if due and tonumber(due) > tonumber(ARGV[4]) then return {} end
if u[5] then
  local untl = tonumber(string.match(u[5], ' (%d+)$') or '0')
  if untl > tonumber(ARGV[6]) then return {} end
end
redis.call('ZADD', KEYS[3], 'XX', ARGV[3], ARGV[2])
redis.call('HSET', KEYS[1], 'qc:' .. n, ARGV[5] .. ' ' .. ARGV[7])
local entry = u[4] and redis.call('LINDEX', KEYS[2], tonumber(u[4]))
return {u[1], u[2], u[3] or '', entry or ''}`)

// finishUntold takes out what the told answer to question ARGV[1] of tip
// KEYS[1] left untold ("qu:<n>", "qv:<n>", "qi:<n>") and its name ARGV[2]
// in the untold set KEYS[2]: the answer is not told again. Safe to run
// again.
var finishUntold = redis.NewScript(`
local n = ARGV[1]
redis.call('HDEL', KEYS[1], 'qu:' .. n, 'qv:' .. n, 'qi:' .. n, 'qc:' .. n, 'qr:' .. n)
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`)

// UntoldAnswer is an answer whose asker was not told of it: its write's
// reply was lost (or its process stopped before telling it), and neither
// the same message nor the same words came again.
type UntoldAnswer struct {
	TipID    string
	Question Question // answered, with who asked it
	Answer   string   // as in the tip's history
	claim    string   // the claim's token ("qc:<n>"), for RenewUntold
}

// ClaimUntold claims, up to max, the answers written more than grace ago
// (or whose last claim's lease has ended) and still not told
// (answerQuestion's "qu:<n>"), each for lease: a later sweep does not
// name it again before the lease ends. The caller tells them and then
// finishes each (FinishUntold); one not finished (not told, the process
// stopped, the reply of its claim or finish lost) is claimed again after
// the lease and told then: told twice, maybe (a finish whose reply was
// lost), never not at all. The same message or words tried again
// meanwhile find the claim's hold ("qc:<n>") and do not tell it (toTell:
// "again"), unless the hold cannot be run (Redis failing).
// unreadable counts those claimed but not returned: their tip's key
// cannot be opened (a secret not known to this process, during a
// rotation) or their question or the answer's entry cannot be read; left
// claimed, they come again after the lease (after untoldUnreadTries such
// claims, a day after). One held by another call now (toTell, a sweep's
// renewed lease) is left to it. One whose tip is gone, or whose answer
// another call took, is taken out of the set. Each returned is the
// caller's to renew (RenewUntold) just before it tells it.
func (s *Store) ClaimUntold(ctx context.Context, grace, lease time.Duration, max int) (due []UntoldAnswer, unreadable int, err error) {
	now := s.now()
	dueBy := strconv.FormatInt(now.Add(-grace).UnixMilli(), 10)
	members, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: s.k.untold(), Start: "-inf", Stop: dueBy,
		ByScore: true, Count: int64(max),
	}).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("untold answers: %w", err)
	}
	// The score is the time the answer was written, due after grace: a
	// claim moves it to come due again lease from now.
	until := now.Add(lease - grace).UnixMilli()
	token := untoldToken()
	held := now.Add(lease).UnixMilli()
	var errs error
	for _, m := range members {
		i := strings.LastIndexByte(m, ':')
		n, nerr := strconv.Atoi(m[i+1:])
		if i <= 0 || nerr != nil {
			errs = errors.Join(errs, s.rdb.ZRem(ctx, s.k.untold(), m).Err())
			continue
		}
		id := m[:i]
		v, err := claimUntold.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.tipLog(id), s.k.untold()}, n, m, until, dueBy, token, now.UnixMilli(), held).StringSlice()
		if errors.Is(err, redis.Nil) || err == nil && len(v) == 0 {
			continue // taken, or claimed by another sweep since the range
		}
		if err != nil {
			// Claimed, perhaps, its reply lost: it comes again after
			// the lease.
			errs = errors.Join(errs, fmt.Errorf("claim untold answer: %w", err))
			continue
		}
		// Not read: held back (untoldUnread), then left for a later sweep.
		unread := func() {
			unreadable++
			_ = untoldUnread.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.untold()}, n, m, token,
				now.Add(untoldUnreadLease).UnixMilli(), now.Add(untoldUnreadLease-grace).UnixMilli(), untoldUnreadTries).Err()
		}
		if len(v) != 4 {
			unread()
			continue
		}
		dataKey, err := s.kr.open([]byte(v[0]), "tipkey:"+id)
		if err != nil {
			unread()
			continue
		}
		q, err := openQuestion(id, dataKey, n, v[1], v[2])
		if err != nil {
			unread()
			continue
		}
		var e []tips.Entry
		if v[3] != "" {
			e = openHistory(id, dataKey, v[3:])
		}
		if len(e) != 1 || e[0].Kind != tips.EntryAnswer {
			unread()
			continue
		}
		due = append(due, UntoldAnswer{TipID: id, Question: q, Answer: e[0].Text, claim: token})
	}
	return due, unreadable, errs
}

// untoldUnreadTries is how many sweeps' claims of an untold answer may
// find it unreadable (its tip's key not opened, its question or entry
// not read) before each later claim holds it for untoldUnreadLease, not
// the sweep's lease: an hour of tries at the 5-minute lease, time for a
// rotation's replicas to agree, then once a day. Never dropped: a secret
// given back makes it readable, and it is told then; it leaves with its
// tip (claimUntold takes out one whose tip is gone).
const (
	untoldUnreadTries = 12
	untoldUnreadLease = 24 * time.Hour
)

// untoldUnread counts ("qr:<n>") a claim, by token ARGV[3], that could
// not read the untold answer to question ARGV[1] of tip KEYS[1] (named
// ARGV[2] in the untold set KEYS[2]); from the ARGV[6]th, it holds it
// until ARGV[4] and moves its score to ARGV[5]. Nothing if another
// token holds it now.
var untoldUnread = redis.NewScript(`
local n = ARGV[1]
local c = redis.call('HGET', KEYS[1], 'qc:' .. n)
if not c or string.match(c, '^(%S+) ') ~= ARGV[3] or redis.call('HEXISTS', KEYS[1], 'qu:' .. n) == 0 then return 0 end
local tries = redis.call('HINCRBY', KEYS[1], 'qr:' .. n, 1)
if tries >= tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], 'qc:' .. n, ARGV[3] .. ' ' .. ARGV[4])
  redis.call('ZADD', KEYS[2], 'XX', ARGV[5], ARGV[2])
end
return tries`)

// RenewUntold renews, for lease from now, the claim of an untold answer
// ClaimUntold returned, just before it is told: a sweep telling a long
// batch does not tell one whose first lease ended and which another
// replica's sweep claimed meanwhile (false: left to it), and no sweep
// claims it while it is told (the engine bounds a tell well within the
// lease). False too if it is gone (told by another call).
func (s *Store) RenewUntold(ctx context.Context, u UntoldAnswer, grace, lease time.Duration) (bool, error) {
	if u.claim == "" {
		return false, errors.New("renew untold answer: not claimed")
	}
	n := u.Question.N
	now := s.now()
	held, err := holdUntold.Run(ctx, s.rdb, []string{s.k.tip(u.TipID), s.k.untold()}, n, untoldMember(u.TipID, n), u.claim,
		now.UnixMilli(), now.Add(lease).UnixMilli(), now.Add(lease-grace).UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("renew untold answer: %w", err)
	}
	return held == 1, nil
}

// FinishUntold takes out an untold answer ClaimUntold returned, once it
// is told: it is not claimed again. Safe to call again (a retry after a
// lost reply).
func (s *Store) FinishUntold(ctx context.Context, u UntoldAnswer) error {
	n := u.Question.N
	m := untoldMember(u.TipID, n)
	if err := finishUntold.Run(ctx, s.rdb, []string{s.k.tip(u.TipID), s.k.untold()}, n, m).Err(); err != nil {
		return fmt.Errorf("finish untold answer: %w", err)
	}
	return nil
}

// sealEntry seals a history entry of a tip, as appendLog does.
func (s *Store) sealEntry(id string, dataKey []byte, e tips.Entry) (string, error) {
	e.Time = s.now()
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	sealed, err := seal(dataKey, b, "log:"+id)
	return string(sealed), err
}

// ClaimerOf returns who claimed a tip, or ErrNotFound if it is not claimed.
func (s *Store) ClaimerOf(ctx context.Context, id string) (Claimer, error) {
	v, err := s.rdb.HMGet(ctx, s.k.tip(id), "cw", "cb").Result()
	if err != nil {
		return Claimer{}, fmt.Errorf("claimer: %w", err)
	}
	cw, _ := v[0].(string)
	c, ok := s.openClaimer(cw)
	if !ok {
		return Claimer{}, ErrNotFound
	}
	c.Key, _ = v[1].(string)
	return c, nil
}

// SetAnswering marks, sealed, which question a reporter's next message (or
// reply) answers; the engine decides what the value means.
func (s *Store) SetAnswering(ctx context.Context, pseudonym, value string, ttl time.Duration) error {
	sealed, err := s.kr.seal([]byte(value), "answering:"+pseudonym)
	if err != nil {
		return err
	}
	return s.rdb.Set(ctx, s.k.answering(pseudonym), sealed, ttl).Err()
}

// Answering returns what SetAnswering stored for a reporter, or ErrNotFound.
func (s *Store) Answering(ctx context.Context, pseudonym string) (string, error) {
	sealed, err := s.rdb.Get(ctx, s.k.answering(pseudonym)).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("answering: %w", err)
	}
	v, err := s.kr.open(sealed, "answering:"+pseudonym)
	if err != nil {
		return "", ErrNotFound
	}
	return string(v), nil
}

// UpdateAnswering changes what SetAnswering stored for a reporter as one
// step: update gets the value ("" if there is none) and returns the new one
// and how long it lives (none: the value is removed). A change saved by
// another request meanwhile is not lost: update runs again on it (WATCH),
// so it must not do anything else.
func (s *Store) UpdateAnswering(ctx context.Context, pseudonym string, update func(string) (string, time.Duration)) error {
	key := s.k.answering(pseudonym)
	for range 10 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			var v string
			sealed, err := tx.Get(ctx, key).Bytes()
			switch {
			case errors.Is(err, redis.Nil):
			case err != nil:
				return err
			default:
				if plain, err := s.kr.open(sealed, "answering:"+pseudonym); err == nil {
					v = string(plain) // else as Answering: none
				}
			}
			v, ttl := update(v)
			if ttl > 0 {
				if sealed, err = s.kr.seal([]byte(v), "answering:"+pseudonym); err != nil {
					return err
				}
			}
			_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				if ttl > 0 {
					pipe.Set(ctx, key, sealed, ttl)
				} else {
					pipe.Del(ctx, key)
				}
				return nil
			})
			return err
		}, key)
		if !errors.Is(err, redis.TxFailedErr) {
			if err != nil {
				return fmt.Errorf("update answering: %w", err)
			}
			return nil
		}
	}
	return errors.New("update answering: it kept changing")
}

// ClearAnswering removes a reporter's answering mark.
func (s *Store) ClearAnswering(ctx context.Context, pseudonym string) error {
	return s.rdb.Del(ctx, s.k.answering(pseudonym)).Err()
}

// Reporter returns the pseudonym of a tip's reporter. The engine uses it
// only to check that a reporter answers their own tip; it is never shown.
func (s *Store) Reporter(ctx context.Context, id string) (string, error) {
	fields, err := s.rdb.HMGet(ctx, s.k.tip(id), "k", "d").Result()
	if err != nil {
		return "", fmt.Errorf("read tip: %w", err)
	}
	k, _ := fields[0].(string)
	d, _ := fields[1].(string)
	if k == "" {
		return "", ErrNotFound
	}
	dataKey, err := s.kr.open([]byte(k), "tipkey:"+id)
	if err != nil {
		return "", err
	}
	plain, err := open(dataKey, []byte(d), "tip:"+id)
	if err != nil {
		return "", err
	}
	var st sealedTip
	if err := decodeSealedTip(plain, &st); err != nil {
		return "", err
	}
	return reporterOf(st.Reporter), nil
}
