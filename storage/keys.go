package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// keys builds every Redis key Vigía uses; no other file spells a key.
//
// Keys that one atomic operation touches together share the hash tag
// "{tips}", so the same scripts run on Redis Cluster. Per-reporter keys carry
// only a pseudonym, never a platform id.
type keys struct{ prefix string }

func newKeys(prefix string) (keys, error) {
	if prefix == "" || strings.ContainsAny(prefix, "{} \t\n") {
		return keys{}, fmt.Errorf("key prefix %q must be non-empty, without braces or spaces", prefix)
	}
	return keys{prefix: prefix}, nil
}

// keyset holds the MAC keys (pseudonyms, receipts, blind index), sealed, so
// that they outlive a change of VIGIA_SECRET.
func (k keys) keyset() string { return k.prefix + ":keyset" }

// tipSeq is the counter that numbers tips.
func (k keys) tipSeq() string { return k.prefix + ":{tips}:seq" }

// tipSeqBack marks, for a minute, that one Send (by a random token) gave
// its tip number back, so that the give-back, sent again (its answer
// lost), does not give a number back twice. It shares tipSeq's hash tag.
func (k keys) tipSeqBack(token string) string { return k.prefix + ":{tips}:seq:back:" + token }

// tip is a tip's hash: wrapped data key, sealed content, category, status, time.
func (k keys) tip(id string) string { return k.prefix + ":{tips}:tip:" + id }

// triage is the stream investigators claim tips from.
func (k keys) triage() string { return k.prefix + ":{tips}:triage" }

// receipt maps HMAC(receipt code) to a tip id.
func (k keys) receipt(mac string) string { return k.prefix + ":{tips}:receipt:" + mac }

// receiptNoTip marks, by HMAC(receipt code), a receipt given for a message
// spooled in an outage that held receipt codes alone, showed nothing, or
// had gone out in a tip already: the replay stored no tip for it
// (ReceiptNoTip, valued why). It shares receipt's hash tag.
func (k keys) receiptNoTip(mac string) string { return k.prefix + ":{tips}:notip:" + mac }

// handled is one of a week's handledBuckets buckets of marks of a
// reporter's messages that went out in a stored tip or as the answer to
// a question (Store.handledMark): a field a message, 8 bytes of a keyed
// hash of its reporter and platform event (no id in clear), valued
// handledSent or handledAnswer; 12 more bits of the hash pick the
// bucket. The spool's replay knows such a message, delivered again by
// the platform and spooled, after the marks on its reporter's state (two
// days) are gone. Buckets, not a key a message (about 165 bytes of
// Redis memory), keep a mark to 15 to 30 bytes from some 50,000 messages
// a week (a bucket costs about 150 bytes, shared by the week's marks:
// 600 KB a week at most), while a bucket keeps Redis's compact hash
// encoding: up to 512 fields with hash-max-listpack-entries 512, as
// docker-compose.yml sets it (about 1.8 million messages a week; with
// Redis's default, 128, about 400,000), then about 60. A week's buckets
// are named by its first day (bandWeekStart) and live until the
// retention has passed for its last message (Store.handledTTL), so none
// dates a tip. They share receipt's hash tag: saveTip writes a tip's
// marks with the tip.
func (k keys) handled(week string, bucket uint32) string {
	const hex = "0123456789abcdef"
	return k.prefix + ":{tips}:handled:" + week + ":" + string([]byte{hex[bucket>>8&0xf], hex[bucket>>4&0xf], hex[bucket&0xf]})
}

// handledBuckets is how many buckets a week's handled marks are spread
// over: enough for a busy week's to stay compact, few enough that a
// quiet week's stay cheap.
const handledBuckets = 4096

// draft is a reporter's unsent draft, under their pseudonym. It shares a
// hash tag with state, which scripts read with it.
func (k keys) draft(pseudonym string) string { return k.prefix + ":{" + pseudonym + "}:draft" }

