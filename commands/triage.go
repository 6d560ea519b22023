package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// cbTriage prefixes the decision buttons under a claimed tip:
// "tr:<id>:<status>".
const cbTriage = "tr:"

// maxLabels and maxLabelLen bound free labels, maxLabelLen in characters
// as the reader sees them (extended grapheme clusters, counted by uniseg:
// an emoji family, a flag, a letter and its accents are one each; an
// Indic conjunct is two, as Unicode 15.0 segments it); maxLabelRunes
// bounds what one label may hold in code points, so that forty characters
// each stacked with marks (which views cut: capMarks) are not kept as
// thousands.
// maxNote bounds notes and questions.
const (
	maxLabels     = 10
	maxLabelLen   = 40
	maxLabelRunes = 8 * maxLabelLen // an emoji family is seven; a flag of tags, seven
	maxNote       = 2000
)

// triageUsageData fills /triage's usage: the label limits.
var triageUsageData = map[string]any{"MaxLabels": maxLabels, "LabelLen": maxLabelLen}

// parseCategory reads a category as investigators type it: the English
// identifier ("drugs"), or its name in any supported language, whole or by
// one of its words of four letters or more that names no other category
// ("drogas", "trata", "desaparecida"), accents and case aside. Failing
// that, singular or plural, as names are written either way ("drogues"
// for "Drogue", "weapon", "amenaza", "extorsões" for "Extorsão", see
// pluralOf), and a participle of another gender ("desaparecido",
// "disparus", "amenazada", see participleOf); "persona" still reads as "Persona desaparecida", not also as
// "Trata de personas". A stem is no name ("menac", "extors").
func (c *Context) parseCategory(arg string) (tips.Category, bool) {
	if cat, ok := tips.ParseCategory(strings.ToLower(arg)); ok {
		return cat, true
	}
	if notNamed[norm.NFC.String(strings.ToLower(strings.TrimSpace(arg)))] {
		return "", false
	}
	want := tips.Fold(strings.TrimSpace(arg))
	if cat, ok := c.categoryNamed(func(w string) bool { return w == want }); ok || cat != "" {
		return cat, ok
	}
	if len([]rune(want)) < 4 {
		return "", false // "arm" is not "armes": a plural's stem is no name
	}
	return c.categoryNamed(func(w string) bool { return pluralOf(w, want) || pluralOf(want, w) || participleOf(w, want) })
}

// notNamed holds words that fold to a name's word ("accents aside") yet,
// with their accents, are another word: French "traité", "traitée" (a
// treaty, treated) are not "traite" (trafficking).
var notNamed = map[string]bool{"traité": true, "traitée": true, "traités": true, "traitées": true}

// noParticiple holds the names' words in "-a" whose "-ado" is another
// word: "tratado", "tratada" are a treaty, or treated (tratar), not
// trafficked, which is "traficada" (tráfico, traficar).
var noParticiple = map[string]bool{"trata": true}

// participleOf reports whether typed is name's word as a participle of
// another gender or number, as Spanish, Portuguese and French write them
// (both folded): "-ido" and "-ado" as "-ida", "-ada" ("desaparecido" for
// "desaparecida"), "-u" and "-i" with "-e" ("disparu" for "disparue"),
// each also with "s"; or the participle of a Spanish or Portuguese noun in
// "-a" ("amenazada" for "amenazas", "ameaçada" for "ameaças"; not
// "tratada" for "trata", see noParticiple) or in "-ico" ("traficada" for
// "tráfico"). Nothing else: a stem is no participle ("desaparecid",
// "menac").
func participleOf(name, typed string) bool {
	canon := func(w string) string {
		w = strings.TrimSuffix(w, "s")
		if strings.HasSuffix(w, "ada") || strings.HasSuffix(w, "ida") {
			return w[:len(w)-1] + "o"
		}
		if (strings.HasSuffix(w, "ue") || strings.HasSuffix(w, "ie")) && !strings.HasSuffix(w, "gue") && !strings.HasSuffix(w, "que") {
			return w[:len(w)-1] // not "drogue": no participle, and "drogu" a stem
		}
		return w
	}
	n, t := canon(name), canon(typed)
	if noun, ok := strings.CutSuffix(n, "a"); ok && !noParticiple[n] {
		n = noun + "ado"
	} else if noun, ok := strings.CutSuffix(n, "ico"); ok {
		n = noun + "icado" // "traficada" for "tráfico" (traficar)
	}
	participle := strings.HasSuffix(n, "ado") || strings.HasSuffix(n, "ido") || strings.HasSuffix(n, "u") || strings.HasSuffix(n, "i")
	return participle && n == t
}

