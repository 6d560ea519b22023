package commands

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Callback data prefixes. Draft buttons carry the draft id, so a button
// from an old draft cannot act on a new one.
const (
	cbCategory = "cat:"
	cbSend     = "send:"
	cbCancel   = "cancel:"
	cbLanguage = "lang:"
)

// start welcomes a reporter and says, honestly, what protects them and
// what does not: the platform sees the chat, whoever runs the service
// could link a tip to its reporter's account, investigators cannot.
func start(ctx context.Context, c *Context) error {
	// On Discord, its own words on what /wipe deletes there (wipeWords);
	// typed in a server's channel, where that is in the member's direct
	// messages, not here (whereToWrite: start_discord_server).
	text := c.T(c.whereToWrite(wipeWords(c.Request.Platform, "start")), map[string]any{"Platform": PlatformName(c.Request.Platform)})
	switch {
	case c.Request.ChatKind != Private:
		// Not its "just write here": here is a group, whose members and
		// admins would read the tip, and who sent it.
		text = helpText(c)
	case c.Request.ChannelID != "":
		// A Discord server's channel, answered to the member alone: the
		// welcome still says what protects them and what does not (there
		// is where a member of a server types /start), but not its "just
		// write here", which is the channel.
		text = serverWelcome(c, text)
	}
	if c.Request.Platform == consolePlatform {
		// The demo plays no one platform's flow: it speaks of the real
		// bot, in whichever app.
		text = c.T("demo_start", nil)
	}
	// (On Discord, T names the commands as the member's client shows
	// them: "/borrar", "/ayuda" to a client in Spanish.)
	r := Reply{Text: text}
	if c.Request.ChatKind == Private {
		// Only there: a group's buttons are not for one member (the
		// engine takes no button press from a group but the team's).
		r.Buttons = c.mux.languageButtons()
	}
	return c.Reply(ctx, r)
}

// help says how to send a tip, and to the team its commands. Typed under
// its name in one language ("/ayuda", "/aide", "/ajuda"), it
// answers in that language, whatever the chat's: whoever typed the word
// reads it. Its own name ("/help", in every language's menu) and a name
// several languages share keep the chat's language. In a group, or a
// Discord server's channel, it does not say "write your message here"
// (see helpText).
func help(ctx context.Context, c *Context) error {
	if lang := c.mux.typedIn(c.Request.Command, "help"); lang != "" {
		c.Lang = lang
	}
	text := helpText(c)
	if c.Role >= Investigator {
		text += "\n\n" + c.T("help_investigator", nil) + "\n" + c.T("help_triage", nil) + "\n" + c.T("help_signals", nil)
		if c.mux.twoFactor.Required {
			text += "\n" + c.T("help_second_factor", nil)
		}
	}
	if c.Role >= Admin {
		text += "\n\n" + c.T("help_admin", nil)
	}
	return c.Reply(ctx, Reply{Text: text}) // (on Discord, each part's commands as the client shows them: T)
}

// commandWritten is a command as the help texts write it: "/" and its
// name, after the start of a line, a space or an opening mark.
var commandWritten = regexp.MustCompile(`(^|[\s(“"«])/([a-z0-9]+)`)

// commandsAsShown writes each command text names ("/status CODE",
// "(/unsubscribe stops them)") under the name a Discord client shows it
// by: the one registered for the client's language (command_<name>_name,
// see discord's Commands), "/estado" to a client in Spanish, whatever
// language the member chose for the bot's words; the command's own name
// to a client in a language Vigía has no names in, as Discord shows it
// there. A client whose language is not known (a direct message from
// someone who never used a command) is taken to be in the bot's.
func (c *Context) commandsAsShown(text string) string {
	lang := c.Lang
	if c.client != "" {
		lang = c.mux.msg.Match(c.client) // "": the commands' own names
	}
	return c.mux.namesAsShown(lang, text)
}

// namesAsShown writes each command text names under its name in lang
// (command_<name>_name), or as it is for lang "".
func (m *Mux) namesAsShown(lang, text string) string {
	if lang == "" {
		return text
	}
	return commandWritten.ReplaceAllStringFunc(text, func(w string) string {
		sub := commandWritten.FindStringSubmatch(w)
		cmd, ok := m.table[sub[2]]
		if !ok || cmd.Name != sub[2] {
			return w
		}
		name := m.msg.Localize(lang, "command_"+cmd.Name+"_name", nil)
		if name == "" || strings.ContainsAny(name, " /@") {
			return w
		}
		return sub[1] + "/" + name
	})
}

// helpText is how to send a tip, said where the help is asked. In a
// group: in a private chat, never there; and none of the commands that
// work only there (/status CODE in a group would put the code in view).
// So in a Telegram channel's post, in words of a channel (its
// subscribers read it), and in a Discord server's channel answered to
// the channel (the investigators'), in Discord's words: a direct message
// or /report's form, never this channel. In a Discord server's channel,
// where only the member reads the answers: with /report's form or by
// direct message, never in a channel; then the commands, which work there.
//
// On Discord, its own words (wipeWords: help_discord): /wipe deletes only
// the bot's messages in the member's direct messages, and /subscribe is
// run in a server's channel, not a group.
func helpText(c *Context) string {
	text := c.T(wipeWords(c.Request.Platform, "help"), nil)
	switch {
	case c.Request.ChatKind != Private && c.Request.ChannelPost:
		return c.T("help_channel", nil)
	case c.Request.ChatKind != Private && c.Request.Platform == "discord":
		return c.T("help_server_channel", nil)
	case c.Request.ChatKind != Private:
		return c.T("help_group", nil)
	case c.Request.ChannelID != "":
		// The help's first paragraph is its "write your message here".
		if _, cmds, ok := strings.Cut(text, "\n\n"); ok {
			return c.T("help_server", nil) + "\n\n" + cmds
		}
	}
	return text
}

// serverWelcome is the welcome, said in a Discord server's channel: its
// paragraph on how to report ("just write here"), the one before its
// last (the language buttons), is help_server's. A welcome of another
// shape gets the help said there (helpText), never "write here".
func serverWelcome(c *Context, welcome string) string {
	paras := strings.Split(welcome, "\n\n")
	if len(paras) < 3 {
		return helpText(c)
	}
	paras[len(paras)-2] = c.T("help_server", nil)
	return strings.Join(paras, "\n\n")
}

// whereToWrite is message id, which tells the reporter to write (a
// message, more of their tip), or in a Discord server's channel its
// "_server" variant: there, answered to the member alone, "write a
// message" reads as "write it here", in the channel, whose members and
// moderators would read it, and who wrote it. The variant says where:
// /report's form or a direct message (the same draft either way: it is
// the member's, wherever they write to the bot).
func (c *Context) whereToWrite(id string) string {
	if c.Request.ChatKind == Private && c.Request.ChannelID != "" {
		return id + "_server"
	}
	return id
}

// typedIn returns the one language whose name for command name
// (command_<name>_name, lower-case, with its accents or without) is word,
// or "" where word is the command's own name, or that of several
// languages or of none.
func (m *Mux) typedIn(word, name string) string {
	if m.msg == nil || word == name {
		return ""
	}
	found := ""
	for _, lang := range locales.Supported {
		local := strings.ToLower(m.msg.Localize(lang, "command_"+name+"_name", nil))
		if local != word && tips.Fold(local) != word {
			continue
		}
		if found != "" {
			return ""
		}
		found = lang
	}
	return found
}

func (m *Mux) languageButtons() [][]Button {
	var row []Button
	for _, l := range locales.Supported {
		row = append(row, Button{Label: m.msg.Localize(l, "lang_name", nil), Data: cbLanguage + l})
	}
	return [][]Button{row}
}

func chooseLanguage(ctx context.Context, c *Context) error {
	arg := strings.TrimSpace(c.Request.Args)
	if arg == "" {
		return c.Reply(ctx, Reply{Text: c.T("choose_language", nil), Buttons: c.mux.languageButtons()})
	}
	return c.setLanguage(ctx, arg)
}

func (c *Context) setLanguage(ctx context.Context, code string) error {
	lang := c.mux.msg.Match(code)
	if lang == "" {
		lang = c.mux.languageNamed(code)
	}
	if lang == "" {
		return c.Reply(ctx, Reply{Text: c.T("language_unknown", nil), Buttons: c.mux.languageButtons()})
	}
	if err := c.mux.store.SetLanguage(ctx, c.Pseudonym, lang); err != nil {
		return err
	}
	c.Lang = lang
	return c.Say(ctx, "language_set", nil)
}

// languageNames are names people write for the languages Vigía speaks, in
// those languages, besides each one's own name (lang_name, on the
// language buttons): "/idioma español", "/language french".
var languageNames = map[string][]string{
	"en":    {"english", "ingles", "anglais"},
	"es":    {"espanol", "castellano", "spanish", "espagnol", "espanhol"},
	"pt-BR": {"portugues", "portuguese", "portugais", "brasileiro", "brasileno", "brazilian", "bresilien"},
	"fr":    {"francais", "french", "frances", "francaise"},
}

