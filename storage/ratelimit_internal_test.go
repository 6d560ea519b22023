package storage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"
)

// A limit's tag and field are named with the MAC of its kind under the
// pseudonym key in use: the tags computed once (limitTag) are those of
// the keys in use, also after keys kept in Redis replace the derived
// ones (Init, CheckKeyset), so that replicas count a limit together.
func TestLimitArgsNameKindUnderKeysInUse(t *testing.T) {
	kr, err := NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(1_765_000_000_000)
	s := &Store{kr: kr, now: func() time.Time { return now }}
	check := func(when string) {
		t.Helper()
		for _, kind := range []string{"tip", "chat", "part", "tip"} {
			m := hmac.New(sha256.New, kr.keys().Pseudonym)
			m.Write([]byte("rl\x00" + kind))
			tag := hex.EncodeToString(m.Sum(nil))[:6] + ":"
			w := now.UnixMilli() / time.Hour.Milliseconds()
			want := []any{20, (w+1)*time.Hour.Milliseconds() - now.UnixMilli(), tag + strconv.FormatInt(w, 36), tag}
			got := s.limitArgs(&Limit{Subject: "p", Kind: kind, Max: 20, Window: time.Hour})
			if len(got) != len(want) {
				t.Fatalf("%s: %s's arguments %v, want %v", when, kind, got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s: %s's arguments %v, want %v", when, kind, got, want)
				}
			}
		}
	}
	check("derived keys")
	other, err := deriveKeys(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}
	kr.use(other.macKeys)
	check("keys replaced")
}
