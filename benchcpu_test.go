package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestBuildsForOtherSystems cross-compiles the binary for Windows and
// macOS: the bench reads its own CPU time with a call each system names
// differently. It runs with VIGIA_CROSS_BUILD=1 (make lint sets it): a
// first run compiles every dependency for each system, minutes on a
// loaded machine.
func TestBuildsForOtherSystems(t *testing.T) {
	if os.Getenv("VIGIA_CROSS_BUILD") != "1" {
		t.Skip("set VIGIA_CROSS_BUILD=1 to cross-compile the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	for _, target := range [][2]string{{"windows", "amd64"}, {"darwin", "amd64"}} {
		t.Run(target[0], func(t *testing.T) {
			cmd := exec.Command(gobin, "build", "-o", os.DevNull, ".")
			cmd.Env = append(os.Environ(), "GOOS="+target[0], "GOARCH="+target[1], "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s GOARCH=%s go build: %v\n%s", target[0], target[1], err, out)
			}
		})
	}
}

// TestProcessCPUAdvances checks the bench reads this process's CPU time
// here: it grows while the test works.
func TestProcessCPUAdvances(t *testing.T) {
	start := processCPU()
	if start <= 0 {
		t.Fatalf("processCPU() = %v at start", start)
	}
	deadline := time.Now().Add(time.Minute)
	x := uint64(1)
	for processCPU() <= start {
		if time.Now().After(deadline) {
			t.Fatal("processCPU() did not grow in a minute of work")
		}
		for i := 0; i < 1_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	if x == 0 {
		t.Log(x)
	}
}