// languageNamed returns the supported language a name such as "Español",
// "francais" or "Português (Brasil)" names, or "".
func (m *Mux) languageNamed(name string) string {
	word, _, _ := strings.Cut(strings.TrimSpace(tips.Fold(name)), " ")
	word = strings.Trim(word, "()")
	if word == "" {
		return ""
	}
	for _, lang := range locales.Supported {
		own, _, _ := strings.Cut(tips.Fold(m.msg.Localize(lang, "lang_name", nil)), " ")
		if word == own || slices.Contains(languageNames[lang], word) {
			return lang
		}
	}
	return ""
}

func status(ctx context.Context, c *Context) error {
	code, ok := c.mux.receiptFirst(ctx, c.Request.Args)
	if !ok {
		return c.Say(ctx, "status_usage", nil)
	}
	tip, err := c.mux.store.TipByReceipt(ctx, code)
	if errors.Is(err, storage.ErrNotFound) && c.mux.spool != nil && c.mux.spool.HoldsReceipt(code) {
		return c.Say(ctx, "status_spooled", nil) // kept while Redis was down, not replayed yet
	}
	if errors.Is(err, storage.ErrNotFound) {
		switch c.mux.receiptNoTip(ctx, code) {
		case storage.NoTipBlank:
			return c.Say(ctx, "status_no_tip_blank", nil) // spooled, and replayed as nothing to read
		case storage.NoTipCodes:
			return c.Say(ctx, "status_no_tip", nil) // spooled, and replayed as codes alone
		case storage.NoTipSent:
			return c.Say(ctx, "status_no_tip_sent", nil) // spooled, and found in a tip sent already
		case storage.NoTipAnswer:
			return c.Say(ctx, "status_no_tip_answer", nil) // spooled, and delivered as an answer (already, or at the replay)
		case storage.NoTipTeam:
			return c.Say(ctx, "status_no_tip_team", nil) // spooled, a team member's: put in their draft at the replay
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "status_unknown", map[string]any{"Period": c.mux.spanIn(c.Lang, c.mux.retention)})
	}
	if err != nil {
		return err
	}
	if tip.Warning {
		return c.Say(ctx, "status_warning", map[string]any{"Age": c.age(tip.Created)})
	}
	text := c.T("status_"+tip.Status.PublicStatus(), map[string]any{"Age": c.age(tip.Created)})
	if tip.OpenQuestion != "" {
		// Those they can still answer: one whose reply window has ended is
		// no longer taken (openQuestion), so not shown. Not readable now,
		// that is said: not the newest in their stead, which may be one
		// they can no longer answer, or one of several (/reply would not
		// know which).
		open, err := c.openQuestions(ctx, tip.ID, true)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			c.mux.log.Warn("open questions not read for /status", "platform", c.Request.Platform, "error", err.Error())
			text += "\n\n" + c.T("status_questions_unknown", nil)
		}
		if len(open) > 1 {
			// /reply would not know which: each is answered from its message.
			text += "\n\n" + c.T("answer_which", nil)
			for _, q := range open {
				text += "\n• " + q
			}
		} else if len(open) == 1 {
			text += "\n\n" + c.T("status_question", map[string]any{"Question": open[0]})
		}
	}
	return c.Reply(ctx, Reply{Text: text})
}

func cancelDraft(ctx context.Context, c *Context) error {
	// An answer armed with the Answer button is cancelled too: the next
	// message is not an answer any more.
	disarmed := false
	if c.answering {
		err := c.mux.updateAnswering(ctx, c.Pseudonym, func(a *answering) { disarmed, a.Next = a.Next != nil, nil })
		disarmed = disarmed && err == nil
		if err == nil {
			c.mux.armed.disarm(c.Pseudonym)
		}
	}
	d, err := c.mux.store.Draft(ctx, c.Pseudonym)
	if errors.Is(err, storage.ErrNotFound) && disarmed {
		return c.Say(ctx, "answer_disarmed", nil)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, c.whereToWrite("draft_none"), nil)
	}
	if err != nil {
		return err
	}
	return c.discard(ctx, d.ID)
}

func (c *Context) discard(ctx context.Context, draftID string) error {
	err := c.mux.store.DiscardDraft(ctx, c.Pseudonym, draftID)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, c.whereToWrite("draft_stale"), nil)
	}
	if err != nil {
		return err
	}
	return c.Say(ctx, "cancelled", nil)
}

// addToDraft keeps a private, non-command message as part of a draft tip.
func (m *Mux) addToDraft(ctx context.Context, c *Context) error {
	req := c.Request
	if req.AlbumItems == 1 {
		m.albums.newRun(c.Pseudonym) // an album's first item: a new run
	}
	err := m.keepPart(ctx, c)
	if req.AlbumItems > 1 && !req.AlbumMore {
		// The album's last item, refused (too large, lost, of a kind
		// Vigía does not take, over a limit): its refusal told, what the
		// silent items before it did is told too. (Kept, it said so
		// itself, and its run is over: nothing more.)
		if aerr := m.albumAnswer(ctx, c); err == nil {
			err = aerr
		}
	}
	return err
}

// albumAnswer tells what the silent items of the album whose last item
// this is did, when that item did not (it was refused): the draft they
// started, or the parts they added, and the pictures they cleaned. It
// forgets the album's run.
func (m *Mux) albumAnswer(ctx context.Context, c *Context) error {
	run := m.albums.end(c.Pseudonym)
	if run.kept == 0 {
		return nil // no item kept in silence: each was answered
	}
	d, err := m.store.Draft(ctx, c.Pseudonym)
	if err != nil {
		// Gone since (sent, cancelled), or Redis down: the draft cannot
		// be shown. The item's own answer went out.
		if !errors.Is(err, storage.ErrNotFound) {
			m.log.Warn("album's draft not read for its answer", "platform", c.Request.Platform, "error", err.Error())
		}
		return nil
	}
	before := ""
	if run.cleaned > 0 {
		before = c.fileNote("file_cleaned", run.cleaned) + "\n\n"
	}
	d.WipeUntold = run.wipeUntold // (the draft read does not say it)
	return c.draftAnswer(ctx, before, run.started, d)
}

// draftAnswer tells the reporter their draft d started (with the category
// buttons) or how many parts it now has, after the notes in before, and,
// once a draft, that a wipe they set will discard it unless it is sent
// before then (draftWipe).
func (c *Context) draftAnswer(ctx context.Context, before string, started bool, d storage.Draft) error {
	wipe, settled := c.draftWipe(ctx, d)
	text := before + c.T("draft_added", nil, d.Parts) + paragraph(wipe)
	if started {
		// (The warning before the prompt, which stays next to its buttons.)
		text = before + c.T(c.whereToWrite("draft_started"), nil) + paragraph(wipe) + "\n\n" + c.T("choose_category", nil)
	}
	if err := c.Reply(ctx, Reply{Text: text, Buttons: c.categoryButtons(d)}); err != nil || !settled {
		return err
	}
	c.draftWipeTold(ctx, d.ID)
	return nil
}

// sentAgain answers a redelivered message that already went out in a
// tip. One that was a tip of its own (spooled in an outage, replayed
// since) is answered with its receipt again: a crash before the first
// answer must not leave the reporter without it. text is the message's,
// with its links.
func (m *Mux) sentAgain(ctx context.Context, c *Context, text string) error {
	if c.wipedBefore(ctx) {
		return nil // its chat wiped since: no receipt back in it
	}
	if m.spool != nil {
		if code, err := m.spool.ReceiptOf(c.Pseudonym, c.Request.EventID); err == nil {
			if tip, err := m.store.TipByReceipt(ctx, code); err == nil {
				// Stored now: no outage to speak of; a file not in it
				// still is.
				kept := slices.ContainsFunc(tip.Content.Parts, func(p tips.Part) bool { return p.Attachment != nil })
				return c.Reply(ctx, Reply{Text: c.T("sent", map[string]any{"Receipt": code}) + c.spooledFileNote(kept) + c.quoteLostNote("quote_not_received") + c.spooledLocationNote() + c.ownNameSent(text)})
			}
		}
	}
	return nil
}

