package tests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Canary identities: values that must never appear where they do not belong.
const (
	canaryReporter     = 7770123456
	canaryReporterName = "canario_informante"
	canaryFirst        = "Eustaquia"
	canaryAdmin        = 6660654321
	canaryGroup        = -1009876543210
	canaryTip          = "Extorsionan en la bodega azul de Tlaquepaque, llamen al 33 1234 5678 o vean https://cobros-canario.example/lista"
)

// commandArgs gives each command plausible arguments; receipt and tip
// number are filled in. Commands missing here fail the test, so a new
// command cannot escape the canary suite.
var commandArgs = map[string][]string{
	"start": {""}, "help": {""}, "report": {""}, "status": {"{receipt}", "ZZZZ"}, "language": {"", "en"},
	"cancel": {""}, "reply": {"{receipt} respuesta", ""}, "forget": {"{receipt}", "x"}, "wipe": {"2h", "nunca"},
	"redeem": {"AAAA-BBBB-CCCC-DDDD"}, "enroll": {"", "000000"}, "unlock": {"12"}, "lock": {""},
	"next": {"", "weapons"}, "queue": {""}, "triage": {"1 escalated high canario", "1 bogus"}, "note": {"1 nota del equipo", "1"},
	"ask": {"1 ¿cuándo pasa?", "x"}, "invite": {"investigator", "emperor"}, "revoke": {"telegram:123", "AAAA-BBBB-CCCC-DDDD", "???"},
	"team": {""}, "audit": {"50", "-3"}, "dead": {""}, "purge": {"999", "x"},
	"search": {"bodega azul", ""}, "entity": {"33 1234 5678", "cobros-canario.example"}, "signals": {"", "30d", "forever"},
	"subscribe": {"norte"}, "unsubscribe": {""}, "warn": {"Retén falso en la carretera"}, "publish": {"1", "99"},
	"retract": {"1", "x"}, "recent": {"", "5", "-1"}, "tip": {"1", "999", "x"},
}

