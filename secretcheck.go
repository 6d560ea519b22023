package main

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// A secret refused as guessable (guessableSecret): its bytes are text
// (UTF-8 of letters, digits, marks, punctuation, symbols and spaces, in
// any script), or take fewer than minSecretValues distinct values, or
// hold a run of maxSecretRun+1 equal bytes. For keygen's 32 random bytes
// the chance of each is 1.24e-11 (text, counted over every such
// character's encoding), 3.2e-17 (fewer than 16 values) and 3.5e-16 (a
// run of 8: 25/256^7): together under 1.3e-11, one in 80 billion.
const (
	minSecretValues = 16
	maxSecretRun    = 7
)

// guessableSecret reports whether a decoded secret is plainly not random
// bytes: text (base64 of a typed passphrase, such as
// "changemechangeme…", in any language, or of hex), few distinct values (32 zero bytes, a
// short key repeated), or a long run of one value (a key padded with
// zeros). Every subkey derives from the secret, so whoever guesses it
// opens every tip and computes reporters' pseudonyms.
func guessableSecret(b []byte) bool {
	var seen [256]bool
	values, run := 0, 0
	for i, c := range b {
		if !seen[c] {
			seen[c] = true
			values++
		}
		if i > 0 && c == b[i-1] {
			run++
		} else {
			run = 1
		}
		if run > maxSecretRun {
			return true
		}
	}
	return values < minSecretValues || isText(b)
}

// isText reports whether b is UTF-8 text: graphic characters (spaces
// included), tabs and line ends.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsGraphic(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// guessableSecretError is the configuration error for a guessable secret
// given as name (VIGIA_SECRET or VIGIA_SECRET_FILE); previous is the
// variable that would hold it while rotating away from it. It never holds
// the secret, nor says which of the tests it failed.
func guessableSecretError(name, previous string) error {
	return &configError{name, fmt.Sprintf("does not look random (its bytes are text, such as a typed passphrase, or take few distinct values, or repeat one value in a long run): whoever guesses it opens every tip; `vigia keygen` prints one. If Redis already holds data under this one, give it as %s and the new one as %s, and run `vigia rotate-key` (README: Rotating the secret)", previous, name)}
}