// keepPart is addToDraft for the message itself: it keeps it, or tells
// why not.
func (m *Mux) keepPart(ctx context.Context, c *Context) error {
	req := c.Request
	if answered, err := m.takeAnswer(ctx, c); answered || (err != nil && !StorageDown(err)) {
		return err
	}
	if req.Unsupported {
		return c.Say(ctx, "unsupported_message", nil)
	}
	if req.Attachment == nil && req.FileData == nil && req.Location == nil {
		// A receipt code sent without /status (alone, or after a word):
		// answered as /status, when it is one, rather than kept in a tip
		// where investigators would read it (and it lets whoever holds it
		// answer questions or delete the tip). One of letters alone (given
		// out before every code held a digit) only when a tip has it:
		// words can be shaped like one.
		if code, ok, digit := receiptAlone(req.Text); ok {
			_, err := m.store.TipByReceipt(ctx, code)
			switch {
			case err == nil, errors.Is(err, storage.ErrNotFound) && (m.spool != nil && m.spool.HoldsReceipt(code) || m.noTipReceipt(ctx, code)):
				c.Request.Args = code
				return status(ctx, c)
			case StorageDown(err) && digit:
				// Not known to be a code or not: never spooled as a tip.
				// Told to try again, as /status would be.
				c.heldKept = true
				return c.Say(ctx, "error_storage_retry", nil)
			}
		}
	}
	codeDropped := false
	if req.Attachment != nil || req.FileData != nil || req.Location != nil {
		// The same code as a file's caption ("for tip ABCD-…"): the file
		// is kept, the code is not (when Redis cannot say whether it is
		// one, it is left out all the same).
		if code, ok, digit := receiptAlone(req.Text); ok {
			if _, err := m.store.TipByReceipt(ctx, code); err == nil || StorageDown(err) && digit {
				req.Text, req.HiddenLinks, codeDropped = "", nil, true
			}
		}
	}
	codeCut := false
	var codesUnknown error // the receipt lookup's failure: the text's code-like words were not cut
	if !codeDropped {
		// A code inside a sentence ("mi código es ABCD-…, ¿ya lo
		// vieron?"), or a link shown as words: the rest is kept, the code
		// is not.
		if c.codesUnknown != nil {
			codesUnknown = c.codesUnknown // (takeAnswer's lookup: see codesUnknown)
		} else {
			req.Text, req.HiddenLinks, codeCut, codesUnknown = m.cutMessageReceipts(ctx, req.Text, req.HiddenLinks)
			if codeCut && req.Quote != "" {
				req.Text = tips.WithoutEmptiedQuoteLines(req.Text)
			}
		}
	}
	if m.spool != nil {
		// Redelivered after it was spooled (a restart before the platform
		// heard it was handled): answered as then, not kept twice.
		if receipt, ok := m.spool.Spooled(c.Pseudonym, req.EventID); ok {
			if c.wipedBefore(ctx) {
				return nil // its chat wiped since: no receipt back in it
			}
			// As the first answer said (which may never have gone out).
			own := c.ownNameSent(withLinks(req.Text, req.HiddenLinks))
			return c.Reply(ctx, Reply{Text: c.T(spoolReceived(c.Request.ReplyToBot), map[string]any{"Receipt": receipt}) + c.spooledFileNote(false) + c.quoteLostNote("quote_not_received") + c.spooledLocationNote() + own})
		}
	}
	if typedRunes(req.Text, req.Quote) > m.limits.MaxMessageRunes {
		// (What it quotes from another chat is not counted: typedRunes.)
		return c.Say(ctx, "message_too_long", map[string]any{"Max": m.limits.MaxMessageRunes})
	}
	text := withLinks(req.Text, req.HiddenLinks)
	// The limit is counted as the part is added (one step), except for a
	// file, which is counted before it is stored. (With Redis down the
	// limit cannot be counted; the spool takes over.)
	partLimit := m.partLimit()
	if req.FileData != nil && partLimit != nil {
		if ok, err := m.allow(ctx, c, partLimit.Kind, partLimit.Max); err != nil && !StorageDown(err) {
			return err
		} else if err == nil && !ok {
			return nil // already told to slow down
		}
		partLimit = nil
	}
	part := tips.Part{Text: strings.ToValidUTF8(text, "\uFFFD"), Attachment: req.Attachment, Forward: req.Forward}
	if tips.Blank(part.Text) {
		part.Text = "" // spaces or invisible characters only: nothing to read
	}
	if part.Forward == nil && req.ForwardedFromPerson {
		part.Forward = &tips.Forward{} // forwarded, from a source not named (spooled too)
	}
	note := ""    // what the reporter is told about the file: cleaned, not cleaned, not received
	newFile := "" // the reference of the file stored now for this message (not one its draft part holds)
	if req.FileLost {
		note = c.fileLost()
	}
	if req.FileData != nil && req.Attachment != nil {
		data, how := tips.CleanFile(req.FileData)
		note = "file_not_cleaned"
		if how == tips.Cleaned {
			note = "file_cleaned"
		}
		// A redelivered message whose tip went out (a spool replay since)
		// stores no second copy of its file, which nothing would point to.
		if sent, err := m.store.EventSent(ctx, c.Pseudonym, req.EventID); err == nil && sent {
			return m.sentAgain(ctx, c, text)
		}
		// One whose part is still in the open draft is the same event: it
		// keeps the file stored then, and is answered as then.
		ref, err := m.store.DraftFileRef(ctx, c.Pseudonym, req.EventID)
		if err != nil {
			// Up to 20 MB, which a slow link to Redis may take longer
			// than senderCallWait to carry: on the update's time.
			ref, err = m.store.PutFile(storage.WithCallWait(ctx, 0), data)
			if err == nil {
				newFile = ref
			}
		}
		if errors.Is(err, storage.ErrFileTooLarge) {
			return c.Say(ctx, "file_too_large", map[string]any{"MB": storage.MaxFileSize >> 20})
		}
		if err != nil {
			// Redis is down: the file cannot be kept. Its text (or place)
			// can, on the spool, and the reporter is told the file was
			// not; a file alone is NOT saved. Never a draft without it.
			part.Attachment = nil
			if !StorageDown(err) || m.spool == nil || ((part.Text == "" || codesAlone(part.Text)) && req.Location == nil) {
				return err
			}
			if req.Location != nil {
				if loc := tips.Coarsen(req.Location.Lat, req.Location.Lon); loc.Valid() {
					part.Location = &loc
				}
			}
			return m.spoolTip(ctx, c, part, "spool_file_lost")
		}
		part.Attachment = &tips.Attachment{Platform: tips.Stored, Kind: req.Attachment.Kind, FileRef: ref}
	}
	if req.FileData == nil && req.Attachment != nil && req.Attachment.Kind != tips.Photo {
		// Kept as the platform's reference (too large, a video, a voice
		// note): not cleaned. Compressed photos lose their metadata when
		// the platform re-encodes them.
		note = "file_not_cleaned"
	}
	if req.Location != nil {
		loc := tips.Coarsen(req.Location.Lat, req.Location.Lon)
		if loc.Valid() {
			part.Location = &loc
		}
	}
	if part.Text == "" && part.Attachment == nil && part.Location == nil {
		if codeCut {
			// A code alone: nothing kept, the draft as it was (not "I
			// left out the code", which reads as if a part was added).
			return c.Say(ctx, "receipt_only_message", nil)
		}
		if req.FileLost {
			return c.Say(ctx, c.fileLost(), fileNoteData)
		}
		return c.Say(ctx, "unsupported_message", nil)
	}
	// What the reporter is told once the part is in their draft d: also
	// when its write's reply was lost and the part is found there
	// (partFound).
	kept := func(ctx context.Context, d storage.Draft) error {
		startedNow := d.Parts == 1 // this part started the draft
		cleaned := 0               // pictures whose hidden data went, told of in this answer
		if note == "file_cleaned" {
			cleaned = 1
		}
		// Their own name or username in their own words (not in a forward:
		// someone else's, evidence as it is): kept, but they are told.
		ownName := part.Forward == nil && namedBySender(&req, part.Text)
		if req.AlbumMore && !c.fileNotAnswer && !codeDropped && !codeCut && !ownName && (note == "" || note == "file_cleaned") {
			// An album's item with more of it to come, kept, with nothing to
			// warn of: its last item answers for all (not one "added" per
			// photo). A warning about this item still goes out now.
			m.albums.item(c.Pseudonym, startedNow, cleaned == 1, d.WipeUntold, m.now())
			return nil
		}
		if req.AlbumItems > 1 {
			// The album's last item: it says what the silent items did (not
			// told by the parts alone: an item refused is none of them).
			run := m.albums.end(c.Pseudonym)
			startedNow = startedNow || run.started
			cleaned += run.cleaned
		}
		before := ""
		if c.fileNotAnswer {
			before = c.T("answer_file_as_tip", nil) + "\n\n"
		}
		if cleaned > 0 {
			before += c.fileNote("file_cleaned", cleaned) + "\n\n"
		}
		if note != "" && note != "file_cleaned" {
			before += c.fileNote(note, 1) + "\n\n"
		}
		if req.QuoteLost {
			before += c.T("quote_not_received", nil) + "\n\n"
		}
		if codeDropped {
			before += c.T("receipt_caption_dropped", nil) + "\n\n"
		}
		if codeCut {
			before += c.T("receipt_text_dropped", nil) + "\n\n"
		}
		if ownName {
			before += c.T("own_name_in_text", nil) + "\n\n"
		}
		if part.Location != nil {
			// Kept to about 1 km (tips.Coarsen), a place's name and address
			// not at all: a reporter who sent the spot where someone is held
			// must not believe investigators can find it from this alone.
			before += c.T("location_coarse", nil) + "\n\n"
		}
		return c.draftAnswer(ctx, before, startedNow, d)
	}
	var d storage.Draft
	var err error
	if codesUnknown == nil {
		d, err = m.store.AddToDraft(ctx, c.Pseudonym, storage.DraftPart{
			EventID: req.EventID, Route: req.Platform + ":" + req.ChatID, Language: c.Lang, Part: part,
			MaxParts: m.limits.MaxParts, MaxChars: m.limits.MaxChars, Limit: partLimit,
		})
	} else {
		// Redis could not say which of its code-like words are receipt
		// codes (a timeout on that one call, while the other writes may
		// well succeed): kept in the draft as it is, a code inside a
		// sentence would reach investigators. Nor is every such word cut
		// (a payment reference is evidence). It goes as in an outage:
		// spooled, its codes cut at the replay, which asks Redis again
		// until it can say (or refused, below, where the spool cannot
		// take it). A file stored already is not spooled (the outage
		// path never does); the reporter sends it again.
		if !StorageDown(codesUnknown) || m.spool == nil || part.Attachment != nil && part.Attachment.Platform == tips.Stored {
			// Refused: a file stored now for it goes (else, sealed and
			// pointed at by nothing, it would stay until it expires).
			m.dropFile(ctx, newFile)
			c.heldKept = true
			return c.Say(ctx, "error_storage", nil)
		}
		err = codesUnknown
	}
	if over, err := c.limited(ctx, err); over {
		c.heldKept = true // (told to slow down once, then silent)
		return err
	}
	if errors.Is(err, storage.ErrWipedEvent) {
		// From before a wipe of the chat, reaching the draft after it (a
		// replica that handled it late, a copy delivered again):
		// discarded with the draft, and not answered in the wiped chat.
		m.dropFile(ctx, newFile)
		return nil
	}
	if errors.Is(err, storage.ErrDuplicateEvent) {
		// Its tip went out (a Send since the EventSent look): a file
		// stored now for it is in no draft (refused: not written).
		m.dropFile(ctx, newFile)
		return m.sentAgain(ctx, c, text)
	}
	if err != nil && StorageDown(err) && !req.ReplyToBot && m.armed.armed(c.Pseudonym, m.now()) &&
		req.Attachment == nil && req.FileData == nil && req.Location == nil && req.FormID == "" {
		// The message after an Answer pressed (which this process
		// remembers) may be that question's answer, which Redis alone can
		// tell: not kept, and said so; the reporter sends it again. A
		// reply to one of the bot's messages is spooled (below), with the
		// id of the message it replied to: at the replay it answers the
		// question it replied to, or the one pressed for, as live
		// (answerSpooled). The report form is a tip by the reporter's
		// choice, and its typed text could not be given back: it is
		// spooled.
		c.heldKept = true
		if codesUnknown == nil && !c.heldPress && writeMayHaveRun(err) {
			// Its write's reply lost, it may be in the draft all the same.
			return m.partUnsure(ctx, c, c.Request.EventID, err, kept, func() error { return c.Say(ctx, "error_storage", nil) })
		}
		return c.Say(ctx, "error_storage", nil)
	}
	if err != nil && StorageDown(err) && m.spool != nil {
		if codesUnknown == nil && !c.heldPress && writeMayHaveRun(err) {
			// Its write's reply lost (the script ran, the client saw a
			// timeout or a reset), the part may be in the draft: found
			// there, it is kept as any part is, and not spooled as a tip
			// of its own besides. Looked for briefly (Redis hanging, the
			// spool must still answer in the request's time); not found,
			// or not looked at, it is spooled, and the replay and the
			// Send deal with a write that lands later (a ghost part).
			look, cancel := context.WithTimeout(ctx, partLook)
			d, in, lerr := m.store.DraftWithPart(look, c.Pseudonym, req.EventID)
			cancel()
			if lerr == nil && in {
				m.log.Warn("message's part written though its write failed: not spooled", "platform", req.Platform, "error", err.Error())
				return kept(ctx, d)
			}
		}
		if part.Attachment == nil && part.Location == nil && codesAlone(text) {
			// Receipt codes alone ("ABCD-… EFGH-…": a status check), or
			// words like them, which Redis cannot tell apart now: spooled,
			// the codes would be cut at the replay, leaving no tip for the
			// receipt given (it would lead nowhere). Not kept, and said so.
			c.heldKept = true
			return c.Say(ctx, "error_storage", nil)
		}
		return m.spoolTip(ctx, c, part, note)
	}
	if errors.Is(err, storage.ErrDraftFull) {
		m.dropFile(ctx, newFile) // (refused: not in the draft)
		cur, derr := m.store.Draft(ctx, c.Pseudonym)
		if errors.Is(derr, storage.ErrNotFound) {
			// No draft: this message alone is over a tip's limit (its
			// text is under a message's, so its hidden links make it so).
			return c.Say(ctx, "message_too_long", map[string]any{"Max": m.limits.MaxMessageRunes})
		}
		if derr != nil {
			return derr
		}
		c.heldKept = true // (sent or cancelled, the draft makes room for it)
		return c.Reply(ctx, Reply{
			Text: c.T("draft_full", map[string]any{
				"Parts": c.T("count_messages", nil, m.limits.MaxParts), "Chars": c.T("count_characters", nil, m.limits.MaxChars),
			}),
			Buttons: c.categoryButtons(cur),
		})
	}
	if err != nil {
		// Its reply lost (a timeout after the script ran), the part may be
		// in the draft all the same: a held message's press looks
		// (heldButton), after its give-back; a typed message looks now.
		// Refused, or never sent, it is not in it: no look, "try again"
		// is true (in a plain outage the look would fail too, and the
		// reporter hear the part may already be in their tip).
		if codesUnknown == nil && writeMayHaveRun(err) {
			c.partFound = kept
			if !c.heldPress {
				return m.partUnsure(ctx, c, c.Request.EventID, err, kept, func() error { return err })
			}
		}
		return err
	}
	return kept(ctx, d)
}