// Every command, by every kind of user, with good and bad arguments, in a
// private chat and in a group: no tip text, user id, username, chat id,
// receipt, TOTP secret or token reaches Redis, the log or the metrics, and
// no answer tells a team member or a group who reported.
func TestTelegramCanaryEveryCommand(t *testing.T) {
	rs := redistest.Start(t)
	cmds := recordCommands(t, rs)
	tg := newFakeTelegram(t, token)
	tg.admins = map[string]bool{strconv.Itoa(canaryAdmin): true}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	metricsAddr := freeAddr(t)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"PATH=/usr/bin:/bin", "VIGIA_METRICS_ADDR=" + metricsAddr,
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_ADMINS=telegram:" + strconv.Itoa(canaryAdmin), "VIGIA_HTTP_ADDR=" + addr,
		"VIGIA_DEFAULT_LANGUAGE=es", "VIGIA_LOG_LEVEL=debug",
	}
	bot := launch(t, cmd)

	rep := user(canaryReporter, canaryReporterName, canaryFirst, "es-MX")
	repChat := privateChat(canaryReporter, canaryReporterName, canaryFirst)
	adm := user(canaryAdmin, "jefa_equipo", "Marta", "es")
	admChat := privateChat(canaryAdmin, "jefa_equipo", "Marta")
	group := map[string]any{"id": canaryGroup, "type": "supergroup", "title": "Vecinos canario"}
	repChatID, admChatID := strconv.Itoa(canaryReporter), strconv.Itoa(canaryAdmin)
	upd := 0
	push := func(from, chat, fields map[string]any) {
		upd++
		tg.push(message(upd, from, chat, fields))
	}

	// The reporter sends a tip and keeps the receipt.
	push(rep, repChat, map[string]any{"text": canaryTip})
	first := tg.waitCalls(1, messagesTo(repChatID))[0]
	var send string
	for _, b := range buttons(first) {
		if strings.HasPrefix(b, "send:") {
			send = b
		}
	}
	upd++
	tg.push(map[string]any{"update_id": upd, "callback_query": map[string]any{
		"id": "cq1", "from": rep, "chat_instance": "ci", "data": send,
		"message": map[string]any{"message_id": 5, "date": time.Now().Unix(), "chat": repChat},
	}})
	receipt := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(tg.waitCalls(3, messagesTo(repChatID))[1].Fields["text"])
	if receipt == "" {
		t.Fatal("no receipt")
	}

	// The admin enrols and unlocks.
	push(adm, admChat, command("", "/enroll", ""))
	enrol := tg.waitCalls(1, messagesTo(admChatID))[0]
	secret := strings.ReplaceAll(regexp.MustCompile(`(?m)^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$`).FindString(enrol.Fields["text"]), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if secret == "" || err != nil {
		t.Fatalf("enrolment: %q %v", enrol.Fields["text"], err)
	}
	push(adm, admChat, command("", "/unlock", code))
	tg.waitCalls(2, messagesTo(admChatID))

	// Every command, in every place, by everyone.
	table := commands.New(commands.Options{}).Commands()
	for _, c := range table {
		argsList, ok := commandArgs[c.Name]
		if !ok {
			t.Fatalf("command /%s has no canary arguments: add it to commandArgs", c.Name)
		}
		for _, args := range argsList {
			args = strings.ReplaceAll(args, "{receipt}", receipt)
			for _, who := range []struct{ from, chat map[string]any }{{rep, repChat}, {adm, admChat}, {rep, group}, {adm, group}} {
				if c.Name == "lock" && who.chat["id"] == canaryAdmin {
					continue // keep the admin unlocked for the commands that follow
				}
				push(who.from, who.chat, command("", "/"+c.Name, args))
			}
		}
	}
	// A warning in the group is previewed, approved with an edited text
	// and published to the group (subscribed again), then retracted.
	push(adm, group, command("", "/subscribe", ""))
	push(adm, admChat, command("", "/publish", "2"))
	push(adm, admChat, command("", "/publish", "2 Retén falso en la carretera, texto revisado"))
	push(adm, admChat, command("", "/retract", "2"))
	push(adm, admChat, command("", "/purge", "1"))
	waitFor(t, func() bool { return tg.confirmedBeyond(int64(upd)) && inboxEmpty(rs) }) // received, and handled

	// The canaries.
	hex := strconv.FormatInt(canaryReporter, 16)
	reporterMarks := []string{repChatID, hex, strings.ToUpper(hex), canaryReporterName, canaryFirst, receipt, strings.ReplaceAll(receipt, "-", "")}
	secrets := []string{token, "AAHsecretTokenValue", secret}
	tipWords := []string{canaryTip, "Tlaquepaque", "bodega azul", "cobros-canario", "1234 5678"}
	teamAndGroup := []string{admChatID, strconv.FormatInt(canaryAdmin, 16), "jefa_equipo", strconv.Itoa(-canaryGroup), "Vecinos canario"}
	everything := append(append(append(append([]string{}, reporterMarks...), secrets...), tipWords...), teamAndGroup...)
	tg.mu.Lock()
	calls := append([]sent(nil), tg.calls...)
	tg.mu.Unlock()
	var answers []string
	for _, c := range calls {
		answers = append(answers, c.Fields["text"])
	}
	everything = append(everything, codesIn(t, answers, 2)...)                 // the receipt and /invite's codes
	everything = append(everything, "AAAA-BBBB-CCCC-DDDD", "AAAABBBBCCCCDDDD") // a code given to /redeem and /revoke

	checkCanaries(t, rs, cmds, bot, addr, metricsAddr, everything)
	// Answers: nobody but the reporter is told anything that points at
	// them; the token never appears; the TOTP secret only in its message.
	answered := 0
	for _, c := range calls {
		text := c.Fields["text"] + c.Fields["caption"] + c.Fields["reply_markup"]
		if text == "" {
			continue
		}
		answered++
		for _, s := range secrets {
			if strings.Contains(text, s) && !(s == secret && c.Fields["_message_id"] == enrol.Fields["_message_id"]) {
				t.Errorf("%s to %s holds a secret: %q", c.Method, c.Fields["chat_id"], text)
			}
		}
		if c.Fields["chat_id"] == repChatID {
			continue
		}
		for _, s := range reporterMarks {
			if strings.Contains(text, s) {
				t.Errorf("%s to %s points at the reporter (%q): %q", c.Method, c.Fields["chat_id"], s, text)
			}
		}
	}
	if want := 4 * len(table); answered < want {
		t.Fatalf("only %d answers to %d+ commands: the suite did not run", answered, want)
	}
	bot.stop(t)
}