// categoryNamed returns the category whose identifier or name in any
// supported language (folded), whole or by one of its words of four
// letters or more, is, by is, what was typed; false if none, or if a word
// is of two categories, which it then returns (not ""), as a refusal.
func (c *Context) categoryNamed(is func(string) bool) (tips.Category, bool) {
	var found tips.Category
	for _, cat := range tips.Categories {
		names := []string{string(cat)}
		for _, lang := range locales.Supported {
			names = append(names, tips.Fold(c.mux.msg.Localize(lang, "category_"+string(cat), nil)))
		}
		for _, name := range names {
			if is(name) {
				return cat, true
			}
			for _, w := range tips.Tokens(name) {
				if is(w) && len([]rune(w)) >= 4 {
					if found != "" && found != cat {
						return found, false // a word of two categories' names
					}
					found = cat
				}
			}
		}
	}
	return found, found != ""
}

// pluralOf reports whether plural is singular's plural as the supported
// languages write it (both folded): with "s"; with "es" after a consonant
// that takes it ("extorsiones", "corrupciones"), never after a stem's
// last letter otherwise ("menac" is no singular of "menaces"); and
// Portuguese "-ão" as "-ões" or "-ães" ("extorsões", "corrupções").
func pluralOf(singular, plural string) bool {
	if rest, ok := strings.CutPrefix(plural, singular); ok {
		return rest == "s" || (rest == "es" && takesES(singular))
	}
	stem, ok := strings.CutSuffix(singular, "ao")
	return ok && (plural == stem+"oes" || plural == stem+"aes")
}

// takesES reports whether a word's plural may end in "es" after it: a
// consonant Spanish or English adds it to ("l", "n", "r", "d", "j", "s",
// "x", "y", "z", "ch", "sh").
func takesES(singular string) bool {
	return strings.HasSuffix(singular, "ch") || strings.HasSuffix(singular, "sh") ||
		strings.ContainsAny(singular[max(0, len(singular)-1):], "lnrdjsxyz")
}

// triageStatuses and priorities are what /triage sets, as parseNamed
// reads them.
var (
	triageStatuses = []string{string(tips.StatusNew), string(tips.StatusClaimed), string(tips.StatusVerified),
		string(tips.StatusDismissed), string(tips.StatusEscalated), string(tips.StatusDuplicate)}
	priorities = func() []string {
		var ids []string
		for _, p := range tips.Priorities {
			ids = append(ids, string(p))
		}
		return ids
	}()
)

// parseNamed reads one of ids from the start of words as investigators
// type it: the English identifier, or its name (message prefix+id) in any
// supported language, accents, case and hyphens aside, a name of several
// words whole ("pris en charge"). It returns the id and how many words it
// took, or 0 if none or more than one id is named.
func (c *Context) parseNamed(words []string, prefix string, ids []string) (string, int) {
	fold := func(s string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(tips.Fold(s))), " ")
	}
	for k := min(3, len(words)); k >= 1; k-- {
		typed, found := fold(strings.Join(words[:k], " ")), ""
		for _, id := range ids {
			names := []string{id}
			for _, lang := range locales.Supported {
				names = append(names, c.mux.msg.Localize(lang, prefix+id, nil))
			}
			for _, name := range names {
				if fold(name) == typed {
					if found != "" && found != id {
						return "", 0
					}
					found = id
				}
			}
		}
		if found != "" {
			return found, k
		}
	}
	return "", 0
}