// partLook bounds the look for a typed message's part whose write's
// reply was lost: with Redis hanging, the message must still reach the
// spool, or its answer go out, within the request's time.
const partLook = time.Second

// writeMayHaveRun reports whether a draft write that failed (Redis
// unreachable, StorageDown) may have run all the same, its reply lost: a
// timeout or a connection cut after it was sent. One refused (the
// connection, or the call: Redis loading, storage.Refused), or never
// sent (the connection not made, none free, the client closed), did not
// run: no look is needed to say it was not saved. (The draft write is
// sent once, not retried, storage.AddToDraft: its error is the one
// attempt's.)
func writeMayHaveRun(err error) bool {
	return StorageDown(err) && storage.ReplyLost(err)
}

// partUnsure answers a message (platform event) whose part's write failed
// (writeErr) in a way that may leave it written all the same (its reply
// lost: the script ran, the client saw a timeout): a typed one, or a held
// one pressed as a new tip whose give-back failed too (heldButton; the
// sweep would otherwise find it used and let the held copy go). Told it
// was NOT saved (or to try again), the reporter would send it again, and
// the draft would hold it twice. So one
// read, within partLook, looks for the part in the draft:
// there, the reporter is told what a write that answered would have told
// them (kept, its notes with it); not there, that it was not saved
// (notIn, the answer as before); the read failing too, that it may or
// may not be in their tip, and to check before sending it again.
func (m *Mux) partUnsure(ctx context.Context, c *Context, event int64, writeErr error, kept func(context.Context, storage.Draft) error, notIn func() error) error {
	look, cancel := context.WithTimeout(ctx, partLook)
	d, in, err := m.store.DraftWithPart(look, c.Pseudonym, event)
	cancel()
	switch {
	case errors.Is(err, storage.ErrNotFound), err == nil && !in:
		return notIn()
	case err != nil:
		m.log.Warn("message's part not known to be in the draft", "platform", c.Request.Platform, "write_error", writeErr.Error(), "error", err.Error())
		return c.Say(ctx, "held_part_unknown", nil)
	}
	m.log.Warn("message's part written though its write failed", "platform", c.Request.Platform, "error", writeErr.Error())
	return kept(ctx, d)
}

// withLinks is a message's text followed by the addresses of the links it
// hides behind words, one a line.
func withLinks(text string, links []string) string {
	for _, l := range links {
		text += "\n" + l
	}
	return text
}

// sendCancel is the draft's last row: the follow-up toggle, Send, Cancel.
func (c *Context) sendCancel(d storage.Draft) [][]Button {
	toggle := Button{Label: c.T("button_followup_off", nil), Data: cbFollowUp + d.ID + ":1"}
	if d.FollowUp {
		toggle = Button{Label: c.T("button_followup_on", nil), Data: cbFollowUp + d.ID + ":0"}
	}
	return [][]Button{{
		toggle,
		{Label: c.T("button_send", nil), Data: cbSend + d.ID},
		{Label: c.T("button_cancel", nil), Data: cbCancel + d.ID},
	}}
}

// categoryButtons are a draft's buttons: its categories, two a row, then
// sendCancel's row (five rows, as many as Discord shows). Every answer
// about an open draft carries them: the latest message is where the
// reporter looks to pick a category or change it. The buttons are made
// in one slice, each row a piece of it cut to its
// length (a row appended to is copied, never the next row's buttons),
// and the labels' message ids are made once (categoryMsgIDs).
func (c *Context) categoryButtons(d storage.Draft) [][]Button {
	n := len(tips.Categories)
	buttons := make([]Button, n)
	prefix := cbCategory + d.ID + ":"
	for i, cat := range tips.Categories {
		buttons[i] = Button{Label: c.T(categoryMsgIDs[i], nil), Data: prefix + string(cat)}
	}
	last := c.sendCancel(d)
	rows := make([][]Button, 0, (n+1)/2+len(last))
	for i := 0; i < n; i += 2 {
		j := min(i+2, n)
		rows = append(rows, buttons[i:j:j])
	}
	return append(rows, last...)
}

// categoryMsgIDs are the message ids of tips.Categories' names, in their
// order (categoryName's, for a known category).
var categoryMsgIDs = func() []string {
	ids := make([]string, len(tips.Categories))
	for i, cat := range tips.Categories {
		ids[i] = "category_" + string(cat)
	}
	return ids
}()

