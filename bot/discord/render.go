package discord

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// maxContent is Discord's message length limit.
const maxContent = 2000

// escaper escapes Discord's markdown, so relayed text shows as written and
// cannot hide a link behind other words ([text](url)) or format itself.
var escaper = func() *strings.Replacer {
	var pairs []string
	for _, c := range []string{`\`, "*", "_", "~", "`", "|", ">", "#", "-", "[", "]", "(", ")", "<", "@", ":"} {
		pairs = append(pairs, c, `\`+c)
	}
	return strings.NewReplacer(pairs...)
}()

// render escapes text and cuts it into messages within Discord's limit, at
// line breaks where possible. A line cut between two messages goes on
// behind commands.QuoteMark: a tip's or an answer's long quoted line, or a
// history entry's long note or answer, must not open the next message as
// a line of the bot's own, and the mark says the line goes on.
func render(text string) []string {
	const mark = commands.QuoteMark + " "
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		esc := escaper.Replace(line)
		for len(esc) > 0 {
			room := maxContent - cur.Len()
			if len(esc) <= room {
				cur.WriteString(esc)
				break
			}
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
				continue
			}
			cut := runeCut(esc, maxContent)
			out = append(out, esc[:cut])
			esc = esc[cut:]
			if esc != "" && esc != "\n" {
				esc = mark + esc // (the mark is not escaped)
			}
		}
	}
	if cur.Len() > 0 || len(out) == 0 {
		out = append(out, cur.String())
	}
	return out
}

// runeCut returns where to cut s to at most n bytes (Discord counts
// characters; bytes are a safe bound) without splitting a rune or an
// escape pair, and always at least one character or pair, so render ends.
func runeCut(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	k := 0
	for i := n - 1; i >= 0 && s[i] == '\\'; i-- {
		k++
	}
	if k%2 == 1 {
		n-- // the cut would separate a backslash from what it escapes
	}
	if n > 0 {
		return n
	}
	if s[0] == '\\' && len(s) > 1 {
		_, w := utf8.DecodeRuneInString(s[1:])
		return 1 + w
	}
	_, w := utf8.DecodeRuneInString(s)
	return w
}

// buttons lays out the engine's buttons, at most 5 rows of 5.
func buttons(rows [][]commands.Button) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	for _, row := range rows {
		if len(out) == 5 {
			break
		}
		if len(row) == 0 {
			continue // Discord rejects an empty row
		}
		var cs []discordgo.MessageComponent
		for _, b := range row[:min(len(row), 5)] {
			style := discordgo.SecondaryButton
			switch {
			case strings.HasPrefix(b.Data, "send:"):
				style = discordgo.SuccessButton
			case strings.HasPrefix(b.Data, "cancel:"):
				style = discordgo.DangerButton
			}
			cs = append(cs, discordgo.Button{Label: clip(b.Label, 80), CustomID: b.Data, Style: style})
		}
		out = append(out, discordgo.ActionsRow{Components: cs})
	}
	return out
}

// uploads turns stored files into uploads. Files only another platform can
// show (a Telegram file_id) have no data and are left out; the engine has
// already said so in the text.
func uploads(files []commands.File) []*discordgo.File {
	var out []*discordgo.File
	for _, f := range files {
		if f.Data == nil {
			continue
		}
		out = append(out, &discordgo.File{Name: tips.FileName(f.Kind, f.Data), Reader: bytes.NewReader(f.Data)})
	}
	return out
}

// noMentions lets a message ping nobody, whatever text it relays.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}