// discordOptions turns "1 some text" into slash command options for c's
// arguments: leading words to the first ones, the rest to the last; an
// integer argument that is not a number is left out, as Discord's client
// would refuse it.
func discordOptions(c *commands.Command, args string) []any {
	var out []any
	rest := strings.TrimSpace(args)
	for n, a := range c.Args {
		if rest == "" {
			break
		}
		v := rest
		if n < len(c.Args)-1 {
			v, rest, _ = strings.Cut(rest, " ")
		} else {
			rest = ""
		}
		if a.Kind == commands.ArgInteger {
			i, err := strconv.Atoi(v)
			if err != nil {
				continue
			}
			out = append(out, map[string]any{"name": a.Name, "type": 4, "value": i})
			continue
		}
		out = append(out, map[string]any{"name": a.Name, "type": 3, "value": v})
	}
	return out
}

// The same canary on Discord: every command by a reporter (in a server
// and by DM) and by an investigator (in the investigators' channel and by
// DM), after a DM tip, a second factor and a chat wipe.
func TestDiscordCanaryEveryCommand(t *testing.T) {
	const (
		reporter = "433300000000012345"
		repName  = "informante_discreto"
		investor = "455500000000054321"
		dm       = "800000000000000077"
	)
	rs := redistest.Start(t)
	cmds := recordCommands(t, rs)
	dc := newFakeDiscord(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	metricsAddr := freeAddr(t)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "VIGIA_METRICS_ADDR=" + metricsAddr,
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_DISCORD_GUILD_ID=" + dGuild, "VIGIA_LOG_LEVEL=debug", "VIGIA_HTTP_ADDR=" + addr,
		"VIGIA_INVESTIGATOR_CHATS=discord:" + dInvChannel, "VIGIA_ADMINS=discord:" + investor,
	}
	bot := launch(t, cmd)
	dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands"))
	rep, inv := duser(reporter, repName), duser(investor, "fiscal_canario")
	var tokens []string
	ask := func(typ int, channel, guild string, who map[string]any, data map[string]any) map[string]any {
		i := interaction(typ, channel, guild, who, data, "es-419")
		tokens = append(tokens, i["token"].(string))
		dc.dispatch("INTERACTION_CREATE", i)
		return dc.waitCalls(1, callbackFor(i["id"].(string)))[0].JSON
	}
	content := func(j map[string]any) string {
		d, _ := j["data"].(map[string]any)
		s, _ := d["content"].(string)
		return unescape(s)
	}

	// A tip by DM, sent.
	dc.dispatch("MESSAGE_CREATE", map[string]any{"id": "1600000000000000077", "channel_id": dm, "author": rep, "content": canaryTip, "timestamp": "2026-11-28T10:00:00Z"})
	first := dc.waitCalls(1, pathHas("POST", "/channels/"+dm+"/messages"))[0]
	sent := ask(3, dm, "", rep, map[string]any{"custom_id": findCustomID(first.JSON["components"], "send:"), "component_type": 2})
	receipt := receiptPattern.FindString(content(sent))
	if receipt == "" {
		t.Fatalf("no receipt: %v", sent)
	}

	// The investigator (an admin) enrols by DM and unlocks.
	ask(2, dm, "", inv, map[string]any{"id": "1", "name": "enroll", "type": 1})
	enrol := dc.waitCalls(1, func(c discordCall) bool {
		return c.Method == "POST" && strings.Contains(unescape(fmt.Sprint(c.JSON["content"])), "otpauth://")
	})[0]
	secret := strings.ReplaceAll(regexp.MustCompile(`(?m)^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$`).FindString(unescape(enrol.JSON["content"].(string))), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if secret == "" || err != nil {
		t.Fatalf("enrolment: %s", enrol.Raw)
	}
	if got := content(ask(2, dm, "", inv, map[string]any{"id": "1", "name": "unlock", "type": 1,
		"options": []any{map[string]any{"name": "code", "type": 3, "value": code}}})); !strings.Contains(got, "12") {
		t.Fatalf("unlock: %q", got)
	}

	// Every command, everywhere.
	table := commands.New(commands.Options{}).Commands()
	answered := 0
	for _, c := range table {
		for _, args := range commandArgs[c.Name] {
			args = strings.ReplaceAll(args, "{receipt}", receipt)
			data := map[string]any{"id": "1", "name": c.Name, "type": 1, "options": discordOptions(c, args)}
			for _, where := range []struct {
				who            map[string]any
				channel, guild string
			}{{rep, dChannel, dGuild}, {rep, dm, ""}, {inv, dInvChannel, dGuild}, {inv, dm, ""}} {
				if c.Name == "lock" && where.who["id"] == investor {
					continue
				}
				if c.Name == "report" {
					continue // a form: answered with a modal, checked in TestDiscordEndToEnd
				}
				ask(2, where.channel, where.guild, where.who, data)
				answered++
			}
		}
	}

	// The reporter wipes the DM: the bot deletes its own messages there,
	// not the reporter's (Discord does not allow it), and says so, and
	// that the wipe they set for later (/wipe 2h, above) is still set.
	wiped := ask(3, dm, "", rep, map[string]any{"custom_id": "wipe:0", "component_type": 2})
	deletes := dc.waitCalls(1, func(c discordCall) bool { return c.Method == "DELETE" && strings.Contains(c.Path, "/messages/") })
	for _, d := range deletes {
		if strings.HasSuffix(d.Path, "/1400000000000000001") {
			t.Fatal("the bot tried to delete the reporter's own message")
		}
	}
	msg, _ := locales.Load()
	later := msg.Localize("en", "wipe_later_still_set", map[string]any{"Delay": msg.Localize("en", "age_hours", nil, 2)})
	if content(wiped) != msg.Localize("en", "wipe_done_theirs_kept", nil)+"\n\n"+later { // the reporter chose English with /language en
		t.Fatalf("wipe answer: %q", content(wiped))
	}
	if !strings.HasPrefix(deletes[0].Path, "/channels/1300000000000000001/messages/") {
		t.Fatalf("wipe deleted %s, not in the reporter's DM", deletes[0].Path)
	}

	// The canaries.
	hexID := func(s string) string { n, _ := strconv.ParseUint(s, 10, 64); return strconv.FormatUint(n, 16) }
	reporterMarks := []string{reporter, hexID(reporter), repName, receipt, strings.ReplaceAll(receipt, "-", ""), dm}
	secrets := append([]string{discordToken, secret}, tokens...)
	tipWords := []string{canaryTip, "Tlaquepaque", "bodega azul", "cobros-canario", "1234 5678"}
	everything := append(append(append([]string{investor, "fiscal_canario", dInvChannel, dChannel}, reporterMarks...), secrets...), tipWords...)
	dc.mu.Lock()
	calls := append([]discordCall(nil), dc.calls...)
	dc.mu.Unlock()
	var answers []string
	for _, c := range calls {
		answers = append(answers, unescape(fmt.Sprint(c.JSON)))
	}
	everything = append(everything, codesIn(t, answers, 2)...)                 // the receipt and /invite's codes
	everything = append(everything, "AAAA-BBBB-CCCC-DDDD", "AAAABBBBCCCCDDDD") // a code given to /redeem and /revoke
	checkCanaries(t, rs, cmds, bot, addr, metricsAddr, everything)
	// No answer anywhere names the reporter; the receipt only reaches them;
	// no token and (outside its own message) no TOTP secret.
	for _, c := range calls {
		if c.Method == "PUT" || c.Path == "/users/@me/channels" {
			continue // command registration; opening a DM names its recipient to Discord
		}
		body := unescape(string(c.Raw))
		for _, s := range append([]string{reporter, hexID(reporter), repName, discordToken}, tokens...) {
			if strings.Contains(body, s) {
				t.Errorf("%s %s holds %q", c.Method, c.Path, s)
			}
		}
		if strings.Contains(body, secret) && c.ID != enrol.ID {
			t.Errorf("%s %s holds the TOTP secret", c.Method, c.Path)
		}
	}
	if answered < 3*len(table) {
		t.Fatalf("only %d interactions: the suite did not run", answered)
	}
	bot.stop(t)
}

// commandLog is every command a Redis ran since recordCommands, read
// from MONITOR: each with all its arguments, whole, and the commands
// scripts ran too. (The slow log keeps only the first 128 bytes of an
// argument and the first 32 arguments: a tip sent in clear after a
// sealed blob or a long JSON would go unseen.)
type commandLog struct {
	conn net.Conn
	rd   *bufio.Reader
}

// recordCommands starts recording every command rs runs, for
// checkCanaries; nil with the embedded miniredis (it has no MONITOR).
func recordCommands(t *testing.T, rs *redistest.Server) *commandLog {
	t.Helper()
	if !rs.Real {
		return nil
	}
	conn, err := net.Dial("tcp", rs.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rd := bufio.NewReader(conn)
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := rd.ReadString('\n'); err != nil || line != "+OK\r\n" {
		t.Fatalf("MONITOR: %q, %v", line, err)
	}
	return &commandLog{conn: conn, rd: rd}
}

// commands returns the arguments of every command run since recordCommands
// (or the last call), each command's joined by NULs. It ends with a mark
// it sends itself, so nothing run before the call is missed.
func (l *commandLog) commands(t *testing.T, rs *redistest.Server) []string {
	t.Helper()
	mark := "end-of-recording-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := rs.Client().Echo(t.Context(), mark).Err(); err != nil {
		t.Fatal(err)
	}
	// A deadline for a Redis that stopped answering, not a wait.
	l.conn.SetReadDeadline(time.Now().Add(time.Minute))
	var cmds []string
	for {
		line, err := l.rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading MONITOR after %d commands: %v", len(cmds), err)
		}
		args := monitorArgs(line)
		if len(args) == 2 && strings.EqualFold(args[0], "echo") && args[1] == mark {
			return cmds
		}
		cmds = append(cmds, strings.Join(args, "\x00"))
	}
}