// callback handles a pressed button. Data no button of ours carries is
// answered so (forgedButton), and changes nothing.
func (m *Mux) callback(ctx context.Context, c *Context) error {
	data := c.Request.Callback
	switch {
	case strings.HasPrefix(data, cbLanguage):
		return c.setLanguage(ctx, strings.TrimPrefix(data, cbLanguage))
	case strings.HasPrefix(data, cbCancel):
		if !draftIDShaped(strings.TrimPrefix(data, cbCancel)) {
			return c.forgedButton(ctx) // a draft id of no draft's shape
		}
		return c.discard(ctx, strings.TrimPrefix(data, cbCancel))
	case strings.HasPrefix(data, cbSend):
		if !draftIDShaped(strings.TrimPrefix(data, cbSend)) {
			return c.forgedButton(ctx)
		}
		return c.send(ctx, strings.TrimPrefix(data, cbSend))
	case strings.HasPrefix(data, cbFollowUp):
		return m.followUpButton(ctx, c, data)
	case strings.HasPrefix(data, cbAnswer):
		return m.answerButton(ctx, c, strings.TrimPrefix(data, cbAnswer))
	case strings.HasPrefix(data, cbHeld):
		return m.heldButton(ctx, c, strings.TrimPrefix(data, cbHeld))
	case strings.HasPrefix(data, cbWipe):
		return m.wipeButton(ctx, c, data)
	case strings.HasPrefix(data, cbTriage):
		return m.triageButton(ctx, c, data)
	case strings.HasPrefix(data, cbPublish):
		return m.publishButton(ctx, c, data)
	case strings.HasPrefix(data, cbCategory):
		draftID, name, _ := strings.Cut(strings.TrimPrefix(data, cbCategory), ":")
		cat, ok := tips.ParseCategory(name)
		if !ok || !draftIDShaped(draftID) {
			return c.forgedButton(ctx)
		}
		err := m.store.SetDraftCategory(ctx, c.Pseudonym, draftID, cat)
		if errors.Is(err, storage.ErrNotFound) {
			return c.Say(ctx, c.whereToWrite("draft_stale"), nil)
		}
		if err != nil {
			return err
		}
		d, err := m.store.Draft(ctx, c.Pseudonym)
		if err != nil {
			return err
		}
		return c.Reply(ctx, Reply{Text: c.T("category_set", map[string]any{"Category": c.categoryName(cat)}), Buttons: c.categoryButtons(d)})
	}
	return c.forgedButton(ctx) // no button of ours
}

// receiptRetry is how long a receipt the platform refused waits before it
// is sent again.
var receiptRetry = time.Second

// send turns the draft into a tip. The reporter hears "received" only after
// storage has it.
func (c *Context) send(ctx context.Context, draftID string) error {
	if c.mux.spool != nil {
		// A message spooled as a tip of its own while Redis hung, whose
		// draft write landed when Redis resumed: marked as sent, it is
		// left out of this tip (the replay stores it, once).
		for _, ev := range c.mux.spool.HeldEvents(c.Pseudonym) {
			if err := c.mux.store.RememberEvent(ctx, c.Pseudonym, ev); err != nil {
				return err
			}
		}
	}
	var sub storage.Submission
	var err error
	if cl := c.sendClaim; cl != nil && cl.DraftID() == draftID {
		c.sendClaim = nil
		sub, err = c.mux.store.SubmitClaimed(ctx, cl, c.Lang)
	} else {
		sub, err = c.mux.store.SubmitDraftWithin(ctx, c.Pseudonym, draftID, c.Lang, c.mux.tipLimit())
	}
	if over, err := c.limited(ctx, err); over {
		return err
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return c.Say(ctx, c.whereToWrite("draft_stale"), nil)
	case errors.Is(err, storage.ErrDraftSpooled):
		return c.Say(ctx, "draft_spooled", nil)
	case errors.Is(err, storage.ErrEmptyDraft):
		return c.Say(ctx, c.whereToWrite("draft_none"), nil)
	case errors.Is(err, storage.ErrOnlyReceipts):
		// A receipt code pasted in two goes, and nothing else: no tip,
		// the draft gone; said so, not only that the code was left out.
		return c.Say(ctx, "receipt_only_draft", nil)
	case err != nil:
		return err
	}
	if !sub.Repeat {
		c.mux.log.Info("tip stored", "platform", c.Request.Platform, "tip", sub.TipID)
		c.mux.metrics.TipReceived(c.Request.Platform, sub.Category)
	}
	// The tip is stored: its receipt is the one answer that must get
	// through, so a failed one is sent once more. (Failing again, the
	// reporter sees their Send unanswered and can press it again: the same
	// receipt comes back.)
	text := c.T("sent", map[string]any{"Receipt": sub.Receipt})
	if sub.CodeCut {
		// A receipt code pasted in two goes was left out of the tip: told,
		// as a code cut from one message is.
		text = c.T("receipt_text_dropped", nil) + "\n\n" + text
	}
	if sub.FilesGone > 0 {
		// A file of the draft expired before Send (never silently):
		// the tip went without it.
		text += "\n\n" + c.T("sent_files_gone", nil, sub.FilesGone)
	}
	if err := c.replyReceipt(ctx, Reply{Text: text}); err != nil {
		return err
	}
	// On Discord, its own words: the wipe buttons under it delete only the
	// bot's messages there, the member's own are theirs to delete
	// (wipeWords), said before they press.
	advice := wipeWords(c.Request.Platform, "safety_advice")
	if c.Request.Platform == consolePlatform {
		// The demo plays no one platform's flow: its advice speaks of the
		// real bot, in whichever app.
		advice = "demo_safety_advice"
	}
	if err := c.Reply(ctx, Reply{
		Text:    c.T(advice, map[string]any{"Platform": PlatformName(c.Request.Platform), "Receipt": sub.Receipt}),
		Buttons: c.wipeButtons(),
	}); err != nil {
		// The receipt went out; what follows is still worth trying.
		c.mux.log.Warn("safety advice not delivered", "platform", c.Request.Platform, "error", err.Error())
	}
	if sub.Left == 0 && !sub.Repeat {
		return nil
	}
	// Messages that were not in this tip (added while it was being sent,
	// or after a send whose tidying failed) wait as a new draft. So do
	// those written since, when an earlier tip's Send is pressed again:
	// its receipt alone would read as if they had gone too.
	d, err := c.mux.store.Draft(ctx, c.Pseudonym)
	if errors.Is(err, storage.ErrNotFound) && sub.Repeat {
		return nil
	}
	if err != nil || d.Parts == 0 {
		return err
	}
	return c.Reply(ctx, Reply{Text: c.T("draft_left", nil, d.Parts), Buttons: c.categoryButtons(d)})
}

// replyReceipt sends r, which holds a receipt code: the one answer that
// must get through, so one the platform refuses is sent once more, after
// receiptRetry, on the reply's own time (the request's may be what ran
// out).
func (c *Context) replyReceipt(ctx context.Context, r Reply) error {
	err := c.Reply(ctx, r)
	if err == nil {
		return nil
	}
	c.mux.log.Warn("receipt not delivered; sending it again", "platform", c.Request.Platform, "error", err.Error())
	rctx, cancel := ReplyContext(ctx)
	defer cancel()
	select {
	case <-rctx.Done():
		return err
	case <-time.After(receiptRetry):
	}
	return c.Reply(rctx, r)
}

// consolePlatform is the console adapter's Request.Platform (the demo).
const consolePlatform = "console"

// PlatformName is how people call a platform, for messages that name it.
func PlatformName(platform string) string {
	switch platform {
	case "discord":
		return "Discord"
	default:
		return "Telegram" // the console demo plays the Telegram flow
	}
}

// reportFormID names the tip form; its fields are "tip" and "links".
const reportFormID = "report"

// report opens the tip form where the platform has forms (Discord); on
// others it explains that any message starts a tip, or, with words after
// the command, keeps them as that message.
func report(ctx context.Context, c *Context) error {
	if !c.Request.CanOpenForms {
		if c.mux.reportWithWords(c.Request) {
			// "/report <words>" ("/report@VigiaBot <words>" alike): the
			// words are the tip, kept as the same message without the
			// command would be, not dropped with "write it as a message"
			// (to be typed again). (A file captioned "/report …" never
			// comes here: the mux keeps it as a part.) Words it quotes
			// from another chat go first, as in a message without the
			// command; with no words of its own, they are the tip, and a
			// file that could not come with it is told of as there.
			c.Request.Text = WithQuote(c.Request.Quote, c.Request.Args)
			return c.mux.addToDraft(ctx, c)
		}
		if c.Request.QuoteLost {
			// A bare /report replying to a message in another chat,
			// quoting none of its words: that message is what the
			// reporter means to report, and nothing of it came. Said
			// first (how to send it: quoted, or forwarded), then how a
			// tip is sent; not report_how alone, as if it had been kept.
			return c.Reply(ctx, Reply{Text: c.T("quote_not_received", nil) + "\n\n" + c.T("report_how", nil)})
		}
		return c.Say(ctx, "report_how", nil)
	}
	tipMax, linksMax := c.mux.formLimits()
	return c.Reply(ctx, Reply{Form: &Form{
		ID:    reportFormID,
		Title: c.T("report_form_title", nil),
		Fields: []FormField{
			{ID: "tip", Label: c.T("report_form_tip", nil), Placeholder: c.T("report_form_tip_hint", nil), Long: true, Required: true, MaxLength: tipMax},
			{ID: "links", Label: c.T("report_form_links", nil), Placeholder: c.T("report_form_links_hint", nil), Long: true, MaxLength: linksMax},
		},
	}})
}