func next(ctx context.Context, c *Context) error {
	var cat tips.Category
	if arg := strings.TrimSpace(c.Request.Args); arg != "" {
		var ok bool
		if cat, ok = c.parseCategory(arg); !ok {
			names := make([]string, len(tips.Categories))
			for i, cat := range tips.Categories {
				names[i] = c.categoryName(cat)
			}
			return c.Say(ctx, "next_usage", map[string]any{"Categories": strings.Join(names, ", ")})
		}
	}
	id, err := c.mux.store.Next(ctx, c.claimer(), cat, c.mux.triage.ClaimTimeout, c.mux.triage.MaxClaims)
	if errors.Is(err, storage.ErrQueueEmpty) && cat != "" {
		// Tips of other categories may wait: not said to be none.
		return c.Say(ctx, "next_empty_category", map[string]any{"Category": c.categoryName(cat)})
	}
	if errors.Is(err, storage.ErrQueueEmpty) {
		return c.Say(ctx, "next_empty", nil)
	}
	if err != nil {
		return err
	}
	t, err := c.mux.store.Tip(ctx, id)
	if err != nil {
		return err
	}
	r := c.renderTip(ctx, t)
	r.Text = c.T("next_claimed", nil) + "\n\n" + r.Text
	// Each button names the claim it was shown for (when it was made): it
	// acts on that claim only, not on a later one after a release.
	claim := ""
	if !t.ClaimedAt.IsZero() {
		claim = ":" + strconv.FormatInt(t.ClaimedAt.UnixMilli(), 10)
	}
	r.Buttons = [][]Button{{
		{Label: c.T("button_verify", nil), Data: cbTriage + id + ":verified" + claim},
		{Label: c.T("button_dismiss", nil), Data: cbTriage + id + ":dismissed" + claim},
	}, {
		{Label: c.T("button_escalate", nil), Data: cbTriage + id + ":escalated" + claim},
		{Label: c.T("button_release", nil), Data: cbTriage + id + ":new" + claim},
	}}
	return c.Reply(ctx, r)
}

func queue(ctx context.Context, c *Context) error {
	if strings.TrimSpace(c.Request.Args) != "" {
		return c.Say(ctx, "queue_usage", nil) // words after it: not what they meant
	}
	st, err := c.mux.store.Queue(ctx, c.mux.triage.ClaimTimeout)
	if err != nil {
		return err
	}
	none := c.T("queue_none", nil)
	oldest := ""
	if !st.OldestWaiting.IsZero() {
		oldest = c.T("queue_oldest", map[string]any{"Age": c.age(st.OldestWaiting)})
	}
	var claimed, cats, prios []string
	// One member a line, their tag first: names can be alike, and a name
	// written as a list ("Bob 1, Ana") must not read as more members.
	for who, n := range st.Claimed {
		claimed = append(claimed, fmt.Sprintf("• %d · %s", n, member(who.Name, who.Tag)))
	}
	for _, cat := range tips.Categories {
		if n := st.ByCategory[cat]; n > 0 {
			cats = append(cats, fmt.Sprintf("%s %d", c.categoryName(cat), n))
		}
	}
	for _, p := range tips.Priorities {
		if n := st.ByPriority[p]; n > 0 {
			prios = append(prios, fmt.Sprintf("%s %d", c.T("priority_"+string(p), nil), n))
		}
	}
	sort.Strings(claimed)
	join := func(l []string) string {
		if len(l) == 0 {
			return none
		}
		return strings.Join(l, ", ")
	}
	claimedList := none
	if len(claimed) > 0 {
		claimedList = "\n" + strings.Join(claimed, "\n")
	}
	return c.Say(ctx, "queue_summary", map[string]any{
		"Unclaimed": st.Unclaimed, "Oldest": oldest, "Claimed": claimedList,
		"Categories": join(cats), "Priorities": join(prios), "Dead": st.Dead,
	})
}

// parseTipID reads a tip number ("12", "#12" or "012", in the digits of
// any keyboard asciiNumerals reads: "１２", "١٢") and returns it as tips
// are numbered, without leading zeros. Signs, other characters and
// numbers past 63 bits are refused.
func parseTipID(s string) (string, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(asciiNumerals(s)), "#"), 10, 63)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// tipIDPastRange reports whether s is a tip number as parseTipID reads
// one (digits of any script, a "#" before them) too large for any tip
// (past 63 bits), and returns it as it is shown: ASCII digits without
// leading zeros, cut to maxShownDigits with "…".
func tipIDPastRange(s string) (string, bool) {
	digits := strings.TrimPrefix(strings.TrimSpace(asciiNumerals(s)), "#")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	if _, err := strconv.ParseUint(digits, 10, 63); !errors.Is(err, strconv.ErrRange) {
		return "", false
	}
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > maxShownDigits {
		digits = digits[:maxShownDigits] + "…"
	}
	return digits, true
}

