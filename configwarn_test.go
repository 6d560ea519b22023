package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Settings accepted but most likely a mistake are warned of at start, by
// variable name, never with a value.
func TestConfigWarnings(t *testing.T) {
	base := func(redisURL string) Config {
		e := validEnv()
		e["VIGIA_REDIS_URL"] = redisURL
		e["VIGIA_INVESTIGATORS"] = "telegram:111"
		c, err := loadConfig(env(e), false)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := base("redis://vigia:pw@redis:6379/0")
	if w := configWarnings(c, []string{"PATH", "VIGIA_SECRET", "VIGIA_INVESTIGATORS"}); len(w) != 0 {
		t.Fatalf("a sound configuration: %q", w)
	}
	w := configWarnings(c, []string{"VIGIA_INVESTIGATOR", "VIGIA_SECRET"})
	if len(w) != 1 || !strings.HasPrefix(w[0], "VIGIA_INVESTIGATOR is not a variable Vigía knows") {
		t.Fatalf("a misspelt variable: %q", w)
	}
	for addr, warned := range map[string]bool{":9464": true, "0.0.0.0:9464": true, "[::]:9464": true, "127.0.0.1:9464": false, "10.0.0.5:9464": false, "": false} {
		m := c
		m.MetricsAddr = addr
		if w := configWarnings(m, nil); (len(w) == 1 && strings.HasPrefix(w[0], "VIGIA_METRICS_ADDR listens on every interface")) != warned {
			t.Errorf("metrics on %q: %q", addr, w)
		}
	}
	c.Investigators = nil
	if w := configWarnings(c, nil); len(w) != 1 || !strings.HasPrefix(w[0], "VIGIA_ADMINS and VIGIA_INVESTIGATORS are empty") {
		t.Fatalf("an empty team: %q", w)
	}
	for url, want := range map[string][]string{
		"redis://10.0.0.7:6379/0":                                 {"has no password", "is not rediss://"},
		"redis://vigia:pw@redis.example:6379/0":                   {"is not rediss://"},
		"redis://redis:6379/0":                                    {"has no password"},
		"rediss://redis.example:6380/0":                           {"has no password"},
		"rediss://vigia:pw@redis.example:6380":                    nil,
		"rediss://vigia:pw@redis.example:6380/0?skip_verify=true": {"has skip_verify"},
		"redis://localhost:6379/0":                                nil,
		"redis://127.0.0.1:6379/0":                                nil,
		"redis://[::1]:6379/0":                                    nil,
	} {
		w := configWarnings(base(url), nil)
		if len(w) != len(want) {
			t.Errorf("%s: %q, want %q", url, w, want)
			continue
		}
		for i := range want {
			if !strings.Contains(w[i], want[i]) || strings.Contains(w[i], "10.0.0.7") || strings.Contains(w[i], "example") || strings.Contains(w[i], ":pw") {
				t.Errorf("%s: %q, want %q", url, w[i], want[i])
			}
		}
	}
}

// In sentinel mode the primary's password is the password= parameter, the
// URL's user:password@ being the sentinels' (go-redis's ParseFailoverURL):
// the warning looks there.
func TestSentinelPasswordIsTheParameter(t *testing.T) {
	for url, warned := range map[string]bool{
		"rediss://sentinel.example:26379/0?master_name=m&password=pw":       false,
		"rediss://s:spw@sentinel.example:26379/0?master_name=m&password=pw": false,
		"rediss://:pw@sentinel.example:26379/0?master_name=m":               true,
		"rediss://sentinel.example:26379/0?master_name=m":                   true,
	} {
		e := validEnv()
		e["VIGIA_REDIS_MODE"], e["VIGIA_REDIS_URL"], e["VIGIA_INVESTIGATORS"] = "sentinel", url, "telegram:111"
		c, err := loadConfig(env(e), false)
		if err != nil {
			t.Fatal(err)
		}
		w := configWarnings(c, nil)
		if got := len(w) == 1 && strings.Contains(w[0], "has no password"); got != warned || (!warned && len(w) != 0) {
			t.Errorf("%s: %q, want the no-password warning: %v", url, w, warned)
		}
	}
}

// The warnings reach the JSON log at start-up of serve.
func TestServeLogsConfigWarnings(t *testing.T) {
	t.Setenv("VIGIA_INVESTIGATOR", "telegram:111111111")
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_METRICS_ADDR"], e["VIGIA_SPOOL_DIR"] = "redis://127.0.0.1:1/0", "off", t.TempDir()
	var errb bytes.Buffer
	run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
	log := errb.String()
	for _, want := range []string{`"level":"WARN","msg":"VIGIA_INVESTIGATOR is not a variable`, `"msg":"VIGIA_ADMINS and VIGIA_INVESTIGATORS are empty`} {
		if !strings.Contains(log, want) {
			t.Errorf("no warning %s in %s", want, log)
		}
	}
	if strings.Contains(log, "111111111") {
		t.Errorf("a value was logged: %s", log)
	}
}

// People are users: a negative id (a group or channel) in VIGIA_ADMINS or
// VIGIA_INVESTIGATORS is refused; chats may be negative.
func TestNegativeIDIsNotAPerson(t *testing.T) {
	for _, name := range []string{"VIGIA_ADMINS", "VIGIA_INVESTIGATORS"} {
		e := validEnv()
		e[name] = "telegram:111, telegram:-1001234567890"
		var errb bytes.Buffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		if msg := errb.String(); code != 2 || !strings.HasPrefix(msg, "vigia: "+name+": entry 2: a negative id is a group or channel") || strings.Contains(msg, "1001234567890") {
			t.Errorf("%s: exit %d, %q", name, code, msg)
		}
	}
	e := validEnv()
	e["VIGIA_INVESTIGATOR_CHATS"] = "telegram:-1001234567890"
	if _, err := loadConfig(env(e), false); err != nil {
		t.Fatalf("a negative chat id: %v", err)
	}
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"reset-2fa", "telegram:-100123"}, env(e), nil, &bytes.Buffer{}, &errb); code != 2 || !strings.HasPrefix(errb.String(), "usage:") {
		t.Fatalf("reset-2fa of a group: exit %d, %q", code, errb.String())
	}
}

