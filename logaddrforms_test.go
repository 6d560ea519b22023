package main

import (
	"strings"
	"testing"
	"time"
)

// scrubIDs reads a hostile line in time linear in its length: "ids
// 1:2:3:…", every number of it read as a list's, had ipv6Len walk the
// whole run of digits and colons from each (20,000 numbers: 3.8 s).
// Sixteen times the line takes no more than sixty-four times as long
// (the fastest of three runs each: a quadratic scrub takes 256 times).
func TestScrubIDsIsLinearOnColonRuns_logs(t *testing.T) {
	for _, unit := range []string{"1:", "7306318845:", "::1:", "fe80::1:"} {
		took := func(n int) time.Duration {
			s := "ids " + strings.Repeat(unit, n)
			best := time.Duration(1<<63 - 1)
			for range 3 {
				start := time.Now()
				scrubIDs(s)
				best = min(best, time.Since(start))
			}
			return best
		}
		small, large := took(250), took(4000)
		if large > 64*small && large > 50*time.Millisecond {
			t.Errorf("%q: 250 times in %v, 4,000 times in %v", unit, small, large)
		}
	}
}