// state is a reporter's small state, one hash under their pseudonym: the
// platform events of the parts of tips sent in the last two days ("x:" and
// the event, valued when it is forgotten: a redelivered one is not added
// to a new draft; earlier versions kept only the highest, "floor"; "x:s"
// and a draft id: a draft of spooled messages alone, see claimDraft; "x:t"
// and a keyed hash: a message sent in a tip, sentMark; "x:a" and a keyed
// hash: a message delivered as an answer, answerMark; "x:w": until when a
// chat wipe they scheduled may be to come, noteWipe), and
// the rate-limit counters of the current windows. It shares a hash tag with
// draft, which one script reads with it. One key instead of one per
// counter: a key costs Redis more than a small hash field.
func (k keys) state(pseudonym string) string { return k.prefix + ":{" + pseudonym + "}:st" }

// draftDeadlines orders pseudonyms with drafts by when their draft expires.
func (k keys) draftDeadlines() string { return k.prefix + ":drafts" }

// heldDue orders the messages held for a reporter's choice (the engine's
// sealed answering marks hold them) by when the sweep next looks at each:
// members are "pseudonym:id", id a random one of the held message's.
func (k keys) heldDue() string { return k.prefix + ":held" }

// language is a reporter's chosen language, under their pseudonym.
func (k keys) language(pseudonym string) string { return k.prefix + ":lang:" + pseudonym }

// clientLanguage is the language a reporter's client last gave with a
// request that may carry one (a Discord interaction's locale), under
// their pseudonym, for their requests that carry none (a Discord message).
func (k keys) clientLanguage(pseudonym string) string { return k.prefix + ":clang:" + pseudonym }

// file is a stored file, sealed under a key only its tip holds.
func (k keys) file(id string) string { return k.prefix + ":file:" + id }

// teamMembers maps a member's pseudonym to their sealed record.
func (k keys) teamMembers() string { return k.prefix + ":{team}:members" }

// teamActive maps a member's pseudonym to when they last acted.
func (k keys) teamActive() string { return k.prefix + ":{team}:active" }

// invite is a pending invitation, under the MAC of its code.
func (k keys) invite(mac string) string { return k.prefix + ":{team}:invite:" + mac }

// voidAllDone exists once the spool's replay has voided every pending
// invitation for the hold named id (spool_void.go): not again.
func (k keys) voidAllDone(id string) string { return k.prefix + ":{team}:voidall:" + id }

// voidAllDones are the voidAllDone keys of names.
func (k keys) voidAllDones(names []string) []string {
	out := make([]string, len(names))
	for i, name := range names {
		out[i] = k.voidAllDone(name)
	}
	return out
}

// dead is the dead-letter stream of tips whose handling kept failing.
func (k keys) dead() string { return k.prefix + ":{tips}:dead" }

// tipLog is a tip's history and notes, each entry sealed with its data key.
func (k keys) tipLog(id string) string { return k.prefix + ":{tips}:log:" + id }

// untold orders the tips' answers whose askers were not told yet (their
// write's reply lost) by when they were written, or by when a sweep's
// claim of one ends, less the grace (storage.ClaimUntold): members are
// "id:n", tip id's question n.
func (k keys) untold() string { return k.prefix + ":{tips}:untold" }

// route is where to reach a tip's reporter, sealed, if they allowed questions.
func (k keys) route(id string) string { return k.prefix + ":{tips}:route:" + id }

// answering marks that a reporter's next message answers a question.
func (k keys) answering(pseudonym string) string { return k.prefix + ":{" + pseudonym + "}:answering" }

// answeringMatch matches every reporter's answering key (SCAN MATCH).
func (k keys) answeringMatch() string { return globEscape(k.prefix) + ":{*}:answering" }

// answeringOf is the pseudonym whose answering key key is.
func (k keys) answeringOf(key string) (string, bool) {
	p, ok := strings.CutPrefix(key, k.prefix+":{")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(p, "}:answering")
}