// tipIDOutOfRange reports whether s is a whole number, in the digits
// of any script, a "#" or a minus sign before them, that no tip can
// have: 0, below it, or past 63 bits (tipIDPastRange). It returns it as
// it is shown: ASCII digits without leading zeros, cut to maxShownDigits
// with "…", the minus sign kept.
func tipIDOutOfRange(s string) (string, bool) {
	if shown, over := tipIDPastRange(s); over {
		return shown, true
	}
	digits := strings.TrimPrefix(strings.TrimSpace(asciiNumerals(s)), "#")
	digits, minus := strings.CutPrefix(digits, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", true
	}
	if !minus {
		return "", false // 1 and up: a tip's number (past 63 bits above)
	}
	if len(digits) > maxShownDigits {
		digits = digits[:maxShownDigits] + "…"
	}
	return "-" + digits, true
}

// maxShownDigits bounds the digits of a number past any tip's that an
// answer repeats.
const maxShownDigits = 24

// tipNumber reads word, typed where a command takes a tip number, as
// parseTipID does, and returns the tip's number. Any other word is
// answered, and false reported: tip_not_a_number naming it, whether a
// whole number no tip can have (0, below it, past 63 bits: shown as
// tipIDOutOfRange shows it) or no whole number ("abc", "1.5", "٣x",
// "-1x": shown as typed, made safe, cut to maxShownDigits characters);
// the usage where nothing visible was typed. A code (a receipt's or an
// invitation's, in any form the tips package reads) that word is, or
// starts, is never repeated: tip_not_a_number_code. Every command that
// takes a tip number reads it so, whatever follows it: the same word gets
// the same answer from each, and nothing is done. word is the first of
// the request's arguments.
func (c *Context) tipNumber(ctx context.Context, word, usage string, usageData map[string]any) (string, bool, error) {
	id, msg, data := c.readTipNumber(ctx, word, usage, usageData)
	if msg != "" {
		return "", false, c.Say(ctx, msg, data)
	}
	return id, true, nil
}

// readTipNumber is tipNumber's reading of word: the tip's number, or the
// message id and data of the answer to give instead.
func (c *Context) readTipNumber(ctx context.Context, word, usage string, usageData map[string]any) (id, msg string, data map[string]any) {
	if shown, out := tipIDOutOfRange(word); out {
		return "", "tip_not_a_number", map[string]any{"ID": shown}
	}
	if id, ok := parseTipID(word); ok {
		return id, "", nil
	}
	shown := tips.Neutralize(strings.TrimSpace(word))
	if !visible(shown) {
		return "", usage, usageData // nothing to name: no word, or only invisible characters
	}
	if c.codeAtStart(ctx, word) {
		// A receipt code pasted for the number: repeated, it would stay
		// in the chat (an investigators' group) for everyone there.
		return "", "tip_not_a_number_code", nil
	}
	if r := []rune(shown); len(r) > maxShownDigits {
		shown = string(r[:maxShownDigits]) + "…"
	}
	return "", "tip_not_a_number", map[string]any{"ID": safe(shown)}
}

// codeAtStart reports whether word, the first of the request's
// arguments, is a code or part of one, as the tips package reads codes
// (every code-like word with a digit, one of letters alone when a tip
// has it): on its own ("K7QD-9XMA-R2TP-4WZN", "#K7QD…"), or its first
// group, the code written on across the words after it ("k7qd 9xma r2tp
// 4wzn") or into a link ("K7QD-9XMA https://…?c=R2TP-4WZN"). Those are
// the codes read in the arguments that are not read once word is
// blanked out. Where Redis cannot say, a code of letters alone is taken
// for words, as in a tip.
func (c *Context) codeAtStart(ctx context.Context, word string) bool {
	args := strings.TrimLeftFunc(c.Request.Args, unicode.IsSpace)
	if !strings.HasPrefix(args, word) {
		args = word
	}
	return c.anyReceipt(ctx, codesStartedBy(args, word))
}

// codesStartedBy returns the codes read in args (tips.ReceiptCodesIn)
// that are not read once word, which args starts with, is blanked out:
// those word is, or is part of. One pass over each reading: the codes
// read without word are kept in a set, not searched for each code (a
// 4,096-character argument reads some 820, each compared with every
// other).
func codesStartedBy(args, word string) []string {
	later := map[string]bool{}
	for _, code := range tips.ReceiptCodesIn(strings.Repeat(" ", len(word)) + args[len(word):]) {
		later[code] = true
	}
	var out []string
	for _, code := range tips.ReceiptCodesIn(args) {
		if !later[code] {
			out = append(out, code)
		}
	}
	return out
}

