package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// subscribe is /subscribe [regions…] in a group or channel: only a chat
// administrator, as the platform says, may subscribe the chat.
func subscribe(ctx context.Context, c *Context) error {
	chat := c.chatForSubscription()
	if chat == "" {
		return c.Say(ctx, "subscribe_private", nil)
	}
	checker, ok := c.w.(ChatAdminChecker)
	if !ok {
		return c.Say(ctx, "subscribe_not_admin", nil)
	}
	admin, err := checker.IsChatAdmin(ctx)
	if err != nil {
		return err
	}
	if !admin {
		return c.Say(ctx, "subscribe_not_admin", nil)
	}
	if poster, ok := c.w.(ChatPostChecker); ok {
		can, err := poster.CanPost(ctx)
		if err != nil {
			return err
		}
		if !can {
			return c.Say(ctx, "subscribe_cannot_post", nil)
		}
	}
	regions, refusal, data := parseRegions(c.Request.Args)
	if refusal != "" {
		return c.Say(ctx, refusal, data)
	}
	// The chat's own language where the platform has one (a Discord
	// server's), else the language of the admin who subscribed it.
	lang := c.mux.msg.Match(c.Request.ChatLanguage)
	if lang == "" {
		lang = c.Lang
	}
	err = c.mux.store.Subscribe(ctx, storage.Subscription{Platform: c.Request.Platform, Chat: chat, Language: lang, Regions: regions})
	if err != nil {
		return err
	}
	data = map[string]any{"Language": c.mux.msg.Localize(lang, "lang_name", nil)}
	if len(regions) == 0 {
		return c.Say(ctx, "subscribe_done", data)
	}
	// Shown as kept, so an admin who wrote "norte sur" for two regions
	// sees one, and the hint, before a warning goes astray.
	data["Regions"] = "• " + safe(strings.Join(regions, "\n• "))
	return c.Say(ctx, "subscribe_done_regions", data)
}

// maxRegions and maxRegionRunes bound a subscription's regions.
const (
	maxRegions     = 10
	maxRegionRunes = 60
)

// regionSeparator reports whether r ends a region: a comma, or a line
// break of any kind (a list copied from an app may end its lines with
// U+2028, U+2029 or NEL rather than "\n").
func regionSeparator(r rune) bool {
	switch r {
	case ',', '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// parseRegions reads /subscribe's regions: separated by commas or line
// breaks (a list written one a line), each of one or more words ("Ciudad
// Juárez, Zona 1"); spaces do not separate regions, or "Ciudad Juárez"
// would take every warning naming any "ciudad". Each is kept normalised (storage.NormalizeRegion). It returns
// the message refusing them, and its data, if any cannot be matched or
// there are too many: nothing is subscribed then, rather than a
// subscription that silently takes more, or less, than asked.
func parseRegions(args string) (regions []string, refusal string, data map[string]any) {
	limits := map[string]any{"Max": maxRegions, "MaxChars": maxRegionRunes}
	for _, raw := range strings.FieldsFunc(args, regionSeparator) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue // "norte, , sur" or a trailing comma
		}
		if utf8.RuneCountInString(raw) > maxRegionRunes {
			return nil, "subscribe_too_many_regions", limits
		}
		region, ok := storage.NormalizeRegion(raw)
		if !ok {
			return nil, "subscribe_bad_region", map[string]any{"Text": safe(raw)}
		}
		if slices.Contains(regions, region) {
			continue // "Norte, norte": one region, which counts once
		}
		if len(regions) == maxRegions {
			return nil, "subscribe_too_many_regions", limits
		}
		regions = append(regions, region)
	}
	if len(regions) == 0 && strings.TrimSpace(args) != "" {
		// Only commas: not "every warning", which the admin did not ask for.
		return nil, "subscribe_bad_region", map[string]any{"Text": safe(strings.TrimSpace(args))}
	}
	return regions, "", nil
}

// chatForSubscription is the group or channel the command was run in, or
// "" in a private chat.
func (c *Context) chatForSubscription() string {
	if c.Request.ChannelID != "" {
		return c.Request.ChannelID
	}
	if c.Request.ChatKind == Private {
		return ""
	}
	return c.Request.ChatID
}

func unsubscribe(ctx context.Context, c *Context) error {
	chat := c.chatForSubscription()
	if chat == "" {
		return c.Say(ctx, "unsubscribe_private", nil)
	}
	checker, ok := c.w.(ChatAdminChecker)
	if !ok {
		return c.Say(ctx, "subscribe_not_admin", nil)
	}
	if admin, err := checker.IsChatAdmin(ctx); err != nil || !admin {
		if err != nil {
			return err
		}
		return c.Say(ctx, "subscribe_not_admin", nil)
	}
	err := c.mux.store.Unsubscribe(ctx, c.Request.Platform, chat)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "unsubscribe_none", nil)
	}
	if err != nil {
		return err
	}
	return c.Say(ctx, "unsubscribe_done", nil)
}

// ChatMover is what an adapter tells when a chat's id changed but not its
// community (a Telegram group upgraded to a supergroup); *Mux is one.
type ChatMover interface {
	ChatMoved(ctx context.Context, platform, from, to string) error
}

// ChatMoved moves the chat's subscription, and what is queued for it, to
// its new id: the platform sends nothing to the old one any more.
func (m *Mux) ChatMoved(ctx context.Context, platform, from, to string) error {
	m.teamChatMoved(ctx, platform, from, to) // an investigators' chat: followed
	return m.store.MoveSubscription(ctx, platform, from, to)
}

// MovedError is returned (wrapped) by a Sender when the chat has a new id
// (Telegram's migrate_to_chat_id): nothing was delivered, and To is the
// chat's id now, for ChatMoved. Its message never holds To: chat ids stay
// out of errors and logs.
type MovedError struct{ To string }

func (e *MovedError) Error() string { return "chat moved to a new id (withheld)" }

// Unwrap makes it an ErrRefused: nothing was delivered to (or deleted in)
// the old chat, wherever an outcome is classified.
func (e *MovedError) Unwrap() error { return ErrRefused }