// audit is the append-only, sealed audit stream.
func (k keys) audit() string { return k.prefix + ":audit" }

// The blind index: every name below carries an HMAC, never a word.

// indexToken holds the numbers of one UTC day's tips that contain a word
// (by its MAC), 4 bytes each (see postings.go).
func (k keys) indexToken(mac, day string) string { return k.prefix + ":ix:t:" + mac + ":" + day }

// indexLate lists one UTC day's tips indexed late (taken over from an
// indexer that died): their words are not in the day's posting strings,
// which a search reads from the end trusting that they are nearly in order.
func (k keys) indexLate(day string) string { return k.prefix + ":ix:late:" + day }

// indexEntity maps an entity's MAC to its tip ids by time and its
// reporters' tags by minus the hour (see index).
func (k keys) indexEntity(mac string) string { return k.prefix + ":ix:e:" + mac }

// indexFolded marks, for an hour, that the tips under an entity's past
// forms were brought into its set (foldPastForms): not looked at again
// at each of its tips.
func (k keys) indexFolded(mac string) string { return k.prefix + ":ix:f:" + mac }

// indexSifted marks, for an hour, that the tips of other entities an
// entity's set held as its old cut form were taken out of it
// (siftCutForm): not looked at again at each of its tips.
func (k keys) indexSifted(mac string) string { return k.prefix + ":ix:s:" + mac }

// indexFormsSince holds when handles and hashtags were first indexed as
// read now, keeping their marks (unix ms: the first start of a version
// that does; written once): tips under their old cut forms are all
// older, and gone once that is older than the retention, and so is the
// indexer's work on them (foldPastForms, siftCutForm) and /entity's,
// purge's and /forget's look-ups of them, but for a tip created before
// (mayBeUnderPastForms). It never expires, unlike the index ("ix:")
// keys: written again, it would start that work over. A rolling upgrade
// from a version that cut them writes it too early (README: Upgrading).
func (k keys) indexFormsSince() string { return k.prefix + ":forms" }

// indexRecountOwed holds, by when, a mark per sift writing or having
// written to an entity's set (the entity's MAC and a random token, one
// per sift: owedMark): the recount of their alerts it owes
// (checkAlerts) is done at the indexer's next look if the sift's process
// stopped before it (redoOwedRecounts).
func (k keys) indexRecountOwed() string { return k.prefix + ":ix:rc" }

// indexKeys is the SCAN pattern of every index ("ix:") key.
func (k keys) indexKeys() string { return globEscape(k.prefix) + ":ix:*" }

// indexKind is what an index key is, by the name that built it
// ("e" for indexEntity, "t" for indexToken...), and the rest of its name
// after it; ok is false for a key that is not an index key.
func (k keys) indexKind(key string) (kind, rest string, ok bool) {
	rest, ok = strings.CutPrefix(key, k.prefix+":ix:")
	if !ok {
		return "", "", false
	}
	kind, rest, _ = strings.Cut(rest, ":")
	return kind, rest, true
}

// indexExpiryChecked marks, for a day, that a process looked through
// every index key for those an earlier version left without an expiry
// (RepairIndexExpiry: "done"), or holds, while it looks, that process's
// lease and where it got to ("token lease-end progress": unix ms, and
// each primary's SCAN cursor by its server's run id, repairProgress),
// kept a day from its last write: no secret, no id, no key name.
func (k keys) indexExpiryChecked() string { return k.prefix + ":ix:ttl" }

// indexDisplay holds an entity's display value, sealed.
func (k keys) indexDisplay(mac string) string { return k.prefix + ":ix:d:" + mac }

// indexTop lists entities named by two or more reporters within the
// corroboration window, by last time.
func (k keys) indexTop() string { return k.prefix + ":ix:top" }

// indexTopRetained lists entities named by two or more reporters within
// the retention, by last time: /signals reads it for longer windows.
func (k keys) indexTopRetained() string { return k.prefix + ":ix:top:all" }