// holdsReceipt reports whether text, which a team member wrote to be
// kept, sent or read back (a label, a note, a question, a warning's text
// to publish, a search), holds a receipt code, in any form and across as
// many words as the tips package reads one (tips.ReceiptCodesIn): every
// code-like word with a digit, as every code drawn now has, without
// asking whether a tip has it. Asked, the answer would tell a team
// member whether a code they hold is a live tip's (refused) or not
// (kept): an oracle for receipt codes. A word shaped like a code of
// letters alone (tips.OldReceipt: "esta casa para mama") is one only
// when a tip (stored or spooled) has it, asked of Redis once, as
// codeAtStart asks it; where Redis cannot say, it is taken for words.
func (c *Context) holdsReceipt(ctx context.Context, text string) bool {
	return c.anyReceipt(ctx, tips.ReceiptCodesIn(text))
}

// anyReceipt reports whether codes (read by tips.ReceiptCodesIn) hold a
// receipt code, as codeAtStart and holdsReceipt take one: any code with
// a digit, without asking; a code of letters alone only when a tip has
// it, asked of Redis once; where Redis cannot say, none.
func (c *Context) anyReceipt(ctx context.Context, codes []string) bool {
	var old []string
	for _, code := range codes {
		if !tips.OldReceipt(code) {
			return true
		}
		old = append(old, code)
	}
	if len(old) == 0 {
		return false
	}
	known, err := c.mux.receiptsKnown(ctx, old)
	return err == nil && slices.Contains(known, true)
}

// sayHoldsCode answers a team command whose text holds a receipt code
// (holdsReceipt): nothing is done, and the code is not repeated. Kept, a
// code would be shown to everyone who reads the tip; sent, it would tie
// another tip to the reporter, or reach the communities; and whoever
// holds it can answer questions or delete its tip.
func (c *Context) sayHoldsCode(ctx context.Context) error {
	return c.Say(ctx, "text_holds_code", nil)
}

