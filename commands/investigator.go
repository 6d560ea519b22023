package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// maxRecent bounds /recent.
const maxRecent = 50

func recent(ctx context.Context, c *Context) error {
	n := 10
	if arg := strings.TrimSpace(c.Request.Args); arg != "" {
		v, err := strconv.Atoi(arg)
		if err != nil || v < 1 || v > maxRecent {
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
	lines := []string{c.T("recent_header", nil, len(list))}
	for _, t := range list {
		summary := tips.FirstLine(safe(t.Content.Text()), 80)
		if summary == "" {
			summary = c.T("tip_no_text", nil)
		}
		lines = append(lines, c.T("recent_line", map[string]any{
			"ID": t.ID, "Age": c.age(t.Created), "Category": c.categoryName(t.Category), "Summary": summary,
		}))
	}
	return c.Reply(ctx, Reply{Text: strings.Join(lines, "\n"), Protected: true})
}

func showTip(ctx context.Context, c *Context) error {
	id := strings.TrimPrefix(strings.TrimSpace(c.Request.Args), "#")
	if _, err := strconv.ParseUint(id, 10, 63); err != nil {
		return c.Say(ctx, "tip_usage", nil)
	}
	t, err := c.mux.store.Tip(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	out := []string{c.T("tip_header", map[string]any{
		"ID": t.ID, "Category": c.categoryName(t.Category), "Status": c.T("status_"+string(t.Status), nil),
		"Age": c.age(t.Created),
	})}
	var files []File
	missing := 0
	var links []string
	for _, p := range t.Content.Parts {
		switch {
		case p.Forward == nil:
		case p.Forward.Named():
			src := strings.TrimSpace(p.Forward.Title + " @" + p.Forward.Username)
			out = append(out, c.T("tip_forward", map[string]any{"Source": safe(src)}))
		default:
			out = append(out, c.T("tip_forward_hidden", nil))
		}
		if p.Text != "" {
			out = append(out, safe(p.Text))
			for _, l := range tips.Links(tips.Neutralize(p.Text)) {
				links = append(links, "• "+tips.Defang(l))
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
	return c.Reply(ctx, Reply{Text: strings.Join(out, "\n\n"), Files: files, Protected: true})
}