// indexBands is one of a week's 32,768 buckets of near-duplicate sketch
// bands: it maps each band to the ids of that week's tips that have it.
// Buckets stay small enough for Redis's compact hash encoding (up to 512
// fields with hash-max-listpack-entries 512, as docker-compose.yml sets
// it: about 1.7 million tips a week, at 10 bands a tip; Redis's default,
// 128, keeps a quarter of that), where a field costs 14 bytes
// instead of 63 once a bucket outgrows it; the week's buckets cost about
// 5 MB once all are in use. One week's buckets share a hash tag, so one
// script can file a tip's bands.
func (k keys) indexBands(week, band string) string {
	// Built by hand: Sprintf was a twentieth of the indexer's CPU.
	h := uint32(2166136261) // FNV-1a, 32 bits
	for i := 0; i < len(band); i++ {
		h = (h ^ uint32(band[i])) * 16777619
	}
	b := h % bandBuckets
	const hex = "0123456789abcdef"
	return k.prefix + ":ix:lsh:{" + week + "}:" + string([]byte{hex[b>>12&0xf], hex[b>>8&0xf], hex[b>>4&0xf], hex[b&0xf]})
}

// bandBuckets is how many buckets a week's bands are spread over. (Until
// 2026-12-04 it was 4,096, named by three hex digits: the buckets of
// tips indexed before are not read any more, so near duplicates of those
// tips are missed for the week after the change, and a purge of one of
// them leaves its id in its old buckets until they expire, a fortnight
// at most.)
const bandBuckets = 32768

// indexAlert marks, for one window, that an entity's alert went out.
func (k keys) indexAlert(mac string) string { return k.prefix + ":ix:a:" + mac }

// alertsDue holds the alerts no investigators' chat took yet, by entity
// MAC, scored by when each is next tried (unix ms).
func (k keys) alertsDue() string { return k.prefix + ":{alerts}:due" }

// alertPending is one of them: its signal, sealed; its deadline; how often
// it was tried again. It shares a hash tag with alertsDue.
func (k keys) alertPending(mac string) string { return k.prefix + ":{alerts}:a:" + mac }

// teamChats maps a configured investigators' chat (a MAC of it) to its
// new id, sealed, once the platform moved it (MoveTeamChat).
func (k keys) teamChats() string { return k.prefix + ":teamchats" }

// subscriptions maps MAC(platform, chat) to a sealed community subscription.
func (k keys) subscriptions() string { return k.prefix + ":{bc}:subs" }

// publication holds a warning's approvals and (sealed) published text.
func (k keys) publication(id string) string { return k.prefix + ":{bc}:pub:" + id }

// duplicates lists the tips marked (or being marked) duplicates of tip
// id: the reverse of their marks, read by the approve script (a member
// whose mark no longer names id is dropped there).
func (k keys) duplicates(id string) string { return k.prefix + ":{bc}:dups:" + id }

// dupsFill holds the state of the one-off backfill of the lists of
// duplicates (BackfillDuplicates): "done" once it went through every tip
// (never expiring: written again, it would start over); while a process
// runs it, its random token, when its lease ends (unix ms) and the SCAN
// cursor it reached, no tip id or secret.
func (k keys) dupsFill() string { return k.prefix + ":dupsfill" }

// deliveries maps each destination of a broadcast to its state.
func (k keys) deliveries(id string) string { return k.prefix + ":{bc}:job:" + id }

// broadcasts lists the broadcasts still being delivered.
func (k keys) broadcasts() string { return k.prefix + ":{bc}:jobs" }

// inbox is a platform's stream of received updates (webhook mode, and
// polling mode while Redis answers).
func (k keys) inbox(platform string) string { return k.prefix + ":{inbox}:" + platform }

// inboxDead keeps inbox updates that could not be opened, sealed as received.
func (k keys) inboxDead(platform string) string { return k.inbox(platform) + ":dead" }

