package discord

import (
	"context"
	"sync"
)

// discordgo (v0.29) looks at a request's bucket as it takes it, and if
// the bucket is exhausted it sleeps until its reset, deaf to the
// request's context. The adapter looks first (waitBucket) and waits
// within the context instead; but its look and discordgo's were two, with
// the request's building between them (a file's upload encoded, up to
// Discord's size limit): another request on the same bucket could spend
// its last call there, and discordgo then slept this one to the reset (up
// to a minute), its caller held past its deadline and, the context ended
// by then, told an outcome unknown rather than a rate limit. So the
// adapter's requests on a bucket take turns (bucketTurns): one holds the
// turn from its look to its answer, which discordgo reads into the bucket
// before the next request looks.

// bucketTurns hands out turns on rate-limit buckets, by bucket key; a key
// is kept only while a request holds or waits for its turn.
type bucketTurns struct {
	mu    sync.Mutex
	turns map[string]*bucketTurn
}

// bucketTurn is one bucket's turn: held while its channel holds a value.
type bucketTurn struct {
	held  chan struct{}
	users int // requests holding or waiting for it
}

// take waits for bucket's turn, or for ctx to end (false). A true return
// must be paired with give.
func (b *bucketTurns) take(ctx context.Context, bucket string) bool {
	b.mu.Lock()
	if b.turns == nil {
		b.turns = map[string]*bucketTurn{}
	}
	t := b.turns[bucket]
	if t == nil {
		t = &bucketTurn{held: make(chan struct{}, 1)}
		b.turns[bucket] = t
	}
	t.users++
	b.mu.Unlock()
	select {
	case t.held <- struct{}{}:
		return true
	case <-ctx.Done():
		b.leave(bucket, t)
		return false
	}
}

// give hands bucket's turn on.
func (b *bucketTurns) give(bucket string) {
	b.mu.Lock()
	t := b.turns[bucket]
	b.mu.Unlock()
	<-t.held
	b.leave(bucket, t)
}

func (b *bucketTurns) leave(bucket string, t *bucketTurn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.users--; t.users == 0 {
		delete(b.turns, bucket)
	}
}