// warn is /warn text: a community warning, for review before anything is
// published. In a group see warnInGroup.
func warn(ctx context.Context, c *Context) error {
	// After the words it quotes from another chat (Request.Quote, a
	// private chat's: a threat seen elsewhere), as a tip keeps them.
	text := WithQuote(c.Request.Quote, strings.TrimSpace(c.Request.Args))
	if c.Request.ChatKind != Private && c.Request.WordsBefore {
		// "Atención vecinos @VigiaBot /warn hay halcones": the words before
		// the command are the warning's too, not to be dropped unseen.
		text = strings.TrimSpace(c.Request.TextBefore + " " + text)
	}
	// An invitation code seen in a group is void: anyone there could
	// redeem it first (as in any message to the bot there).
	// (A link shown as words is in view too: a tap opens it.)
	voided := c.Request.ChatKind != Private && c.mux.voidInvitations(ctx, c, tips.MessageCodesIn(append([]string{text}, c.Request.HiddenLinks...)))
	// Receipt codes go, as from a tip's text: investigators review the
	// warning and communities may read it, and a code acts on its tip.
	// Links shown as words ("aquí", pointing to the extortionist's
	// account) are kept as a tip's are: each address on a line after the
	// text, so investigators, and communities once it is published, read
	// where it pointed (defanged, as all relayed text) instead of losing
	// it or following words to an address they cannot see.
	hidden := c.Request.HiddenLinks
	if c.Request.ChatKind != Private {
		// A link behind words to the sender's own account (the adapter
		// hands it on as "@username") is not kept: the sender never saw
		// the address, and in a group no note may say whose it is.
		hidden = slices.DeleteFunc(slices.Clone(hidden), func(l string) bool { return namedBySender(&c.Request, l) })
	}
	text, links, codeCut, err := c.mux.cutMessageReceipts(ctx, text, hidden)
	if codeCut && c.Request.Quote != "" {
		text = tips.WithoutEmptiedQuoteLines(text)
	}
	if err != nil {
		// Not known which code-like words are receipt codes: stored
		// uncut, a code would reach investigators and communities. Not
		// kept; the reporter hears it was NOT saved (storageDownReply).
		return fmt.Errorf("warn: receipt codes: %w", err)
	}
	text = strings.TrimSpace(text)
	if blank(text) {
		text = "" // zero-width spaces alone: nothing to warn of
	}
	// The limit on a message counts what was typed, as a tip's does: not
	// the hidden links' addresses, nor a quote (typedRunes).
	typed := typedRunes(text, c.Request.Quote)
	if text = strings.TrimSpace(withLinks(text, links)); blank(text) {
		text = ""
	}
	if c.Request.ChatKind != Private {
		return warnInGroup(ctx, c, text, typed, voided)
	}
	if text == "" && codeCut {
		return c.Say(ctx, "receipt_only_warning", nil) // a code alone: no warning, said so
	}
	if text == "" {
		return c.sayWithAdvice(ctx, "warn_usage", nil)
	}
	if typed > c.mux.limits.MaxMessageRunes {
		// Not message_too_long's "split it into parts": each part would be
		// a warning of its own, reviewed and published on its own (one
		// maybe, the others not, or in another order), and a community
		// would read pieces. A warning goes out whole, as /publish's text
		// does (publish_too_long): it is to be shortened.
		return c.Say(ctx, "warn_too_long", map[string]any{"Max": c.mux.limits.MaxMessageRunes})
	}
	// A warning is a tip: it counts against the reporter's limit on tips
	// (the same count as the tips they send), before anything is stored;
	// one delivered again was counted the first time.
	seen, err := c.mux.store.WarningSeen(ctx, c.Pseudonym, c.Request.EventID)
	if err != nil {
		return err
	}
	if l := c.mux.tipLimit(); l != nil && !seen {
		if ok, err := c.mux.allow(ctx, c, l.Kind, l.Max); err != nil || !ok {
			return err // over the limit: told once, then silence
		}
	}
	route := c.Request.Platform + ":" + c.Request.ChatID
	sub, err := c.mux.store.SubmitWarning(ctx, c.Pseudonym, tips.Neutralize(text), c.Lang, c.Request.EventID, route)
	if errors.Is(err, storage.ErrDuplicateEvent) {
		return nil // redelivered (the bot restarted first): answered then
	}
	if err != nil && sub.TipID == "" {
		return err
	}
	if err != nil {
		// A tip id with an error: stored, only not marked a warning (as
		// storeGroupWarning). Told NOT saved, the reporter would send it
		// again: a second tip. The log line carries no user data.
		c.mux.log.Warn("warning stored, not marked", "platform", c.Request.Platform, "error", err.Error())
	}
	reply := c.T("warn_received", map[string]any{"Receipt": sub.Receipt}) + c.quoteLostNote("quote_not_received_warning") + "\n\n" + c.warnAdvice()
	if codeCut {
		reply = c.T("receipt_text_dropped", nil) + "\n\n" + reply
	}
	// Signed with the sender's own name ("Saludos, Rosa Gómez", their
	// @username): kept as written, for investigators and maybe the
	// communities, who cannot tell it is the sender's. Pointed out as in
	// a spooled tip or an answer (nothing to cancel), after "reviewed
	// ... without your name", which it would otherwise belie. (Not in a
	// group: the answer there would tell the group whose name it is.)
	reply += c.ownNameSent(text)
	if err := c.Reply(ctx, Reply{Text: reply}); err != nil || !c.Request.FileLost {
		return err
	}
	// A file it came with that could not be received (too large, or the
	// file of the message it replied to in another chat): told, as after
	// an answer (a warning holds words only: a file goes as a tip).
	if c.Request.FileTooLarge {
		return c.Say(ctx, "file_too_large", fileNoteData)
	}
	return c.Say(ctx, "warn_file_not_received", nil)
}

// warnInGroup is /warn in a group, where its message shows its sender's
// name to everyone there. Whatever comes of it the message is removed where
// the bot may, stored or not: a refused warning left in view would name
// its sender as much as an accepted one. The answer says nothing of the
// sender: a refusal is one neutral "not received, send it privately",
// never why (that they are over their limit on tips would tell the group
// they send many), and the sender, told, can send it again in private.
//
// typed is how many characters of text were typed (not hidden links'
// addresses); voided is whether an invitation code in it was voided: the
// group is told.
func warnInGroup(ctx context.Context, c *Context, text string, typed int, voided bool) error {
	stored, err := c.storeGroupWarning(ctx, text, typed)
	if err != nil {
		// Answered below; the log line carries no user data.
		c.mux.log.Warn("group warning not stored", "platform", c.Request.Platform, "error", err.Error())
	}
	removed, posted := true, true
	if ok, err := c.removeRequest(ctx); ok && err != nil { // (removed before Redis was asked anything: see Handle)
		c.mux.log.Info("warning message not deleted (no right?)", "platform", c.Request.Platform)
		removed = false
	} else if !ok {
		// Nothing to remove: a Discord slash command, whose words the
		// channel was never shown (answered to the member alone).
		posted = false
	}
	// "Removed from the chat, but the group's administrators may still
	// see it": not of a command that was never posted (on Discord, its
	// "_server" words).
	told := func(id string) string {
		if !posted {
			id = c.inServer(id)
		}
		return c.T(id, nil)
	}
	var answer string
	switch {
	case text == "":
		answer = c.T("warn_usage", nil) + "\n\n" + c.warnAdvice()
	case !stored && removed:
		answer = told("warn_group_refused")
	case !stored:
		answer = c.T("warn_group_refused_not_removed", nil)
	case removed:
		answer = told("warn_group_received") + "\n\n" + c.warnAdvice()
	default:
		// Where the bot may not delete it, the group is not told it was
		// removed: the sender is asked to delete it now.
		answer = c.T("warn_group_not_removed", nil) + "\n\n" + c.warnAdvice()
	}
	if voided {
		answer += "\n\n" + c.voidedInView()
	}
	return c.Reply(ctx, Reply{Text: answer})
}

// storeGroupWarning stores a warning posted in a group, as warn does in
// private but without a word to the sender: it reports whether the warning
// is stored (now, or before if the platform delivered it again). Empty,
// too long, signed with the sender's own name (namedBySender) or over the
// sender's limit on tips, it is not.
func (c *Context) storeGroupWarning(ctx context.Context, text string, typed int) (bool, error) {
	if text == "" || typed > c.mux.limits.MaxMessageRunes {
		return false, nil
	}
	seen, err := c.mux.store.WarningSeen(ctx, c.warner(), c.Request.EventID)
	if err != nil {
		return false, err
	}
	if !seen && namedBySender(&c.Request, text) {
		// Signed with the sender's own name, username or nickname
		// ("Saludos, Rosa Gómez"): kept, it would tell investigators who
		// sent it, and, published, every community it goes to, beyond
		// the group that saw it. The group cannot be told why (the answer
		// would say whose name it holds): refused as any other, "send it
		// privately", where the sender is told of their name
		// (ownNameSent). (One stored before, delivered again, stays
		// stored: seen.)
		return false, nil
	}
	if l := c.mux.tipLimit(); l != nil && !seen {
		// Not c.mux.allow: it would answer "you are sending a lot" here.
		if ok, _, err := c.mux.store.Allow(ctx, c.Pseudonym, l.Kind, l.Max, l.Window); err != nil || !ok {
			return false, err
		}
	}
	// No route back: an answer to the group would show who is asked.
	sub, err := c.mux.store.SubmitWarning(ctx, c.warner(), tips.Neutralize(text), c.Lang, c.Request.EventID, "")
	if errors.Is(err, storage.ErrDuplicateEvent) {
		return true, nil
	}
	// A tip id with an error: stored, only not marked a warning.
	return sub.TipID != "", err
}