// formLimits bounds the tip form's two fields so that, joined, they are
// one message within the message limit: a full form is never refused as
// too long after the reporter typed it (the form is closed by then, and
// cannot be split). Discord's text inputs take at most 4,000 characters.
func (m *Mux) formLimits() (tip, links int) {
	limit := m.limits.MaxMessageRunes - 1 // the line break between them
	links = min(1000, limit/4)
	return max(1, min(4000, limit-links)), max(1, links)
}

// submitReportForm keeps a submitted tip form as a draft part, exactly as if
// its text had been sent as a message.
func (m *Mux) submitReportForm(ctx context.Context, c *Context) error {
	c.Request.Text = formText(c.Request.Form)
	return m.addToDraft(ctx, c)
}

// formText is a submitted tip form as one message: the tip, then the links.
func formText(form map[string]string) string {
	text := strings.TrimSpace(form["tip"])
	if links := strings.TrimSpace(form["links"]); links != "" {
		text += "\n" + links
	}
	return text
}

// formRefusal answers a report form a rate limit refused: it was NOT
// received, and is to be sent again later. What the reporter typed is
// given back to them, quoted, to send again: the closed form keeps none
// of it, and a tip typed out at length is not to be lost. It goes only
// to them, as every answer to them does (ephemeral in a server, in their
// own chat with the bot otherwise, which /wipe clears), never to Redis
// or a log; links come back defanged and commands disarmed, as anywhere
// the bot shows what someone wrote. A form opened in a server whose
// ephemeral answer cannot be given goes by DM without the text (Instead):
// it is not written into a DM history a seized phone shows.
func (c *Context) formRefusal() Reply {
	return Reply{
		Text:    c.T("form_not_received", map[string]any{"Text": quoted(safe(formText(c.Request.Form)))}),
		Instead: c.T("form_not_received_elsewhere", nil),
	}
}

// formNotTaken answers a form the engine takes nowhere or not where it
// was sent (formRefusal's way: what was typed is given back to its member
// alone): it was NOT received, and /report in a private chat is the way.
func (c *Context) formNotTaken() Reply {
	text := formText(c.Request.Form)
	if c.Request.FormID != reportFormID {
		ids := slices.Sorted(maps.Keys(c.Request.Form))
		var parts []string
		for _, id := range ids {
			if v := strings.TrimSpace(c.Request.Form[id]); v != "" {
				parts = append(parts, v)
			}
		}
		text = strings.Join(parts, "\n")
	}
	if text == "" {
		return Reply{Text: c.T("form_not_taken_elsewhere", nil)}
	}
	return Reply{
		Text:    c.T("form_not_taken", map[string]any{"Text": quoted(safe(text))}),
		Instead: c.T("form_not_taken_elsewhere", nil),
	}
}

// spoolReceived is the key of a spooled message's answer: a reply to one
// of the bot's messages may answer an investigator's question at the
// replay (answerSpooled), so it is not told it is a tip of its own.
func spoolReceived(reply bool) string {
	if reply {
		return "spool_received_reply"
	}
	return "spool_received"
}

// spoolTip keeps a message as a tip of its own while Redis is down: it is
// written to the local spool (sealed, fsynced) before the reporter hears
// "received", and moves to Redis when it is back.
func (m *Mux) spoolTip(ctx context.Context, c *Context, part tips.Part, note string) error {
	e := storage.SpoolEntry{
		Pseudonym: c.Pseudonym, EventID: c.Request.EventID, Route: c.Request.Platform + ":" + c.Request.ChatID,
		Language: c.Lang, Part: part, Quoted: strings.TrimSpace(c.Request.Quote) != "",
	}
	if c.Request.ReplyToBot {
		// A reply to one of the bot's messages (a question, which Redis
		// alone can tell): its id, for the replay to route it as the
		// live path would (answerSpooled).
		e.ReplyTo = c.Request.ReplyToID
	}
	receipt, err := m.spool.Append(e)
	if err != nil {
		return fmt.Errorf("spool: %w", err) // the reporter hears it was NOT saved
	}
	// (Not logged here, one line a message: serve's spool counts them,
	// and tells the operator in a few lines, its spoolTally.)
	text := c.T(spoolReceived(e.ReplyTo != ""), map[string]any{"Receipt": receipt})
	if note != "" {
		text += "\n\n" + c.fileNote(note, 1)
	}
	text += c.quoteLostNote("quote_not_received") // (as a draft's answer says)
	if part.Location != nil {
		text += "\n\n" + c.T("location_coarse", nil) // (as a draft's answer says)
	}
	own := c.ownNameSent(part.Text)
	text += own
	// Sent once more if refused: a spooled tip's receipt cannot be had
	// again by pressing Send. Refused again, it is kept (sealed, on the
	// spool's disk) and told with the reporter's next message: a chat the
	// platform refuses twice in a row is seldom reachable seconds later,
	// and a reporter left unanswered writes again.
	err = c.replyReceipt(ctx, Reply{Text: text})
	if err != nil {
		dropped, oerr := m.spool.OweReceipt(storage.OwedReceipt{Pseudonym: c.Pseudonym, EventID: c.Request.EventID, Receipt: receipt, Note: note, QuoteLost: c.Request.QuoteLost, OwnName: own != "", Location: part.Location != nil})
		if oerr != nil {
			m.log.Error("undelivered receipt of a spooled tip not kept for later", "platform", c.Request.Platform, "error", oerr.Error())
		}
		if dropped > 0 {
			m.log.Error("owed receipts over the limit: the oldest dropped, their reporters will not get them (tips kept)", "count", dropped)
		}
	}
	return err
}

// tellOwedReceipts tells the reporter, before their request is answered,
// the receipts of their spooled tips the platform refused (spoolTip). Each
// one delivered is forgotten; the others wait for the next request. It
// reports whether the request is the very message one is owed for,
// delivered again (a restart before the platform heard it was handled):
// that message was answered with its receipt now, or keeps it owed, and
// must not be handled again (it would repeat the same receipt).
func (m *Mux) tellOwedReceipts(ctx context.Context, c *Context) (answered bool) {
	if m.spool == nil {
		return false
	}
	owed := m.spool.OwedReceipts(c.Pseudonym)
	answered = c.Request.EventID != 0 && slices.ContainsFunc(owed, func(o storage.OwedReceipt) bool { return o.EventID == c.Request.EventID })
	var told []int64
	for _, o := range owed {
		text := c.T("spool_receipt_owed", map[string]any{"Receipt": o.Receipt})
		if o.Note != "" {
			text += "\n\n" + c.fileNote(o.Note, 1)
		}
		if o.QuoteLost {
			text += "\n\n" + c.T("quote_not_received", nil)
		}
		if o.Location {
			text += "\n\n" + c.T("location_coarse", nil)
		}
		if o.OwnName {
			text += "\n\n" + c.T("own_name_owed", nil) // of that earlier message, not of the one answered now
		}
		if err := c.Reply(ctx, Reply{Text: text}); err != nil {
			m.log.Warn("owed receipt not delivered; kept for the next message", "platform", c.Request.Platform, "error", err.Error())
			break
		}
		told = append(told, o.EventID)
	}
	if len(told) == 0 {
		return answered
	}
	if err := m.spool.ReceiptsTold(c.Pseudonym, told); err != nil {
		m.log.Warn("owed receipts told but not forgotten", "platform", c.Request.Platform, "error", err.Error())
	}
	return answered
}

// spooledFileNote is what the first answer to a spooled message said of
// a file it carried and the tip does not hold (spoolTip's note), for that
// message delivered again: the file not received from the platform, or
// not stored while Redis was down; kept says the tip holds the file
// after all. Before the replay that cannot be read: a file is then taken
// as not kept (it is not, unless Redis failed between the file and its
// draft), so at worst the reporter sends a kept file again, and never
// believes a lost one kept.
func (c *Context) spooledFileNote(kept bool) string {
	switch {
	case c.Request.FileLost:
		return "\n\n" + c.fileNote(c.fileLost(), 1)
	case c.Request.FileData != nil && !kept:
		return "\n\n" + c.fileNote("spool_file_lost", 1)
	}
	return ""
}

// quoteLostNote is what a message that replied to one in another chat
// quoting none of its words (Request.QuoteLost) is told of them after its
// receipt, spooled or delivered again: they did not come, as a draft's
// answer says (keepPart). "" for any other message. key says it as
// what the message was: quote_not_received for a tip's message (how to
// add them), quote_not_received_answer for an answer (the investigators
// did not get them; a tip of them can still be sent),
// quote_not_received_warning for a /warn (received without them).
func (c *Context) quoteLostNote(key string) string {
	if !c.Request.QuoteLost {
		return ""
	}
	return "\n\n" + c.T(key, nil)
}

// spooledLocationNote is what the first answer to a spooled message said
// of the place it carried (kept to about 1 km, spoolTip), for that
// message delivered again: the first answer may never have gone out.
func (c *Context) spooledLocationNote() string {
	if l := c.Request.Location; l == nil || !tips.Coarsen(l.Lat, l.Lon).Valid() {
		return ""
	}
	return "\n\n" + c.T("location_coarse", nil)
}

