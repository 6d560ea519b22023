package main

import (
	"io"
	"testing"
)

// A configuration error's line ("vigia: VIGIA_…: …", "vigia bench: …"),
// which the crash guard scrubs as any line that is no log line's
// (scrubIDs), reads the same through it: its figures are what it says.
// "must be from 0 to 2147483647" came out "from N", the range's first
// number read as an id after "from".
func TestConfigErrorsPassTheCrashScrubber_revlogs(t *testing.T) {
	var lines []string
	for _, name := range knownVars {
		for _, v := range []string{"0", "-1", "x", "99999999999", "redis://localhost:99999/0", "redis://localhost:6379/99"} {
			e := validEnv()
			e[name] = v
			if _, err := loadConfig(env(e), false); err != nil {
				lines = append(lines, "vigia: "+err.Error())
			}
		}
	}
	for _, args := range [][]string{{"--intake", "0"}, {"--queries", "-1"}, {"--mem-tips", "-1"}} {
		if _, err := parseBenchFlags(args, func(string) string { return "redis://localhost:6379/0" }, io.Discard); err != nil {
			lines = append(lines, "vigia bench: "+err.Error())
		}
	}
	lines = append(lines, "vigia: "+errRedisPoolSizes.Error(), "vigia: "+errRedisDialTimeout.Error(), "vigia: VIGIA_REDIS_URL: "+errRedisPort.Error())
	if len(lines) < 20 {
		t.Fatalf("only %d configuration errors made", len(lines))
	}
	for _, line := range lines {
		inValue, spliced, fatal := false, false, ""
		if out, keep := scrubCrashLine(line, &inValue, &spliced, &fatal); !keep || out != line {
			t.Errorf("%q came out %q", line, out)
		}
	}
}
