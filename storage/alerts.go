package storage

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// An alert not every investigators' chat took (one refused it: an
// outage, a permission taken away; or none is configured yet) is kept
// here, sealed, with a MAC of each chat that took it, and tried again in
// the others with a growing wait (alertRetryFirst, doubling up to
// alertRetryMax), until the corroboration window has passed since it was
// kept. That is as long as its alert mark lives: once the window is over,
// a later tip naming the entity raises a new alert anyway, and an alert
// older than the window speaks of reporters outside it. Redis holds the
// entity's MAC in clear (as the index's keys do), never its value, and
// no chat id in clear (a reference to the alert's message in a chat,
// which may name the chat, is sealed).

const (
	// alertRetryFirst is the wait before an alert is tried again the
	// first time; it doubles with every attempt, up to alertRetryMax.
	alertRetryFirst = time.Minute
	alertRetryMax   = 5 * time.Minute
)

// PendingAlert is an alert kept because not every investigators' chat
// took it.
type PendingAlert struct {
	Signal Signal
	// GivenUp is set when its deadline passed: it is dropped, not sent.
	GivenUp bool
	// Withdrawn is set when it no longer has enough reporters (tips it
	// counted were purged, or forgotten by their reporters): it is
	// dropped, not sent.
	Withdrawn bool
	// Formed is when the alert was raised.
	Formed time.Time
	// Missing lists the investigators' chats (as configured) that have
	// not taken it yet: it is sent to these only.
	Missing []string
	// Took lists, for one Withdrawn, the investigators' chats (as
	// configured) that took it and have not been told it was withdrawn:
	// each is told (AlertRetracted), then the alert is dropped
	// (AlertWithdrawn). Until then it stays kept, and comes back Withdrawn
	// at its next attempt with the chats still to tell.
	Took []string
	// Messages has, for a chat of Took, the reference to the alert's
	// message there AlertDelivered was given, where it is known: the
	// notice replies to it.
	Messages map[string]string
}

// pendingSignal is what a kept alert holds, sealed.
type pendingSignal struct {
	Entity    tips.Entity `json:"e"`
	Reporters int         `json:"r"`
	// Since: the reporters were counted from then (unix ms).
	Since int64 `json:"w,omitempty"`
}

// A kept alert's hash: s its signal, sealed; d its deadline and f when it
// was raised (unix ms); n its attempts; i its instance (alertInstance;
// none in a record kept before instances, even once kept again; such a
// record raised again by its tip holds that tip's instance in "h");
// and a field "c:" + chatMAC for each investigators' chat that took it,
// so that a chat that refused is sent it again and one that took it
// never is, with "m:" + chatMAC the id of its message there, sealed (for
// a withdrawal notice to reply to), and "t:" + chatMAC while the chat is
// being told the alert was withdrawn (AlertRetracting), "r:" + chatMAC
// the lease its notice was last settled under (alertSettledField). "ok" says every
// chat (as configured then) took it: it is kept for a withdrawal only,
// and sent nowhere else; "w" that it was found withdrawn, its chats
// being told.
const alertChatField = "c:"

// alertInstance names the alert tip id raised for entity mac: one alert
// of the entity from another, as two processes see them. Another tip
// raising the entity's next alert (its window over, or this one
// withdrawn) makes another instance; the same tip raising it again (its
// indexer died mid-send) continues the same one. A MAC, so the record
// does not link the alert to its tip.
func (s *Store) alertInstance(mac, id string) string {
	return s.kr.indexMAC("alertinst\x00" + mac + "\x00" + id)
}

// sameAlert, in a script, is true when the kept alert KEYS[n] is of
// instance inst, or holds no instance (kept before they were recorded):
// a process acts on the instance it raised or claimed only, never on the
// next alert of the entity another process raised meanwhile.
const sameAlert = `
local function sameAlert(key, inst)
  local i = redis.call('HGET', key, 'i')
  return not i or i == inst
end
`

// alertChatMAC names an investigators' chat (its configured route) among
// the chats that took the alert of entity mac: a MAC, never the chat id,
// and one that differs from alert to alert.
func (s *Store) alertChatMAC(mac, chat string) string {
	return alertChatField + s.kr.indexMAC("alertchat\x00"+mac+"\x00"+chat)
}

// alertMessageField is the field holding the id of the alert's message in
// the chat of field chatField (alertChatMAC).
const alertMessageField = "m:"

func alertMessageOf(chatField string) string {
	return alertMessageField + strings.TrimPrefix(chatField, alertChatField)
}

// alertTellingField marks the chat of field chatField (alertChatMAC) as
// being told the alert was withdrawn: recorded before the notice is sent,
// settled after (AlertRetracted, AlertNotRetracted). Its value is its
// lease (alertLease): when it ends (unix ms), a mark past it (its process
// died, or Redis failed as it was settled) counting as not told, and
// whose it is.
const alertTellingField = "t:"

// alertLease is the value of a lease on telling a chat of an alert's
// withdrawal, ending at end: "<end>.<token>", the token random digits, one
// for each call that takes the lease. Two processes whose leases end at
// the same millisecond (their clocks agree: two calls of the same
// millisecond) hold two leases, not one each takes for its own; a script
// run again by go-redis (a connection dropped before its reply) passes
// the same, and finds its own. Read as a number (tonumber in a script, as
// a binary before tokens read it) it is still when the lease ends, give
// or take under a millisecond.
func alertLease(end time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return strconv.FormatInt(end.UnixMilli(), 10) + "." + strconv.FormatUint(binary.BigEndian.Uint64(b[:]), 10)
}

// alertTellingLease is how long a chat recorded as being told an alert's
// withdrawal is left to the process telling it: no other sends it the
// notice meanwhile. Past it the chat counts as not told, and a later
// attempt sends the notice again: a process that died between the record
// and the send loses no notice (one that died after the send tells it
// twice). A notice's send is cut off by the sweep's budget
// (commands.alertRetryBudget, 20 s) and settled by one Redis call after
// it; two minutes is several times that, and leaves room for the clocks
// of two replicas to differ by a minute and more.
const alertTellingLease = 2 * time.Minute

