package storage

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"sync"
	"sync/atomic"
)

// MinSecretLen is the shortest master secret Vigía accepts, in bytes.
const MinSecretLen = 32

// sealVersion prefixes every sealed value so the format can change later.
const sealVersion = 1

// ErrSealed is returned when a sealed value cannot be opened: it was
// tampered with, bound to another context, or sealed under another key.
var ErrSealed = errors.New("sealed value cannot be opened")

// Keyring holds the subkeys derived from the master secret. Each purpose has
// its own key, so that a leak of one (say, the blind-index key) reveals
// nothing sealed with another.
//
// While the secret is being rotated, the keyring also holds the sealing key
// of the previous secret: values are always sealed with the current key and
// opened with the current key, then the previous one.
//
// The MAC keys (pseudonyms, receipts, blind index) name records, so they
// must outlive a change of secret: Store.Init replaces the derived ones with
// those kept, sealed, in Redis (see loadKeyset).
type Keyring struct {
	sealKey  []byte // seals drafts, routes, records; wraps per-tip data keys
	previous []byte // sealing key of the previous secret, opened only; nil if none
	// initial are the MAC keys to keep when Redis has none yet: derived from
	// the previous secret if there is one (the data predates the new one).
	initial macKeys
	// state holds the MAC keys in use and those they replaced, swapped
	// as one (use): a reader (InboxAddOnce) that took new keys without
	// the old among those replaced missed a marker named with the old.
	state atomic.Pointer[keyState]

	// hmacs keep keyed HMAC states for reuse, a pool per key: keying one
	// costs as much as computing a MAC of a short string.
	hmacMu sync.RWMutex
	hmacs  map[string]*sync.Pool
	// sealing and opening keep AES-GCM states of sealKey and previous
	// (nil if none) for reuse: making one (the key schedule, GCM's
	// tables, about 1.3 KB) costs more than sealing a short value.
	sealing, opening *sync.Pool
}

// macKeys are the keys that name records; they never change once kept
// (but where Redis lost them while the bot ran: CheckKeyset).
type macKeys struct {
	Pseudonym []byte `json:"p"` // reporter pseudonyms
	Receipt   []byte `json:"r"` // receipt code lookups
	Index     []byte `json:"i"` // blind index tokens
	// Born is when a starting bot kept these keys on a Redis holding
	// none (Unix ms, its clock; 0 for keys derived and not kept yet, or
	// kept by a version before it): CheckKeyset tells by it a keyset a
	// replica kept since Redis lost its data from one older than the keys
	// in use (Redis's data put back from a backup), which it must not
	// replace. Not a key: equal ignores it.
	Born int64 `json:"t,omitempty"`
}

// keyState is the MAC keys in use and priors, the MAC keys these
// replaced where replicas came to agree on one keyset after Redis lost
// its data (CheckKeyset), the latest last, at most maxPriorKeys: what a
// replica named with them (a newcomer, in the minutes before they
// agreed) is looked for under them too where a message delivered again
// must be known (InboxAddOnce).
type keyState struct {
	keys   macKeys
	priors []macKeys
	// tags are the rate limits' kinds' tags under keys.Pseudonym
	// (limitTag), kind to tag, at most maxLimitTags of them.
	tags     sync.Map
	tagsKept atomic.Int32
}

// equal reports whether m and o are the same keys.
func (m macKeys) equal(o macKeys) bool {
	return bytes.Equal(m.Pseudonym, o.Pseudonym) && bytes.Equal(m.Receipt, o.Receipt) && bytes.Equal(m.Index, o.Index)
}

