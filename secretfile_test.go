package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A secret file that is a FIFO is refused at once: read, it blocked the
// start until something wrote to it. A device or a directory is refused
// the same way, naming the variable, never the path.
func TestSecretFileNotRegularIsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "secret-fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS_FILE"} {
		for _, path := range []string{fifo, os.DevNull, dir} {
			e := validEnv()
			if name == "VIGIA_SECRET_FILE" {
				delete(e, "VIGIA_SECRET")
			}
			e[name] = path
			done := make(chan error, 1)
			go func() {
				_, err := loadOpsConfig(env(e))
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				// Unblock the reader: open for writing, and close.
				if w, werr := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); werr == nil {
					w.Close()
				}
				<-done
				t.Fatalf("%s as a FIFO: the start blocked", name)
			}
			if err == nil || err.Error() != name+": is not a regular file (a FIFO, a device or a directory): it should name a file holding only the secret (`vigia keygen` prints one)" {
				t.Errorf("%s as %s: %v", name, path, err)
			}
		}
	}
}