// dropFile deletes a file stored for a message that was then refused
// (ref "": none was). Not deleted (Redis failing), it expires as a
// draft's file does, unreadable meanwhile: its key was only in ref.
func (m *Mux) dropFile(ctx context.Context, ref string) {
	if ref == "" {
		return
	}
	if err := m.store.DropFile(ctx, ref); err != nil {
		m.log.Warn("refused message's file not deleted; it expires with a draft's", "error", err.Error())
	}
}

// fileNote is what the reporter is told of n files by note: file_cleaned
// counts them ("this picture", "these 3 pictures": an album's answer
// speaks for all of it).
func (c *Context) fileNote(note string, n int) string {
	if note == "file_cleaned" {
		return c.T(note, nil, n)
	}
	return c.T(note, fileNoteData)
}

// fileLost names what the reporter is told about a file the adapter could
// not hand over: too large to keep (sending it again would not help), or
// not received (send it again).
func (c *Context) fileLost() string {
	if c.Request.FileTooLarge {
		return "file_too_large"
	}
	return "file_not_received"
}

// answerFileLost is fileLost said after an answer was delivered (/reply,
// a reply to a question, a message after Answer): a file not received
// did not reach the investigators, and an answer carries words only, so
// it is sent on its own, as a tip; not "it is not in your tip", which
// no tip is being written to.
func (c *Context) answerFileLost() string {
	if c.Request.FileTooLarge {
		return "file_too_large"
	}
	return "answer_file_not_received"
}

// answerFileAloneLost is fileLost said of a file alone sent as an answer
// (a reply to a question, the message after Answer): not received, it
// is told so and asked for again, as what it would have been (kept as a
// tip's part: an answer carries words only); not "it is not in your
// tip", which no tip was being written to, nor answer_file_not_received's
// "a file that came with your answer", as no answer went.
func (c *Context) answerFileAloneLost() string {
	if c.Request.FileTooLarge {
		return "file_too_large"
	}
	return "answer_file_alone_not_received"
}

// replyFileAloneLost is answerFileAloneLost said of a file alone sent
// with /reply and a code, whose tip has no question open (none asked,
// all answered, or expired): not "to answer the question, write your
// answer in words", as there is none to answer. Redis failing to say,
// or an answer recorded for this message already, it is
// answerFileAloneLost's note.
func (c *Context) replyFileAloneLost(ctx context.Context, id string, answeredBefore bool) string {
	note := c.answerFileAloneLost()
	if note != "answer_file_alone_not_received" || answeredBefore {
		return note
	}
	if _, msg, err := c.mux.openQuestion(ctx, id, 0, false); err == nil && (msg == "answer_none" || msg == "answer_expired") {
		return "reply_file_alone_not_received"
	}
	return note
}

// fileNoteData fills the notes about a file (file_too_large names the
// limit; the others take nothing).
var fileNoteData = map[string]any{"MB": storage.MaxFileSize >> 20}

// cutAcrossParts takes out of a tip stored before such codes were cut
// as tips are stored (storage's cutAcross; t.AcrossCut), before an
// investigator reads it, the receipt codes that run from one of its
// parts into the next (a code pasted in two goes): each part was cut
// alone as it was added, where neither piece reads as a code
// (tips.CutReceiptsAcross). The tip as stored is not changed; Redis is
// asked only when a code-like word crosses parts. Should it fail, those
// words are cut all the same: this is a view, nothing is lost.
func (m *Mux) cutAcrossParts(ctx context.Context, t tips.Tip) tips.Tip {
	if t.AcrossCut {
		return t // cut when it was stored: no lookup for each tip listed
	}
	texts := make([]string, len(t.Content.Parts))
	for i, p := range t.Content.Parts {
		texts[i] = p.Text
	}
	out, cut, err := tips.CutReceiptsAcross(texts, func(codes []string) ([]bool, error) { return m.receiptsKnown(ctx, codes) })
	if err != nil {
		out, cut, _ = tips.CutReceiptsAcross(texts, assumeCodes)
	}
	if !cut {
		return t
	}
	t.Content.Parts = slices.Clone(t.Content.Parts)
	for i := range t.Content.Parts {
		t.Content.Parts[i].Text = out[i]
	}
	return t
}

// receiptFirst is receiptFirst asking receiptsKnown.
func (m *Mux) receiptFirst(ctx context.Context, args string) (string, bool) {
	return receiptFirst(args, func(codes []string) ([]bool, error) { return m.receiptsKnown(ctx, codes) })
}

// receiptsKnown reports which of codes are tips' receipt codes: stored,
// or given to a tip still in the spool.
func (m *Mux) receiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	known, err := m.store.ReceiptsKnown(ctx, codes)
	if err == nil && m.spool != nil {
		for i, code := range codes {
			known[i] = known[i] || m.spool.HoldsReceipt(code)
		}
	}
	return known, err
}

// cutMessageReceipts takes out of a reporter's text and of its hidden
// links (the addresses of links it shows as words), looked up together
// (one lookup for most messages, one for each tips.MaxReceiptCandidates
// codes in a longer one), the receipt codes of tips (any reporter's) written within them:
// investigators would read them (a code in a link as surely as one in
// the text), and a code lets whoever holds it answer questions or delete
// its tip (and ties that tip to this one). A code-like word that is no
// receipt stays (a payment reference is evidence), and so does every one
// while Redis cannot say (a card number cut from a spooled tip would be
// evidence lost). A link left with nothing is dropped. The error is a
// failed lookup's: nothing was cut.
func (m *Mux) cutMessageReceipts(ctx context.Context, text string, links []string) (string, []string, bool, error) {
	// A code may also be written in two pieces, the first in the text,
	// the rest in a link's address ("K7QD-9XMA-R2TP", a link to
	// "…?c=4WZN"): the investigator reads the address after the text.
	out, cut, err := tips.CutMessageReceipts(append([]string{text}, links...), func(codes []string) ([]bool, error) { return m.receiptsKnown(ctx, codes) })
	if !cut {
		return text, links, false, err
	}
	var kept []string
	for i, l := range out[1:] {
		if l != links[i] {
			if l = strings.TrimSpace(l); l == "" {
				continue
			}
		}
		kept = append(kept, l)
	}
	return out[0], kept, true, nil
}

// receiptNoTip reports why code, the receipt of a message spooled in an
// outage, leads to no tip (storage.NoTip: it held receipt codes alone,
// showed nothing, or had gone out in a tip or as an answer already), or "" (a Redis
// error: not known to be).
func (m *Mux) receiptNoTip(ctx context.Context, code string) storage.NoTip {
	why, err := m.store.ReceiptNoTip(ctx, code)
	if err != nil {
		return ""
	}
	return why
}

// noTipReceipt reports whether receiptNoTip has a reason.
func (m *Mux) noTipReceipt(ctx context.Context, code string) bool {
	return m.receiptNoTip(ctx, code) != ""
}

// codesAlone reports whether text is made of code-like words alone (and
// separators), or of one such word parted as a code is shown, with stray
// characters against it:
// nothing (or the strays alone) would be left of it were each a receipt
// code.
// Words shaped like a code of letters alone are not taken for one
// (tips.OldReceipt): only a lookup makes them one.
func codesAlone(text string) bool {
	out, cut, _ := tips.CutReceipts([]string{text}, assumeCodes)
	if !cut {
		return false
	}
	// One word, a code as shown (its groups parted) with stray characters
	// typed against it ("tkABCD-…", "…-WXYZxy"): only the strays are
	// left, no tip (a status check). Letters and digits alone (a vehicle
	// number, a reference) may be no code: spooled.
	return tips.Blank(out[0]) || len(strings.Fields(text)) == 1 && strings.ContainsFunc(text, unicode.IsPunct) &&
		fewStrays(strings.TrimSpace(text), strings.TrimSpace(out[0]))
}

// fewStrays reports whether left, what the cut left of word, is at most
// maxStrays characters of its front and as many of its end: more on one
// side ("INV2024-0001-ABCD-EFGH", read as a code after three) may be a
// reference shaped so, which Redis cannot tell from a code now. Spooled,
// it is cut at the replay only if it is a code (and, its strays alone
// left, is then no tip).
func fewStrays(word, left string) bool {
	for k := range len(left) + 1 {
		if k < len(left) && !utf8.RuneStart(left[k]) {
			continue
		}
		front, end := left[:k], left[k:]
		if utf8.RuneCountInString(front) <= maxStrays && utf8.RuneCountInString(end) <= maxStrays &&
			strings.HasPrefix(word, front) && strings.HasSuffix(word, end) {
			return true
		}
	}
	return false
}

// maxStrays is how many stray characters may be typed against a code's
// front, and as many against its end, in one word (as the cut reads them).
const maxStrays = 2

// assumeCodes answers, where Redis cannot be asked, that every code-like
// word holding a digit is a receipt code, as a drawn one is; none of
// letters alone (tips.OldReceipt), which may be plain words.
func assumeCodes(codes []string) ([]bool, error) {
	all := make([]bool, len(codes))
	for i, code := range codes {
		all[i] = !tips.OldReceipt(code)
	}
	return all, nil
}