// NewKeyring derives the subkeys from the master secret with HKDF-SHA256.
// An optional previous secret (VIGIA_SECRET_PREVIOUS, while rotating) is
// only used to open values sealed before the rotation.
func NewKeyring(secret []byte, previous ...[]byte) (*Keyring, error) {
	if len(previous) > 1 {
		return nil, fmt.Errorf("at most one previous secret")
	}
	cur, err := deriveKeys(secret)
	if err != nil {
		return nil, err
	}
	kr := &Keyring{sealKey: cur.seal, initial: cur.macKeys}
	if len(previous) == 1 {
		prev, err := deriveKeys(previous[0])
		if err != nil {
			return nil, fmt.Errorf("previous %w", err)
		}
		kr.previous, kr.initial = prev.seal, prev.macKeys
	}
	kr.state.Store(&keyState{keys: kr.initial})
	kr.sealing = aeadPool(kr.sealKey)
	if kr.previous != nil {
		kr.opening = aeadPool(kr.previous)
	}
	return kr, nil
}

// aeadPool is a pool of AES-GCM states under key (32 bytes, derived:
// making one cannot fail).
func aeadPool(key []byte) *sync.Pool {
	return &sync.Pool{New: func() any {
		gcm, err := newGCM(key)
		if err != nil {
			panic(err)
		}
		return gcm
	}}
}

type derived struct {
	seal []byte
	macKeys
}

