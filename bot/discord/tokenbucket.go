package discord

import (
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// discordgo (v0.29) files a request under a rate-limit bucket named by its
// URL, and keeps every bucket for good. The routes of an interaction's
// answers hold its token in their URL (InteractionRespond,
// FollowupMessageCreate, InteractionResponseDelete): through those
// methods, every interaction's token would stay in the limiter's memory
// until the janitor's next sweep (sweepLimiter), or for ever while a
// request is always in flight (the sweep is skipped then), and the
// limiter would grow by a bucket or two per interaction. So the adapter
// sends them itself, to the same URL with the same body, under the
// buckets of a slot: a name with no token, held by one interaction while
// it is answered and handed to a later one after (takeSlot, releaseSlot).
// (The edits of an earlier interaction's ephemeral message, through its
// held token, go under the pressing interaction's slot too: editInstead.)
// The limiter then holds two buckets per interaction answered at once,
// not per interaction ever answered, and the token lives only as long as
// the interaction's replier (and holdToken's).

// slots are the bucket names interactions take turns with.
type slots struct {
	mu   sync.Mutex
	free []freeSlot
	n    int // slots made
}

// freeSlot is a slot no interaction holds, to be handed out from after
// (when what Discord reported of its buckets no longer holds a request
// back: a new interaction is never made to wait for an earlier one's
// limit).
type freeSlot struct {
	name  string
	after time.Time
}

// takeSlot hands an interaction a slot: a free one whose buckets hold no
// wait, or a new one.
func (a *Adapter) takeSlot() string {
	a.slots.mu.Lock()
	defer a.slots.mu.Unlock()
	now := time.Now()
	for k := len(a.slots.free) - 1; k >= 0; k-- {
		if f := a.slots.free[k]; !f.after.After(now) {
			a.slots.free = slices.Delete(a.slots.free, k, k+1)
			return f.name
		}
	}
	a.slots.n++
	return "vigia:interaction:" + strconv.Itoa(a.slots.n)
}

// releaseSlot gives back the slot of an interaction no longer answered,
// to be handed out once its buckets hold no wait of their own. A global
// limit (Discord's, or a Cloudflare ban: see plainRateLimit) holds every
// slot alike, so it is not waited for: each interaction during a ban of
// minutes would otherwise make a slot (and two buckets) of its own.
func (a *Adapter) releaseSlot(slot string) {
	wait := max(a.slotWait(slot+":response"), a.slotWait(slot+":webhook"))
	a.slots.mu.Lock()
	defer a.slots.mu.Unlock()
	a.slots.free = append(a.slots.free, freeSlot{slot, time.Now().Add(wait)})
}

// slotWait is bucketWait without the global limit: how long the bucket's
// own limit (its calls left, its reset) holds a request back.
func (a *Adapter) slotWait(bucket string) time.Duration {
	a.rl.RLock()
	defer a.rl.RUnlock()
	b := a.s.Ratelimiter.GetBucket(bucket)
	if !b.TryLock() {
		return bucketPoll
	}
	defer b.Unlock()
	return noGlobalLimit.GetWaitTime(b, 1)
}

// noGlobalLimit is a rate limiter no request goes through: its global
// limit is never set, so its GetWaitTime says a bucket's own wait only.
var noGlobalLimit = discordgo.NewRatelimiter()

// payload is a request's body and its content type, encoded once: an
// answer's upload before its bucket is looked at (message), not between
// that look and discordgo's, and sent as is by every attempt.
type payload struct {
	contentType string
	body        []byte
}

// encode encodes data as discordgo would: JSON, or with files a
// multipart form holding it (as payload_json) and the files.
func encode(data any, files []*discordgo.File) (payload, error) {
	if len(files) > 0 {
		contentType, body, err := discordgo.MultipartBodyWithJSON(data, files)
		return payload{contentType, body}, err
	}
	body, err := discordgo.Marshal(data)
	return payload{"application/json", body}, err
}

// responsePayload encodes an interaction response, with its files.
func responsePayload(resp *discordgo.InteractionResponse) (payload, error) {
	var files []*discordgo.File
	if resp.Data != nil {
		files = resp.Data.Files
	}
	return encode(resp, files)
}

// respond is discordgo's InteractionRespond, filed under responseBucket.
func (r *interactionReplier) respond(resp *discordgo.InteractionResponse, opts ...discordgo.RequestOption) error {
	p, err := responsePayload(resp)
	if err != nil {
		return err
	}
	return r.respondWith(p, opts...)
}

// respondWith sends an interaction response already encoded.
func (r *interactionReplier) respondWith(p payload, opts ...discordgo.RequestOption) error {
	endpoint := discordgo.EndpointInteractionResponse(r.i.ID, r.i.Token)
	_, err := r.a.lockedRequest("POST", endpoint, p, r.responseBucket(), opts...)
	return err
}

// followupWith is discordgo's FollowupMessageCreate (waiting for the
// message), its body already encoded, filed under followupBucket; the
// message Discord returns is not needed.
func (r *interactionReplier) followupWith(p payload, opts ...discordgo.RequestOption) error {
	uri := discordgo.EndpointFollowupMessage(r.i.AppID, r.i.Token) + "?wait=true"
	_, err := r.a.lockedRequest("POST", uri, p, r.followupBucket(), opts...)
	return err
}

// deleteResponse is discordgo's InteractionResponseDelete, filed under
// followupBucket (Discord counts the interaction's webhook routes together).
func (r *interactionReplier) deleteResponse(opts ...discordgo.RequestOption) error {
	endpoint := discordgo.EndpointInteractionResponseActions(r.i.AppID, r.i.Token)
	_, err := r.a.lockedRequest("DELETE", endpoint, payload{}, r.followupBucket(), opts...)
	return err
}

// responseBucket is the bucket of the interaction's response route.
func (r *interactionReplier) responseBucket() string { return r.slot + ":response" }

// followupBucket is the bucket of the interaction's webhook routes
// (follow-ups, and the response's deletion).
func (r *interactionReplier) followupBucket() string { return r.slot + ":webhook" }
