package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// maxResults bounds /search and /entity answers.
const maxResults = 20

// maxSearchWords bounds the words of one /search.
const maxSearchWords = 20

// parseWindow reads "7d", "30d" or "48h"; false if s is not a window.
// A window longer than a century is read as a century (callers cut it
// to the retention anyway): any longer would overflow a time.Duration,
// and "the longest you have" is what such a window asks for.
func parseWindow(s string) (time.Duration, bool) {
	s = strings.ToLower(asciiNumerals(s))
	const century = 36500 * 24 * time.Hour
	unit := 24 * time.Hour
	n, ok := strings.CutSuffix(s, "d")
	if !ok {
		if n, ok = strings.CutSuffix(s, "h"); !ok {
			return 0, false
		}
		unit = time.Hour
	}
	if n == "" || strings.TrimLeft(n, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.Atoi(n)
	switch {
	case err != nil || v > int(century/unit): // all digits: too large
		return century, true
	case v < 1:
		return 0, false
	}
	return time.Duration(v) * unit, true
}

// searchQuery is a parsed /search: its words, and the filters written
// category:NAME and window:DURATION. A bare word is always a word, even
// one that names a category or a window.
type searchQuery struct {
	words    []string
	category tips.Category
	window   time.Duration // 0: the retention
}

// parseSearch reads /search's arguments. It returns, localised, what it
// could not read, "" if it read them all: a filter whose value is no
// category or window, or one given twice with two values (which would
// keep nothing, or one of them: either way not what was asked).
func (c *Context) parseSearch(args string) (searchQuery, string) {
	var q searchQuery
	for _, w := range strings.Fields(args) {
		key, value, _ := strings.Cut(w, ":")
		switch strings.ToLower(key) {
		case "category":
			cat, ok := c.parseCategory(value)
			if !ok {
				return q, c.filterNotUnderstood("category:", "search_filter_bad_category", value, args)
			}
			if q.category != "" && q.category != cat {
				return q, c.T("search_filter_twice_category", map[string]any{"First": c.categoryName(q.category), "Second": c.categoryName(cat)})
			}
			q.category = cat
		case "window":
			d, ok := parseWindow(value)
			if !ok {
				return q, c.filterNotUnderstood("window:", "search_filter_bad_window", value, args)
			}
			if q.window > 0 && q.window != d {
				return q, c.T("search_filter_twice_window", map[string]any{"First": c.mux.spanIn(c.Lang, q.window), "Second": c.mux.spanIn(c.Lang, d)})
			}
			q.window = d
		default:
			q.words = append(q.words, w)
		}
	}
	return q, ""
}

// maxShownValue bounds the characters of a filter's value a reply repeats.
const maxShownValue = 24

// filterNotUnderstood says that filter (its name and colon) was given a
// value it does not take: repeated, made safe and cut to maxShownValue
// characters, in the message id; or, where nothing visible follows the
// colon, that it needs one; or, where the arguments hold what may be a
// code (a receipt's or an invitation's, in any form the tips package
// reads), not repeated: one would stay in the chat (an investigators'
// group) for everyone there. The arguments are read as typed, as they
// read without the filters' names (a code given half to one filter, half
// to another) and once neutralised (control characters shown as spaces),
// and the value as it would be shown (a link's host written in ASCII).
func (c *Context) filterNotUnderstood(filter, id, value, args string) string {
	shown := strings.TrimSpace(tips.Neutralize(value))
	if !visible(shown) {
		return c.T("search_filter_empty", map[string]any{"Filter": filter})
	}
	if r := []rune(shown); len(r) > maxShownValue {
		shown = string(r[:maxShownValue]) + "…"
	}
	shown = safe(shown)
	if len(tips.ReceiptCodesIn(args)) > 0 || len(tips.ReceiptCodesIn(tips.Neutralize(filterValues(args)))) > 0 ||
		len(tips.ReceiptCodesIn(filter+shown)) > 0 {
		return c.T("search_filter_unshown", map[string]any{"Filter": filter})
	}
	return c.T(id, map[string]any{"Text": shown})
}

// filterValues is args with each filter's name and colon left out:
// "window:K7QD-9XMA window:R2TP-4WZN" reads "K7QD-9XMA R2TP-4WZN".
func filterValues(args string) string {
	words := strings.Fields(args)
	for i, w := range words {
		if key, value, ok := strings.Cut(w, ":"); ok {
			switch strings.ToLower(key) {
			case "category", "window":
				words[i] = value
			}
		}
	}
	return strings.Join(words, " ")
}

// search is /search words… [category:NAME] [window:30d]: every word must
// appear; case and accents do not matter. The filters alone list the
// newest tips they keep (what the hint for a word that names a category
// or a window tells investigators to write).
func search(ctx context.Context, c *Context) error {
	if c.holdsReceipt(ctx, c.Request.Args) {
		// No tip holds one (a reporter's text is kept without them), and
		// the answer would repeat it among its hints.
		return c.sayHoldsCode(ctx)
	}
	q, bad := c.parseSearch(c.Request.Args)
	ok := bad == ""
	// A link copied from a tip as the bot shows it (hxxp://evil[.]com) is
	// searched as written in the tip.
	text := tips.Refang(strings.Join(q.words, " "))
	filtersOnly := len(q.words) == 0 && (q.category != "" || q.window > 0)
	if ok && len(q.words) > maxSearchWords {
		return c.Say(ctx, "search_too_many_words", map[string]any{"Max": maxSearchWords})
	}
	if !ok || (!filtersOnly && len(tips.IndexTokens(text)) == 0) {
		usage := c.T("search_usage", map[string]any{"Categories": c.categoryIDs()})
		// "/search de la": words, none of them searchable; "/search 😀":
		// no word at all, only emoji or symbols.
		if notes := c.unsearchedNotes(q.words); ok && len(notes) > 0 {
			usage = strings.Join(notes, "\n") + "\n\n" + usage
		}
		// "/search window:7d window:30d", "/search category:banana":
		// the filter not understood is named before the usage.
		if !ok {
			usage = bad + "\n\n" + usage
		}
		return c.Reply(ctx, Reply{Text: usage})
	}
	window := c.mux.retention
	if q.window > 0 && (window == 0 || q.window < window) {
		window = q.window // nothing older than the retention is kept
	}
	since := c.mux.now().Add(-window)
	// One more than is shown: to tell whether the list is cut.
	var list []tips.Tip
	var err error
	cut := false // examined as many tips as a search may, short of a full list
	if filtersOnly {
		list, cut, err = c.mux.store.Latest(ctx, since, q.category, maxResults+1)
	} else {
		list, cut, err = c.mux.store.Search(ctx, searchWords(text), since, q.category, maxResults+1)
	}
	if err != nil {
		return err
	}
	var lines []string
	switch {
	case len(list) == 0:
		lines = append(lines, c.T("search_empty", nil))
	case len(list) > maxResults:
		list = list[:maxResults]
		lines = append(lines, c.T("search_header_cut", nil, len(list)))
	default:
		lines = append(lines, c.T("search_header", nil, len(list)))
	}
	// The filters applied, and the words that would have been filters.
	if q.category != "" {
		lines = append(lines, c.T("search_filter_category", map[string]any{"Category": c.categoryName(q.category)}))
	}
	if q.window > 0 {
		if window%(24*time.Hour) == 0 {
			lines = append(lines, c.T("search_filter_days", nil, int(window/(24*time.Hour))))
		} else {
			lines = append(lines, c.T("search_filter_hours", nil, int(max(window/time.Hour, 1))))
		}
		if window < q.window {
			lines = append(lines, c.windowCapped())
		}
	}
	if cut && filtersOnly {
		lines = append(lines, c.T("search_examined_cut", nil, storage.MaxExamined))
	} else if cut {
		// Of the tips holding the words (or an old form of them), the
		// newest were examined; older ones may match.
		lines = append(lines, c.T("search_words_examined_cut", nil, storage.MaxExamined))
	}
	// Words no search can look for (one letter, or as common as "the")
	// are left out, and the reply says so: the tips listed need not hold
	// them.
	lines = append(lines, c.unsearchedNotes(q.words)...)
	hinted := map[string]bool{}
	for _, w := range q.words {
		w = strings.ToLower(w)
		if hinted[w] {
			continue
		}
		hinted[w] = true
		if _, ok := c.parseCategory(w); ok {
			lines = append(lines, c.T("search_word_category", map[string]any{"Text": safe(w)}))
		} else if _, ok := parseWindow(w); ok {
			lines = append(lines, c.T("search_word_window", map[string]any{"Text": safe(w)}))
		} else if shown := safe(w); looksLikeFilter(w) && !mayShowCode(w, shown) {
			// The word as typed, made safe as reported text is: the
			// reply may be read in the investigators' group, so a word
			// that is, or once shown reads as, a code gets no hint.
			lines = append(lines, c.T("search_word_filter", map[string]any{"Text": shown}))
		}
	}
	if len(list) == 0 {
		return c.Reply(ctx, Reply{Text: strings.Join(lines, "\n")})
	}
	return c.Reply(ctx, Reply{Text: c.tipList(ctx, strings.Join(lines, "\n"), list), Protected: true})
}

// skippedWords lists, once each, the words of a search no search can
// look for: one letter, or as common as "the".
func skippedWords(words []string) []string {
	var out []string
	for _, w := range words {
		w = tips.Neutralize(w)
		if len(tips.IndexTokens(tips.Refang(w))) == 0 && strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 &&
			!slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// unsearchedNotes are the lines telling which words of a search were
// not looked for, and why: too short or common, or emoji and symbols.
func (c *Context) unsearchedNotes(words []string) []string {
	var notes []string
	if skipped := skippedWords(words); len(skipped) > 0 {
		notes = append(notes, c.T("search_words_skipped", map[string]any{"Words": safe(strings.Join(skipped, ", "))}))
	}
	if symbols := symbolWords(words); len(symbols) > 0 {
		notes = append(notes, c.T("search_words_symbols", map[string]any{"Words": safe(strings.Join(symbols, " "))}))
	}
	return notes
}

// symbolWords lists, once each, the words of a search that are only
// emoji or symbols ("😀", "!!!"): the index holds words, numbers, links
// and handles, never these.
func symbolWords(words []string) []string {
	var out []string
	for _, w := range words {
		w = tips.Neutralize(w)
		if w != "" && len(tips.IndexTokens(tips.Refang(w))) == 0 && strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 &&
			!slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// searchWords is what a search looks for in text: its words, less a
// link's scheme where others are left ("http", "hxxp"): a link reads
// "hxxp://evil[.]com" as the bot shows it and as some reporters write it,
// and either way is found by its host and path. The rest is kept as
// written, host names whole: a tip indexed before punycode was read
// decoded is found by its host's punycode (tips.PunycodeIndexTokens),
// which folded words ("cobranca" for "cobrança") no longer give.
func searchWords(text string) string {
	if !strings.Contains(text, "://") && !strings.Contains(strings.ToLower(text), "www.") {
		return text // no link: "ftp" or "www" is a word searched as any
	}
	var rest []string
	for _, w := range strings.Fields(linkScheme.ReplaceAllString(text, " ")) {
		if slices.ContainsFunc(tips.IndexTokens(w), func(t string) bool { return !schemeWord(t) }) {
			rest = append(rest, w)
		}
	}
	if len(rest) == 0 {
		return text
	}
	return strings.Join(rest, " ")
}

// linkScheme is a link's scheme, or its "www.".
var linkScheme = regexp.MustCompile(`(?i)\b(?:(?:https?|hxxps?|ftp)://(?:www\.)?|www\.)`)

// schemeWord says whether an index word is a link's scheme or "www".
func schemeWord(w string) bool {
	switch w {
	case "http", "https", "hxxp", "hxxps", "ftp", "www":
		return true
	}
	return false
}

// mayShowCode tells whether word, as typed, neutralised (control
// characters read as spaces) or as shown, holds what may be a code.
func mayShowCode(word, shown string) bool {
	return len(tips.ReceiptCodesIn(word)) > 0 || len(tips.ReceiptCodesIn(tips.Neutralize(word))) > 0 ||
		len(tips.ReceiptCodesIn(shown)) > 0
}

// looksLikeFilter tells a word written as a filter /search does not have
// (say "categoría:extorsion", "since:7d"): a name of letters, a colon and
// a value, not a link's scheme. It is searched as words, as any word; the
// reply says which filters there are.
func looksLikeFilter(w string) bool {
	key, value, ok := strings.Cut(w, ":")
	if !ok || key == "" || value == "" || strings.HasPrefix(value, "/") || utf8.RuneCountInString(key) > 20 {
		return false
	}
	for _, r := range key {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// categoryIDs lists the categories as /search's category: filter takes
// them, each with its localised name where that differs.
func (c *Context) categoryIDs() string {
	var out []string
	for _, cat := range tips.Categories {
		name := c.categoryName(cat)
		if strings.EqualFold(name, string(cat)) {
			out = append(out, string(cat))
		} else {
			out = append(out, fmt.Sprintf("%s (%s)", cat, name))
		}
	}
	return strings.Join(out, ", ")
}

// entity is /entity VALUE: tips naming it in any of its forms.
func entity(ctx context.Context, c *Context) error {
	arg := strings.TrimSpace(c.Request.Args)
	if arg == "" || len(arg) > 500 {
		return c.Say(ctx, "entity_usage", nil)
	}
	arg = tips.Refang(arg) // copied from a tip as the bot shows it
	found := tips.Extract(arg, c.mux.region)
	if len(found) == 0 {
		if d, ok := tips.DomainEntity(arg); ok {
			found = []tips.Entity{d}
		}
	}
	if len(found) == 0 {
		return c.Say(ctx, "entity_unknown", nil)
	}
	e := pickEntity(found)
	// One more than is shown: to tell whether the list is cut.
	// Tips indexed before handles and hashtags kept their marks are under
	// the entity as it was cut then: looked up too.
	list, err := c.mux.store.EntityTips(ctx, e, c.mux.now().Add(-c.mux.retention), maxResults+1, tips.PastForms(arg, e)...)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return c.Say(ctx, "search_empty", nil)
	}
	header := "entity_header"
	if len(list) > maxResults {
		list, header = list[:maxResults], "entity_header_cut"
	}
	return c.Reply(ctx, Reply{Text: c.tipList(ctx, c.T(header, map[string]any{"Entity": isolated(safe(e.Display))}, len(list)), list), Protected: true})
}

// pickEntity picks what /entity looks up among what its argument names: a
// link names its URL, its domain and maybe a profile. The most specific,
// except that a site's address alone ("pago-piso.mx") means the site:
// every link on it, by its domain.
func pickEntity(found []tips.Entity) tips.Entity {
	var link, domain *tips.Entity
	for i, f := range found {
		switch {
		case f.Kind == tips.KindHandle || f.Kind == tips.KindPhone:
			return f
		case f.Kind == tips.KindURL && !siteRoot(f.Value):
			link = &found[i]
		case f.Kind == tips.KindDomain:
			domain = &found[i]
		}
	}
	switch {
	case link != nil:
		return *link
	case domain != nil:
		return *domain
	}
	return found[0]
}

// siteRoot reports whether a link is a site's address alone, with no path.
func siteRoot(link string) bool {
	if _, rest, ok := strings.Cut(link, "://"); ok {
		link = rest // (entities keep links without their scheme)
	}
	return !strings.ContainsAny(strings.TrimRight(link, "/"), "/?")
}

// signals is /signals [window]: the strongest corroborated entities of
// the corroboration window, or of any window up to the retention.
func signals(ctx context.Context, c *Context) error {
	window := c.mux.window
	capped := "" // the line saying a window past the retention was cut to it
	if arg := strings.TrimSpace(c.Request.Args); arg != "" {
		d, ok := parseWindow(arg)
		if !ok {
			return c.Say(ctx, "signals_usage", nil)
		}
		window = d
		if r := c.mux.retention; r > 0 && d > r {
			window = r // nothing older is kept
			capped = c.windowCapped()
		}
	}
	list, err := c.mux.store.Signals(ctx, window, 10)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		text := c.T("signals_empty", nil)
		if capped != "" {
			text += "\n" + capped
		}
		return c.Reply(ctx, Reply{Text: text})
	}
	lines := []string{c.T("signals_header", map[string]any{"Period": c.mux.spanIn(c.Lang, window)})}
	if capped != "" {
		lines = append(lines, capped)
	}
	for _, s := range list {
		var cats []string
		for _, cat := range tips.Categories {
			if n := s.Categories[cat]; n > 0 {
				cats = append(cats, fmt.Sprintf("%s %d", c.categoryName(cat), n))
			}
		}
		lines = append(lines, c.T("signals_line", map[string]any{
			"Entity": isolated(safe(s.Entity.Display)), "Reporters": s.Reporters, "Tips": s.Tips, "Categories": strings.Join(cats, ", "),
			"First": c.age(s.FirstSeen), "Last": c.age(s.LastSeen), "Score": fmt.Sprintf("%.0f", s.Score),
		}))
	}
	return c.Reply(ctx, Reply{Text: strings.Join(lines, "\n"), Protected: true})
}

// windowCapped says that a window asked for past the retention (/signals
// 91d, /search window:91d where tips are kept 90 days) was cut to it.
func (c *Context) windowCapped() string {
	return c.T("window_capped", map[string]any{"Period": c.mux.spanIn(c.Lang, c.mux.retention)})
}

// alert tells the investigator chats that an entity reached the
// corroboration threshold (storage guarantees once per entity per window).
// It is kept before it is sent, each chat recorded as it takes it; one
// not every chat takes (a chat refused it, or none is configured) stays
// kept, to be sent again to the others (RetryAlerts); it fails only if it
// could not be kept either (then the indexer raises it again later).
func (m *Mux) alert(ctx context.Context, s storage.Signal) error {
	chats := m.teamChats()
	keys := make([]string, len(chats))
	for i, c := range chats {
		keys[i] = c.key
	}
	// A kept copy (its tip indexed again after a crash) may say some
	// chats took it already: they are not sent it twice. Unreadable, it
	// goes to every chat: a duplicate rather than a loss.
	missing, err := m.store.AlertMissing(ctx, &s, keys)
	if err != nil {
		m.log.Warn("kept alert not read: it may go out twice", "error", err.Error())
	}
	text := m.alertText(s)
	// Kept before the first send, each chat recorded as it takes it: a
	// process that dies between the sends and their end leaves the chats
	// that took it recorded, and the alert kept for the others, instead of
	// the alert raised again (its tip indexed again) for every chat. Not
	// kept (Redis failing), it is sent all the same and kept below, as
	// before: a duplicate rather than a loss.
	kept := len(chats) > 0 && len(missing) > 0 && m.store.KeepAlert(ctx, s, nil) == nil
	// The sends share the retries' budget: a platform that hangs instead
	// of refusing must not hold up the indexer (every tip after this one).
	// A send cut off is not counted as taken: the alert is kept and sent
	// again to that chat.
	// A chat whose send was cut off is not waited on again for a while:
	// a tip raising several alerts (or the next tips') would hold the
	// indexer a budget each, past the minute after which another
	// replica takes its tips over. Its alerts are kept for it.
	sendCtx, cancel := context.WithTimeout(ctx, alertRetryBudget)
	defer cancel()
	var took []string
	for _, c := range chats {
		if !slices.Contains(missing, c.key) || sendCtx.Err() != nil || m.alertHung.hung(c.key, m.now()) {
			continue
		}
		if msg, ok := m.notifyMessage(sendCtx, c.route, Reply{Text: text, Protected: true}); ok {
			took = append(took, c.key)
			if kept {
				// On ctx: a chat that took it is recorded even once the
				// budget is spent.
				if err := m.store.AlertDelivered(ctx, s, c.key, msg); err != nil {
					m.log.Warn("alert delivery not recorded: it may go out twice", "error", err.Error())
				}
			}
		} else if sendCtx.Err() != nil {
			m.alertHung.mark(c.key, m.now().Add(alertHungFor))
		}
	}
	if len(chats) > 0 && len(took) == len(missing) {
		// Its record stays, for a withdrawal to find the chats that took
		// it: kept now if keeping it first failed, or if it was found
		// withdrawn (and dropped) by another process mid-send.
		if len(took) > 0 {
			if err := m.store.KeepSentAlert(ctx, s, took); err != nil {
				m.log.Warn("sent alert not kept: it cannot be withdrawn", "error", err.Error())
			}
		}
		if err := m.store.AlertSent(ctx, s); err != nil {
			m.log.Warn("sent alert not forgotten: it may go out again", "error", err.Error())
		}
		return nil
	}
	if err := m.store.KeepSentAlert(ctx, s, took); err != nil {
		return fmt.Errorf("alert reached not every investigator chat and was not kept: %w", err)
	}
	m.alertsKept(ctx)
	return nil
}

// alertHungFor is how long an alert's first send skips a chat whose send
// was cut off by the budget: its alerts are kept, and RetryAlerts tries
// the chat again (after alertRetryFirst, as long).
const alertHungFor = time.Minute

// hungChats remembers, in this process, until when each investigators'
// chat (as configured) is not waited on by an alert's first send.
type hungChats struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (h *hungChats) hung(chat string, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.until[chat].After(now)
}

func (h *hungChats) mark(chat string, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.until == nil {
		h.until = map[string]time.Time{}
	}
	h.until[chat] = until
}

// alertText is an alert as the investigators' chats read it.
func (m *Mux) alertText(s storage.Signal) string {
	return m.msg.Localize(m.lang, "alert_signal", map[string]any{
		"Entity": isolated(safe(s.Entity.Display)), "Reporters": s.Reporters, "Period": m.spanIn(m.lang, m.window),
	})
}

// alertRetryBatch is how many kept alerts RetryAlerts tries at a time.
const alertRetryBatch = 50

// alertRetryBudget is how long one RetryAlerts, or an alert's first
// send, may spend sending: well under the minute a claimed alert is held
// from other replicas.
var alertRetryBudget = 20 * time.Second

// RetryAlerts sends again the kept alerts that are due, each by one
// process only (storage spaces the attempts out), to the chats that have
// not taken it only, saying when it was raised. A failed attempt is not
// logged each time (an outage would flood the log): the log says at most
// once an hour how many alerts wait. One given up (its window over) is
// logged once, saying whether it was its withdrawal that was not told
// everywhere; those withdrawn (purged or forgotten tips left too few
// reporters, even once every chat took them) are counted. Without an investigators' chat nothing is
// sent: alerts wait for one to be configured.
//
// Each chat that takes an alert is recorded at once, so a later attempt
// (this replica's or another's) never sends it there again. A send cut
// off by the budget, or whose answer was lost, is ambiguous: the platform
// may have delivered it. It is counted as not taken and sent again: for
// an alert, a duplicate in one chat is better than a chat never told.
func (m *Mux) RetryAlerts(ctx context.Context) error {
	chats := m.teamChats()
	keys := make([]string, len(chats))
	routes := map[string]string{}
	for i, c := range chats {
		keys[i], routes[c.key] = c.key, c.route
	}
	due, err := m.store.DueAlerts(ctx, keys, alertRetryBatch)
	// The sends share a budget: a platform that hangs instead of refusing
	// must not hold up the sweep's other work (drafts, reminders) for
	// minutes, nor outlast the minute after which another replica may
	// claim the same alert. What is left waits for its next attempt.
	sendCtx, cancel := context.WithTimeout(ctx, alertRetryBudget)
	defer cancel()
	failed, withdrawn := false, 0
	for _, a := range due {
		switch {
		case a.GivenUp && a.Withdrawn:
			m.log.Error("an alert's withdrawal was given up: not every investigators' chat that took the alert could be told it was withdrawn during the corroboration window (VIGIA_SIGNAL_WINDOW); /signals shows the entity's current count")
			continue
		case a.GivenUp:
			m.log.Error("an alert was given up: not every investigators' chat took it during the corroboration window (VIGIA_SIGNAL_WINDOW); /signals still lists the entity")
			continue
		case a.Withdrawn:
			if m.retractAlert(ctx, sendCtx, a, routes) {
				withdrawn++
			} else {
				failed = true
			}
			continue
		}
		text := m.alertText(a.Signal)
		if !a.Formed.IsZero() {
			text += "\n\n" + m.msg.Localize(m.lang, "alert_late", map[string]any{
				"Age": m.ageIn(m.lang, m.now().Sub(a.Formed)), "Time": a.Formed.UTC().Format("2006-01-02 15:04 UTC"),
			})
		}
		all := true
		for _, key := range a.Missing {
			if sendCtx.Err() != nil {
				all = false
				continue
			}
			msg, serr := m.send(sendCtx, routes[key], Reply{Text: text, Protected: true})
			if serr != nil {
				all = false
				continue
			}
			// On the sweep's context: a chat that took it is recorded even
			// once the budget is spent.
			if derr := m.store.AlertDelivered(ctx, a.Signal, key, msg); derr != nil {
				err = errors.Join(err, derr)
			}
		}
		if !all {
			failed = true
			continue
		}
		err = errors.Join(err, m.store.AlertSent(ctx, a.Signal))
	}
	if withdrawn > 0 {
		m.log.Info("kept alerts withdrawn: tips they counted were purged or forgotten, too few reporters are left", "alerts", withdrawn)
	}
	if failed || len(chats) == 0 {
		m.alertsKept(ctx)
	}
	return err
}

// retractAlert tells the investigators' chats that took a withdrawn
// alert (a.Took) that it was withdrawn, naming the entity as the alert
// did and when it was raised, nothing of its tips or reporters; each that
// is told is recorded at once, on ctx. Each notice replies to the alert's
// message in its chat, where its id is known and the chat has not moved
// since. Once every one was told the alert is dropped, and retractAlert
// reports true; a chat that refuses (or the budget, sendCtx, spent)
// leaves it kept, for those chats alone to be told at its next attempt.
//
// Each chat is recorded as being told before its notice is sent, and
// settled after: told, or (refused, cut off) to be told again. No other
// process sends it the notice while that record's lease lasts; a process
// dying in between leaves the chat to be told once the lease is over:
// a notice twice where it died after the send, never none. One that
// stalled past its lease settles its notice without ending the lease
// another process took since.
func (m *Mux) retractAlert(ctx, sendCtx context.Context, a storage.PendingAlert, routes map[string]string) bool {
	text := m.msg.Localize(m.lang, "alert_withdrawn", map[string]any{
		"Entity": isolated(safe(a.Signal.Entity.Display)), "Time": a.Formed.UTC().Format("2006-01-02 15:04 UTC"),
	})
	all := true
	for _, key := range a.Took {
		if sendCtx.Err() != nil {
			all = false
			continue
		}
		tell, lease, err := m.store.AlertRetracting(ctx, a.Signal, key)
		if err != nil {
			// Not recorded: not sent now, told at its next attempt.
			all = false
			continue
		}
		if !tell {
			// Told, or being told (by another process, or one that died):
			// the alert is kept until its next attempt sees which.
			all = false
			continue
		}
		if !m.notifyQuietly(sendCtx, routes[key], Reply{Text: text, Protected: true, ReplyTo: replyTo(routes[key], a.Messages[key])}) {
			all = false
			if err := m.store.AlertNotRetracted(ctx, a.Signal, key, lease); err != nil {
				m.log.Warn("withdrawn alert: a chat not told of it was not recorded; it is told once its lease is over", "error", err.Error())
			}
			continue
		}
		if err := m.store.AlertRetracted(ctx, a.Signal, key, lease); err != nil {
			m.log.Warn("withdrawn alert: a chat told of it was not recorded", "error", err.Error())
		}
	}
	if !all {
		return false
	}
	if len(a.Took) == 0 {
		return true // dropped already: no chat had it
	}
	if err := m.store.AlertWithdrawn(ctx, a.Signal); err != nil {
		m.log.Warn("withdrawn alert not dropped: a chat may be told twice", "error", err.Error())
	}
	return true
}

// alertsKept says, at most once an hour, that alerts wait for an
// investigators' chat, and why.
func (m *Mux) alertsKept(ctx context.Context) {
	if !m.alertLog.due(m.now(), time.Hour) {
		return
	}
	n, err := m.store.KeptAlerts(ctx)
	if err != nil || n == 0 {
		m.alertLog.reset()
		return
	}
	if len(m.teamChatRoutes()) == 0 {
		m.log.Warn("alerts wait for an investigators' chat: none is configured (VIGIA_INVESTIGATOR_CHATS); they are sent once one is", "alerts", n)
		return
	}
	m.log.Warn("alerts wait: no investigators' chat took them (an outage, or the bot lost its permission there); they are tried again every few minutes", "alerts", n)
}

// rateLog lets a log line out at most once per period.
type rateLog struct {
	mu   sync.Mutex
	last time.Time
}

// due reports whether the line may go out now, and if so counts it as out.
func (r *rateLog) due(now time.Time, period time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.last.IsZero() && now.Sub(r.last) < period {
		return false
	}
	r.last = now
	return true
}

// reset lets the next line out at once.
func (r *rateLog) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = time.Time{}
}