func alertTellingOf(chatField string) string {
	return alertTellingField + strings.TrimPrefix(chatField, alertChatField)
}

// alertLateField marks the chat of field chatField (alertChatMAC) as told
// of the alert's withdrawal late, while it stood again (retractedAlert):
// it is sent the alert again, whatever else says it took it, until a copy
// from a later claim (or a first send begun later) is recorded
// (tookAlert). Its value is the alert's attempts ("n") once the notice
// was settled: settling it counts one more (retractedAlert), so that a
// send begun before it, which read fewer, is told from one begun after.
const alertLateField = "l:"

func alertLateOf(chatField string) string {
	return alertLateField + strings.TrimPrefix(chatField, alertChatField)
}

// alertSettledField holds, for the chat of field chatField (alertChatMAC),
// the lease (alertLease) under which its withdrawal notice was last
// settled (retractedAlert): a settling run again after its reply was
// lost finds it, and is not counted twice. A random token, nothing of the
// chat.
const alertSettledField = "r:"

func alertSettledOf(chatField string) string {
	return alertSettledField + strings.TrimPrefix(chatField, alertChatField)
}

// keepAlert records an alert (KEYS[2], entity ARGV[1]: its sealed signal
// ARGV[2], deadline ARGV[4], expiry ARGV[5], raised at ARGV[6], instance
// ARGV[7]) as due at ARGV[3] in KEYS[1], and the chats that took it
// (ARGV[10]…). Keeping it again (its tip indexed again) changes only its
// signal and deadline, and adds chats, not when it is due, when it was
// raised nor its attempts. Another instance's record is replaced with
// ARGV[8] "1" (as the alert is raised: an earlier alert of the entity,
// whose chats did not take this one), else left alone (after the sends:
// the entity's next alert, raised meanwhile, which this one must not
// overwrite) and 0 answered; one gone meanwhile (the alert found
// withdrawn by another process, and dropped) is made anew due for a
// recount ("rc"), for the chats that took it since to be told, counting
// the attempts ARGV[9] the send keeping it counts as (Signal.begun): not
// none, which would let a copy sent before a withdrawal notice settled
// late on the new record pass for one sent after it (tookAlert, doneAlert
// compare attempts). Attempts other processes made after that send read
// the count are not known to it: those are lost with the record. A record
// kept before instances is given none: a process that claimed it holds
// none, and still acts on it.
var keepAlert = redis.NewScript(sameAlert + `
if not sameAlert(KEYS[2], ARGV[7]) then
  if ARGV[8] ~= '1' then return 0 end
  redis.call('DEL', KEYS[2])
elseif ARGV[8] ~= '1' and redis.call('HEXISTS', KEYS[2], 's') == 0 then
  redis.call('HSET', KEYS[2], 'rc', 1)
  if tonumber(ARGV[9]) > (tonumber(redis.call('HGET', KEYS[2], 'n')) or 0) then redis.call('HSET', KEYS[2], 'n', ARGV[9]) end
end
if redis.call('HEXISTS', KEYS[2], 's') == 0 or redis.call('HEXISTS', KEYS[2], 'i') == 1 then
  redis.call('HSET', KEYS[2], 'i', ARGV[7])
end
redis.call('HSET', KEYS[2], 's', ARGV[2], 'd', ARGV[4])
redis.call('HDEL', KEYS[2], 'ok')
redis.call('HSETNX', KEYS[2], 'n', 0)
redis.call('HSETNX', KEYS[2], 'f', ARGV[6])
for i = 10, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], 1) end
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
return 1`)

// claimAlert takes a kept alert (KEYS[2], entity ARGV[1]) due at ARGV[2]
// (now, unix ms) in KEYS[1], so that one process alone sends it: it is
// due again after a wait of ARGV[3] ms doubled per attempt, at most ARGV[4]
// ms (sent meanwhile, it is deleted). Past its deadline it is deleted and
// answered with attempt -1. ARGV[5] "0" only drops those past their
// deadline (a process with no investigators' chat). It answers nil when
// there is nothing to send, else {sealed signal, attempt, raised at,
// deadline, instance, the chats that took it…, those being told it was
// withdrawn ("t:"…), those told of its withdrawal late ("l:"…), and "w"
// if it was found withdrawn, "ok" if every chat took it} (answered with
// attempt -1: {sealed signal, -1, "1" if withdrawn, "1" if every chat
// took it}). A
// recount asked for (checkAlert) is taken with it. A record it cannot
// read (not a hash; its deadline no number, or its attempts no count)
// is deleted and answered {"", alertUnreadable}: it could never be
// claimed, and, left due, it would come first at every pass, holding
// back the alerts due after it. DEL is refused by no state of the data,
// nor for memory; a write refused to a healthy record (memory, a
// replica) is an error, the record left as it was.
var claimAlert = redis.NewScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not at or tonumber(at) > tonumber(ARGV[2]) then return false end
local t = redis.call('TYPE', KEYS[2])['ok']
local h = {}
if t == 'hash' then h = redis.call('HMGET', KEYS[2], 's', 'd', 'f', 'w', 'ok', 'i', 'n') end
local count = not h[7] or (string.match(h[7], '^%d+$') and #h[7] <= 15)
if t ~= 'hash' and t ~= 'none' or h[1] and (not tonumber(h[2]) or not count) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[2])
  return {'', -2}
end
if not h[1] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
if tonumber(h[2]) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[2])
  return {h[1], -1, h[4] or '', h[5] or ''}