func triage(ctx context.Context, c *Context) error {
	words := strings.Fields(c.Request.Args)
	if len(words) == 0 {
		return c.Say(ctx, "triage_usage", triageUsageData)
	}
	id, ok, err := c.tipNumber(ctx, words[0], "triage_usage", triageUsageData)
	if !ok {
		return err
	}
	// A code as a label, or where a status or an original was meant:
	// neither kept nor named as not understood.
	if _, rest := firstWord(c.Request.Args); c.holdsReceipt(ctx, rest) {
		return c.sayHoldsCode(ctx)
	}
	if len(words) < 2 {
		return c.Say(ctx, "triage_usage", triageUsageData)
	}
	var d storage.Decision
	rest := words[1:]
	status, n := c.parseNamed(rest, "status_", triageStatuses)
	if strings.EqualFold(rest[0], "duplicate-of") {
		status, n = string(tips.StatusDuplicate), 1
	}
	rest = rest[n:]
	switch d.Status = tips.Status(status); d.Status {
	case tips.StatusDuplicate:
		rest = c.skipDuplicateOf(rest)
		if len(rest) == 0 {
			return c.Say(ctx, "triage_usage", triageUsageData)
		}
		// A word no number here may be the joining words left without
		// one ("duplicada de") or a label put first: not understood,
		// with the usage. A whole number no tip can have is named so.
		if shown, out := tipIDOutOfRange(rest[0]); out {
			return c.Say(ctx, "tip_not_a_number", map[string]any{"ID": shown}) // "/triage 2 duplicate of 0"
		}
		dup, ok := parseTipID(rest[0])
		if !ok {
			return c.triageMisread(ctx, rest[0])
		}
		if dup == id {
			return c.Say(ctx, "triage_duplicate_self", map[string]any{"ID": id})
		}
		// A duplicate of a duplicate is one of the original: marks follow
		// the chain to it, and none may lead back (two tips duplicates of
		// each other would leave no original to work on).
		named := dup
		for hops, last := 0, dup; ; hops++ {
			t, err := c.mux.store.Tip(ctx, dup)
			if errors.Is(err, storage.ErrNotFound) {
				if hops == 0 {
					return c.Say(ctx, "tip_not_found", map[string]any{"ID": dup})
				}
				dup = last // the original is gone (purged): its duplicate stands for it
				break
			} else if errors.Is(err, storage.ErrSealed) {
				// A tip on the way cannot be read (its key damaged):
				// nothing is marked, as for a decision on it.
				return c.Say(ctx, "triage_unreadable", map[string]any{"ID": dup})
			} else if err != nil {
				return err
			}
			if t.Status != tips.StatusDuplicate || t.DuplicateOf == "" {
				break
			}
			if t.DuplicateOf == id {
				return c.Say(ctx, "triage_duplicate_cycle", map[string]any{"ID": id, "Other": dup})
			}
			if hops == maxDuplicateHops {
				// Not read to its end: marking a tip in its middle would
				// lengthen it, and a way back to id beyond goes unseen.
				return c.Say(ctx, "triage_duplicate_chain_too_long", map[string]any{"ID": id, "Other": named, "Last": dup, "Max": maxDuplicateHops + 1})
			}
			last, dup = dup, t.DuplicateOf
		}
		d.DuplicateOf, rest = dup, rest[1:]
	case "":
		return c.triageMisread(ctx, rest[0])
	}
	// What takes one value is named once: a second status ("/triage 2
	// verified dismissed"), priority, category or original ("/triage 2
	// duplicate 1 1") gets the usage and nothing is decided, whichever was
	// meant; it is not kept as a label.
	for len(rest) > 0 {
		if p, n := c.parseNamed(rest, "priority_", priorities); n > 0 && d.Priority != "" {
			return c.triageMisread(ctx, rest[0]) // a second priority: which one was meant?
		} else if n > 0 {
			d.Priority, rest = tips.Priority(p), rest[n:]
		} else if cat, ok := c.parseCategory(rest[0]); ok && d.Category != "" {
			return c.triageMisread(ctx, rest[0]) // a second category
		} else if ok {
			d.Category, rest = cat, rest[1:] // the investigator overrides the category
		} else if _, n := c.parseNamed(rest, "status_", triageStatuses); n > 0 || strings.EqualFold(rest[0], "duplicate-of") {
			return c.triageMisread(ctx, rest[0]) // a second status
		} else {
			break
		}
	}
	if len(rest) > maxLabels {
		// Said as the limit it passes, not as a word not understood.
		return c.Say(ctx, "triage_too_many_labels", map[string]any{"Max": maxLabels, "Total": len(rest)})
	}
	for _, l := range rest {
		if _, ok := parseTipID(l); ok && d.Status == tips.StatusDuplicate {
			return c.triageMisread(ctx, l) // a second original
		}
		l = tips.Neutralize(l) // counted as it is kept and shown
		if uniseg.GraphemeClusterCount(l) > maxLabelLen && visible(l) {
			if r := []rune(l); len(r) > maxMisreadShown {
				l = string(r[:maxMisreadShown]) + "…"
			}
			return c.Say(ctx, "triage_label_too_long", map[string]any{"Text": safe(l), "Max": maxLabelLen})
		}
		if utf8.RuneCountInString(l) > maxLabelRunes || !visible(l) {
			return c.triageMisread(ctx, l)
		}
		d.Labels = append(d.Labels, l)
	}
	return c.decide(ctx, id, d)
}

// triageMisread answers a /triage whose argument word was not
// understood: it names that word (made safe as reported text is, a long
// one cut), then gives the usage. Nothing is decided.
func (c *Context) triageMisread(ctx context.Context, word string) error {
	if !visible(tips.Neutralize(word)) {
		// Nothing to show (a label of zero-width characters): the usage.
		return c.Say(ctx, "triage_usage", triageUsageData)
	}
	if r := []rune(word); len(r) > maxMisreadShown {
		word = string(r[:maxMisreadShown]) + "…"
	}
	return c.Reply(ctx, Reply{Text: c.T("triage_not_understood", map[string]any{"Text": safe(word)}) + "\n\n" + c.T("triage_usage", triageUsageData)})
}

// maxMisreadShown bounds the characters of a word /triage repeats as
// not understood.
const maxMisreadShown = 40

