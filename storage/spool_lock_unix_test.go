//go:build unix

package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// A spool directory another process holds (a second replica on the same
// volume, a new pod started before the old one stopped) is refused at
// start: one's replay would remove the file the other appends to, losing
// tips it acknowledged. The same process may open its own again.
func TestSpoolInUseByAnotherProcessIsRefused(t *testing.T) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	// Another process's lock: a lock on a file description of its own.
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.OpenSpool(dir, kr); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("a spool another process holds opened: %v", err)
	}
	f.Close() // that process stopped
	if _, err := storage.OpenSpool(dir, kr); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.OpenSpool(dir, kr); err != nil {
		t.Fatalf("this process opening its spool again: %v", err)
	}
	link := filepath.Join(t.TempDir(), "spool")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.OpenSpool(link, kr); err != nil {
		t.Fatalf("this process opening its spool by another name: %v", err)
	}
}