end
if ARGV[5] ~= '1' then return false end
redis.call('HDEL', KEYS[2], 'rc')
local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
local wait = math.min(tonumber(ARGV[3]) * 2 ^ math.min(n - 1, 30), tonumber(ARGV[4]))
redis.call('ZADD', KEYS[1], string.format('%.0f', tonumber(ARGV[2]) + wait), ARGV[1])
local out = {h[1], n, h[3] or '', h[2], h[6] or ''}
for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
  local k = string.sub(f, 1, 2)
  if f == 'w' or f == 'ok' or k == 'c:' or k == 't:' or k == 'l:' then table.insert(out, f) end
end
return out`)

// tookAlert records that a chat (field ARGV[1]) took a kept alert
// (KEYS[1], instance ARGV[2]), if it is still kept, and its message there
// (field ARGV[3], sealed ARGV[4]; none if empty), sent by the claim of
// attempt ARGV[5] (for a first send, one more than the attempts it read
// before it began: AlertMissing; 0 if none). A chat told of its withdrawal
// late (field ARGV[6], retractedAlert) is sent it again until a copy from
// a claim made (or a first send begun) after that notice was settled is
// recorded: one from before it may have reached the chat before the
// notice.
var tookAlert = redis.NewScript(sameAlert + `
if redis.call('HEXISTS', KEYS[1], 's') == 0 or not sameAlert(KEYS[1], ARGV[2]) then return 0 end
local late = tonumber(redis.call('HGET', KEYS[1], ARGV[6]))
if late and tonumber(ARGV[5]) > late then redis.call('HDEL', KEYS[1], ARGV[6]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], ARGV[4]) else redis.call('HDEL', KEYS[1], ARGV[3]) end
return redis.call('HSET', KEYS[1], ARGV[1], 1)`)

// retractedAlert forgets that a chat (field ARGV[1], its message ARGV[3])
// took a kept alert (KEYS[2], entity ARGV[5], instance ARGV[2]), and ends
// the lease on telling it (field ARGV[4]) if it is the settling call's,
// ARGV[8] (alertLease): one that stalled past its lease leaves the lease
// another process took since, telling the chat now, to that process. Should the alert no longer be withdrawn ("w" gone:
// it stood again while the notice was on its way, its process stalled
// past its lease, and another sent the alert again meanwhile, before or
// after the notice) the notice was late: the chat may be left believing
// it withdrawn. It is then forgotten as having taken the alert, which is
// made due now (ARGV[6], unless past its deadline) among KEYS[1] and no
// longer every chat's ("ok"): it is sent there again, after the notice.
// Another process may be sending it there still (claimed before the
// notice was settled: which of the two the chat got last is unknown): the
// chat is marked told late (ARGV[7], with the attempts made so far,
// counting one more for the notice: a first send that read them before
// it was settled, and may reach the chat before it, read fewer) and
// the alert due for a recount ("rc"), so that neither that process's copy
// (tookAlert) nor its AlertSent (doneAlert) counts as the chat's last.
// Answers 2 then.
//
// The settling is recorded under its lease's token (field ARGV[9],
// alertSettledOf): run again by go-redis (its reply lost to a dropped
// connection) it finds its own token and does nothing more, answering
// 3. Else a late notice would count its attempt twice, and forget again
// that the chat took the alert, though a copy sent after the notice, by
// another process between the two runs, reached it.
var retractedAlert = redis.NewScript(sameAlert + `
if not sameAlert(KEYS[2], ARGV[2]) then return 0 end
if ARGV[8] ~= '' and redis.call('HGET', KEYS[2], ARGV[9]) == ARGV[8] then return 3 end
if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[8] then redis.call('HDEL', KEYS[2], ARGV[4]) end
local n = redis.call('HDEL', KEYS[2], ARGV[1], ARGV[3])
local h = redis.call('HMGET', KEYS[2], 's', 'w', 'd')
if not h[1] then return n end
redis.call('HSET', KEYS[2], ARGV[9], ARGV[8])
if h[2] then return n end
redis.call('HDEL', KEYS[2], 'ok')
redis.call('HSET', KEYS[2], ARGV[7], redis.call('HINCRBY', KEYS[2], 'n', 1), 'rc', 1)
if tonumber(h[3] or 0) > tonumber(ARGV[6]) then redis.call('ZADD', KEYS[1], ARGV[6], ARGV[5]) end
return 2`)

// tellingAlert records that a chat (field ARGV[1]; pending field ARGV[3])
// is being told a kept alert (KEYS[1], instance ARGV[2]) was withdrawn,
// under lease ARGV[5] (alertLease; now ARGV[4], unix ms): 1 if it did; 0
// if the chat was told already, or is being told (a lease not over), or
// the alert is not withdrawn ("w": it stood again since it was claimed,
// its process stalled); 2 if the alert is no longer kept (another instance's record,
// or none: the entity's next alert replaced it mid-withdrawal), with
// nothing to record it in. A lease over counts as not told. (A mark "1",
// of a binary before leases, is long over: told again, a duplicate at
// worst.) A lease ARGV[5] is this call's own (its token: another
// process's ending at the same millisecond is not), written by its first
// run should go-redis run it again (a connection dropped before its
// reply): 1 again, not a lease taken, which would hold the notice back
// until it is over.
var tellingAlert = redis.NewScript(sameAlert + `
if redis.call('HEXISTS', KEYS[1], 's') == 0 or not sameAlert(KEYS[1], ARGV[2]) then return 2 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'w') == 0 then return 0 end
local held = redis.call('HGET', KEYS[1], ARGV[3])
if held == ARGV[5] then return 1 end
local lease = tonumber(held)
if lease and lease > tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
return 1`)

// notTellingAlert undoes tellingAlert (field ARGV[1], KEYS[1], instance
// ARGV[2]) that took lease ARGV[3]: the chat was not told. A lease that is
// no longer this one (it ended while its process stalled, and another
// took it: that process is telling the chat now) is left to its holder;
// ended, it would let a third process tell the chat at the same time.
var notTellingAlert = redis.NewScript(sameAlert + `
if not sameAlert(KEYS[1], ARGV[2]) then return 0 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[3] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])`)

// markWithdrawn marks a kept alert (KEYS[1], instance ARGV[1]) found
// withdrawn ("w"), or with ARGV[2] "0" standing again (neither "w" nor
// "ok"), if it is still kept: never a hash made anew, with no expiry.
// Standing again, a chat still being told it was withdrawn (its process
// died mid-notice: AlertRetracting) counts as told, and is forgotten as
// having taken it, to be sent it again: the chat fields so forgotten are
// answered.
var markWithdrawn = redis.NewScript(sameAlert + `
if redis.call('HEXISTS', KEYS[1], 's') == 0 or not sameAlert(KEYS[1], ARGV[1]) then return {} end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'w', 1)
  return {}