// monitorArgs reads the arguments of a MONITOR line
// (+1700000000.000000 [0 127.0.0.1:5000] "set" "k" "caf\xc3\xa9"):
// each quoted, escaped as Go quotes strings.
func monitorArgs(line string) []string {
	var args []string
	for i := strings.IndexByte(line, '"'); i >= 0; {
		j := i + 1
		for j < len(line) && line[j] != '"' {
			if line[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(line) {
			break
		}
		a, err := strconv.Unquote(line[i : j+1])
		if err != nil {
			a = line[i+1 : j]
		}
		args = append(args, a)
		k := strings.IndexByte(line[j+1:], '"')
		if k < 0 {
			break
		}
		i = j + 1 + k
	}
	return args
}

// codesIn returns the receipt and invitation codes the bot gave in its
// answers, with and without dashes; at least least of them, or the test
// proves nothing about them.
func codesIn(t *testing.T, answers []string, least int) []string {
	t.Helper()
	seen := map[string]bool{}
	var codes []string
	for _, a := range answers {
		for _, c := range receiptPattern.FindAllString(a, -1) {
			if seen[c] {
				continue
			}
			seen[c] = true
			codes = append(codes, c, strings.ReplaceAll(c, "-", ""))
		}
	}
	if len(seen) < least {
		t.Fatalf("%d codes in the answers, want %d or more", len(seen), least)
	}
	return codes
}

// checkCanaries fails if Redis, the bot's log or its /metrics hold any
// canary, in any of canaryForms. /metrics is served on metricsAddr only,
// never on the public listener (addr, the webhook's), where anyone could
// time tips with it.
func checkCanaries(t *testing.T, rs *redistest.Server, cmds *commandLog, bot *botProcess, addr, metricsAddr string, canaries []string) {
	t.Helper()
	var forms []string
	for _, s := range canaries {
		forms = append(forms, canaryForms(s)...)
	}
	canaries = forms
	if cmds != nil {
		// Every command the bot sent, with its arguments: a value sent in
		// clear to a script that stores only its MAC leaks all the same.
		all := cmds.commands(t, rs)
		if len(all) == 0 {
			t.Fatalf("no commands recorded")
		}
		told := map[string]bool{}
		for _, args := range all {
			for _, s := range canaries {
				if strings.Contains(args, s) && !told[s] {
					told[s] = true
					t.Errorf("a command sent to Redis holds %q: %.200q", s, args)
				}
			}
		}
	}
	checkRedis(t, rs, canaries...)
	logs := bot.stderr.String()
	for _, s := range canaries {
		if strings.Contains(logs, s) {
			t.Errorf("log holds %q", s)
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the public listener answers /metrics with %d", resp.StatusCode)
	}
	if resp, err = http.Get("http://" + metricsAddr + "/metrics"); err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "vigia_") {
		t.Fatalf("no Vigía metrics:\n%s", metrics)
	}
	// Every tip was indexed by the background indexer, and it says so.
	if !regexp.MustCompile(`(?m)^vigia_index_backlog 0$`).Match(metrics) {
		t.Errorf("index backlog not 0:\n%s", metrics)
	}
	for _, s := range canaries {
		if strings.Contains(string(metrics), s) {
			t.Errorf("metrics hold %q", s)
		}
	}
}