// warner is the pseudonym a group warning is stored under: its sender's.
// Warnings posted as a chat (a channel's, an anonymous admin's) all count
// as one reporter of their platform, each chat's kept apart otherwise:
// anyone can make channels without end, and three of one person's must
// not corroborate a name as three reporters would (the sender's limit on
// tips stays the chat's).
func (c *Context) warner() string {
	if !c.Request.PostedAsChat {
		return c.Pseudonym
	}
	return c.mux.store.Pseudonym(c.Request.Platform, "posted as a chat") + ":" + c.Pseudonym
}

// sayWithAdvice replies with message id followed by the advice to leave
// out of a warning whatever identifies its sender: investigators review a
// warning, but its text is what communities may read.
func (c *Context) sayWithAdvice(ctx context.Context, id string, data map[string]any) error {
	return c.Reply(ctx, Reply{Text: c.T(id, data) + "\n\n" + c.warnAdvice()})
}

// warnAdvice is the advice to leave out of a warning whatever identifies
// its sender, and where to send one: on Discord (warn_advice_discord)
// with /warn or by direct message, never posted in a server's channel,
// not Telegram's "private chat" and groups' "Recent actions".
func (c *Context) warnAdvice() string {
	if c.Request.Platform == "discord" {
		return c.T("warn_advice_discord", nil)
	}
	return c.T("warn_advice", nil)
}

// cbPublish prefixes the button under a warning's preview:
// "pub:<id>:<revision>" approves exactly the text that preview showed.
const cbPublish = "pub:"

// publish is /publish ID [edited text]. Without a text it shows what would
// go out, flags what looks identifying, and offers a button that approves
// exactly that text; with one, it approves the text the investigator
// wrote. With enough different investigators approving the same text, it
// goes to every matching community.
func publish(ctx context.Context, c *Context) error {
	idArg, text := firstWord(c.Request.Args)
	id, ok, err := c.tipNumber(ctx, idArg, "publish_usage", nil)
	if !ok {
		return err
	}
	if ok, err := c.isWarning(ctx, id, "publish_not_warning"); !ok || err != nil {
		return err
	}
	a, ok, err := c.mayPublish(ctx, id)
	if !ok || err != nil {
		return err
	}
	text = strings.TrimSpace(tips.Neutralize(text))
	if blank(text) {
		return c.previewPublication(ctx, id, "")
	}
	if len([]rune(text)) > c.mux.limits.MaxMessageRunes {
		// One text is published: a second /publish replaces it, so it
		// cannot be sent in parts (as message_too_long would tell).
		return c.Say(ctx, "publish_too_long", map[string]any{"Max": c.mux.limits.MaxMessageRunes, "ID": id})
	}
	if c.holdsReceipt(ctx, text) {
		return c.sayHoldsCode(ctx) // it would go out to every community
	}
	a.Text = text
	return c.approvePublication(ctx, id, a)
}

// publishButton is the button under a preview: an approval of the text
// shown, if it is still the text.
func (m *Mux) publishButton(ctx context.Context, c *Context, data string) error {
	if c.Role < Investigator {
		return c.teamButtonRefused(ctx)
	}
	idArg, rev, _ := strings.Cut(strings.TrimPrefix(data, cbPublish), ":")
	id, ok := buttonTipID(idArg)
	revision, err := strconv.Atoi(rev)
	if !ok || err != nil || revision < 0 {
		return c.forgedButton(ctx)
	}
	if ok, err := m.teamAction(ctx, c, storage.AuditEntry{Action: "publish", Args: id, Note: storage.NoteButton}, false); err != nil || !ok {
		return err
	}
	if ok, err := c.isWarning(ctx, id, "publish_not_warning"); !ok || err != nil {
		return err
	}
	a, ok, err := c.mayPublish(ctx, id)
	if !ok || err != nil {
		return err
	}
	a.Revision = revision
	return c.approvePublication(ctx, id, a)
}

// mayPublish reports whether warning id may be published as its triage
// stands, and the approval to give if so: the tip it is marked a duplicate
// of, if it is (the approval is refused if that changed since), and the
// number of the decision seen (it stands in for that decision's lost
// after-step, see storage.PublishApproval); if it was dismissed, or is a
// duplicate (see notDuplicate), it says so. Communities read what goes out as verified (its header says
// so): a warning the team dismissed, a hoax
// maybe, must not go out on one investigator's approval who did not see
// that, nor on a button shown before it was dismissed.
func (c *Context) mayPublish(ctx context.Context, id string) (a storage.PublishApproval, ok bool, err error) {
	t, err := c.mux.store.Tip(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return a, false, c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	case err != nil:
		return a, false, err
	case t.Status == tips.StatusDuplicate:
		chain, ok, err := c.notDuplicate(ctx, id, t.DuplicateOf)
		return storage.PublishApproval{DuplicateOf: t.DuplicateOf, Decision: t.Decision, Chain: chain}, ok, err
	case t.Status != tips.StatusDismissed:
		return storage.PublishApproval{Decision: t.Decision}, true, nil
	}
	return a, false, c.sayDismissed(ctx, id)
}

// sayDismissed says why dismissed warning id is not published.
func (c *Context) sayDismissed(ctx context.Context, id string) error {
	// Published before it was dismissed: that is what matters now (it
	// cannot go out again, whatever its status), and, while its copies
	// may be up, how to take it down.
	if published, err := c.mux.store.Published(ctx, id); err != nil || !published {
		if err != nil {
			return err
		}
		return c.Say(ctx, "publish_dismissed", map[string]any{"ID": id})
	}
	text := c.T("publish_already", map[string]any{"ID": id})
	if out, err := c.mux.store.CopiesOut(ctx, id); err != nil {
		return err
	} else if out {
		text += "\n\n" + c.T("triage_dismissed_published", map[string]any{"ID": id})
	}
	return c.Reply(ctx, Reply{Text: text})
}

// notDuplicate reports whether warning id, marked a duplicate of tip
// orig, may be published, with the tips on the way to its original as
// they were read (see original); if not, it says why and how to proceed. Not if
// a warning on the way to its original was published (see original): the
// communities have it already (a retracted one was withdrawn on purpose);
// nor if a warning is on the way, the one the team keeps, to publish
// instead, or both could go out. A duplicate of a reporter's tip (never
// published) or of a tip gone may be: nothing would go out twice.
func (c *Context) notDuplicate(ctx context.Context, id, orig string) ([]storage.ChainLink, bool, error) {
	if published, err := c.mux.store.Published(ctx, id); err != nil || published {
		if err != nil {
			return nil, false, err
		}
		return nil, false, c.Say(ctx, "publish_already", map[string]any{"ID": id})
	}
	keep, published, chain, long, err := c.original(ctx, id, orig)
	var unreadable unreadableTip
	if errors.As(err, &unreadable) {
		// A tip on the way to its original cannot be read: whether a
		// warning beyond it is out cannot be known, so it does not go.
		return nil, false, c.Say(ctx, "triage_unreadable", map[string]any{"ID": string(unreadable)})
	} else if err != nil {
		return nil, false, err
	}
	if long && published == "" {
		// Not read to its end: a warning beyond may be out already.
		return nil, false, c.Say(ctx, "publish_chain_too_long", map[string]any{"ID": id, "Max": maxDuplicateHops + 1})
	}
	if published != "" {
		return nil, false, c.Say(ctx, "publish_duplicate_published", map[string]any{"ID": id, "Other": published})
	}
	if keep == "" {
		return chain, true, nil
	}
	return nil, false, c.Say(ctx, "publish_duplicate", map[string]any{"ID": id, "Other": keep})
}

