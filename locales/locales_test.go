package locales

import (
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// sampleData fills every placeholder the message files use.
var sampleData = map[string]any{
	"Receipt": "ABCD-EFGH-JKMN-PQRS", "Age": "3 h", "Days": 90, "Minutes": 30,
	"MaxParts": 30, "MaxChars": 20000, "Max": 50, "Category": "X", "ID": "12",
	"Status": "s", "Language": "es", "Lat": 1.5, "Lon": 2.5,
	"Source": "s", "Storage": "s", "Role": "r", "MB": 8, "Platform": "Telegram",
	"Code": "ABCD-EFGH-JKMN-PQRS", "Hours": 24, "What": "x", "Who": "telegram:1", "Chat": "telegram:-1001234", "Name": "Ana", "Since": "2026-01-01",
	"Active": "3 h", "Unclaimed": 2, "Oldest": "1 h", "Claimed": "Ana 1", "Categories": "x 1", "Priorities": "x 1",
	"Dead": 0, "IDs": "#1", "Date": "2026-01-01", "Question": "q", "Answer": "a", "Time": "12:00", "Action": "/next",
	"Args": "x", "Priority": "high", "Labels": "x", "Text": "t", "Reporter": "reporter", "Investigator": "investigator",
	"Entity": "+52 55 1234 5678", "Reporters": 3, "Tips": 4, "First": "2 d", "Last": "1 h", "Score": "42", "Confidence": 80,
	"Secret": "ABCD EFGH", "URL": "otpauth://totp/Vigia:investigator?secret=ABCD", "Delay": "1 h",
	"Pressed": "#9", "Idle": "30 minutes", "Valid": "24 hours", "Period": "12 hours", "Parts": "30 messages", "Chars": "20000 characters",
	"Regions": " (norte)", "From": 1, "To": 15, "Page": 2, "Needed": 2, "Delivered": 5, "Total": 6, "Gone": 1, "Unconfirmed": 0, "Deleted": 5, "Done": 3, "Other": "13", "Tag": "code:1a2b3c4d", "Words": "q, el", "MaxLabels": 10, "LabelLen": 40, "Vars": "VIGIA_REDIS_URL, VIGIA_SECRET",
	"Filter": "window:", "Second": "30 d",
}

// counts covers every CLDR plural category of the supported languages:
// zero, one, two, few and many forms appear among these for any language.
var counts = []int{0, 1, 2, 3, 4, 5, 6, 11, 12, 21, 22, 101, 1000, 1000000, 2000000}

func TestEveryLocaleHasEveryMessageAndPluralForm(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.IDs()) < 50 {
		t.Fatalf("only %d English messages loaded", len(b.IDs()))
	}
	raw, err := files.ReadFile("active.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]any
	if err := toml.Unmarshal(raw, &en); err != nil {
		t.Fatal(err)
	}
	data := func() map[string]any {
		m := map[string]any{}
		for k, v := range sampleData {
			m[k] = v
		}
		return m
	}
	for _, lang := range Supported {
		for _, id := range b.IDs() {
			if _, plural := en[id].(map[string]any); !plural {
				s, err := b.localize(lang, id, data())
				if err != nil {
					t.Errorf("%s %s: %v", lang, id, err)
				}
				if strings.Contains(s, "<no value>") || strings.TrimSpace(s) == "" {
					t.Errorf("%s %s renders as %q", lang, id, s)
				}
				continue
			}
			// A message with plural forms must have every form the language needs.
			for _, n := range counts {
				s, err := b.localize(lang, id, data(), n)
				if err != nil {
					t.Errorf("%s %s (count %d): %v", lang, id, n, err)
					break
				}
				if strings.Contains(s, "<no value>") || strings.TrimSpace(s) == "" {
					t.Errorf("%s %s (count %d) renders as %q", lang, id, n, s)
				}
			}
		}
	}
}

func TestPluralMessagesArePluralEverywhere(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"draft_added", "recent_header", "tip_attachments", "age_minutes", "age_hours", "age_days", "count_messages", "count_characters"} {
		for _, lang := range Supported {
			one, err := b.localize(lang, id, nil, 1)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, id, err)
			}
			many, _ := b.localize(lang, id, nil, 5)
			if one == many {
				t.Errorf("%s %s: one and five read the same: %q", lang, id, one)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"es": "es", "es-MX": "es", "es-419": "es", "pt-br": "pt-BR", "pt": "pt-BR", "pt_BR": "pt-BR",
		"fr-CA": "fr", "en-GB": "en", "de": "", "": "", "%%%": "",
	}
	for in, want := range cases {
		if got := b.Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalizeNeverFailsOpen(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Localize("es", "no_such_message", nil); got != "no_such_message" {
		t.Fatalf("missing message rendered as %q", got)
	}
	if got := b.Localize("xx", "button_send", nil); got != "Send" {
		t.Fatalf("unknown language should fall back to English, got %q", got)
	}
}

// Discord refuses a whole command registration if one localised name or
// description breaks its rules, so they are checked here for every language.
func TestCommandNamesFitDiscord(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)
	for _, lang := range Supported {
		seen := map[string]string{}
		for _, id := range b.IDs() {
			s, _ := b.localize(lang, id, nil)
			switch {
			case strings.HasSuffix(id, "_name") && (strings.HasPrefix(id, "command_") || strings.HasPrefix(id, "arg_")):
				if !name.MatchString(s) || strings.ToLower(s) != s {
					t.Errorf("%s %s: %q is not a valid Discord name", lang, id, s)
				}
				if strings.HasPrefix(id, "command_") {
					if other, dup := seen[s]; dup {
						t.Errorf("%s: %s and %s are both %q", lang, id, other, s)
					}
					seen[s] = id
				}
			case strings.HasPrefix(id, "command_") || strings.HasPrefix(id, "arg_"):
				if n := len([]rune(s)); n < 1 || n > 100 {
					t.Errorf("%s %s: description of %d characters", lang, id, n)
				}
			case id == "report_form_title" || id == "report_form_tip" || id == "report_form_links":
				if n := len([]rune(s)); n > 45 {
					t.Errorf("%s %s: %d characters, Discord allows 45", lang, id, n)
				}
			}
		}
	}
}

// The receipt code has one name in each language: every message that
// names it in English names it so in every language, and no other name
// for it appears anywhere.
func TestReceiptCodeHasOneName(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"en": "receipt code", "es": "código de recibo", "pt-BR": "código de protocolo", "fr": "code de suivi"}
	others := map[string][]string{
		"en":    {"tracking code", "reference code", "receipt:"},
		"es":    {"código de seguimiento", "comprobante", "protocolo"},
		"pt-BR": {"recibo", "comprovante", "código de acompanhamento"},
		"fr":    {"code de reçu", "numéro de suivi", "reçu de"},
	}
	for _, lang := range Supported {
		for _, id := range b.IDs() {
			en, _ := b.localize("en", id, sampleData)
			s, _ := b.localize(lang, id, sampleData)
			if strings.Contains(strings.ToLower(en), "receipt") && !strings.Contains(strings.ToLower(s), names[lang]) {
				t.Errorf("%s %s does not call it %q: %q", lang, id, names[lang], s)
			}
			for _, other := range others[lang] {
				if strings.Contains(strings.ToLower(s), other) {
					t.Errorf("%s %s calls it %q: %q", lang, id, other, s)
				}
			}
		}
	}
}