end
local told = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 't:' then
    local c = 'c:' .. string.sub(f, 3)
    redis.call('HDEL', KEYS[1], f, c, 'm:' .. string.sub(f, 3))
    table.insert(told, c)
  end
end
redis.call('HDEL', KEYS[1], 'w', 'ok')
return told`)

// doneAlert marks a kept alert (KEYS[2], entity ARGV[1], instance
// ARGV[2]) every chat took ("ok") and takes it out of the due ones
// (KEYS[1]), unless a recount was asked for meanwhile (checkAlert): then
// it stays due. Its record stays, until its expiry, for a withdrawal to
// find the chats that took it. Another instance's record is left alone.
// Sent by the claim of attempt ARGV[3] (0 if none: a first send, which
// keeps it due while any chat is told late), made before a chat
// was told of its withdrawal late ("l:", valued with the attempts then:
// retractedAlert), it stays due too: a later claim, made at that notice,
// may still have to send it there (its send failed, to be retried).
var doneAlert = redis.NewScript(sameAlert + `
if not sameAlert(KEYS[2], ARGV[2]) then return 0 end
if redis.call('HEXISTS', KEYS[2], 's') == 1 then redis.call('HSET', KEYS[2], 'ok', 1) end
if redis.call('HEXISTS', KEYS[2], 'rc') == 1 then return 0 end
for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(f, 1, 2) == 'l:' and tonumber(ARGV[3]) <= (tonumber(redis.call('HGET', KEYS[2], f)) or 0) then return 0 end
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`)

// checkAlert asks for a kept alert (KEYS[2], entity ARGV[1]) to be
// recounted at once (ARGV[2], now in unix ms), if it is kept and its
// deadline is not past: one every chat took is made due now; one still
// due stays due when it was (one being sent is not sent twice), and is
// not forgotten once every chat took it (doneAlert). With ARGV[3] "1"
// (checkAlerts), a record it cannot read (not a hash; its deadline no
// number) is deleted with its place among the due ones, as claimAlert
// deletes it, and answered 2: it could be neither recounted nor ever
// sent. Without (an owed recount, tried again and given up only after
// owedMaxAttempts: giveUpRecount), such a record is a script error.
var checkAlert = redis.NewScript(`
if ARGV[3] == '1' then
  local t = redis.call('TYPE', KEYS[2])['ok']
  if t ~= 'hash' and t ~= 'none' or t == 'hash' and redis.call('HEXISTS', KEYS[2], 'd') == 1 and not tonumber(redis.call('HGET', KEYS[2], 'd')) then
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('DEL', KEYS[2])
    return 2
  end
end
local d = redis.call('HGET', KEYS[2], 'd')
if not d or tonumber(d) <= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], 'rc', 1)
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
return 1`)

// dropAlertScript forgets a kept alert (KEYS[2], entity ARGV[1]) and its
// place among the due ones (KEYS[1]), if it is of instance ARGV[2] (any
// with ARGV[3] "1"; with "w" only one still found withdrawn: not one
// standing again since): 1 if it did, or none was kept. An empty instance is
// that of an alert kept before instances: not any.
var dropAlertScript = redis.NewScript(sameAlert + `
if ARGV[3] ~= '1' and not sameAlert(KEYS[2], ARGV[2]) then return 0 end
if ARGV[3] == 'w' and redis.call('HEXISTS', KEYS[2], 's') == 1 and redis.call('HEXISTS', KEYS[2], 'w') == 0 then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1`)

// releaseSentMark deletes an alert mark (KEYS[1]) that says its alert
// (ARGV[1], sentMark; or ARGV[3], the mark its tip wrote raising a
// record kept before instances again: alertHandedField) was handed over,
// or one written before marks named their alert (ARGV[2], alertSent):
// never the mark of the entity's next alert, raised as this one's
// expired.
var releaseSentMark = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or v == ARGV[2] or v == ARGV[3] then return redis.call('DEL', KEYS[1]) end
return 0`)

// alertHandedField, in a record kept before instances (no "i"), is the
// instance of the tip that raised it again after an upgrade (its first
// hand-over cut off by a crash): that tip's hand-over writes
// sentMark(instance), which a withdrawal of the record, claimed with no
// instance, must let go of too. It is not "i": a process that claimed the
// record holds none, and still acts on it (keepAlert).
const alertHandedField = "h"

