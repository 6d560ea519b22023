package tests

import (
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A newcomer's session, piped through the real binary with no tokens and no
// Redis: the reporter sends a tip, the investigator reads it.
func TestDemoScriptedSession(t *testing.T) {
	script := strings.Join([]string{
		"Me cobran derecho de piso en https://cobros.example/pago",
		"#1", // the first category button: extortion
		"Vienen los viernes en una camioneta gris",
		"#10", // Send (after the categories, kept on every draft message, and the follow-up toggle)
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
		"#1 · less than a minute · Extortion\n  " + commands.QuoteMark + " Me cobran derecho de piso en hxxps://cobros[.]example/pago",
		"Vienen los viernes en una camioneta gris",
		"investigator> /search camioneta\n  1 matching tip, newest first:\n  #1 · less than a minute · Extortion",
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

// A session in Spanish: the demo's own lines and its prompt follow the
// language chosen, a button that is not there is said so, with those
// that are, and the role switched to is asked for in the same language.
func TestDemoSpeaksTheSessionLanguage(t *testing.T) {
	script := strings.Join([]string{
		"/language es",
		"Me cobran piso en el mercado",
		"#99",
		"#1",  // Extortion: the categories stay, to change it
		"#12", // not there
		"/wipe",
		"#2", // the wiped chat has no buttons
		"/as investigator",
		"/quit",
	}, "\n") + "\n"
	cmd := exec.Command(binary, "demo")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"denunciante> #99\n  No hay ningún botón #99. Estos son los botones que puedes presionar:\n  [#1 Extorsión] [#2 Drogas] \n",
		"denunciante> #12\n  No hay ningún botón #12. Estos son los botones que puedes presionar:\n  [#1 Extorsión] [#2 Drogas] \n",
		"denunciante> /wipe\n  (Borrado.",
		"denunciante> #2\n  No hay ningún botón #2: ahora no hay botones para presionar.",
		"investigador> /quit", "  Ahora eres: investigador.\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Received") || strings.Contains(s, "Recibido") {
		t.Errorf("a button that was not there sent the tip:\n%s", s)
	}
}

// A session whose language changes midway, driven through the real
// binary with what hostile testers typed: a button number that is not
// there lists the buttons shown before the change by number, not with
// English labels under a French line; "#١٫٥" (Arabic decimal separator)
// is no button, as "#1.5" is; "/tip 1 99999" says there is no such page;
// "/triage 2 doublon 1 1" (a second original) is told which word was not
// understood, then the usage.
func TestDemoAfterAChangeOfLanguage(t *testing.T) {
	script := strings.Join([]string{
		"They charge protection money at the market",
		"#10", // Send
		"Again: they charge protection money at the market",
		"#10",
		"Draft about the market",
		"/language fr",
		"#20",
		"#١٫٥",
		"/as investigator",
		"/tip 1 99999",
		"/triage 2 doublon 1 1",
		"/quit",
	}, "\n") + "\n"
	cmd := exec.Command(binary, "demo")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"signalant> #20\n  Il n'y a pas de bouton #20. Les boutons affichés avant le changement de langue fonctionnent toujours, par leur numéro :\n  [#1] [#2] \n",
		"signalant> #١٫٥\n  Il n'y a pas de bouton #١٫٥.",
		"enquêteur> /tip 1 99999\n  Signalement #1 ",
		"Il n'y a pas de page 99999 : ",
		"enquêteur> /triage 2 doublon 1 1\n  Pas compris : « 1 ». Rien n'a été changé.\n  \n  Envoyez /triage NUMÉRO STATUT",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if _, after, _ := strings.Cut(s, "/language fr"); strings.Contains(after, "Extortion]") || strings.Contains(after, "Send]") {
		t.Errorf("buttons listed with English labels after /language fr:\n%s", s)
	}
}

// A question the investigator asks after choosing French reaches the
// reporter in the language of their tip, English: switching to the
// reporter, the session speaks French, and the question's button is
// listed by number under the French line, not as "[#1 Answer]".
// Mutation: the engine's question without the language it is in
// (Reply.Language) → "[#1 Answer]" under "Vous êtes maintenant :
// signalant.", test fails.
func TestDemoQuestionInTheLanguageOfTheTip(t *testing.T) {
	script := strings.Join([]string{
		"They charge protection money at the market",
		"#9",  // Allow anonymous questions
		"#10", // Send
		"/as investigator",
		"/language fr",
		"/ask 1 Which market?",
		"/as reporter",
		"#5",
		"#1",
		"/quit",
	}, "\n") + "\n"
	cmd := exec.Command(binary, "demo")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"  An investigator has a question about a tip you sent on ",
		"signalant> #5\n  Il n'y a pas de bouton #5. Les boutons affichés avant le changement de langue fonctionnent toujours, par leur numéro :\n  [#1] \n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if _, after, _ := strings.Cut(s, "/as reporter"); strings.Contains(after, "Answer]") {
		t.Errorf("the question's button listed with its English label under French lines:\n%s", s)
	}
	if _, after, _ := strings.Cut(s, "signalant> #1\n"); after == "" || strings.Contains(strings.SplitN(after, ">", 2)[0], "Il n'y a pas de bouton") {
		t.Errorf("the question's button, pressed by number, did nothing:\n%s", s)
	}
}

// `vigia demo` run where the production environment is set (`docker
// compose exec vigia vigia demo`, a shell with the bot's variables) never
// touches that Redis: it wrote its tips under the real prefix and secret,
// into the investigators' queue, and its console investigator read the
// real tips. It runs in memory and its banner says the variables are
// ignored; the configured Redis gets no key and no connection.
func TestDemoNeverTouchesAConfiguredRedis(t *testing.T) {
	rs := redistest.Start(t)
	c := rs.Client()
	connections := func() string {
		info, err := c.Info(context.Background(), "stats").Result()
		if err != nil {
			t.Fatal(err)
		}
		_, after, _ := strings.Cut(info, "total_connections_received:")
		n, _, _ := strings.Cut(after, "\r\n")
		return n
	}
	before := connections()
	for run := 1; run <= 2; run++ {
		cmd := exec.Command(binary, "demo")
		cmd.Env = []string{"PATH=/usr/bin:/bin", "VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_REDIS_PREFIX=vigia",
			"VIGIA_SECRET=" + strings.Repeat("QUJD", 10) + "QUJDRA==", "VIGIA_TELEGRAM_TOKEN=123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"}
		cmd.Stdin = strings.NewReader("Me cobran piso en el mercado\n#10\n/as investigator\n/recent\n/quit\n")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Your receipt code: ") ||
			!strings.Contains(string(out), "The demo never reads or writes a real Redis: it ignores VIGIA_REDIS_URL, VIGIA_REDIS_MODE, VIGIA_REDIS_PREFIX, VIGIA_SECRET, VIGIA_SECRET_FILE, VIGIA_SECRET_PREVIOUS, VIGIA_SECRET_PREVIOUS_FILE.") {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		// Each run starts empty: the second does not see the first's tip.
		if n := strings.Count(string(out), "Me cobran piso en el mercado"); n != 2 {
			t.Errorf("run %d: the tip is shown %d times, not once to the reporter and once in /recent:\n%s", run, n, out)
		}
	}
	if keys, err := c.Keys(context.Background(), "*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("the demo wrote into the configured Redis: %v %v", keys, err)
	}
	if after := connections(); after != before {
		t.Fatalf("the demo connected to the configured Redis: connections %s, then %s", before, after)
	}
}

// A reporter who pastes their receipt code into a new tip in a "fancy
// text" site's small capitals, or upside down ("flip text"), through the
// real binary: the reporter is told it was left out, and the
// investigator's /recent shows the tip without it.
func TestDemoCutsAReceiptInFancyForms(t *testing.T) {
	smallCapitals := strings.NewReplacer("A", "ᴀ", "B", "ʙ", "C", "ᴄ", "D", "ᴅ", "E", "ᴇ", "F", "ꜰ", "G", "ɢ", "H", "ʜ", "J", "ᴊ", "K", "ᴋ",
		"M", "ᴍ", "N", "ɴ", "P", "ᴘ", "Q", "ǫ", "R", "ʀ", "S", "ꜱ", "T", "ᴛ", "V", "ᴠ", "W", "ᴡ", "X", "x", "Y", "ʏ", "Z", "ᴢ")
	turned := map[rune]rune{'1': 'Ɩ', '2': 'ᄅ', '3': 'Ɛ', '4': 'ㄣ', '5': 'ϛ', '6': '9', '7': 'ㄥ', '9': '6', 'A': '∀', 'B': 'ꓭ', 'C': 'Ɔ',
		'D': 'ᗡ', 'E': 'Ǝ', 'F': 'Ⅎ', 'G': '⅁', 'J': 'ſ', 'K': 'ʞ', 'M': 'W', 'P': 'Ԁ', 'Q': 'Ό', 'R': 'ᴚ', 'T': '┴', 'V': 'Λ', 'W': 'M', 'Y': '⅄'}
	for name, form := range map[string]func(code string) string{
		"small capitals": smallCapitals.Replace,
		"upside down": func(code string) string { // turned over and backwards, as flip sites write
			rs := []rune(code)
			slices.Reverse(rs)
			for i, r := range rs {
				if f, ok := turned[r]; ok {
					rs[i] = f
				}
			}
			return string(rs)
		},
	} {
		t.Run(name, func(t *testing.T) {
			var written string
			out := demoWithReceipt(t, "Me cobran piso en el mercado\n#10\n", func(code string) string {
				written = form(code)
				return "Siguen cobrando, mi código era " + written + " por si acaso\n#10\n/as investigator\n/recent\n/quit\n"
			})
			_, investigatorView, _ := strings.Cut(out, "investigator> /recent")
			if !strings.Contains(out, "I left out the receipt code in your message") ||
				!strings.Contains(investigatorView, "Siguen cobrando, mi código era por si acaso") || strings.Contains(investigatorView, written) {
				t.Errorf("the code written %q not cut:\n%s", written, out)
			}
		})
	}
}

// demoWithReceipt runs the real binary's demo: it types first, waits for
// the receipt code the demo gives, then types what rest makes of it, and
// returns all the demo wrote.
func demoWithReceipt(t *testing.T, first string, rest func(code string) string) string {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd := exec.Command(binary, "demo")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stdout, cmd.Stderr = pw, pw
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	defer cmd.Process.Kill()
	if _, err := io.WriteString(stdin, first); err != nil {
		t.Fatal(err)
	}
	// Read until the receipt shows (a deadline, not a sleep: the demo
	// answers each line as it reads it).
	pr.SetReadDeadline(time.Now().Add(2 * time.Minute))
	receipt := regexp.MustCompile(`receipt code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})`)
	var out []byte
	buf := make([]byte, 4096)
	for receipt.FindSubmatch(out) == nil {
		n, err := pr.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			t.Fatalf("no receipt code: %v\n%s", err, out)
		}
	}
	if _, err := io.WriteString(stdin, rest(string(receipt.FindSubmatch(out)[1]))); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	more, err := io.ReadAll(pr)
	out = append(out, more...)
	if err != nil {
		t.Fatalf("reading the demo: %v\n%s", err, out)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out)
	}
	return string(out)
}
