//go:build !unix && !windows

package main

import "time"

// processCPU is 0 where the process's CPU time cannot be read: the bench
// then reports no bot CPU per tip.
func processCPU() time.Duration { return 0 }
