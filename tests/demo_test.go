package tests

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// A newcomer's session, piped through the real binary with no tokens and no
// Redis: the reporter sends a tip, the investigator reads it.
func TestDemoScriptedSession(t *testing.T) {
	script := strings.Join([]string{
		"Me cobran derecho de piso en https://cobros.example/pago",
		"#1", // the first category button: extortion
		"Vienen los viernes en una camioneta gris",
		"#2", // Send (after the follow-up toggle)
		"/as investigator",
		"/recent",
		"/tip 1",
		"/search camioneta", // indexed before the next line is read
		"/as reporter",
		"/recent", // not for reporters: answered like an unknown command
		"/quit",
	}, "\n") + "\n"
	cmd := exec.Command(binary, "demo")
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // no VIGIA_* at all
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out)
	}
	s := string(out)
	receipt := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(s)
	for _, want := range []string{
		"in-memory Redis",     // the banner says the storage is throwaway
		"Category: Extortion", // the category button worked
		"Your receipt code: " + receipt,
		"#1 · 0 minutes · Extortion · Me cobran derecho de piso en hxxps://cobros[.]example/pago",
		"Vienen los viernes en una camioneta gris",
		"investigator> /search camioneta\n  1 matching tip, newest first:\n  #1 · 0 minutes · Extortion",
		"I don't know that command",
	} {
		if receipt == "" || !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	_, investigatorView, _ := strings.Cut(s, "investigator> ")
	if strings.Contains(investigatorView, "https://cobros") {
		t.Errorf("a live link reached the investigator:\n%s", s)
	}
}