// Counts of zero and one read right in every language: French and
// Portuguese use the singular form for zero, where "its copy in 0
// community is being deleted, and a correction posted" would report
// copies that were never sent.
func TestZeroCommunitiesReadRight(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		started := b.Localize(lang, "retract_started", map[string]any{"ID": 1, "Count": 0}, 0)
		if strings.Contains(started, " 0 ") {
			t.Errorf("%s retract_started, nothing delivered: %q", lang, started)
		}
		if one := b.Localize(lang, "retract_started", map[string]any{"ID": 1, "Count": 1}, 1); !strings.Contains(one, " 1 ") {
			t.Errorf("%s retract_started, one community: %q", lang, one)
		}
		done := b.Localize(lang, "retract_done", map[string]any{"ID": 1, "Total": 0, "Deleted": 0, "Count": 0, "Gone": 0, "Unconfirmed": 0}, 0)
		if strings.Contains(done, "0 comunidade:") {
			t.Errorf("%s retract_done of none: %q", lang, done)
		}
	}
	fr := b.Localize("fr", "publish_progress", map[string]any{"ID": 7, "Delivered": 1, "Total": 60}, 60)
	if !strings.Contains(fr, "1 sur 60 communautés") {
		t.Errorf("fr publish_progress: %q", fr)
	}
}