// inboxSeen marks an update stored in a platform's inbox, named by a MAC
// of the platform's id for it, so that one delivered again is not stored
// again. It holds nothing sealed: rotate-key passes it by (isInboxSeen).
func (k keys) inboxSeen(platform, mac string) string {
	return k.prefix + ":{inbox}:seen:" + platform + ":" + mac
}

// isInboxSeen tells whether key names a marker built by inboxSeen.
func (k keys) isInboxSeen(key string) bool { return strings.HasPrefix(key, k.prefix+":{inbox}:seen:") }

// TriageGroup is the consumer group investigators read the triage stream with.
const TriageGroup = "investigators"

// secondFactor is a team member's TOTP enrolment: the sealed secret,
// whether it was confirmed, and the last time step used (codes are single use).
func (k keys) secondFactor(pseudonym string) string {
	return k.prefix + ":{" + pseudonym + "}:2fa"
}

// unlocked exists while a team member's second factor unlock lasts.
func (k keys) unlocked(pseudonym string) string { return k.prefix + ":{" + pseudonym + "}:unlocked" }

// wipes ordered the scheduled message deletions of every platform, by
// when they were due, before wipesOf: read only to move its entries to
// theirs.
func (k keys) wipes() string { return k.prefix + ":{wipe}:due" }

// wipesOf orders one platform's scheduled message deletions by when they
// are due, or, while one is being run, by when its lease ends: a process
// reads only those of the platforms it runs. It expires with the last of
// its jobs' records (ScheduleWipe).
func (k keys) wipesOf(platform string) string { return k.prefix + ":{wipe}:due:" + platform }

// wipe is one scheduled deletion, sealed (it names a chat).
func (k keys) wipe(id string) string { return k.prefix + ":{wipe}:job:" + id }

// wipesBy orders a reporter's scheduled chat wipes (job ids) by when
// they are due, under their pseudonym, so /wipe now can tell them one is
// still set. It expires with the last of its jobs' records.
func (k keys) wipesBy(pseudonym string) string { return k.prefix + ":{wipe}:by:" + pseudonym }

// wipeDiscards holds the discards chat wipes owe (OweDiscard): a field a
// reporter's pseudonym, valued the time of the wipe, sealed. A field goes
// once its discard is done (DiscardDone); few are ever there.
func (k keys) wipeDiscards() string { return k.prefix + ":{wipe}:discards" }

// wipeTakes counts the times job id was taken in a row without being
// settled (TakeWipe), expiring with it: a job whose process dies every
// time it runs it is given up, not taken every lease until it expires.
func (k keys) wipeTakes(id string) string { return k.prefix + ":{wipe}:takes:" + id }

// rebuildCopy names the copy of stream key that rotate-key builds beside
// it (rekeyCopy), the same for every run: the bot deletes from it what it
// deletes from the stream while it is built (InboxDone), so that a stream
// drained meanwhile does not have to be compared with its copy again.
func (k keys) rebuildCopy(key string) string {
	sum := sha256.Sum256([]byte(key))
	return k.rekeyCopy(key, hex.EncodeToString(sum[:8]))
}

// rekeyCopy names a copy of stream key that rotate-key builds beside it,
// in key's hash slot: its hash tag is key's, or key itself if it has none.
func (k keys) rekeyCopy(key, run string) string {
	tag := key
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			tag = key[i+1 : i+1+j]
		}
	}
	return k.prefix + ":{" + tag + "}:rekeying:" + run
}

// rekeyLock is held by the rotate-key run in progress: a random token,
// expiring unless renewed (LockRekey).
func (k keys) rekeyLock() string { return k.prefix + ":rekey:lock" }

// isRekeyCopy tells whether key names a copy built by rekeyCopy.
func (k keys) isRekeyCopy(key string) bool {
	return strings.HasPrefix(key, k.prefix+":{") && strings.Contains(key, "}:rekeying:")
}
