package redistest

import (
	"os"
	"path/filepath"
	"testing"
)

// A test Redis keeps its data under memDir (a tmpfs, where fsync is
// free), in a directory of its own removed when the test ends; where
// memDir is unusable, in the test's temporary directory.
func TestDataDirIsUnderMemDir(t *testing.T) {
	defer func(d string) { memDir = d }(memDir)
	memDir = t.TempDir()
	var dir string
	t.Run("server", func(t *testing.T) {
		srv := Start(t)
		if !srv.Real {
			return // miniredis keeps no files
		}
		dir = srv.dir
		if filepath.Dir(dir) != memDir {
			t.Fatalf("data dir %s is not under %s", dir, memDir)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Fatalf("data dir: %v", err)
		}
	})
	if _, err := os.Stat(dir); dir != "" && !os.IsNotExist(err) {
		t.Fatalf("data dir left behind: %v", err)
	}
	defer func(r uint64) { memDirRoom = r }(memDirRoom)
	memDir = t.TempDir()
	memDirRoom = 1 << 62 // more than any disk has free
	if dir := dataDir(t); filepath.Dir(dir) == memDir {
		t.Fatalf("data dir %s under a memDir without room", dir)
	}
	memDirRoom = 0
	memDir = filepath.Join(t.TempDir(), "missing")
	if dir := dataDir(t); filepath.Dir(dir) == memDir {
		t.Fatalf("data dir %s under a missing memDir", dir)
	} else if _, err := os.Stat(dir); err != nil {
		t.Fatalf("fallback data dir: %v", err)
	}
}
