package commands

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// maxRecent bounds /recent.
const maxRecent = 50

func recent(ctx context.Context, c *Context) error {
	n := 10
	if arg := strings.TrimSpace(c.Request.Args); arg != "" {
		v, ok := parseNumber(arg, 1, maxRecent)
		if !ok {
			return c.Say(ctx, "recent_usage", map[string]any{"Max": maxRecent})
		}
		n = v
	}
	list, err := c.mux.store.Recent(ctx, n)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return c.Say(ctx, "recent_empty", nil)
	}
	return c.Reply(ctx, Reply{Text: c.tipList(ctx, c.T("recent_header", nil, len(list)), list), Protected: true})
}

// tipList renders a header and, for each tip, a line of its fields
// (number, age, category) and its text's first line quoted below it.
// Not on the same line: a reporter writing "… · Weapons · verified" in
// it would add fields investigators trust to the line of the tip's own.
func (c *Context) tipList(ctx context.Context, header string, list []tips.Tip) string {
	lines := []string{header}
	for _, t := range list {
		t = c.mux.cutAcrossParts(ctx, t)
		fields := map[string]any{"ID": t.ID, "Age": c.age(t.Created), "Category": c.categoryName(t.Category)}
		summary := tips.FirstLine(safe(t.Content.Text()), 80)
		if summary == "" {
			lines = append(lines, c.T("recent_line_no_text", fields))
			continue
		}
		lines = append(lines, c.T("recent_line", fields), quoted(summary))
	}
	return strings.Join(lines, "\n")
}