// notePreInstanceAlert records, in a record kept before instances
// (KEYS[1]: "s" and no "i"), the instance ARGV[1] raising it again
// (alertHandedField).
var notePreInstanceAlert = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 's') == 0 or redis.call('HEXISTS', KEYS[1], 'i') == 1 then return 0 end
return redis.call('HSET', KEYS[1], 'h', ARGV[1])`)

// KeepAlert keeps an alert not every investigators' chat took (took
// lists those that did, as configured), to be sent again to the others
// (DueAlerts) until the corroboration window has passed. It is called as
// the alert is raised, before it is sent: a record of an earlier alert of
// the entity is replaced.
func (s *Store) KeepAlert(ctx context.Context, sig Signal, took []string) error {
	return s.keepAlert(ctx, sig, took, true)
}

// KeepSentAlert keeps an alert, as KeepAlert does, once its first sends
// are over: should the entity's next alert have been raised meanwhile
// (this one withdrawn mid-send, its tips forgotten), its record is left
// alone, and this one, superseded, is not kept. Should its own record be
// gone (found withdrawn meanwhile by another process, before any chat
// took it), it is kept again and recounted: the chats that took it since
// are told it was withdrawn.
func (s *Store) KeepSentAlert(ctx context.Context, sig Signal, took []string) error {
	return s.keepAlert(ctx, sig, took, false)
}

func (s *Store) keepAlert(ctx context.Context, sig Signal, took []string, replace bool) error {
	if sig.mac == "" {
		return errors.New("keep alert: not an indexer's signal")
	}
	b, err := json.Marshal(pendingSignal{Entity: sig.Entity, Reporters: sig.Reporters, Since: unixMilliOrZero(sig.since)})
	if err != nil {
		return fmt.Errorf("keep alert: %w", err)
	}
	sealed, err := s.kr.seal(b, "alert:"+sig.mac)
	if err != nil {
		return fmt.Errorf("keep alert: %w", err)
	}
	others := "0"
	if replace {
		others = "1"
	}
	now := s.now()
	deadline := now.Add(s.index0.Window)
	// The record outlives its deadline by a day, for a process to see it
	// given up (and say so); then it goes in any case.
	args := []any{sig.mac, sealed, now.Add(alertRetryFirst).UnixMilli(), deadline.UnixMilli(), deadline.Add(24 * time.Hour).UnixMilli(), now.UnixMilli(), sig.alert, others,
		max(sig.attempt, sig.begun)}
	for _, chat := range took {
		args = append(args, s.alertChatMAC(sig.mac, chat))
	}
	err = keepAlert.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, args...).Err()
	if err != nil {
		return fmt.Errorf("keep alert: %w", err)
	}
	return nil
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// AlertMissing returns the chats, among chats (as configured), that a
// kept copy of an alert does not say took it: all of them if none is kept.
// A kept copy of an earlier alert of the entity (raised by another tip:
// one every chat took stays kept, for a withdrawal, until its expiry) is
// dropped: the new alert goes to every chat (with none configured, it is
// not kept in the earlier one's record, under the chats that took that).
// It notes in sig the attempts the kept copy counts before this send
// begins: the copies sent with sig (AlertDelivered) are then told from a
// chat's withdrawal notice settled late before they were sent (they come
// after it: the chat has the alert) and from one settled since (which
// may have reached the chat after them: it is sent the alert again). Not
// read, sig counts none: a chat told late is sent it again, a duplicate
// at worst.
func (s *Store) AlertMissing(ctx context.Context, sig *Signal, chats []string) ([]string, error) {
	if sig.mac == "" {
		return chats, nil
	}
	fields := []string{"s", "i", "n"}
	for _, chat := range chats {
		fields = append(fields, s.alertChatMAC(sig.mac, chat))
	}
	took, err := s.rdb.HMGet(ctx, s.k.alertPending(sig.mac), fields...).Result()
	if err != nil {
		return chats, fmt.Errorf("alert chats: %w", err)
	}
	if inst, ok := took[1].(string); ok {
		// Kept by the same tip (raised again after a crash), or by another
		// (an earlier alert): the instance tells, even for tips of the
		// same millisecond.
		if inst != sig.alert {
			sig.begun = 1 // kept anew: none made yet
			return chats, s.dropAnyAlert(ctx, *sig)
		}
	} else if sealed, ok := took[0].(string); ok {
		// Kept before instances were recorded: told by since when its
		// reporters were counted.
		var p pendingSignal
		plain, err := s.kr.open([]byte(sealed), "alert:"+sig.mac)
		if err == nil {
			err = json.Unmarshal(plain, &p)
		}
		if err != nil || (p.Since != 0 && p.Since != unixMilliOrZero(sig.since)) {
			sig.begun = 1 // kept anew: none made yet
			return chats, s.dropAnyAlert(ctx, *sig)
		}
		// Raised again (its hand-over cut off before the upgrade): the
		// mark it is handed over with names this instance, which the
		// record's withdrawal must let go of.
		if err := notePreInstanceAlert.Run(ctx, s.rdb, []string{s.k.alertPending(sig.mac)}, sig.alert).Err(); err != nil {
			return chats, fmt.Errorf("alert chats: %w", err)
		}
	}
	// A first send counts as a claim made now would: one more attempt.
	n, _ := took[2].(string)
	attempts, _ := strconv.ParseInt(n, 10, 64)
	sig.begun = attempts + 1
	var missing []string
	for i, chat := range chats {
		if took[i+3] == nil {
			missing = append(missing, chat)
		}
	}
	return missing, nil
}

// AlertDelivered records that chat (as configured) took a kept alert, as
// message msg (a reference to it, opaque here and sealed; "" if unknown):
// it is not sent there again, and a withdrawal notice replies to it.
func (s *Store) AlertDelivered(ctx context.Context, sig Signal, chat, msg string) error {
	if sig.mac == "" {
		return nil
	}
	field := s.alertChatMAC(sig.mac, chat)
	var sealed []byte
	if msg != "" {
		var err error
		if sealed, err = s.kr.seal([]byte(msg), "alertmsg:"+sig.mac); err != nil {
			return fmt.Errorf("alert delivered: %w", err)
		}
	}
	attempt := sig.attempt
	if attempt == 0 {
		attempt = sig.begun // a first send's
	}
	if err := tookAlert.Run(ctx, s.rdb, []string{s.k.alertPending(sig.mac)}, field, sig.alert, alertMessageOf(field), sealed,
		attempt, alertLateOf(field)).Err(); err != nil {
		return fmt.Errorf("alert delivered: %w", err)
	}
	return nil
}

// DueAlerts takes up to n kept alerts due now, for this process alone to
// send to the investigators' chats (as configured) that have not taken
// them: each is due again after a growing wait, unless AlertSent is
// called for it. Alerts past their deadline are dropped and returned
// GivenUp. An alert whose reporters no longer reach the threshold (tips
// it counted purged, or forgotten by their reporters, since) is returned
// Withdrawn, with the chats that took it (Took) to be told so; with none,
// it is dropped at once, and its entity can raise an alert again. One
// every chat took is done (AlertSent): one that took it before, and still
// stands at a recount, is sent to no chat configured since; past its
// deadline it is dropped without being returned. With no chats (none
// configured) it only drops those past their deadline. A record it
// cannot read (claimAlert) is dropped, counted in its error, and the
// pass goes on with the others; Redis failing stops it.
func (s *Store) DueAlerts(ctx context.Context, chats []string, n int) ([]PendingAlert, error) {
	now := s.now().UnixMilli()
	macs, err := s.rdb.ZRangeByScore(ctx, s.k.alertsDue(), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now, 10), Count: int64(n)}).Result()
	if err != nil {
		return nil, fmt.Errorf("due alerts: %w", err)
	}
	flag := "0"
	if len(chats) > 0 {
		flag = "1"
	}
	var (
		out        []PendingAlert
		errs       error
		unreadable int
	)
	for _, mac := range macs {
		res, err := claimAlert.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(mac)}, mac, now,
			alertRetryFirst.Milliseconds(), alertRetryMax.Milliseconds(), flag).Slice()
		if errors.Is(err, redis.Nil) {
			continue // sent, or taken by another process, meanwhile
		}
		if err != nil {
			// Redis unreachable, or refusing writes (memory, a replica):
			// the next alerts would fail as well. (A record it cannot
			// read is no error: the script drops it.)
			return out, errors.Join(errs, unreadableAlerts(unreadable), fmt.Errorf("due alerts: %w", err))
		}
		a := PendingAlert{Signal: Signal{mac: mac}}
		if len(res) > 4 {
			a.Signal.alert, _ = res[4].(string)
		}
		attempt, _ := res[1].(int64)
		if attempt == alertUnreadable {
			unreadable++
			continue
		}
		a.Signal.attempt = attempt
		if attempt < 0 {
			a.GivenUp = true
			// Found withdrawn before: its chats were not all told so.
			a.Withdrawn = len(res) > 2 && res[2] == "1"
			if !a.Withdrawn && len(res) > 3 && res[3] == "1" {
				// Every chat took it (due for a recount only): there is
				// nothing to give up.
				continue
			}
		}
		sealed, _ := res[0].(string)
		var p pendingSignal
		plain, err := s.kr.open([]byte(sealed), "alert:"+mac)
		if err == nil {
			err = json.Unmarshal(plain, &p)
		}
		if err != nil && !a.GivenUp {
			// It could never be sent (sealed under a secret no longer
			// known): dropped, and said once.
			_, derr := s.dropAlert(ctx, a.Signal)
			errs = errors.Join(errs, fmt.Errorf("a kept alert could not be read, dropped: %w", err), derr)
			continue
		}
		a.Signal.Entity, a.Signal.Reporters = p.Entity, p.Reporters
		if a.GivenUp {
			out = append(out, a)
			continue
		}
		a.Formed, a.Signal.since = alertTimes(res, p, s.index0.Window)
		took := map[string]bool{}
		for _, f := range res[5:] {
			if f, ok := f.(string); ok {
				took[f] = true
			}
		}
		withdrawn, done := took["w"], took["ok"]
		// Still corroborated? Tips it counted may have been purged, or
		// forgotten by their reporters, since it was raised: counted again
		// from where it counted, new reporters included. (One every chat
		// took is due only when such a tip was taken out: checkAlert.)
		reporters, err := s.rdb.ZCount(ctx, s.k.indexEntity(mac), "-inf", reportersSince(a.Signal.since)).Result()
		if err != nil {
			return out, errors.Join(errs, unreadableAlerts(unreadable), fmt.Errorf("due alerts: recount: %w", err))
		}
		if reporters < int64(s.index0.Threshold) {
			a.Withdrawn = true
			for _, chat := range chats {
				if took[s.alertChatMAC(mac, chat)] {
					a.Took = append(a.Took, chat)
				}
			}
			if len(a.Took) > 0 {
				a.Messages = s.alertMessages(ctx, mac, a.Took)
			}
			if len(a.Took) == 0 {
				// No chat (still configured) has it: nobody to tell.
				errs = errors.Join(errs, s.withdrawAlert(ctx, a.Signal, false))
			} else if !withdrawn {
				// Said if its notices are given up with it.
				if err := markWithdrawn.Run(ctx, s.rdb, []string{s.k.alertPending(mac)}, a.Signal.alert, "1").Err(); err != nil {
					errs = errors.Join(errs, fmt.Errorf("due alerts: %w", err))
				}
			}
			out = append(out, a)
			continue
		}
		if withdrawn {
			// It stands again (new reporters): sent again where it was
			// withdrawn.
			told, err := markWithdrawn.Run(ctx, s.rdb, []string{s.k.alertPending(mac)}, a.Signal.alert, "0").StringSlice()
			if err != nil {
				errs = errors.Join(errs, fmt.Errorf("due alerts: %w", err))
			}
			// Those being told when it was claimed too: the script's
			// answer is lost, or empty, should go-redis run it again
			// after a dropped connection (a chat sent the alert twice,
			// at worst; never one left out).
			for f := range took {
				if strings.HasPrefix(f, alertTellingField) {
					told = append(told, alertChatField+strings.TrimPrefix(f, alertTellingField))
				}
			}
			for _, f := range told {
				delete(took, f)
			}
		}
		for _, chat := range chats {
			// One every chat took and still standing goes nowhere else: a
			// chat configured since it went out was never promised it.
			// One told of its withdrawal late gets it again in any case.
			c := s.alertChatMAC(mac, chat)
			if took[alertLateOf(c)] || !took[c] && (withdrawn || !done) {
				a.Missing = append(a.Missing, chat)
			}
		}
		if len(a.Missing) == 0 {
			// Every chat took it (one not configured any more is not
			// waited for).
			errs = errors.Join(errs, s.AlertSent(ctx, a.Signal))
			continue
		}
		a.Signal.Reporters = int(reporters)
		out = append(out, a)
	}
	return out, errors.Join(errs, unreadableAlerts(unreadable))
}

// alertUnreadable is claimAlert's attempt for a record it could not read,
// and deleted.
const alertUnreadable = -2

// unreadableAlerts says how many kept alert records DueAlerts found it
// could not read, and dropped (nil for none): a count, nothing of their
// entities.
func unreadableAlerts(n int) error {
	if n == 0 {
		return nil
	}
	return fmt.Errorf("due alerts: %d kept alert records could not be read (not a hash, or a deadline or attempt count that is no number), dropped: those alerts are not sent again", n)
}

// alertMessages reads the ids of a kept alert's messages (entity mac) in
// chats, where they are known: one not read is only not replied to.
func (s *Store) alertMessages(ctx context.Context, mac string, chats []string) map[string]string {
	fields := make([]string, len(chats))
	for i, chat := range chats {
		fields[i] = alertMessageOf(s.alertChatMAC(mac, chat))
	}
	vals, err := s.rdb.HMGet(ctx, s.k.alertPending(mac), fields...).Result()
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for i, v := range vals {
		if sealed, ok := v.(string); ok {
			if msg, err := s.kr.open([]byte(sealed), "alertmsg:"+mac); err == nil {
				out[chats[i]] = string(msg)
			}
		}
	}
	return out
}

// alertTimes reads, from claimAlert's answer, when an alert was raised
// and since when its reporters are counted (for alerts kept before either
// was recorded: from its deadline, one window after it was kept).
func alertTimes(res []any, p pendingSignal, window time.Duration) (formed, since time.Time) {
	ms := func(v any) int64 {
		str, _ := v.(string)
		n, _ := strconv.ParseInt(str, 10, 64)
		return n
	}
	if f := ms(res[2]); f > 0 {
		formed = time.UnixMilli(f)
	} else {
		formed = time.UnixMilli(ms(res[3])).Add(-window)
	}
	since = formed.Add(-window)
	if p.Since != 0 {
		since = time.UnixMilli(p.Since)
	}
	return formed, since
}

// AlertRetracting records, before chat (as configured) is sent the
// notice that a kept alert it took was withdrawn, that it is being told,
// for alertTellingLease: no other process sends it the notice meanwhile.
// It returns the lease taken, for the notice's settling (AlertRetracted,
// AlertNotRetracted), which touches the record only while it holds that
// lease. Should the notice not be settled by then (the process died, or
// stalled, or Redis failed), the chat counts as not told, and is told at
// a later attempt: twice, should the process have died after the send,
// never not at all. It reports false, and the notice is not to be sent
// now, when the chat was told already, or is being told (by this or
// another process; the alert is not yet to be dropped: its next attempt
// sees whether it was), or the alert is no longer withdrawn (it stood
// again since it was claimed: its next attempt sends it again where it
// was withdrawn). An alert no longer kept (the entity's next alert
// replaced its record) has nothing to record it in: true, told as before.
func (s *Store) AlertRetracting(ctx context.Context, sig Signal, chat string) (tell bool, lease string, err error) {
	if sig.mac == "" {
		return true, "", nil
	}
	field := s.alertChatMAC(sig.mac, chat)
	now := s.now()
	lease = alertLease(now.Add(alertTellingLease))
	n, err := tellingAlert.Run(ctx, s.rdb, []string{s.k.alertPending(sig.mac)}, field, sig.alert, alertTellingOf(field),
		now.UnixMilli(), lease).Int()
	if err != nil {
		return false, "", fmt.Errorf("alert retracting: %w", err)
	}
	return n != 0, lease, nil
}

// AlertNotRetracted undoes AlertRetracting for chat, whose notice was not
// sent (refused, or cut off): it is told at the alert's next attempt. Only
// lease, AlertRetracting's, is undone: one another process took since
// (this one's ended while it stalled) is that process's, telling the chat.
func (s *Store) AlertNotRetracted(ctx context.Context, sig Signal, chat, lease string) error {
	if sig.mac == "" {
		return nil
	}
	field := alertTellingOf(s.alertChatMAC(sig.mac, chat))
	if err := notTellingAlert.Run(ctx, s.rdb, []string{s.k.alertPending(sig.mac)}, field, sig.alert, lease).Err(); err != nil {
		return fmt.Errorf("alert not retracted: %w", err)
	}
	return nil
}

// AlertRetracted records that chat (as configured), which took a kept
// alert since withdrawn, was told so under lease (AlertRetracting's): it
// is not told again. A lease another process took since (this one's
// ended while it stalled) is left to it. Should the alert stand again
// meanwhile (new reporters), it is sent there again: once more where the
// notice was late (its process stalled past its lease while another
// found the alert standing, and sent it again), so that the chat does
// not end believing it withdrawn.
func (s *Store) AlertRetracted(ctx context.Context, sig Signal, chat, lease string) error {
	if sig.mac == "" {
		return nil
	}
	field := s.alertChatMAC(sig.mac, chat)
	if err := retractedAlert.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, field, sig.alert,
		alertMessageOf(field), alertTellingOf(field), sig.mac, s.now().UnixMilli(), alertLateOf(field), lease,
		alertSettledOf(field)).Err(); err != nil {
		return fmt.Errorf("alert retracted: %w", err)
	}
	return nil
}

// AlertWithdrawn drops a kept alert withdrawn (DueAlerts) once every
// chat that took it was told: its entity can raise an alert again.
// An alert that stood again meanwhile (new reporters: another process
// found it so while this one was telling its chats, stalled) is left
// kept, to be sent again where it was withdrawn.
func (s *Store) AlertWithdrawn(ctx context.Context, sig Signal) error {
	return s.withdrawAlert(ctx, sig, true)
}

// withdrawAlert drops a kept alert that lost its corroboration, and lets
// its entity raise an alert again: its mark said the alert was handed
// over, which would hold back a new one all window. The next alert of
// the entity, raised meanwhile by another process, is neither dropped nor
// let go of. The mark and the record are in different slots (no one
// script): the mark goes first, so that a process dying in between leaves
// the record, still due, for its next attempt to find withdrawn with no
// chat left to tell, and drop; not a mark holding back the entity's next
// alert all window, with no record left to let it go.
//
// With marked, only a record still marked withdrawn ("w") is dropped: not
// one that stood again since it was claimed. (Checked before the mark
// goes and again as the record is dropped: one standing again in between
// keeps its record and loses its mark, which lets a later tip raise the
// entity's alert again; a duplicate at worst.)
func (s *Store) withdrawAlert(ctx context.Context, sig Signal, marked bool) error {
	if sig.mac == "" {
		return nil
	}
	rec, err := s.rdb.HMGet(ctx, s.k.alertPending(sig.mac), "i", alertHandedField, "s", "w").Result()
	if err != nil {
		return fmt.Errorf("withdraw alert: %w", err)
	}
	if inst, ok := rec[0].(string); ok && inst != sig.alert {
		return nil // the next alert's record, and mark
	}
	if marked && rec[2] != nil && rec[3] == nil {
		return nil // standing again
	}
	// A record kept before instances, raised again since by its tip:
	// handed over under that tip's instance.
	handed := sentMark(sig.alert)
	if h, ok := rec[1].(string); ok && rec[0] == nil {
		handed = sentMark(h)
	}
	if err := releaseSentMark.Run(ctx, s.rdb, []string{s.k.indexAlert(sig.mac)}, sentMark(sig.alert), alertSent, handed).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("withdraw alert: %w", err)
	}
	mode := "0"
	if marked {
		mode = "w"
	}
	if err := dropAlertScript.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, sig.mac, sig.alert, mode).Err(); err != nil {
		return fmt.Errorf("drop alert: %w", err)
	}
	return nil
}

// AlertSent records that every chat took a kept alert (nothing if none
// is kept): it is not sent again. Its record stays until its expiry (the
// corroboration window and a day, from when it was kept), so that tips it
// counted taken out (purged, or forgotten) still withdraw it from the
// chats that took it (checkAlert, DueAlerts).
func (s *Store) AlertSent(ctx context.Context, sig Signal) error {
	if sig.mac == "" {
		return nil
	}
	if err := doneAlert.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, sig.mac, sig.alert, sig.attempt).Err(); err != nil {
		return fmt.Errorf("alert sent: %w", err)
	}
	return nil
}

// checkAlerts asks for the kept alerts of entities macs, if any, to be
// recounted at once (checkAlert): a tip they may have counted was taken
// out. A record it cannot read is dropped (checkAlert), the others
// recounted all the same: its error is then an *UnreadableAlertsError,
// counting them. Else a purge or a /forget, done but for this last step,
// would fail at it, and again at every try.
func (s *Store) checkAlerts(ctx context.Context, macs []string) error {
	pipe := s.rdb.Pipeline()
	now := s.now().UnixMilli()
	checks := make([]*redis.Cmd, len(macs))
	for i, mac := range macs {
		checks[i] = checkAlert.Eval(ctx, pipe, []string{s.k.alertsDue(), s.k.alertPending(mac)}, mac, now, "1")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("recount alerts: %w", err)
	}
	dropped := 0
	for _, c := range checks {
		if n, _ := c.Int(); n == 2 {
			dropped++
		}
	}
	if dropped > 0 {
		return &UnreadableAlertsError{Dropped: dropped}
	}
	return nil
}

// UnreadableAlertsError is the error of Purge and Forget when all they
// had to do was done, but kept alert records they were to have recounted
// could not be read (not a hash, or a deadline that is no number: a
// corrupted key), and were dropped: those alerts are not sent again.
// It counts them, and names none.
type UnreadableAlertsError struct {
	Dropped int
}

func (e *UnreadableAlertsError) Error() string {
	return fmt.Sprintf("recount alerts: %d kept alert records could not be read (not a hash, or a deadline that is no number), dropped: those alerts are not sent again", e.Dropped)
}

// dropAnyAlert forgets the kept alert of sig's entity, whichever its
// instance (nothing if none is kept).
func (s *Store) dropAnyAlert(ctx context.Context, sig Signal) error {
	if sig.mac == "" {
		return nil
	}
	if err := dropAlertScript.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, sig.mac, "", "1").Err(); err != nil {
		return fmt.Errorf("drop alert: %w", err)
	}
	return nil
}

// dropAlert forgets the kept alert of sig's entity if it is of sig's
// instance (or kept before instances were recorded: one claimed from
// such a record has none, and must not drop the entity's next alert);
// it reports whether it did (or none was kept).
func (s *Store) dropAlert(ctx context.Context, sig Signal) (bool, error) {
	n, err := dropAlertScript.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, sig.mac, sig.alert, "0").Int()
	if err != nil {
		return false, fmt.Errorf("drop alert: %w", err)
	}
	return n == 1, nil
}

// KeptAlerts is how many alerts wait for an investigators' chat.
func (s *Store) KeptAlerts(ctx context.Context) (int64, error) {
	n, err := s.rdb.ZCard(ctx, s.k.alertsDue()).Result()
	if err != nil {
		return 0, fmt.Errorf("kept alerts: %w", err)
	}
	return n, nil
}
