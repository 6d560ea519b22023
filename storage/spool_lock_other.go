//go:build !unix

package storage

// lockSpoolDir does nothing where flock is not available: one process
// per spool directory is then the operator's to ensure.
func lockSpoolDir(string) error { return nil }