// skipDuplicateOf drops the words that join a duplicate status to its
// original as it is said ("duplicate of 1", "duplicada de la 1"; in any
// language Vigía speaks, as statuses are read: triage_duplicate_of_words),
// if a word follows them: "/triage 2 duplicate of 1" is "/triage 2
// duplicate-of 1". The longest that matches goes. A word ending in an
// apostrophe is elided onto the next (French "doublon d'1", "d’1"): it
// goes from the front of the word, which is left with the number.
func (c *Context) skipDuplicateOf(words []string) []string {
	if len(words) == 0 {
		return words
	}
	skip := 0
	for _, lang := range locales.Supported {
		for _, phrase := range strings.Split(c.mux.msg.Localize(lang, "triage_duplicate_of_words", nil), ",") {
			if p := apostrophes.Replace(strings.TrimSpace(phrase)); strings.HasSuffix(p, "'") {
				w := apostrophes.Replace(words[0])
				if len(w) > len(p) && strings.EqualFold(w[:len(p)], p) {
					return append([]string{w[len(p):]}, words[1:]...)
				}
				if strings.EqualFold(w, p) && len(words) > 1 { // "d' 1"
					return words[1:]
				}
				continue
			}
			joining := strings.Fields(tips.Fold(phrase))
			if len(joining) == 0 || len(joining) <= skip || len(joining) >= len(words) {
				continue
			}
			match := true
			for i, w := range joining {
				if tips.Fold(words[i]) != w {
					match = false
					break
				}
			}
			if match {
				skip = len(joining)
			}
		}
	}
	return words[skip:]
}

// apostrophes writes the apostrophes keyboards type (typographic, the
// modifier letter) as the ASCII one.
var apostrophes = strings.NewReplacer("\u2019", "'", "\u02bc", "'")

// visible reports whether s shows something: a letter, digit, punctuation
// or symbol. A label of invisible characters alone (joiners, marks,
// variation selectors; the rest Neutralize drops) would show as nothing.
func visible(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
	})
}

// maxDuplicateHops bounds the chain of duplicates a mark follows to the
// original (chains are made one mark at a time, each to the original, so
// only marks made before that rule are longer than one, and marks of an
// original, which lengthen the chains behind it: the store refuses those
// that would make one longer than this).
const maxDuplicateHops = storage.MaxDuplicateHops

func (c *Context) decide(ctx context.Context, id string, d storage.Decision) error {
	// A tip someone else has claimed is theirs to decide (or an admin's),
	// until their claim times out and the queue offers it again. The
	// store checks and decides in one step: a claim made meanwhile counts.
	if c.Role < Admin {
		d.ClaimTimeout = c.mux.triage.ClaimTimeout
	}
	err := c.mux.store.Decide(ctx, id, c.claimer(), d)
	var chain *storage.DuplicateChainError
	if errors.As(err, &chain) {
		// The chain changed since it was read (another mark at once):
		// said as the command's own reading would have said it.
		switch chain.Kind {
		case storage.ChainCycle:
			return c.Say(ctx, "triage_duplicate_cycle", map[string]any{"ID": id, "Other": chain.Tip})
		case storage.ChainLong:
			return c.Say(ctx, "triage_duplicate_chain_too_long", map[string]any{"ID": id, "Other": d.DuplicateOf, "Last": chain.Tip, "Max": maxDuplicateHops + 1})
		case storage.ChainDeep:
			return c.Say(ctx, "triage_duplicate_chain_deep", map[string]any{"ID": id, "Other": d.DuplicateOf, "Max": maxDuplicateHops + 1})
		case storage.ChainMany:
			return c.Say(ctx, "triage_duplicate_too_many", map[string]any{"ID": id, "Other": d.DuplicateOf, "Max": storage.MaxDuplicates})
		case storage.ChainMoved:
			// Other marks onto the chain kept landing while it was read:
			// nothing recorded; the investigator looks again and retries.
			return c.Say(ctx, "triage_duplicate_moved", map[string]any{"ID": id, "Other": d.DuplicateOf})
		}
		return err
	}
	var claimed *storage.ClaimedError
	if errors.As(err, &claimed) {
		return c.Say(ctx, "decide_claimed", map[string]any{"ID": id, "Who": member(claimed.By.Name, claimed.By.Tag), "Age": c.age(claimed.At)})
	}
	var decided *storage.DecidedError
	if errors.As(err, &decided) {
		return c.Say(ctx, "triage_button_spent", map[string]any{"ID": id, "Status": c.T("status_"+string(decided.Status), nil)})
	}
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if errors.Is(err, storage.ErrSealed) {
		// Its data key cannot be opened: its history entry cannot be
		// sealed, so nothing is recorded (an admin can purge it).
		return c.Say(ctx, "triage_unreadable", map[string]any{"ID": id})
	}
	if errors.Is(err, storage.ErrDecisionLapsed) {
		// Approvals were taken meanwhile: its author sees where the
		// warning stands (published, maybe) before deciding again.
		return c.Say(ctx, "triage_lapsed", map[string]any{"ID": id, "Status": c.T("status_"+string(d.Status), nil)})
	}
	if err != nil {
		return err
	}
	done := c.T("triage_done", map[string]any{"ID": id, "Status": c.T("status_"+string(d.Status), nil)})
	if d.Status == tips.StatusDismissed {
		// A published warning dismissed since is still up in the
		// communities, under "verified": dismissing it does not take it
		// down, and the investigator is told how to.
		if out, err := c.mux.store.CopiesOut(ctx, id); err != nil {
			return err
		} else if out {
			done += "\n\n" + c.T("triage_dismissed_published", map[string]any{"ID": id})
		}
	}
	return c.Reply(ctx, Reply{Text: done})
}

