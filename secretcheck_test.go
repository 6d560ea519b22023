package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
)

// otherSecret is a second secret as keygen prints them, for tests that
// need two.
const otherSecret = "Q32jVKLjXxzTh4f/DoFdSc49zYOMKkVPHLBI/VBq++k="

// guessableSecrets are secrets of 32 bytes or more that are plainly not
// random, as an operator may set them by hand.
func guessableSecrets(t *testing.T) map[string][]byte {
	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	padded := make([]byte, 32)
	for i := range 24 {
		padded[i] = byte(i*37 + 11)
	}
	return map[string][]byte{
		"32 zero bytes":           make([]byte, 32),
		"64 bytes of 0xff":        bytes.Repeat([]byte{0xff}, 64),
		"a typed passphrase":      []byte("changemechangemechangemechangeme"),
		"a sentence, new line":    []byte("O mercado da rua 5, amanhã às 9h: não vá sozinho!\n"),
		"hex of random bytes":     []byte(hex.EncodeToString(random(32))),
		"a short key repeated":    bytes.Repeat(random(8), 4),
		"a key padded with zeros": padded,
	}
}

// A secret whose bytes are plainly not random (text, few distinct values,
// a long run of one value) is refused, given as VIGIA_SECRET or in
// VIGIA_SECRET_FILE, naming the variable and `vigia keygen`, never
// holding the secret; as VIGIA_SECRET_PREVIOUS it is accepted: that is
// how a deployment whose data is sealed under one moves away from it.
func TestGuessableSecretIsRefused(t *testing.T) {
	dir := t.TempDir()
	for name, secret := range guessableSecrets(t) {
		if !guessableSecret(secret) {
			t.Errorf("%s: not found guessable", name)
		}
		b64 := base64.StdEncoding.EncodeToString(secret)
		path := filepath.Join(dir, "secret")
		if err := os.WriteFile(path, []byte(b64+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, v := range []struct{ name, value, previous string }{
			{"VIGIA_SECRET", b64, "VIGIA_SECRET_PREVIOUS"},
			{"VIGIA_SECRET_FILE", path, "VIGIA_SECRET_PREVIOUS_FILE"},
		} {
			e := validEnv()
			delete(e, "VIGIA_SECRET")
			e[v.name] = v.value
			_, err := loadConfig(env(e), false)
			var ce *configError
			if !errors.As(err, &ce) || ce.name != v.name || !strings.Contains(err.Error(), "does not look random") ||
				!strings.Contains(err.Error(), "`vigia keygen` prints one") || !strings.Contains(err.Error(), "give it as "+v.previous+" and the new one as "+v.name+", and run `vigia rotate-key`") {
				t.Errorf("%s in %s: %v", name, v.name, err)
			}
			if err != nil && (strings.Contains(err.Error(), b64) || strings.Contains(err.Error(), string(secret))) {
				t.Errorf("%s in %s: the secret is in the error: %q", name, v.name, err)
			}
		}
		e := validEnv()
		e["VIGIA_SECRET_PREVIOUS"] = b64
		if c, err := loadConfig(env(e), false); err != nil || !bytes.Equal(c.SecretPrevious, secret) {
			t.Errorf("%s as VIGIA_SECRET_PREVIOUS (rotating away from it): %v", name, err)
		}
	}
}

// keygen's secrets are accepted, every time: the chance that the check
// refuses one is under 1.3e-11 (under 7e-8 for the 5000 here). So are
// the secrets the tests use.
func TestKeygenSecretsAreAccepted(t *testing.T) {
	e := validEnv()
	for range 5000 {
		var out bytes.Buffer
		if code := keygen(&out, &bytes.Buffer{}); code != 0 {
			t.Fatalf("keygen exit %d", code)
		}
		e["VIGIA_SECRET"] = strings.TrimSpace(out.String())
		if _, err := loadConfig(env(e), false); err != nil {
			t.Fatalf("keygen output refused: %v", err)
		}
	}
	for _, s := range []string{goodSecret, otherSecret} {
		e["VIGIA_SECRET"] = s
		if _, err := loadConfig(env(e), false); err != nil {
			t.Fatalf("a test's secret refused: %v", err)
		}
	}
}

// serve and rotate-key given a guessable VIGIA_SECRET stop at start with
// exit status 2 and one line naming the variable and `vigia keygen`,
// before anything reaches Redis, and never print the secret.
func TestGuessableSecretExitsTwo(t *testing.T) {
	// A port nothing listens on (taken from the kernel, then let go):
	// were the secret taken, the start would fail on Redis instead.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "redis://" + l.Addr().String() + "/0"
	l.Close()
	spool := t.TempDir() // were the secret taken, serve's spool goes here, not into the source tree
	for name, secret := range guessableSecrets(t) {
		b64 := base64.StdEncoding.EncodeToString(secret)
		for _, args := range [][]string{{"serve"}, {"rotate-key"}, nil} {
			e := validEnv()
			e["VIGIA_SECRET"] = b64
			e["VIGIA_SECRET_PREVIOUS"] = goodSecret // (rotate-key's)
			e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = closedURL, spool
			var out, errb bytes.Buffer
			code := run(context.Background(), args, env(e), strings.NewReader(""), &out, &errb)
			msg := errb.String()
			if code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_SECRET: does not look random") || strings.Count(msg, "\n") != 1 ||
				!strings.Contains(msg, "`vigia keygen` prints one") {
				t.Errorf("%s, %v: exit %d, stderr %q", name, args, code, msg)
			}
			if strings.Contains(out.String()+msg, b64) || strings.Contains(out.String()+msg, string(secret)) {
				t.Errorf("%s, %v: the secret was printed: %q", name, args, msg)
			}
		}
	}
}

// A deployment whose Redis holds tips sealed under a guessable secret is
// not stuck: with a new secret (keygen's) and the guessable one as
// VIGIA_SECRET_PREVIOUS, rotate-key re-seals everything, and the new
// secret alone then reads the tips.
func TestRotateKeyMovesAwayFromAGuessableSecret(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	weak := []byte("changemechangemechangemechangeme")
	receipt := tipUnder(t, srv, weak)

	e := validEnv()
	delete(e, "VIGIA_TELEGRAM_TOKEN")
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), t.TempDir()
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(weak)
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "unreadable: 0\n") || !strings.Contains(out.String(), "nothing is left under the previous secret") {
		t.Fatalf("rotate-key: exit %d, %q, %q", code, out.String(), errb.String())
	}
	delete(e, "VIGIA_SECRET_PREVIOUS")
	cfg, err := loadOpsConfig(env(e))
	if err != nil {
		t.Fatal(err)
	}
	newKr, err := cfg.keyring()
	if err != nil {
		t.Fatal(err)
	}
	readsTip(t, srv, newKr, receipt)
}