// original follows, from tip orig that warning id is marked a duplicate
// of, the marks made since (orig itself marked a duplicate of another, and
// so on) to the original the team keeps, as /triage marks a duplicate of
// a duplicate: a warning in the middle is refused as a duplicate too, so
// naming it would send the team from one refusal to another. It returns
// the warning the team keeps: the last on the way, nearest the original
// (one whose own marks lead to no other warning, so /publish takes it; a
// tip purged since stands for none), "" if there is none on the way (a
// duplicate of a reporter's tip, or of a tip gone); and the first warning
// on the way that was published, if any. And the tips it read on the way,
// each with the number of the decision it had then: an approval given on
// this reading is refused if one of them was decided since (marked a
// duplicate of a warning, maybe: see storage.PublishApproval.Chain). long
// is set when the way goes on past maxDuplicateHops+1 tips, unread: a
// warning beyond, published maybe, is not known (keep and published say
// what was read).
func (c *Context) original(ctx context.Context, id, orig string) (keep, published string, chain []storage.ChainLink, long bool, err error) {
	seen := map[string]bool{id: true}
	for hops := 0; orig != "" && !seen[orig]; hops++ {
		if hops > maxDuplicateHops {
			long = true
			break
		}
		seen[orig] = true
		t, err := c.mux.store.Tip(ctx, orig)
		if errors.Is(err, storage.ErrNotFound) {
			break
		} else if errors.Is(err, storage.ErrSealed) {
			return "", "", nil, false, unreadableTip(orig) // its key damaged: said as such
		} else if err != nil {
			return "", "", nil, false, err
		}
		chain = append(chain, storage.ChainLink{ID: orig, Decision: t.Decision})
		if ofWarning, err := c.isWarningStored(ctx, orig); err != nil {
			return "", "", nil, false, err
		} else if ofWarning {
			keep = orig
			if published == "" {
				if pub, err := c.mux.store.Published(ctx, orig); err != nil {
					return "", "", nil, false, err
				} else if pub {
					published = orig
				}
			}
		}
		if t.Status != tips.StatusDuplicate {
			break
		}
		orig = t.DuplicateOf
	}
	return keep, published, chain, long, nil
}

// unreadableTip is the error of original for a tip on the way to a
// duplicate's original that can no longer be read (storage.ErrSealed).
type unreadableTip string

func (u unreadableTip) Error() string { return "tip " + string(u) + " cannot be read" }

// isWarningStored reports whether tip id ("" for none) is a community
// warning still stored: a duplicate of one is not published (see
// notDuplicate).
func (c *Context) isWarningStored(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	kind, err := c.mux.store.Kind(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil && kind == "warning", err
}

// isWarning reports whether tip id is a community warning; if not, it
// says so: with message notWarning, which names what only a warning can be
// (published, retracted).
func (c *Context) isWarning(ctx context.Context, id, notWarning string) (bool, error) {
	kind, err := c.mux.store.Kind(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	case err != nil:
		return false, err
	case kind != "warning":
		return false, c.Say(ctx, notWarning, map[string]any{"ID": id})
	}
	return true, nil
}

// approvePublication records a's approval of publishing warning id and
// says what came of it.
func (c *Context) approvePublication(ctx context.Context, id string, a storage.PublishApproval) error {
	a.By, a.Needed, a.OnTeam = c.claimer(), c.mux.approvals, c.mux.stillOnTeam
	res, err := c.mux.store.ApprovePublication(ctx, id, a)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	case err != nil:
		return err
	case res.Already:
		return c.Say(ctx, "publish_already", map[string]any{"ID": id})
	case res.Unreadable:
		return c.Say(ctx, "publish_unreadable", map[string]any{"ID": id})
	case res.Dismissed:
		// Dismissed as this approval was given: it counts for nothing.
		return c.Say(ctx, "publish_dismissed", map[string]any{"ID": id})
	case res.Duplicate:
		// Marked a duplicate (of another) as this approval was given: it
		// counts for nothing; why, as /publish would say now.
		if _, ok, err := c.mayPublish(ctx, id); !ok || err != nil {
			return err
		}
		if res.Chain {
			// Not the warning: a tip on its way to the original (see
			// storage.PublishApproval.Chain).
			return c.Say(ctx, "publish_chain_triaged", map[string]any{"ID": id})
		}
		return c.Say(ctx, "publish_triaged", map[string]any{"ID": id})
	case res.PublishedDuplicate != "":
		// A tip marked a duplicate of it went out already: the
		// communities have this warning.
		return c.Say(ctx, "publish_duplicate_of_it_published", map[string]any{"ID": id, "Other": res.PublishedDuplicate})
	case res.TooManyDuplicates:
		return c.Say(ctx, "publish_too_many_duplicates", map[string]any{"ID": id, "Max": storage.MaxDuplicates})
	case res.Changed:
		// Edited by someone else since this investigator saw it: they
		// see the new text before anything counts.
		return c.previewPublication(ctx, id, c.T("publish_changed", map[string]any{"ID": id}))
	case res.Resumed:
		return c.Say(ctx, "publish_resumed", map[string]any{"ID": id})
	case res.Communities == 0 && !res.Held:
		// (Held: recorded all the same, for the destinations queued.)
		return c.sayNoCommunity(ctx, id, res.Regions)
	case res.Started:
		return c.Say(ctx, "publish_started", map[string]any{"ID": id, "Count": res.Communities}, res.Communities)
	}
	return c.Say(ctx, "publish_waiting", map[string]any{"ID": id, "Count": res.Approvals, "Needed": c.mux.approvals}, res.Approvals)
}

// previewPublication shows, after intro if any, exactly what publishing
// warning id would send now, what in it looks identifying, and the button
// that approves that text.
func (c *Context) previewPublication(ctx context.Context, id, intro string) error {
	p, err := c.mux.store.PendingPublication(ctx, id, c.mux.stillOnTeam)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	case err != nil:
		return err
	case p.Published && !p.Held:
		return c.Say(ctx, "publish_already", map[string]any{"ID": id})
	case p.Held && p.Unreadable:
		// Its delivery is stopped: said as its notice says it, which
		// whoever asks may never have got (sent after the hold was
		// recorded: a crash, or a chat out of reach, loses it).
		return c.Say(ctx, "publish_held", map[string]any{"ID": id})
	case p.Unreadable:
		// Never the warning as it was sent in its place: only an edit.
		return c.Say(ctx, "publish_unreadable", map[string]any{"ID": id})
	case p.Communities == 0 && !p.Held:
		return c.sayNoCommunity(ctx, id, p.Regions)
	}
	if !p.Held {
		// A tip marked a duplicate of it went out: the approval would be
		// refused, so no preview of what cannot go out (a held delivery
		// was published already: its approval does not check).
		if dup, tooMany, err := c.mux.store.PublishedDuplicate(ctx, id); err != nil {
			return err
		} else if dup != "" {
			return c.Say(ctx, "publish_duplicate_of_it_published", map[string]any{"ID": id, "Other": dup})
		} else if tooMany {
			return c.Say(ctx, "publish_too_many_duplicates", map[string]any{"ID": id, "Max": storage.MaxDuplicates})
		}
	}
	var out []string
	if intro != "" {
		out = append(out, intro)
	}
	// As the broadcaster sends it (its header in each community's language).
	header := c.T("broadcast_header", map[string]any{"Date": c.mux.now().UTC().Format("2006-01-02")})
	out = append(out,
		c.T("publish_preview", map[string]any{"ID": id, "Count": p.Communities}, p.Communities),
		header+"\n\n"+safe(p.Text))
	if found := c.identifying(p.Text); len(found) > 0 {
		out = append(out, c.T("publish_identifying", nil)+"\n"+strings.Join(found, "\n"))
	}
	out = append(out, c.T("publish_check", nil))
	if c.mux.approvals > 1 {
		out = append(out, c.T("publish_approvals", map[string]any{"Count": p.Approvals, "Needed": c.mux.approvals}, p.Approvals))
	}
	out = append(out, c.T("publish_confirm", map[string]any{"ID": id}))
	return c.Reply(ctx, Reply{
		Text:      strings.Join(out, "\n\n"),
		Buttons:   [][]Button{{{Label: c.T("button_publish", nil), Data: cbPublish + id + ":" + strconv.Itoa(p.Revision)}}},
		Protected: true,
	})
}