// forgedButton answers a press whose data no button of ours carries,
// or carries for another role: any client can send any data (Telegram's
// callback data is the client's to write). Nothing is done, and the
// answer is one for all, naming nothing: not whose button it is.
func (c *Context) forgedButton(ctx context.Context) error {
	return c.Say(ctx, "button_invalid", nil)
}

// teamButtonRefused answers a team button (a decision, a publication)
// pressed by one below Investigator: as forged, unless their role could
// not be read (roleUnread, Redis failing), when the press may be a team
// member's own and they hear to try again, as for any press that fails
// on storage. Which answer depends on Redis, never on who pressed.
func (c *Context) teamButtonRefused(ctx context.Context) error {
	if c.roleUnread {
		return c.Say(ctx, "error_storage_retry", nil)
	}
	return c.forgedButton(ctx)
}

// buttonTipID reads the tip number a button carries: as parseTipID
// reads one, but 0, which no tip has, is none.
func buttonTipID(s string) (string, bool) {
	id, ok := parseTipID(s)
	return id, ok && id != "0"
}

// triageButton handles a decision button under a claimed tip.
func (m *Mux) triageButton(ctx context.Context, c *Context, data string) error {
	if c.Role < Investigator {
		return c.teamButtonRefused(ctx)
	}
	arg, rest, _ := strings.Cut(strings.TrimPrefix(data, cbTriage), ":")
	status, stamp, _ := strings.Cut(rest, ":") // buttons made before claims were named have none
	id, ok := buttonTipID(arg)
	if !ok {
		return c.forgedButton(ctx)
	}
	var claim time.Time
	if stamp != "" {
		ms, err := strconv.ParseInt(stamp, 10, 64)
		if err != nil || ms <= 0 {
			return c.forgedButton(ctx)
		}
		claim = time.UnixMilli(ms)
	}
	switch tips.Status(status) {
	case tips.StatusVerified, tips.StatusDismissed, tips.StatusEscalated, tips.StatusNew:
	default:
		return c.forgedButton(ctx)
	}
	if ok, err := m.teamAction(ctx, c, storage.AuditEntry{Action: "triage", Args: id + " " + status, Note: storage.NoteButton}, false); err != nil || !ok {
		return err
	}
	// The buttons are under a tip /next handed out: they act while it is
	// still claimed, not on a decision made since (an old message's
	// button would otherwise undo a colleague's, or the presser's own).
	return c.decide(ctx, id, storage.Decision{Status: tips.Status(status), WhileClaimed: true, Claim: claim})
}

func note(ctx context.Context, c *Context) error {
	idArg, text := firstWord(c.Request.Args)
	id, ok, err := c.tipNumber(ctx, idArg, "note_usage", nil)
	if !ok {
		return err
	}
	if blank(text) {
		return c.Say(ctx, "note_usage", nil)
	}
	if len([]rune(text)) > maxNote {
		return c.Say(ctx, "text_too_long", map[string]any{"Max": maxNote})
	}
	if c.holdsReceipt(ctx, text) {
		return c.sayHoldsCode(ctx)
	}
	if again, err := c.replayed(ctx, id); err != nil {
		return err
	} else if again {
		return c.Say(ctx, "note_done", map[string]any{"ID": id}) // delivered again by the platform
	}
	err = c.mux.store.Note(ctx, id, c.claimer(), tips.Neutralize(text))
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	c.done(ctx, id)
	_ = c.mux.store.TouchClaim(ctx, id, c.Pseudonym) // still working on it
	return c.Say(ctx, "note_done", map[string]any{"ID": id})
}