// A Redis URL that does not parse because of its password is answered
// with how to fix it, without the URL.
func TestRedisURLPasswordNeedsEscaping(t *testing.T) {
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://vigia:ab/cd@10.0.0.7:6379/0"
	var errb bytes.Buffer
	code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
	if msg := errb.String(); code != 2 || !strings.Contains(msg, "VIGIA_REDIS_URL: ") || !strings.Contains(msg, "URL-escape") || strings.Contains(msg, "ab/cd") || strings.Contains(msg, "10.0.0.7") {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

// Every VIGIA_* variable the code reads is in knownVars, or its operators
// would be told it is unknown; so is every one a test reads with
// os.Getenv (a developer's exported VIGIA_CROSS_BUILD was warned of as a
// misspelling). Tests name made-up variables otherwise, so only their
// os.Getenv calls count.
func TestKnownVarsListsEveryVariable(t *testing.T) {
	re := regexp.MustCompile(`"(VIGIA_[A-Z0-9_]+)"`)
	reTest := regexp.MustCompile(`Getenv\("(VIGIA_[A-Z0-9_]+)"\)`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		find := re
		if strings.HasSuffix(path, "_test.go") {
			find = reTest
		}
		for _, m := range find.FindAllSubmatch(b, -1) {
			if name := string(m[1]); !slices.Contains(knownVars, name) && name != "VIGIA_SECRET_PREVIOUS_FILE" {
				t.Errorf("%s reads %s, which knownVars lacks", path, name)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A secret file every user of the machine may read (0644, as Kubernetes
// mounts a secret unless told defaultMode) is accepted and warned of, by
// the variable's name, not the path.
func TestSecretFileOthersCanReadIsWarnedOf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret-file-name")
	if err := os.WriteFile(path, []byte(goodSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS_FILE"} {
		for mode, warned := range map[os.FileMode]bool{0o644: true, 0o604: true, 0o640: false, 0o600: false, 0o400: false} {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			e := validEnv()
			e["VIGIA_INVESTIGATORS"] = "telegram:111"
			if name == "VIGIA_SECRET_FILE" {
				delete(e, "VIGIA_SECRET")
			}
			e[name] = path
			c, err := loadConfig(env(e), false)
			if err != nil {
				t.Fatalf("%s of mode %o: %v", name, mode, err)
			}
			w := configWarnings(c, nil)
			got := slices.ContainsFunc(w, func(s string) bool {
				return strings.HasPrefix(s, name+" names a file every user of this machine can read")
			})
			if got != warned || slices.ContainsFunc(w, func(s string) bool { return strings.Contains(s, "secret-file-name") }) {
				t.Errorf("%s of mode %o: %q", name, mode, w)
			}
		}
	}
}

// VIGIA_TRACEBACK=raw (Go's own crash output, argument values and all) is
// accepted and warned of; unset, nothing is said; another value is
// refused by name (a crash's output stays scrubbed meanwhile).
func TestRawTracebackIsWarnedOf(t *testing.T) {
	for v, want := range map[string]string{"": "", "raw": "VIGIA_TRACEBACK is raw", " RAW ": "VIGIA_TRACEBACK is raw", "all": "error", "1": "error"} {
		e := validEnv()
		e["VIGIA_INVESTIGATORS"] = "telegram:111"
		e["VIGIA_REDIS_URL"] = "redis://localhost:6379/0"
		e["VIGIA_TRACEBACK"] = v
		c, err := loadConfig(env(e), false)
		if want == "error" {
			if err == nil || !strings.Contains(err.Error(), "VIGIA_TRACEBACK") {
				t.Errorf("%q: %v, want an error naming VIGIA_TRACEBACK", v, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		w := configWarnings(c, []string{"VIGIA_TRACEBACK", "VIGIA_CRASH_GUARDED"})
		if (want == "" && len(w) != 0) || (want != "" && (len(w) != 1 || !strings.HasPrefix(w[0], want))) {
			t.Errorf("%q: %q, want %q", v, w, want)
		}
	}
}