// identifying lists, one "• kind: value" line each, what in text looks
// like it could identify someone: phone numbers, e-mail addresses,
// accounts, links and wallets. Names it cannot see.
func (c *Context) identifying(text string) []string {
	var out []string
	found := tips.Extract(text, c.mux.region)
	for _, e := range found {
		switch e.Kind {
		case tips.KindPhone, tips.KindEmail, tips.KindHandle, tips.KindURL, tips.KindWallet:
		default:
			continue
		}
		if e.Kind == tips.KindHandle && slices.ContainsFunc(found, func(o tips.Entity) bool {
			return o.Kind == tips.KindHandle && strings.HasSuffix(o.Value, ":"+e.Value)
		}) {
			continue // listed with its network ("facebook @name")
		}
		out = append(out, "• "+c.T("identifying_"+string(e.Kind), nil)+": "+safe(e.Display))
	}
	return out
}

// sayNoCommunity says that nothing was sent, as no community would
// receive warning id, and what to do; the warning can be published later.
func (c *Context) sayNoCommunity(ctx context.Context, id string, regions []string) error {
	if len(regions) == 0 {
		return c.Say(ctx, "publish_no_community", map[string]any{"ID": id})
	}
	return c.Say(ctx, "publish_no_region", map[string]any{"ID": id, "Regions": safe(strings.Join(regions, ", "))})
}

// retract is /retract ID: it records the retraction, which stops every
// delivery still to come, and queues the copies delivered for the
// broadcaster to delete where the platform allows and correct, within the
// platforms' rates and retried like deliveries (a command's deadline would
// cut a long withdrawal short). The investigator hears how it goes, as for
// /publish.
func retract(ctx context.Context, c *Context) error {
	idArg, rest := firstWord(c.Request.Args)
	id, ok, err := c.tipNumber(ctx, idArg, "retract_usage", nil)
	if !ok {
		return err
	}
	if rest != "" {
		return c.Say(ctx, "retract_usage", nil) // "/retract 3 now": it takes nothing more
	}
	// Only a warning is ever published: a tip's number is told so, not
	// that it "was not published, or was already retracted".
	if ok, err := c.isWarning(ctx, id, "retract_not_warning"); !ok || err != nil {
		return err
	}
	// If only its record in the tip's history failed, the copies are
	// still withdrawn, and the failure reported after.
	r, recordErr := c.mux.store.Retracted(ctx, id, c.claimer())
	switch {
	case r.Already:
		return c.sayRetractProgress(ctx, id)
	case !r.First && recordErr != nil:
		return recordErr
	case !r.First:
		// Not published (yet): an investigator who wants it stopped is
		// told how, as it may still go out with the next approval; not
		// if /publish refuses it as its triage stands (mayPublish).
		text := c.T("retract_none", map[string]any{"ID": id})
		t, err := c.mux.store.Tip(ctx, id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		refused := err != nil || t.Status == tips.StatusDismissed
		if err == nil && t.Status == tips.StatusDuplicate {
			keep, published, _, long, err := c.original(ctx, id, t.DuplicateOf)
			var unreadable unreadableTip
			if err != nil && !errors.As(err, &unreadable) {
				return err
			}
			refused = keep != "" || published != "" || long || err != nil // /publish refuses an unreadable chain
		}
		if !refused {
			text += "\n\n" + c.T("retract_none_dismiss", map[string]any{"ID": id})
		}
		return c.Reply(ctx, Reply{Text: text})
	}
	if err := c.Say(ctx, "retract_started", map[string]any{"ID": id, "Count": r.Withdrawals}, r.Withdrawals); err != nil && recordErr == nil {
		return err
	}
	return recordErr // the failed record said, as a failure (not a refused reply)
}

// sayRetractProgress answers a second /retract of warning id with how its
// withdrawal goes.
func (c *Context) sayRetractProgress(ctx context.Context, id string) error {
	p, done, err := c.mux.store.RetractionProgress(ctx, id)
	if err != nil {
		return err
	}
	if done {
		return c.Say(ctx, "retract_done", retractReport(id, p), p.Total)
	}
	return c.Say(ctx, "retract_progress", map[string]any{"ID": id, "Done": p.Total - p.Pending, "Total": p.Total}, p.Total)
}

// retractReport is the data of the final report of warning id's withdrawal.
func retractReport(id string, p storage.RetractProgress) map[string]any {
	return map[string]any{"ID": id, "Total": p.Total, "Deleted": p.Deleted, "Count": p.Corrected, "Gone": p.Gone, "Unconfirmed": p.Unconfirmed}
}

// RunBroadcaster delivers published warnings until ctx ends, within the
// platforms' rates: about 25 messages a second overall and one message to
// a chat every three seconds (Telegram allows 20 a minute per group). A
// run of failed rounds is logged at its first, then at most once per
// failureLogEvery, each line counting the failures left unlogged since
// the one before; a round that succeeds ends the run (failureLog).
func (m *Mux) RunBroadcaster(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	var failures failureLog
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := m.broadcastOnce(ctx)
			if ctx.Err() == nil {
				failures.round(m.log, "broadcast round failed", err, m.now())
			}
		}
	}
}

// ErrRefused wraps a send the platform answered with a refusal (a 4xx):
// the message was not delivered, and may be sent again. Any other error
// (a timeout, a 5xx, a connection cut) leaves the outcome unknown: the
// message may have gone out, so it is not sent again.
var ErrRefused = errors.New("refused")

// ErrRateLimited wraps a send the platform refused for its rate limits
// (a 429): the message was not delivered. It is an ErrRefused.
var ErrRateLimited = fmt.Errorf("rate limited: %w", ErrRefused)

// ErrMessageGone wraps a delete the platform refused because the message
// is not there any more (deleted already, by us in an earlier round or by
// the chat's admins): for a retraction it counts as deleted. It is an
// ErrRefused.
var ErrMessageGone = fmt.Errorf("message not found: %w", ErrRefused)

// RateLimitError is an ErrRateLimited that says how long the platform
// asked to wait (its retry_after), so that the broadcaster holds that
// platform back for so long rather than waiting inside the send.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", ErrRateLimited, e.RetryAfter)
}

// Unwrap makes it an ErrRateLimited, and so an ErrRefused.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// NoWaitSender is a Sender that can send without waiting out the
// platform's rate limit: a 429 on its first message comes back at once as
// a *RateLimitError. The broadcaster sends with it: one chat's wait would
// otherwise hold up every destination, on every platform, as it sends one
// at a time. Replies and notices keep Send, whose short waits beat losing
// the message.
type NoWaitSender interface {
	SendNoWait(ctx context.Context, chatID string, r Reply) ([]string, error)
}

// sendNoWait sends r for the broadcaster: without waiting out a rate
// limit where the adapter can (NoWaitSender).
func sendNoWait(ctx context.Context, s Sender, chat string, r Reply) ([]string, error) {
	if nw, ok := s.(NoWaitSender); ok {
		return nw.SendNoWait(ctx, chat, r)
	}
	return s.Send(ctx, chat, r)
}

