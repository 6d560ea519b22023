//go:build unix

package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// spoolLocks holds, for the life of the process, the lock on each spool
// directory it opened: two processes appending to and replaying one spool
// would lose acknowledged tips (one's replay removes the file the other
// is writing into). The same process may open its spool again.
var spoolLocks = struct {
	sync.Mutex
	held map[string]*os.File
}{held: map[string]*os.File{}}

// lockSpoolDir takes the spool directory dir for this process, or fails
// if another process holds it.
func lockSpoolDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs) // one directory, whichever way named
	}
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	spoolLocks.Lock()
	defer spoolLocks.Unlock()
	if spoolLocks.held[abs] != nil {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(abs, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("spool lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("spool %s is in use by another process: give each replica a spool directory of its own (VIGIA_SPOOL_DIR)", abs)
		}
		return fmt.Errorf("spool lock: %w", err)
	}
	spoolLocks.held[abs] = f
	return nil
}