// receiptFirst returns the receipt code args start with: all of args, or
// its first one to four words (the code may be typed in 1 to 4 groups, as
// /reply reads it), whatever follows ("/status CODE gracias", as
// reporters type) ignored. Not when another code follows ("/forget CODE1
// CODE2"): only the first would be read, and the reporter told "done"
// while the other tip's route stays; they get the usage, one code a
// command, as before (the same code twice is one). Else the one code with
// a digit anywhere in args, touching an emoji or after words; when the
// code-like words found are the windows of one run of groups ("para esta
// CODE" reads as PARA-ESTA-…, ESTA-…, CODE), the one of them known
// (asked of known once, as the tip-text cut asks it), else the usage.
func receiptFirst(args string, known func(codes []string) ([]bool, error)) (string, bool) {
	if code, ok := tips.NormalizeReceipt(args); ok {
		return code, true
	}
	if code, n, ok := leadingCode(args); ok {
		for _, other := range tips.ReceiptCodesIn(afterFields(args, n)) {
			if other != code && !tips.OldReceipt(other) {
				return "", false
			}
		}
		return code, true
	}
	// A code touching an emoji or a flag ("CODE🇲🇽", "CODE👍", as a
	// reporter on a phone types) or after words ("mi código es CODE"):
	// the one code with a digit args hold (as every code drawn now has),
	// one of letters alone (OldReceipt) not told from words. Two codes
	// are the usage, as above.
	var found []string
	for _, code := range tips.ReceiptCodesIn(args) {
		if !tips.OldReceipt(code) {
			found = append(found, code)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	if len(found) == 0 || !oneRun(found) {
		return "", false
	}
	is, err := known(found)
	if err != nil {
		return "", false
	}
	one := ""
	for i, code := range found {
		if is[i] {
			if one != "" {
				return "", false // two codes of one run known: not told apart
			}
			one = code
		}
	}
	return one, one != ""
}

// oneRun reports whether codes, normalised, are the windows of one run of
// groups in order, each the one before it moved on by a group
// ("PARA-ESTA-AQCE-9JDJ", "ESTA-AQCE-9JDJ-WV9N", "AQCE-9JDJ-WV9N-MTNP"):
// one code typed after words, not two codes.
func oneRun(codes []string) bool {
	for i := 1; i < len(codes); i++ {
		prev, next := strings.Split(codes[i-1], "-"), strings.Split(codes[i], "-")
		if len(prev) < 2 || len(prev) != len(next) || !slices.Equal(prev[1:], next[:len(next)-1]) {
			return false
		}
	}
	return true
}

// receiptAlone returns the receipt code a message is made of, alone or
// after a word ("status", "código"), and whether it is surely one
// (surelyCode): a digit typed in it, as in every code drawn now
// (NewReceipt), or written as a code is shown, its 0s and 1s typed as
// O, I or L; plain words, their L, I and O read as digits, are never
// taken for one. One of
// letters alone (one in 400 drawn before) may be plain words
// ("esta casa para mama"): it is a code only if a tip has it. The word
// may be written against it with punctuation ("t;CODE", "código:CODE"),
// or be one stray letter right against it ("tCODE", a key pressed
// before pasting it): a message of the code after a word is answered
// so however they are parted (strayBefore), not kept in a tip, where
// the code would stay for investigators to read if the cut did not
// read it there (it reads a code standing as a word).
func receiptAlone(text string) (code string, ok, digit bool) {
	// Words counted up to six: a message of sentences (most of them) is
	// not split into words, on every message.
	n := 0
	for range strings.FieldsSeq(text) {
		if n++; n > 5 {
			break
		}
	}
	if n == 0 || n > 5 {
		return "", false, false
	}
	f := strings.Fields(text)
	if code, ok := tips.NormalizeReceipt(text); ok {
		return code, true, surelyCode(text, code)
	}
	if len(f) > 1 && !strings.ContainsAny(f[0], "0123456789") {
		rest := strings.Join(f[1:], " ")
		if code, ok := tips.NormalizeReceipt(rest); ok {
			return code, true, surelyCode(rest, code)
		}
	}
	return strayBefore(text)
}

// surelyCode reports whether s, read as code, is one whether or not a
// tip has it: a digit typed in it (typedDigit), or, its digits all 0 or
// 1 typed as O, I or L (as one reading a code copies it by hand), written
// as a code is shown (shownAsCode). Else it may be prose. Where some of
// its digits are letters (O, I, L: no letter of a code, Crockford's
// alphabet, which has no check character) and others typed, it is one
// only as the scan reads a code in a tip, its groups as a code's
// (scanRead): "narco 2024 sinaloa" reads as NARC-0202-4S1N-A10A only
// once its O, I and L are digits and its words of five and seven
// characters are joined, and is spooled in an outage as the prose it
// is; "k7qd 9xma r2tp 4wzo" is refused, as the cut would take it out.
func surelyCode(s, code string) bool {
	return typedDigit(s) && (allDigitsTyped(s, code) || scanRead(s, code)) || !tips.OldReceipt(code) && shownAsCode(s)
}

// allDigitsTyped reports whether s, read as code, holds as many digits
// typed (of any script, keycaps and circled ones too) as code holds: none
// of its letters read as a digit.
func allDigitsTyped(s, code string) bool {
	typed, digits := 0, 0
	for _, r := range s {
		if unicode.IsNumber(r) {
			typed++
		}
	}
	for _, r := range code {
		if '0' <= r && r <= '9' {
			digits++
		}
	}
	return typed >= digits
}

// scanRead reports whether the scan that cuts codes from a tip's text
// (tips.ReceiptCodesIn) reads code in s.
func scanRead(s, code string) bool {
	return slices.Contains(tips.ReceiptCodesIn(s), code)
}

// shownAsCode reports whether s is written as a receipt code is shown:
// its letters and digits in groups of four (or runs of whole groups,
// "ABCDEFGH"), in capitals, or parted by separators none of them a
// space ("ABCD-EFGH-JKMN-PQRO", "ABCD EFGH JKMN PQRO",
// "abcd-efgh-jkmn-pqro", "ABCDEFGHJKMNPQRO"). Prose is parted by spaces
// into words of other lengths ("piso en la farmacia", "ARMED MEN AT
// SCHOOL"), or is not in capitals ("Hoje pago taxa alta",
// "Responsabilidade"): spooled in an outage, it is never refused.
func shownAsCode(s string) bool {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	capitals, parted, spaced, run := true, false, false, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			run++
			capitals = capitals && !unicode.IsLower(r)
		case run%4 != 0:
			return false
		default:
			run, parted, spaced = 0, true, spaced || unicode.IsSpace(r)
		}
	}
	return run%4 == 0 && (capitals || parted && !spaced)
}

// typedDigit reports whether s holds a digit as it was typed (of any
// script, keycaps and circled ones too), not a letter a code reads as
// one (L, I, O as 1, 1, 0): sixteen letters of prose ("Cobran piso en
// la farmacia", whose "piso en la farmacia" reads as
// P1S0-EN1A-FARM-AC1A) hold none, so that while Redis cannot say whether
// a tip has such a code, prose is spooled, not refused.
func typedDigit(s string) bool {
	return strings.ContainsFunc(s, unicode.IsNumber)
}

// strayBefore returns the receipt code text is made of after a word
// written against it, letters then punctuation ("t;CODE", "t-CODE",
// "código:CODE"), or after one letter right against it, its first word
// less the letter being one or more of its groups ("tCODE", "t_CODE",
// "tK7QD; 9XMA; …": not "Esta es la camioneta", whose "sta es la
// camioneta" reads as sixteen characters), and whether it is surely a
// code (surelyCode): a digit written as a digit, not a letter read as
// one (L, I, O), unless written as a code is shown, so that prose is
// never refused as a code while Redis cannot say.
func strayBefore(text string) (code string, ok, digit bool) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	first, size := utf8.DecodeRuneInString(text)
	if !unicode.IsLetter(first) {
		return "", false, false
	}
	var rest string
	word, _, _ := strings.Cut(text[size:], " ")
	if n := strings.Count(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return 'x'
		}
		return -1
	}, word), "x"); n > 0 && n%4 == 0 {
		rest = text[size:] // one stray letter
	} else if i := strings.IndexFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }); i > 0 {
		if r, _ := utf8.DecodeRuneInString(text[i:]); unicode.IsPunct(r) {
			rest = text[i:] // a word, then punctuation
		}
	}
	if code, ok := tips.NormalizeReceipt(rest); ok && rest != "" && wholeGroups(rest) {
		return code, true, surelyCode(rest, code)
	}
	return "", false, false
}

// wholeGroups reports whether each word of s holds whole groups of a
// code (a multiple of four letters and digits: "K7QD-9XMA-…", "K7QD;",
// "K7QD9XMA"), as a code written after a stray letter or word does, and
// prose after a capital does not ("Vimos 2 carros rojos": "imos 2
// carros rojos" reads as sixteen characters, one a digit, which in an
// outage would be refused as a code not looked up). A keycap ("1️⃣") is
// no character of a word: one stands apart between groups.
func wholeGroups(s string) bool {
	for w := range strings.FieldsSeq(s) {
		n, lastDigit := 0, false
		for _, r := range w {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				n, lastDigit = n+1, unicode.IsDigit(r)
			case r == '\u20e3' && lastDigit:
				n, lastDigit = n-1, false
			}
		}
		if n%4 != 0 {
			return false
		}
	}
	return true
}