// NoWaitRemover is a MessageRemover that can delete without waiting out
// the platform's rate limit: a 429 comes back at once as a
// *RateLimitError. A retraction deletes its copies with it, in the
// broadcaster's round, for the reason it sends with NoWaitSender; the
// copies left are deleted in a later round (CopiesLeft).
type NoWaitRemover interface {
	DeleteMessageNoWait(ctx context.Context, chatID, messageID string) error
}

// deleteNoWait deletes a copy for the broadcaster: without waiting out a
// rate limit where the adapter can (NoWaitRemover).
func deleteNoWait(ctx context.Context, r MessageRemover, chat, id string) error {
	if nw, ok := r.(NoWaitRemover); ok {
		return nw.DeleteMessageNoWait(ctx, chat, id)
	}
	return r.DeleteMessage(ctx, chat, id)
}

// minHold is how long a platform is held back after a 429 that said
// nothing of how long to wait.
const minHold = time.Second

// holdBack holds platform back if err is its 429: nothing more is sent
// there before the wait it asked for. Telegram's retry_after does not say
// which limit was hit, and the one that matters is the bot's own (30
// messages a second, all chats together; our pacing keeps each chat
// within its own), so the whole platform waits: trying its other chats
// would only draw more 429s, which Telegram answers with longer bans.
// Other platforms go on. It reports whether err was a 429.
func (m *Mux) holdBack(platform string, err error) bool {
	if !errors.Is(err, ErrRateLimited) {
		return false
	}
	wait := minHold
	var rl *RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > wait {
		wait = rl.RetryAfter
	}
	if until := m.now().Add(wait); until.After(m.notBefore[platform]) {
		m.notBefore[platform] = until
	}
	return true
}

// held reports whether platform is held back after a 429.
func (m *Mux) held(platform string) bool { return m.now().Before(m.notBefore[platform]) }

// finishing returns the context to send a broadcast's message under: one
// that shutdown (ctx's end) does not cut short at once, only ReplyGrace
// later. A send cut short has an unknown outcome: the message may have
// gone out, so it is never sent again, and if the platform had in fact
// refused it (a 429) its community never gets the warning. Waiting for the
// platform's answer, as shutdown does for the updates in flight, makes the
// outcome known. Call the cancel function once the send is over.
func finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(ReplyGrace, cancel) })
	return sctx, func() { stop(); cancel() }
}

// recordDelivery records the outcome of sending d, which went out as
// messages ids. It does so even when ctx ended (shutdown) if the outcome
// is known: delivered, partly sent, gone, or refused, which
// means not delivered, so the destination is pending again (given up
// after maxDeliveryAttempts). A send whose outcome is unknown (a timeout,
// a 5xx, cut short) stays claimed, like one cut short by a crash: it may
// have gone out and must not go twice; the report counts it unconfirmed.
// A copy delivered while the warning was being retracted is queued for
// withdrawal by the store.
func (m *Mux) recordDelivery(ctx context.Context, d storage.Delivery, ids []string, err error) error {
	if err == nil || len(ids) > 0 || errors.Is(err, ErrDestinationGone) || errors.Is(err, ErrRefused) {
		// (whether or not ctx has ended yet: it may end while recording)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
	}
	switch {
	case err != nil && len(ids) > 0:
		// Part of it went out: sending it again would repeat that part.
		m.metrics.SendFailed(d.Sub.Platform)
		m.log.Warn("warning partly delivered; not sent again", "platform", d.Sub.Platform, "parts", len(ids), "error", err.Error())
		return m.store.PartlySent(ctx, d.TipID, d.Sub, ids)
	case errors.Is(err, ErrDestinationGone):
		return m.store.Gone(ctx, d.TipID, d.Sub)
	case errors.As(err, new(*MovedError)):
		// Nothing was delivered: the destination goes back to pending and
		// moves, with the subscription, to the chat's new id (as the
		// platform's own notice of the move would have done).
		var mv *MovedError
		errors.As(err, &mv)
		if err := m.store.Retry(ctx, d.TipID, d.Sub); err != nil {
			return err
		}
		return m.ChatMoved(ctx, d.Sub.Platform, d.Sub.Chat, mv.To)
	case errors.Is(err, ErrRateLimited):
		// Not the destination's fault: pending again, without an attempt
		// counted toward giving up; its platform is held back (holdBack).
		m.log.Info("warning held back by the platform's rate limit; will retry", "platform", d.Sub.Platform, "error", err.Error())
		return m.store.Retry(ctx, d.TipID, d.Sub)
	case err != nil && !errors.Is(err, ErrRefused):
		m.metrics.SendFailed(d.Sub.Platform)
		m.log.Warn("warning send outcome unknown; not sent again", "platform", d.Sub.Platform, "error", err.Error())
		return nil
	case err != nil:
		m.metrics.SendFailed(d.Sub.Platform)
		m.log.Warn("warning not delivered, will retry", "platform", d.Sub.Platform, "error", err.Error())
		if m.failedAgain(d.TipID, d.Sub.Key) {
			return m.store.Fail(ctx, d.TipID, d.Sub) // give up; the report says unconfirmed
		}
		return m.store.Retry(ctx, d.TipID, d.Sub)
	default:
		return m.store.Delivered(ctx, d.TipID, d.Sub, ids)
	}
}

// failedAgain counts a failed attempt at one step of destination key of
// broadcast id, and reports whether it was the last one allowed.
func (m *Mux) failedAgain(id, key string) bool {
	fk := id + "\x00" + key
	if m.failures[fk]++; m.failures[fk] >= maxDeliveryAttempts {
		delete(m.failures, fk)
		return true
	}
	return false
}

// PerChatGap and perSecond are the delivery rates; a destination that
// fails maxDeliveryAttempts times in a row is given up.
const (
	PerChatGap          = 3 * time.Second
	perSecond           = 25
	maxDeliveryAttempts = 10
)

// BroadcastOnce runs one delivery round (RunBroadcaster runs them in a loop).
func (m *Mux) BroadcastOnce(ctx context.Context) error { return m.broadcastOnce(ctx) }

// round paces one broadcast round: perSecond messages a second overall,
// up to perSecond messages, one turn per chat every PerChatGap.
type round struct {
	m       *Mux
	sent    int
	limiter *time.Ticker
}

// turn reports whether chat key may get a message now (ok), and whether
// the round is over (stop): it waits for the overall rate.
func (r *round) turn(ctx context.Context, key string) (ok, stop bool) {
	if PerChatGap-r.m.now().Sub(r.m.lastPerChat[key]) > 0 {
		return false, false // its turn comes in a later round
	}
	if r.sent == perSecond {
		return false, true
	}
	select {
	case <-ctx.Done():
		return false, true
	case <-r.limiter.C:
	}
	return true, false
}

// took records that chat key got a message.
func (r *round) took(key string) {
	r.m.lastPerChat[key] = r.m.now()
	r.sent++
}

func (m *Mux) broadcastOnce(ctx context.Context) error {
	m.bcMu.Lock()
	defer m.bcMu.Unlock()
	// Read more than a round can send: destinations cooling down (or of a
	// platform this process does not serve) must not starve the others.
	batch, err := m.store.PendingDeliveries(ctx, 8*perSecond)
	if err != nil {
		return err
	}
	r := &round{m: m, limiter: time.NewTicker(time.Second / perSecond)}
	defer r.limiter.Stop()
	// Every unfinished broadcast is looked at, not only those with
	// destinations in this batch: one whose last destination was cut short
	// by a crash has none left, and its report must still go out.
	touched, err := m.store.Broadcasts(ctx)
	if err != nil {
		return err
	}
	for _, d := range batch {
		touched[d.TipID] = d.Publication
		if stop, err := m.deliver(ctx, r, d); err != nil || stop {
			if err != nil {
				return err
			}
			break
		}
	}
	if err := m.withdrawAll(ctx, r, touched); err != nil {
		return err
	}
	return m.reportBroadcasts(ctx, touched)
}

