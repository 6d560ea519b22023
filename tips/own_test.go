package tips

import (
	"slices"
	"testing"
)

// The bot's own link and handle, in the forms reporters paste them, are
// not entities of a tip; others' handles and links are, even on the
// same network or with the bot's name on another one.
// Mutation: Names always false -> this test fails.
func TestOwnHandlesAreNotEntities(t *testing.T) {
	own := new(Own)
	own.Add("@VigiaBot", "412345678901234999", "")
	const text = "me pasaron t.me/vigiabot?start=abc y https://telegram.me/VigiaBot, escribe a @vigiabot o <@412345678901234999>; " +
		"el que cobra es @halcon_55 de t.me/halcon_55 y instagram.com/vigiabot"
	var got []string
	for _, e := range own.Without(Extract(text, "MX")) {
		got = append(got, e.Key())
	}
	for _, k := range []string{"handle:halcon_55", "handle:telegram:halcon_55", "url:t.me/halcon_55", "handle:instagram:vigiabot", "url:instagram.com/vigiabot"} {
		if !slices.Contains(got, k) {
			t.Errorf("%s dropped: %v", k, got)
		}
	}
	for _, k := range []string{"handle:vigiabot", "handle:telegram:vigiabot", "url:t.me/vigiabot?start=abc", "url:telegram.me/VigiaBot", "handle:412345678901234999"} {
		if slices.ContainsFunc(got, func(g string) bool { return g == k || foldHandle(g) == foldHandle(k) }) {
			t.Errorf("%s kept: %v", k, got)
		}
	}
	var none *Own
	if n := len(none.Without(Extract(text, "MX"))); n != len(Extract(text, "MX")) {
		t.Errorf("a nil Own dropped entities: %d", n)
	}
}

// The bot's Discord name (AddBare) is its own as a bare "@name" only: a
// Telegram account or link of that name is another's, an impostor's maybe,
// and stays an entity. Its Telegram username (Add) is its own in every form.
// Mutation: AddBare recording as Add does -> this test fails.
func TestOwnDiscordNameIsNotATelegramAccount(t *testing.T) {
	own := new(Own)
	own.AddBare("Vigia", "412345678901234999")
	own.Add("VigiaBot")
	const text = "dice ser el bot: t.me/vigia y @vigia, o <@412345678901234999>; el de verdad es t.me/vigiabot"
	var got []string
	for _, e := range own.Without(Extract(text, "MX")) {
		got = append(got, e.Key())
	}
	if want := []string{"handle:telegram:vigia", "url:t.me/vigia"}; !slices.Equal(got, want) {
		t.Errorf("entities %v, want %v", got, want)
	}
}

// The bot's own link on any of Telegram's link hosts, its public preview
// ("t.me/s/…") and its "name.t.me" form, any case, with a path or a
// query, is no entity of a tip; another account's link on the same
// hosts is (telegram.dog, like t.me, is no domain entity).
// Mutation: Names reading t.me and telegram.me only, the path's first
// word as the name (as before) -> this test fails.
func TestOwnLinkOnEveryTelegramHostIsNoEntity(t *testing.T) {
	own := new(Own)
	own.Add("VigiaBot")
	for _, text := range []string{
		"t.me/s/VigiaBot", "https://T.ME/s/vigiabot/12?before=40", "telegram.me/s/vigiabot",
		"TELEGRAM.ME/VigiaBot/5?single", "https://telegram.dog/vigiabot?start=x", "www.Telegram.Dog/VIGIABOT/",
		"telegram.dog/s/VigiaBot", "https://vigiabot.t.me", "VigiaBot.t.me/3",
	} {
		if got := own.Without(Extract("únete "+text+" ya", "MX")); len(got) != 0 {
			t.Errorf("%s: entities %v, want none", text, got)
		}
	}
	var got []string
	for _, e := range own.Without(Extract("t.me/s/halcon_55 telegram.dog/halcon_55 y telegram.dog/vigiabot", "MX")) {
		got = append(got, e.Key())
	}
	if want := []string{"handle:telegram:halcon_55", "handle:halcon_55", "url:t.me/s/halcon_55", "url:telegram.dog/halcon_55"}; !slices.Equal(got, want) {
		t.Errorf("entities %v, want %v", got, want)
	}
}

// The bot's own link with letters of its path percent-escaped is its own
// as written plainly: no entity, no link left to make a signal of it.
// Escaped twice ("%2576", which a browser reads as "%76") or another's,
// it is an entity as before.
// Mutation: Names reading a link without UnescapeUnreserved -> fails (the
// link "t.me/%76igiabot" left an entity).
func TestOwnLinkWithLettersPercentEscapedIsNoEntity(t *testing.T) {
	own := new(Own)
	own.Add("VigiaBot")
	for _, text := range []string{
		"t.me/%76igiabot", "https://t.me/%56igia%42ot?start=x", "telegram.dog/%73/vigiabot", "https://telegram.me/vigia%62ot/5",
	} {
		if got := own.Without(Extract("únete "+text+" ya", "MX")); len(got) != 0 {
			t.Errorf("%s: entities %v, want none", text, got)
		}
	}
	var got []string
	for _, e := range own.Without(Extract("t.me/%2576igiabot y t.me/%68alcon_55", "MX")) {
		got = append(got, e.Key())
	}
	for _, want := range []string{"handle:telegram:halcon_55", "url:t.me/%2576igiabot", "url:t.me/%68alcon_55"} {
		if !slices.Contains(got, want) {
			t.Errorf("entities %v, want %s among them", got, want)
		}
	}
}