// A secret that cannot be read as one says why, naming the variable and
// never the value: an empty file (or a value of spaces) is "empty"; URL-
// safe base64 (Python's secrets.token_urlsafe) and standard base64 without
// its = padding say that standard base64 is wanted, as keygen prints;
// too few bytes, as before. All were told "must be base64 of at least 32
// random bytes", which a URL-safe one of 32 random bytes looks like.
func TestSecretThatCannotBeReadSaysWhy(t *testing.T) {
	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	key := random(32)
	key[0], key[1] = 0xfb, 0xff // "+/" in standard base64, "-_" URL-safe
	urlSafe := base64.URLEncoding.EncodeToString(key)
	unpadded := base64.RawStdEncoding.EncodeToString(key)
	short := base64.StdEncoding.EncodeToString(random(16))
	const base64Wanted = " standard base64, as `vigia keygen` prints: A-Z, a-z, 0-9, + and /, padded with = (not URL-safe base64, with - and _)"
	for _, c := range []struct{ value, want string }{
		{" \n", "is empty; it must hold the line `vigia keygen` prints"},
		{urlSafe, "MUST" + base64Wanted},
		{urlSafe + "\n", "MUST" + base64Wanted},
		{unpadded, "MUST" + base64Wanted},
		{short, "MUST base64 of at least 32 random bytes; `vigia keygen` prints one"},
	} {
		for name, must := range map[string]string{"VIGIA_SECRET": "must be", "VIGIA_SECRET_FILE": "must hold"} {
			e := validEnv()
			if name == "VIGIA_SECRET_FILE" {
				path := filepath.Join(t.TempDir(), "secret")
				if err := os.WriteFile(path, []byte(c.value), 0o600); err != nil {
					t.Fatal(err)
				}
				delete(e, "VIGIA_SECRET")
				e[name] = path
			} else {
				e[name] = c.value
			}
			want := name + ": " + strings.Replace(c.want, "MUST", must, 1)
			_, err := loadConfig(env(e), false)
			if err == nil || err.Error() != want || (strings.TrimSpace(c.value) != "" && strings.Contains(err.Error(), strings.TrimSpace(c.value))) {
				t.Errorf("%s = %q: %v, want %q", name, c.value, err, want)
			}
		}
	}
	// keygen's secret is read as ever.
	e := validEnv()
	e["VIGIA_SECRET"] = base64.StdEncoding.EncodeToString(key)
	if _, err := loadConfig(env(e), false); err != nil {
		t.Fatal(err)
	}
}