// deliver sends d in its turn; stop is set when the round is over. A
// destination whose platform is held back after a 429 waits for a later
// round, and the others go on.
func (m *Mux) deliver(ctx context.Context, r *round, d storage.Delivery) (stop bool, err error) {
	if m.held(d.Sub.Platform) {
		return false, nil
	}
	key := d.Sub.Platform + ":" + d.Sub.Chat
	ok, stop := r.turn(ctx, key)
	if !ok {
		return stop, nil
	}
	s, ok := m.senders[d.Sub.Platform]
	if !ok {
		return false, nil // this process has no adapter for it; it stays pending
	}
	if claimed, err := m.store.ClaimDelivery(ctx, d); err != nil || !claimed {
		return false, err
	}
	lang := d.Sub.Language
	if lang == "" {
		lang = m.lang
	}
	header := m.msg.Localize(lang, "broadcast_header", map[string]any{"Date": d.At.UTC().Format("2006-01-02")})
	sctx, done := finishing(ctx)
	defer done()
	ids, err := sendNoWait(sctx, s, d.Sub.Chat, Reply{Text: header + "\n\n" + safe(d.Text)})
	r.took(key)
	m.holdBack(d.Sub.Platform, err)
	return false, m.recordDelivery(ctx, d, ids, err)
}

// withdrawAll withdraws, each in its chat's turn, the copies of retracted
// warnings still to delete or correct; pubs are the broadcasts' warnings,
// by tip id, which the corrections name.
func (m *Mux) withdrawAll(ctx context.Context, r *round, pubs map[string]storage.Publication) error {
	batch, err := m.store.PendingWithdrawals(ctx, 8*perSecond)
	if err != nil {
		return err
	}
	for _, w := range batch {
		key := w.Sub.Platform + ":" + w.Sub.Chat
		s, served := m.senders[w.Sub.Platform]
		if !served || m.held(w.Sub.Platform) {
			continue // another process withdraws it, or a later round
		}
		ok, stop := r.turn(ctx, key)
		if stop {
			return nil
		}
		if !ok {
			continue
		}
		pub, known := pubs[w.TipID]
		err := m.withdraw(ctx, s, w, pub, known)
		r.took(key)
		if err != nil {
			return err
		}
	}
	return nil
}