// /help names the statuses /triage takes in the reader's language, as
// triage_usage does: a Spanish investigator reads "descartada", not the
// English "dismissed", in the Spanish help.
func TestTriageHelpNamesStatusesInItsLanguage(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Supported {
		help, err := b.localize(lang, "help_triage", sampleData)
		if err != nil {
			t.Fatal(err)
		}
		var list string
		for _, line := range strings.Split(help, "\n") {
			if strings.HasPrefix(line, "/triage ") {
				list = line[strings.LastIndex(line, "(")+1:]
				list = strings.TrimSuffix(list, ")")
			}
		}
		items := strings.Split(list, ", ")
		for _, id := range []string{"new", "claimed", "verified", "dismissed", "escalated", "duplicate"} {
			name, _ := b.localize(lang, "status_"+id, nil)
			found := false
			for _, item := range items {
				found = found || item == name || strings.HasPrefix(item, name+" ") || strings.HasPrefix(item, name+"-")
			}
			if !found {
				t.Errorf("%s help_triage does not name status %s as %q: (%s)", lang, id, name, list)
			}
		}
	}
}

// A file gone at Send, of one or of several sent, is "a file you sent",
// never "the file" (which reads as if it were the only one); more than
// one are counted. fr and pt-BR take their singular for one alone here:
// Send tells of files gone only when there are some.
func TestSentFilesGoneReadsRightForOneOfSeveral(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for lang, a := range map[string]string{"en": "A file ", "es": "Un archivo ", "fr": "Un fichier ", "pt-BR": "Um arquivo "} {
		if one := b.Localize(lang, "sent_files_gone", nil, 1); !strings.HasPrefix(one, a) {
			t.Errorf("%s sent_files_gone, one file: %q", lang, one)
		}
		if two := b.Localize(lang, "sent_files_gone", map[string]any{"Count": 2}, 2); !strings.HasPrefix(two, "2 ") {
			t.Errorf("%s sent_files_gone, two files: %q", lang, two)
		}
	}
}

// /help writes the duplicate mark as triage_usage does, in words ("duplicate
// of NUMBER", "duplicada de NÚMERO"), not the older hyphenated form only an
// English speaker would guess (both are understood).
func TestTriageHelpWritesTheDuplicateMarkAsTheUsageDoes(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Supported {
		help, err := b.localize(lang, "help_triage", sampleData)
		if err != nil {
			t.Fatal(err)
		}
		usage, err := b.localize(lang, "triage_usage", sampleData)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := b.localize(lang, "status_duplicate", nil)
		var form string
		for _, line := range strings.Split(help, "\n") {
			if !strings.HasPrefix(line, "/triage ") {
				continue
			}
			list := strings.TrimSuffix(line[strings.LastIndex(line, "(")+1:], ")")
			for _, item := range strings.Split(list, ", ") {
				if strings.HasPrefix(item, name) {
					form = item
				}
			}
		}
		if form == "" || strings.Contains(form, "-") || !strings.Contains(usage, form) {
			t.Errorf("%s help_triage writes the duplicate mark %q, not as triage_usage does: %s", lang, form, usage)
		}
	}
}
