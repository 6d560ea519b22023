package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
type Keyring struct {
	seal      []byte // wraps per-tip data keys and seals drafts and routes
	pseudonym []byte // reporter pseudonyms
	receipt   []byte // receipt code lookups
	index     []byte // blind index tokens
}

// NewKeyring derives the subkeys from the master secret with HKDF-SHA256.
func NewKeyring(secret []byte) (*Keyring, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	}
	derive := func(purpose string) ([]byte, error) {
		return hkdf.Key(sha256.New, secret, []byte("vigia/v1"), purpose, 32)
	}
	var kr Keyring
	for _, d := range []struct {
		dst     *[]byte
		purpose string
	}{{&kr.seal, "seal"}, {&kr.pseudonym, "pseudonym"}, {&kr.receipt, "receipt"}, {&kr.index, "index"}} {
		k, err := derive(d.purpose)
		if err != nil {
			return nil, fmt.Errorf("derive %s key: %w", d.purpose, err)
		}
		*d.dst = k
	}
	return &kr, nil
}

// Pseudonym returns the stable, keyed pseudonym of a platform user. It is
// used for rate limits, preferences and counting distinct reporters; without
// the secret it cannot be linked back to the user.
func (kr *Keyring) Pseudonym(platform, userID string) string {
	return kr.mac(kr.pseudonym, platform+"\x00"+userID)
}

func (kr *Keyring) receiptID(code string) string { return kr.mac(kr.receipt, code) }

// submissionID names the record of a sent draft; it binds the draft to its
// reporter, so a forged Send button with someone else's draft id finds nothing.
func (kr *Keyring) submissionID(pseudonym, draftID string) string {
	return kr.mac(kr.receipt, "submitted\x00"+pseudonym+"\x00"+draftID)
}

func (kr *Keyring) mac(key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// seal encrypts plaintext with AES-256-GCM under key, bound to context.
func seal(key, plaintext []byte, context string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
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