func showTip(ctx context.Context, c *Context) error {
	words := strings.Fields(c.Request.Args)
	if len(words) == 0 {
		return c.Say(ctx, "tip_usage", nil)
	}
	id, ok, err := c.tipNumber(ctx, words[0], "tip_usage", nil)
	if !ok {
		return err
	}
	if len(words) > 2 {
		return c.Say(ctx, "tip_usage", nil)
	}
	if len(words) == 2 {
		// Any page: one past the last is answered "there is no page N,
		// there are M" with the last (triageState), as clear at 99999 as
		// at 3. Numbers past int, as tip numbers past 63 bits, are no
		// number.
		page, ok := parseNumber(words[1], 1, math.MaxInt)
		if !ok {
			return c.Say(ctx, "tip_usage", nil)
		}
		c.historyPage = page
	}
	t, err := c.mux.store.Tip(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	return c.Reply(ctx, c.renderTip(ctx, t))
}

// renderTip shows a tip to an investigator: its content made safe, its
// triage state and history; files follow as copies.
func (c *Context) renderTip(ctx context.Context, t tips.Tip) Reply {
	t = c.mux.cutAcrossParts(ctx, t)
	out := []string{c.T("tip_header", map[string]any{
		"ID": t.ID, "Category": c.categoryName(t.Category), "Status": c.T("status_"+string(t.Status), nil),
		"Age": c.age(t.Created),
	})}
	if t.Warning {
		out = append(out, c.T("tip_warning", map[string]any{"ID": t.ID}))
	}
	var files []File
	missing := 0
	var links []string
	for _, p := range t.Content.Parts {
		switch {
		case p.Forward == nil:
		case p.Forward.Named():
			// Quoted on a line of its own: the title is whatever the
			// channel's owner wrote ("Reuters · verified by [K7QXM] Ana"),
			// and after "Forwarded from:" it would read as the bot's words.
			src := strings.TrimSpace(p.Forward.Title + " @" + p.Forward.Username)
			out = append(out, c.T("tip_forward", map[string]any{"Source": quoted(oneLine(safe(src)))}))
		default:
			out = append(out, c.T("tip_forward_hidden", nil))
		}
		if p.Text != "" {
			// Quoted: what the reporter wrote must not read as the page's
			// own lines ("Claimed by …", "History:"), whatever it holds.
			out = append(out, quoted(safe(p.Text)))
			for _, l := range tips.Links(tips.Neutralize(p.Text)) {
				// Each once: the same link written again and again
				// would bury the view under copies.
				if l = "• " + tips.DisarmCommands(tips.Defang(l)); !slices.Contains(links, l) {
					links = append(links, l)
				}
			}
		}
		if p.Location != nil {
			out = append(out, c.T("tip_location", map[string]any{
				"Lat": fmt.Sprintf("%.2f", p.Location.Lat), "Lon": fmt.Sprintf("%.2f", p.Location.Lon),
			}))
		}
		if a := p.Attachment; a != nil {
			switch a.Platform {
			case tips.Stored:
				data, err := c.mux.store.File(ctx, a.FileRef)
				if err != nil {
					missing++
					continue
				}
				files = append(files, File{Attachment: *a, Data: data})
			case c.Request.Platform:
				files = append(files, File{Attachment: *a})
			default:
				missing++ // a platform's own file reference works only there
			}
		}
	}
	if len(links) > 0 {
		out = append(out, c.T("tip_links", nil)+"\n"+strings.Join(links, "\n"))
	}
	if len(files) > 0 {
		out = append(out, c.T("tip_attachments", nil, len(files)))
	}
	for range missing {
		out = append(out, c.T("tip_attachment_missing", nil))
	}
	// The suggestion is news only when nobody chose, or it disagrees.
	if t.Suggested != "" && t.Confidence > 0 && (!t.ReporterChose || t.Suggested != t.Category) {
		out = append(out, c.T("tip_suggested", map[string]any{"Category": c.categoryName(t.Suggested), "Confidence": t.Confidence}))
	}
	if t.NearDuplicate != "" {
		out = append(out, c.T("tip_near_duplicate", map[string]any{"ID": t.NearDuplicate}))
	}
	out = append(out, c.triageState(ctx, t)...)
	return Reply{Text: strings.Join(out, "\n\n"), Files: files, FileMissing: c.T("tip_attachment_missing", nil), Protected: true}
}

// triageState renders priority, labels, claim, follow-up and history.
func (c *Context) triageState(ctx context.Context, t tips.Tip) []string {
	labels := c.T("queue_none", nil)
	if len(t.Labels) > 0 {
		labels = safe(strings.Join(t.Labels, ", "))
	}
	out := []string{c.T("tip_meta", map[string]any{"Priority": c.T("priority_"+string(t.Priority), nil), "Labels": labels})}
	// Tips decided before a change of status cleared it may still carry one.
	if t.DuplicateOf != "" && t.Status == tips.StatusDuplicate {
		out = append(out, c.T("tip_duplicate_of", map[string]any{"ID": t.DuplicateOf}))
	}
	if t.ClaimedBy != "" {
		line := c.T("tip_claimed_by", map[string]any{"Who": member(t.ClaimedBy, t.ClaimedByTag), "Age": c.age(t.ClaimedAt)})
		if idle, claimed, err := c.mux.store.ClaimIdle(ctx, t.ID); err == nil && claimed && c.mux.triage.ClaimTimeout > 0 && idle >= c.mux.triage.ClaimTimeout {
			line += " " + c.T("tip_claim_lapsed", nil) // as /queue counts it: waiting
		}
		out = append(out, line)
	}
	if t.FollowUp {
		out = append(out, c.T("tip_followup_yes", nil))
	}
	if t.OpenQuestion != "" {
		// Quoted: a question over several lines must not add lines that
		// read as the page's own.
		// Unreadable, the newest (what the tip's record holds) stands for them.
		open, err := c.openQuestions(ctx, t.ID, false)
		if err != nil || len(open) == 0 {
			open = []string{t.OpenQuestion}
		}
		for _, q := range open {
			out = append(out, c.T("tip_open_question", map[string]any{"Question": quoted(safe(q))}))
		}
	}
	// A page past the last shows the last, saying so: shown as if it were
	// the page asked for, it would pass for entries it is not.
	pages := (len(t.History) + historyPerPage - 1) / historyPerPage
	if c.historyPage > max(pages, 1) {
		if pages == 0 {
			out = append(out, c.T("tip_history_no_page_empty", map[string]any{"ID": t.ID, "Page": c.historyPage}))
		} else {
			out = append(out, c.T("tip_history_no_page", map[string]any{"ID": t.ID, "Page": c.historyPage}, pages))
		}
	}
	if len(t.History) > 0 {
		// Dates in full, year first and in UTC, as it says: "12-03" reads
		// as the 12th of March where the day comes first.
		// A page at a time, the latest first: page p is the historyPerPage
		// entries before the latest (p-1) pages; a page past the last
		// shows the last (the earliest entries).
		page := min(max(c.historyPage, 1), pages)
		end := len(t.History) - (page-1)*historyPerPage
		start := max(0, end-historyPerPage)
		lines := []string{c.T("tip_history", nil)}
		if pages > 1 {
			more := ""
			if page < pages {
				more = " " + c.T("tip_history_earlier", map[string]any{"ID": t.ID, "Page": page + 1})
			}
			lines[0] += " " + c.T("tip_history_part", map[string]any{"From": start + 1, "To": end, "Total": len(t.History)}) + more
		}
		for _, e := range t.History[start:end] {
			text := e.Text
			if e.Kind == tips.EntryStatus {
				text = c.decisionText(text)
			}
			// One line each: a reporter's answer (or a note) written over
			// several lines would otherwise add lines that read as entries
			// ("… · Ana: dismissed"), forged.
			data := map[string]any{
				"Time": e.Time.UTC().Format("2006-01-02 15:04 UTC"), "Who": member(e.Who, e.Tag), "Text": oneLine(safe(text)),
			}
			switch e.Kind {
			case tips.EntryAnswer, tips.EntryApproved, tips.EntryPublished:
				// The reporter's words (an answer, a warning as it was
				// approved) quoted on a line of their own, as everywhere
				// else: after "reporter's answer:" on the entry's line,
				// "x · [K7QXM] Ana: verified" would read as a colleague's
				// decision.
				lines = append(lines, c.T("history_"+string(e.Kind), data), quoted(oneLine(safe(text))))
				continue
			}
			lines = append(lines, c.T("history_"+string(e.Kind), data))
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return out
}

// historyPerPage is how many history entries a tip shows at a time.
const historyPerPage = 15

// maxHistoryPage bounds the page option of /tip on Discord, whose client
// refuses a larger one itself (typed, any page is read: one past the last
// is said to be).
const maxHistoryPage = 1000

// decisionText renders a triage decision as the history keeps it
// ("verified · high · drugs", ids joined by " · ", a duplicate with its
// tip number, labels as typed) in the reader's language.
func (c *Context) decisionText(text string) string {
	parts := strings.Split(text, " · ")
	for i, p := range parts {
		word, rest, _ := strings.Cut(p, " ")
		switch {
		case i == 0 && slices.Contains(triageStatuses, word):
			parts[i] = strings.TrimSpace(c.T("status_"+word, nil) + " " + rest)
		case slices.Contains(priorities, p):
			parts[i] = c.T("priority_"+p, nil)
		default:
			if cat, ok := tips.ParseCategory(p); ok && string(cat) == p {
				parts[i] = c.categoryName(cat)
			}
		}
	}
	return strings.Join(parts, " · ")
}