func deriveKeys(secret []byte) (derived, error) {
	if len(secret) < MinSecretLen {
		return derived{}, fmt.Errorf("secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	}
	var d derived
	for _, k := range []struct {
		dst     *[]byte
		purpose string
	}{{&d.seal, "seal"}, {&d.Pseudonym, "pseudonym"}, {&d.Receipt, "receipt"}, {&d.Index, "index"}} {
		b, err := hkdf.Key(sha256.New, secret, []byte("vigia/v1"), k.purpose, 32)
		if err != nil {
			return derived{}, fmt.Errorf("derive %s key: %w", k.purpose, err)
		}
		*k.dst = b
	}
	return d, nil
}

// keys returns the MAC keys in use.
func (kr *Keyring) keys() *macKeys { return &kr.state.Load().keys }

// limitTag is the tag of a rate limit's kind (Limit.Kind): the first six
// hex digits of its MAC under the pseudonym key in use, and ":". The
// kinds are a few names in the code, counted on every message and Send:
// each tag is computed once for the keys in use (keyState.tags; new keys
// start anew). It is returned boxed, as a script's argument, so that an
// argument list takes it without another allocation.
func (kr *Keyring) limitTag(kind string) any {
	st := kr.state.Load()
	if t, ok := st.tags.Load(kind); ok {
		return t
	}
	var t any = kr.mac(st.keys.Pseudonym, "rl\x00"+kind)[:6] + ":"
	if st.tagsKept.Add(1) <= maxLimitTags {
		st.tags.Store(kind, t)
	}
	return t
}

// maxLimitTags bounds the tags a keyState keeps (limitTag): more than
// the kinds in the code, so a kind of another form is computed, not
// kept.
const maxLimitTags = 64

// maxPriorKeys bounds the MAC keys kept as replaced (keyState.priors):
// each is another marker looked for per update stored; more than a few
// replacements means losses within days of each other.
const maxPriorKeys = 4

// priorKeys returns the MAC keys the keys in use replaced (keyState.priors).
func (kr *Keyring) priorKeys() []macKeys { return kr.state.Load().priors }

// keysAndPriors returns the MAC keys in use and those they replaced, read
// at once: never new keys with priors that predate them.
func (kr *Keyring) keysAndPriors() (*macKeys, []macKeys) {
	st := kr.state.Load()
	return &st.keys, st.priors
}

// usePriors keeps, as the MAC keys the keys in use replaced, those of
// sets (use), and returns them.
func (kr *Keyring) usePriors(sets ...[]macKeys) []macKeys { return kr.use(*kr.keys(), sets...) }

// use replaces the MAC keys (with those kept in Redis) and, at once, the
// keys they replaced with those of sets (in order, each once, not m), the
// last maxPriorKeys, and returns these. It is safe while other goroutines
// compute MACs: Init runs before anything does, but CheckKeyset while the
// bot serves, one at a time (Store.keysetTurn).
func (kr *Keyring) use(m macKeys, sets ...[]macKeys) []macKeys {
	var out []macKeys
	for _, set := range sets {
		for _, p := range set {
			if p.equal(m) {
				continue
			}
			out = append(slices.DeleteFunc(out, p.equal), p) // (latest last)
		}
	}
	if len(out) > maxPriorKeys {
		out = out[len(out)-maxPriorKeys:]
	}
	out = slices.Clip(out)
	kr.state.Store(&keyState{keys: m, priors: out})
	return out
}

// seal seals plaintext under the current sealing key, bound to context.
func (kr *Keyring) seal(plaintext []byte, context string) ([]byte, error) {
	gcm := kr.sealing.Get().(cipher.AEAD)
	defer kr.sealing.Put(gcm)
	return sealWith(gcm, plaintext, context)
}

// open opens a value sealed under the current key or, while rotating,
// the previous one.
func (kr *Keyring) open(sealed []byte, context string) ([]byte, error) {
	pt, _, err := kr.openWhich(sealed, context)
	return pt, err
}

// openWhich is open that also tells whether the current key opened it.
func (kr *Keyring) openWhich(sealed []byte, context string) (plain []byte, current bool, err error) {
	if pt, err := openIn(kr.sealing, sealed, context); err == nil {
		return pt, true, nil
	}
	if kr.opening != nil {
		if pt, err := openIn(kr.opening, sealed, context); err == nil {
			return pt, false, nil
		}
	}
	return nil, false, ErrSealed
}

// openIn is open with a state of pool.
func openIn(pool *sync.Pool, sealed []byte, context string) ([]byte, error) {
	gcm := pool.Get().(cipher.AEAD)
	defer pool.Put(gcm)
	return openWith(gcm, sealed, context)
}

// Pseudonym returns the stable, keyed pseudonym of a platform user. It is
// used for rate limits, preferences and counting distinct reporters; without
// the secret it cannot be linked back to the user.
func (kr *Keyring) Pseudonym(platform, userID string) string {
	return kr.mac(kr.keys().Pseudonym, platform+"\x00"+userID)
}

func (kr *Keyring) receiptID(code string) string { return kr.mac(kr.keys().Receipt, code) }

// receiptMAC is a MAC under the receipt key, for records named by a code.
func (kr *Keyring) receiptMAC(s string) string { return kr.mac(kr.keys().Receipt, s) }

// indexMAC is a MAC under the blind-index key, cut to 64 bits: it names
// index keys and members (a key name's bytes are paid per key), and a
// collision among the few million words and entities of a retention
// period is a one-in-a-million event that merges two postings.
func (kr *Keyring) indexMAC(s string) string { return kr.mac(kr.keys().Index, s)[:16] }

// receiptCode is the 80 bits of a sent draft's receipt code: a MAC of its
// reporter and draft id, so a retried Send derives the same code.
func (kr *Keyring) receiptCode(pseudonym, draftID string) []byte {
	return kr.sum(kr.keys().Receipt, "code\x00"+pseudonym+"\x00"+draftID)[:10]
}

func (kr *Keyring) mac(key []byte, s string) string {
	var hexed [32]byte
	pool := kr.hmacPool(key)
	st := pool.Get().(*macState)
	st.sumOf(s)
	hex.Encode(hexed[:], st.sum[:16])
	pool.Put(st)
	return string(hexed[:])
}

// sum is HMAC-SHA256(key, s).
func (kr *Keyring) sum(key []byte, s string) []byte {
	pool := kr.hmacPool(key)
	st := pool.Get().(*macState)
	st.sumOf(s)
	out := bytes.Clone(st.sum[:])
	pool.Put(st)
	return out
}

// macState is a keyed HMAC state with room for an input and its sum,
// kept for reuse (Keyring.hmacs): a MAC then costs no allocation but the
// caller's result.
type macState struct {
	h   hash.Hash
	in  []byte // holds nothing between calls (sumOf clears it)
	sum [sha256.Size]byte
}

// newMACState returns a state keyed with key. It is reset once at once:
// its HMAC then keeps its keyed starting point, and each Reset (sumOf)
// restores it whole, the buffer of the hash's last partial block with
// it. A state never reset so kept the tail of its first input (up to 63
// bytes: a user id, a token whole) in that buffer after its Reset, until
// its second MAC.
func newMACState(key []byte) *macState {
	h := hmac.New(sha256.New, key)
	h.Reset()
	return &macState{h: h}
}

// maxMACRoom bounds the input a pooled state keeps room for: a longer
// one (a published warning's text) is copied anew each time.
const maxMACRoom = 256

// sumOf computes the HMAC of s under st's key into st.sum. The copy of s
// it writes from is cleared before it returns, so no id or token stays
// in a pooled buffer.
func (st *macState) sumOf(s string) {
	in := append(st.in[:0], s...)
	st.h.Write(in)
	clear(in)
	if cap(in) <= maxMACRoom {
		st.in = in
	}
	st.h.Sum(st.sum[:0])
	st.h.Reset()
}

// hmacPool returns the pool of HMAC states (*macState) keyed with key.
func (kr *Keyring) hmacPool(key []byte) *sync.Pool {
	kr.hmacMu.RLock()
	p := kr.hmacs[string(key)]
	kr.hmacMu.RUnlock()
	if p != nil {
		return p
	}
	kr.hmacMu.Lock()
	defer kr.hmacMu.Unlock()
	if p = kr.hmacs[string(key)]; p == nil {
		k := bytes.Clone(key)
		p = &sync.Pool{New: func() any { return newMACState(k) }}
		if kr.hmacs == nil {
			kr.hmacs = map[string]*sync.Pool{}
		}
		kr.hmacs[string(k)] = p
	}
	return p
}

// seal encrypts plaintext with AES-256-GCM under key, bound to context.
func seal(key, plaintext []byte, context string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return sealWith(gcm, plaintext, context)
}

// sealWith is seal with gcm, a state of the key.
func sealWith(gcm cipher.AEAD, plaintext []byte, context string) ([]byte, error) {
	out := make([]byte, 1+gcm.NonceSize(), 1+gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return gcm.Seal(out, out[1:], plaintext, []byte(context)), nil
}

// open reverses seal; it fails with ErrSealed on any mismatch.
func open(key, sealed []byte, context string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return openWith(gcm, sealed, context)
}

// openWith is open with gcm, a state of the key.
func openWith(gcm cipher.AEAD, sealed []byte, context string) ([]byte, error) {
	if len(sealed) < 1+gcm.NonceSize()+gcm.Overhead() || sealed[0] != sealVersion {
		return nil, ErrSealed
	}
	nonce := sealed[1 : 1+gcm.NonceSize()]
	pt, err := gcm.Open(nil, nonce, sealed[1+gcm.NonceSize():], []byte(context))
	if err != nil {
		return nil, ErrSealed
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// sealedPrefix tells whether p, the beginning of a value sealed under the
// current or the previous key (cut short: GCM cannot authenticate it),
// decrypts to a plaintext that begins with want (len(want) bytes of it
// must be there). It only recognises a value torn by a crash; what it
// decrypts is compared and dropped, never returned.
func (kr *Keyring) sealedPrefix(p, want []byte, context string) bool {
	const nonceSize = 12
	if len(p) < 1+nonceSize+len(want) || p[0] != sealVersion {
		return false
	}
	for _, key := range [][]byte{kr.sealKey, kr.previous} {
		if key == nil {
			continue
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			continue
		}
		// GCM encrypts in counter mode from the counter after nonce||1.
		iv := make([]byte, aes.BlockSize)
		copy(iv, p[1:1+nonceSize])
		binary.BigEndian.PutUint32(iv[nonceSize:], 2)
		got := make([]byte, len(want))
		cipher.NewCTR(block, iv).XORKeyStream(got, p[1+nonceSize:1+nonceSize+len(want)])
		if bytes.Equal(got, want) {
			return true
		}
	}
	return false
}