// withdraw deletes a retracted warning's copies in one chat where the
// platform allows, then posts the correction there (naming pub, if known),
// recording each step so that neither is done twice.
func (m *Mux) withdraw(ctx context.Context, s Sender, w storage.Withdrawal, pub storage.Publication, known bool) error {
	// The copies still in view in w's chat, which the correction answers
	// (the first one carries the header); none known once only the
	// correction is left (a later round).
	var inView []string
	if !w.Correct() {
		deleted, left, err := m.deleteCopies(ctx, s, w)
		inView = left
		if _, ok := s.(MessageRemover); !ok {
			inView = w.MessageIDs
		}
		if m.holdBack(w.Sub.Platform, err) {
			// Not the copies' fault: those left are deleted in a later
			// round, which resumes where this one stopped.
			if len(left) < len(w.MessageIDs) {
				return m.store.CopiesLeft(ctx, &w, left)
			}
			return nil
		}
		// The chat moved since (a group became a supergroup): its copies
		// stay recorded under the old id and cannot be deleted there any
		// more; their ids mean nothing in the new chat, so they count as
		// not deleted, and the correction goes to the new id.
		chat := w.Sub.Chat
		if err := m.followMove(ctx, &w, err); err != nil {
			return err
		}
		if w.Sub.Chat != chat {
			inView = nil // ids of the old chat: not to be answered in the new one
		}
		if err := m.store.CopiesRemoved(ctx, &w, deleted); err != nil {
			return err
		}
		if !w.Correct() {
			// Copies delivered after the correction was dealt with (by
			// another broadcaster): it is not posted again.
			return nil
		}
	}
	if claimed, err := m.store.ClaimCorrection(ctx, &w); err != nil || !claimed {
		return err
	}
	lang := w.Sub.Language
	if lang == "" {
		lang = m.lang // as deliver does
	}
	rep := Reply{Text: m.correction(lang, pub, known)}
	if len(inView) > 0 {
		rep.ReplyTo = inView[0] // where the copy could not be deleted
	}
	// As a delivery's (deliver): a shutdown does not cut the send short,
	// and the known outcome is recorded even once ctx has ended.
	sctx, done := finishing(ctx)
	defer done()
	_, err := sendNoWait(sctx, s, w.Sub.Chat, rep)
	var mv *MovedError
	if errors.As(err, &mv) && mv.To != "" && mv.To != w.Sub.Chat {
		// Refused in the old chat, nothing posted: the new one gets it,
		// under the same claim.
		if err := m.followMove(sctx, &w, err); err != nil {
			return err
		}
		rep.ReplyTo = "" // the copy is in the old chat
		_, err = sendNoWait(sctx, s, w.Sub.Chat, rep)
	}
	outcome := m.correctionOutcome(w, err)
	if outcome == "" {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return m.store.Corrected(rctx, &w, outcome)
}

// correctionWords is how many of a retracted warning's first words its
// correction quotes, and correctionRunes the most runes it quotes (a
// "word" may be a long run of letters with no space).
const (
	correctionWords = 8
	correctionRunes = 80
)

// correction is the text posted where a retracted warning went, in lang.
// A copy not deleted (too old for the platform, no right to delete) stays
// in view, and a community that got several warnings must tell which to
// disregard: the correction names it as its copy shows it, by the date of
// its header and its first words (public in that chat already; nothing of
// who sent it). A warning that cannot be read any more is withdrawn all
// the same, with the correction that names none.
func (m *Mux) correction(lang string, pub storage.Publication, known bool) string {
	// Its words as the copy shows them: characters that show nothing
	// (dropped by safe) neither count toward the cap nor make up a word.
	words := strings.Fields(tips.Neutralize(pub.Text))
	if !known || pub.Unreadable || pub.Held || len(words) == 0 || pub.At.UnixMilli() <= 0 {
		// Held: its text could not be read when it was (see HoldBroadcast),
		// so the one it has now may not be what its copies show.
		return m.msg.Localize(lang, "broadcast_correction", nil)
	}
	start := strings.Join(words[:min(len(words), correctionWords)], " ")
	cut := len(words) > correctionWords
	if r := []rune(start); len(r) > correctionRunes {
		start, cut = string(r[:correctionRunes]), true
	}
	if cut {
		start = cutShort(start)
	}
	return m.msg.Localize(lang, "broadcast_correction_of", map[string]any{
		"Date": pub.At.UTC().Format("2006-01-02"), // as its header (deliver)
		"Text": oneLine(safe(start)),
	})
}

// followMove follows w's chat to its new id if err says it moved
// (MovedError): the subscription and what is queued for it move too
// (ChatMoved), and w goes on in the new chat. Anything else is left as it is.
func (m *Mux) followMove(ctx context.Context, w *storage.Withdrawal, err error) error {
	var mv *MovedError
	if !errors.As(err, &mv) || mv.To == "" || mv.To == w.Sub.Chat {
		return nil
	}
	if err := m.ChatMoved(ctx, w.Sub.Platform, w.Sub.Chat, mv.To); err != nil {
		return err
	}
	w.Sub.Chat = mv.To
	return nil
}

// deleteCopies deletes w's copies, every one of them (a long warning
// went out as several messages): one refused does not keep the others up.
// A copy not there any more (ErrMessageGone: deleted in an earlier round,
// or by the chat) counts as deleted. It reports whether all were deleted;
// on a 429 (or a chat that moved, or is gone) it stops, and left is what
// is still to delete: the copies refused so far and all from the one that
// stopped it.
func (m *Mux) deleteCopies(ctx context.Context, s Sender, w storage.Withdrawal) (deleted bool, left []string, err error) {
	r, ok := s.(MessageRemover)
	if !ok || len(w.MessageIDs) == 0 {
		return false, nil, nil
	}
	for i, id := range w.MessageIDs {
		e := deleteNoWait(ctx, r, w.Sub.Chat, id)
		switch {
		case e == nil, errors.Is(e, ErrMessageGone):
			continue
		case errors.Is(e, ErrRateLimited), errors.As(e, new(*MovedError)), errors.Is(e, ErrDestinationGone):
			return false, append(left, w.MessageIDs[i:]...), e
		}
		m.log.Warn("retracted warning not deleted", "platform", w.Sub.Platform, "error", e.Error())
		left, err = append(left, id), e
	}
	return len(left) == 0, left, err
}

// correctionOutcome is what a correction's send error means; "" if its
// outcome is unknown: it stays claimed, never posted twice.
func (m *Mux) correctionOutcome(w storage.Withdrawal, err error) string {
	switch {
	case err == nil:
		return storage.CorrectionPosted
	case errors.Is(err, ErrDestinationGone):
		return storage.CorrectionGone
	case !errors.Is(err, ErrRefused):
		m.log.Warn("correction send outcome unknown; not sent again", "platform", w.Sub.Platform, "error", err.Error())
		return ""
	case m.holdBack(w.Sub.Platform, err):
		// Not the chat's fault: tried again, not counted toward giving up.
		m.log.Info("correction held back by the platform's rate limit; will retry", "platform", w.Sub.Platform)
		return storage.CorrectionRefused
	}
	m.log.Warn("correction not delivered, will retry", "platform", w.Sub.Platform, "error", err.Error())
	if m.failedAgain("c"+w.TipID, w.Sub.Key) {
		return storage.CorrectionGivenUp
	}
	return storage.CorrectionRefused
}

// reportBroadcasts tells whoever started each broadcast touched how it
// goes, now and then, and once when it is done; for a retracted one, how
// its withdrawal goes, to whoever retracted it.
func (m *Mux) reportBroadcasts(ctx context.Context, touched map[string]storage.Publication) error {
	for id, pub := range touched {
		if pub.Retracted {
			if err := m.reportRetraction(ctx, id, pub); err != nil {
				return err
			}
			continue
		}
		if pub.Unreadable || pub.Held {
			// Nothing of it went out this round (PendingDeliveries): with
			// destinations left, its delivery is held until an edit is
			// approved. With none, it finishes as any other.
			if _, done, err := m.store.BroadcastProgress(ctx, id); err != nil || !done {
				if err != nil {
					return err
				}
				if err := m.holdBroadcast(ctx, id, pub); err != nil {
					return err
				}
				continue
			}
		}
		p, done, err := m.store.BroadcastProgress(ctx, id)
		if err != nil || p.Withdrawn > 0 {
			// Retracted since pub was read: the next round reports it.
			continue
		}
		if !done {
			if m.reportsTo(ctx, pub.By, pub.ByKey) && m.now().Sub(m.lastProgress[id]) >= 30*time.Second {
				m.lastProgress[id] = m.now()
				m.notify(ctx, pub.By, Reply{Text: m.msg.Localize(m.readerLang(pub.ByLanguage), "publish_progress", map[string]any{
					"ID": id, "Delivered": p.Delivered, "Total": p.Total,
				}, p.Total)})
			}
			continue
		}
		delete(m.lastProgress, id)
		if first, err := m.store.FinishBroadcast(ctx, id); err == nil && first && m.reportsTo(ctx, pub.By, pub.ByKey) {
			m.notify(ctx, pub.By, Reply{Text: m.publishReport(m.readerLang(pub.ByLanguage), id, p)})
		}
	}
	return nil
}

// holdBroadcast holds the delivery of broadcast id, whose text cannot be
// read (pub), if it is not held yet; whoever published it is told once
// that it is stopped until it is edited again. If they cannot be (they
// left the team, or the notice did not go through), the investigators'
// chats are: the warning waits for someone to edit it, so someone must
// learn that it does.
func (m *Mux) holdBroadcast(ctx context.Context, id string, pub storage.Publication) error {
	if pub.Held {
		return nil
	}
	first, err := m.store.HoldBroadcast(ctx, pub)
	if err != nil || !first {
		return err
	}
	m.log.Warn("warning delivery held: its text cannot be read")
	data := map[string]any{"ID": id}
	if m.reportsTo(ctx, pub.By, pub.ByKey) && m.notify(ctx, pub.By, Reply{Text: m.msg.Localize(m.readerLang(pub.ByLanguage), "publish_held", data)}) {
		return nil
	}
	told := false
	for _, chat := range m.teamChatRoutes() {
		told = m.notify(ctx, chat, Reply{Text: m.msg.Localize(m.lang, "publish_held", data)}) || told
	}
	if !told {
		m.log.Warn("held warning delivery told to nobody: its publisher and the investigators' chats are out of reach")
	}
	return nil
}

// reportsTo reports whether a broadcast's reports go to route, the
// investigator who approved or retracted it (member key): not once they
// left the team (revoked), unless Redis cannot say; a publication of an
// earlier version, which kept no key, reports as then.
func (m *Mux) reportsTo(ctx context.Context, route, key string) bool {
	if route == "" || key == "" {
		return route != ""
	}
	on, err := m.stillOnTeam(ctx, key)
	return on || err != nil
}

// publishReport is the final report of broadcast id, in lang. Total is
// every community it was queued for, as /publish announced; those that
// unsubscribed before their turn are said apart, only when there are
// any, so that the counts add up to it.
func (m *Mux) publishReport(lang, id string, p storage.Progress) string {
	text := m.msg.Localize(lang, "publish_report", map[string]any{
		"ID": id, "Delivered": p.Delivered, "Total": p.Total, "Gone": p.Gone, "Unconfirmed": p.Unconfirmed,
	}, p.Total)
	if p.Unsubscribed > 0 {
		text += " " + m.msg.Localize(lang, "publish_report_unsubscribed", map[string]any{"Count": p.Unsubscribed}, p.Unsubscribed)
	}
	return text
}

// readerLang is the language to tell an investigator in: theirs, as
// recorded with their approval or retraction, else (recorded by an earlier
// version) the bot's default.
func (m *Mux) readerLang(lang string) string {
	if lang == "" {
		return m.lang
	}
	return lang
}

// reportRetraction reports how the withdrawal of retracted warning id
// goes, as reportBroadcasts does for a delivery.
func (m *Mux) reportRetraction(ctx context.Context, id string, pub storage.Publication) error {
	if _, settled, err := m.store.BroadcastProgress(ctx, id); err != nil || !settled {
		return err // a destination still pending is withdrawn by the next round
	}
	p, done, err := m.store.RetractionProgress(ctx, id)
	if err != nil {
		return err
	}
	if !done {
		if m.reportsTo(ctx, pub.RetractedBy, pub.RetractedByKey) && m.now().Sub(m.lastProgress[id]) >= 30*time.Second {
			m.lastProgress[id] = m.now()
			m.notify(ctx, pub.RetractedBy, Reply{Text: m.msg.Localize(m.readerLang(pub.RetractedByLanguage), "retract_progress", map[string]any{
				"ID": id, "Done": p.Total - p.Pending, "Total": p.Total,
			}, p.Total)})
		}
		return nil
	}
	delete(m.lastProgress, id)
	first, err := m.store.FinishBroadcast(ctx, id)
	if err == nil && first && m.reportsTo(ctx, pub.RetractedBy, pub.RetractedByKey) {
		m.notify(ctx, pub.RetractedBy, Reply{Text: m.msg.Localize(m.readerLang(pub.RetractedByLanguage), "retract_done", retractReport(id, p), p.Total)})
	}
	return err
}
