package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadSecretFileConfig loads the configuration with name (VIGIA_SECRET_FILE
// or VIGIA_SECRET_PREVIOUS_FILE) set to path, failing the test if the start
// blocks on it.
// (The bound on a start that blocks is generous: under a load of 200 on
// two cores, a start reading a pipe written after 4 s took over 10; one
// that blocks for good is still caught.)
func loadSecretFileConfig(t *testing.T, name, path string) (Config, error) {
	t.Helper()
	e := validEnv()
	if name == "VIGIA_SECRET_FILE" {
		delete(e, "VIGIA_SECRET")
	}
	e[name] = path
	type result struct {
		c   Config
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := loadOpsConfig(env(e))
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-time.After(60 * time.Second):
		t.Fatalf("%s as %s: the start blocked", name, path)
		return Config{}, nil
	}
}

// secretOf is the secret a configuration loaded with name holds.
func secretOf(c Config, name string) []byte {
	if name == "VIGIA_SECRET_FILE" {
		return c.Secret
	}
	return c.SecretPrevious
}

// A secret given through a pipe, as process substitution gives it
// (VIGIA_SECRET_FILE=<(pass show vigia), /dev/fd/N), or a FIFO a program
// writes it to, is read, waiting for the writer to end; neither the path
// nor the secret is said.
func TestSecretFileFromAPipe(t *testing.T) {
	want, _ := base64.StdEncoding.DecodeString(otherSecret) // (a secret the check takes)
	secret := base64.StdEncoding.EncodeToString(want) + "\n"
	for _, name := range []string{"VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS_FILE"} {
		// A pipe whose writer is slow to write, then ends.
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(200 * time.Millisecond)
			w.WriteString(secret)
			w.Close()
		}()
		c, err := loadSecretFileConfig(t, name, fmt.Sprintf("/dev/fd/%d", r.Fd()))
		r.Close()
		if err != nil || !bytes.Equal(secretOf(c, name), want) {
			t.Errorf("%s as a pipe: %v", name, err)
		}

		// A FIFO its writer wrote to and closed before the start.
		fifo := filepath.Join(t.TempDir(), "secret-fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		hold, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		fw, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fw.WriteString(secret)
		fw.Close()
		c, err = loadSecretFileConfig(t, name, fifo)
		hold.Close()
		if err != nil || !bytes.Equal(secretOf(c, name), want) {
			t.Errorf("%s as a FIFO: %v", name, err)
		}
	}
}

// A secret given through a pipe whose writer takes more than a few
// seconds to end (pass asking for the GPG passphrase first) is waited
// for: read until the pipe ends.
// Mutation: secretPipeWait back to 3 s → it is refused ("did not end
// within 3s").
func TestSecretFileFromASlowPipe(t *testing.T) {
	want, _ := base64.StdEncoding.DecodeString(otherSecret) // (a secret the check takes)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		// A person typing a passphrase: no event to wait on.
		time.Sleep(4 * time.Second)
		w.WriteString(base64.StdEncoding.EncodeToString(want) + "\n")
		w.Close()
	}()
	c, err := loadSecretFileConfig(t, "VIGIA_SECRET_FILE", fmt.Sprintf("/dev/fd/%d", r.Fd()))
	if err != nil || !bytes.Equal(c.Secret, want) {
		t.Fatalf("a pipe ending after 4 s: %v", err)
	}
}

// What gives no secret is refused at once, naming the variable, never the
// path, with exit 2: a FIFO no program writes to yet (it blocked the start
// until one did), a pipe whose writer does not end (after secretPipeWait),
// a device that gives nothing or too much, a directory, a socket.
func TestSecretFileGivingNoSecretIsRefused(t *testing.T) {
	defer func(d time.Duration) { secretPipeWait = d }(secretPipeWait)
	secretPipeWait = 300 * time.Millisecond
	dir := t.TempDir()
	fifo := filepath.Join(dir, "secret-fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "secret-sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	w.WriteString("AAAA") // and never ends
	open := fmt.Sprintf("/dev/fd/%d", r.Fd())
	for _, name := range []string{"VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS_FILE"} {
		for path, want := range map[string]error{
			fifo:        errSecretFileNoWriter,
			os.DevNull:  errSecretFileNoWriter,
			open:        errSecretFileSlow(),
			"/dev/zero": errSecretFileTooLarge,
			dir:         errSecretFileKind,
			sock:        errSecretFileKind,
		} {
			_, err := loadSecretFileConfig(t, name, path)
			if err == nil || err.Error() != name+": "+want.Error() {
				t.Errorf("%s as %s: %v", name, path, err)
			}
		}
	}
	e := validEnv()
	delete(e, "VIGIA_SECRET")
	e["VIGIA_SECRET_FILE"] = fifo
	var errb bytes.Buffer
	if code := run(context.Background(), nil, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || strings.Contains(errb.String(), dir) {
		t.Errorf("a FIFO no program writes to: %d %q", code, errb.String())
	}
}
