package telegram

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A link hidden behind words to the sender's own account
// ("tg://user?id=ID", as a mention by id is written) is not kept: the
// reporter does not see it, and investigators would read who reported.
// One to another account (the extortionist's, say) is evidence, kept.
func TestHiddenLinkToTheSendersOwnAccountIsNotKept(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct {
		url  string
		kept bool
	}{
		{"tg://user?id=5550001", false},
		{"TG://User?ID=5550001", false},
		{"tg://user?id=5550001&text=x", false},
		{"tg://openmessage?user_id=5550001", false},
		{"tg://user?id=5550001;x", false},
		{"tg://user?x=1;id=5550001", false},
		{"tg://user?id=0005550001", false},
		{"tg:/user?id=5550001", false},
		{"tg:user?id=5550001", false},
		{"tg:///user/?id=5550001", false},
		{"tg://user?id=%35550001", false},
		{"tg://openmessage?user_id=05550001;a=b", false},
		{"tg://user?id=55500010", true},
		{"tg://user?id=5550001x", false},
		{"tg://user?id=0005550002", true},
		{"tg://resolve?domain=x;id=5550001", true},
		{"tg://user?id=5550002", true},
		{"tg://openmessage?user_id=777", true},
		{"https://evil.example/?id=5550001", true},
	} {
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x"},`+
			`"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":%q}]}`, c.url))
		req, _ := a.request(1, m)
		if kept := slices.Contains(req.HiddenLinks, c.url); kept != c.kept || req.Text != "mira aquí" {
			t.Errorf("%s: kept %v, want %v (links %q, text %q)", c.url, kept, c.kept, req.HiddenLinks, req.Text)
		}
	}
}

// A link to the sender's own account written out in the text (typed, or
// pasted with a threat that links them) reaches the engine as their
// "@username", which the engine tells them is their own name, or, with
// no username, as "tg://user", whose account it does not say: never with
// their Telegram id. It is read as ownAccount reads a hidden one (";",
// leading zeros, "tg:user"), in a command's arguments too, and the
// entities after it are still read where Telegram placed them. Another
// account's link is evidence, kept.
func TestWrittenLinkToTheSendersOwnAccountIsNotKept(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct {
		user, text, want string
	}{
		{"vecina", "me amenazó tg://user?id=5550001.", "me amenazó @vecina."},
		{"", "me amenazó tg://user?id=5550001.", "me amenazó tg://user."},
		{"vecina", "TG:User?ID=0005550001;x y (tg://openmessage?user_id=5550001)", "@vecina y (@vecina)"},
		{"vecina", "tg:///user/?x=1;id=%35550001 y tg://user?id=55500010", "@vecina y tg://user?id=55500010"},
		{"vecina", "el jefe tg://user?id=5550002 y tg://resolve?domain=x&id=5550001", "el jefe tg://user?id=5550002 y tg://resolve?domain=x&id=5550001"},
	} {
		from := `{"id":5550001,"first_name":"x"}`
		if c.user != "" {
			from = fmt.Sprintf(`{"id":5550001,"first_name":"x","username":%q}`, c.user)
		}
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":%s,"text":%q}`, from, c.text))
		req, _ := a.request(1, m)
		if req.Text != c.want {
			t.Errorf("%q (username %q): text %q, want %q", c.text, c.user, req.Text, c.want)
		}
	}

	// A command's arguments, and a hidden link after the written one (its
	// entity's UTF-16 offset read before the text is rewritten).
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"vecina"},`+
		`"text":"/reply K7QD-9XMA-R2TP-4WZN 🙏 tg://user?id=5550001 mira aquí",`+
		`"entities":[{"type":"bot_command","offset":0,"length":6},{"type":"text_link","offset":56,"length":4,"url":"https://x.example/p"}]}`)
	req, _ := a.request(1, m)
	if want := "K7QD-9XMA-R2TP-4WZN 🙏 @vecina mira aquí"; req.Command != "reply" || req.Args != want {
		t.Errorf("command %q args %q, want reply %q", req.Command, req.Args, want)
	}
	if !slices.Equal(req.HiddenLinks, []string{"https://x.example/p"}) {
		t.Errorf("hidden links %q", req.HiddenLinks)
	}

	// Forwarded, or beside a quote from another chat, the link names no
	// one: the engine warns of an own name only in what the reporter wrote,
	// so "@vecina" there would go into the tip unseen.
	for _, extra := range []string{
		`"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"alguien"},"text":"te vigilo tg://user?id=5550001"`,
		`"external_reply":{"origin":{"type":"hidden_user","date":1,"sender_user_name":"alguien"}},"quote":{"text":"te vigilo tg://user?id=5550001","position":0},"text":"me llegó esto"`,
	} {
		m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"vecina"},`+extra+`}`)
		req, _ := a.request(1, m)
		if strings.Contains(req.Text, "5550001") || strings.Contains(req.Text, "vecina") || !strings.Contains(req.Text, "tg://user") {
			t.Errorf("%s: text %q, want the link as tg://user", extra, req.Text)
		}
	}
}

// A link hidden behind words to the sender's own username
// ("tg://resolve?domain=NAME", or t.me/NAME on any of Telegram's link
// hosts), which the reporter does not see, reaches the engine as their
// "@username", which the engine tells them is their own name; forwarded,
// or beside a quote from another chat, where the engine does not tell
// them, as "tg://user", which names no one. Any case, with a query or a
// path. A link to anyone else's username is evidence, kept as sent.
// Mutation: hiddenLinks without its ownUsername rewrite (as before) ->
// this test fails.
func TestHiddenLinkToTheSendersOwnUsernameIsTheNameShown(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct{ url, want string }{
		{"tg://resolve?domain=vecin", "@vecin"},
		{"TG://Resolve?Domain=VECIN&start=x", "@vecin"},
		{"tg:resolve?x=1;domain=%76ecin", "@vecin"},
		{"tg://resolve?domain=@vecin", "@vecin"},
		{"https://t.me/vecin", "@vecin"},
		{"http://T.ME/Vecin?start=1", "@vecin"},
		{"https://telegram.me/vecin/", "@vecin"},
		{"https://telegram.dog/VECIN", "@vecin"},
		{"https://t.me/s/vecin", "@vecin"},
		{"https://Vecin.t.me", "@vecin"},
		{"https://t.me/vecino", "https://t.me/vecino"},
		{"tg://resolve?domain=vecino", "tg://resolve?domain=vecino"},
		{"tg://resolve?domain=x&start=vecin", "tg://resolve?domain=x&start=vecin"},
		{"https://t.me/halcon_55", "https://t.me/halcon_55"},
		{"https://evil.example/vecin", "https://evil.example/vecin"},
	} {
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"Vecin"},`+
			`"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":%q}]}`, c.url))
		req, _ := a.request(1, m)
		if want := strings.Replace(c.want, "@vecin", "@Vecin", 1); !slices.Equal(req.HiddenLinks, []string{want}) || req.Text != "mira aquí" {
			t.Errorf("%s: links %q, want %q (text %q)", c.url, req.HiddenLinks, want, req.Text)
		}
	}

	// Forwarded, or beside a quote from another chat: "tg://user", once.
	for _, extra := range []string{
		`"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"alguien"},"text":"te vigilo aquí y acá",`,
		`"external_reply":{"origin":{"type":"hidden_user","date":1,"sender_user_name":"alguien"}},"quote":{"text":"te vigilo","position":0},"text":"me llegó aquí y acá",`,
	} {
		m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"Vecin"},`+extra+
			`"entities":[{"type":"text_link","offset":10,"length":4,"url":"https://t.me/vecin"},{"type":"text_link","offset":17,"length":3,"url":"tg://resolve?domain=VECIN"}]}`)
		req, _ := a.request(1, m)
		if !slices.Equal(req.HiddenLinks, []string{"tg://user"}) {
			t.Errorf("%s: links %q, want tg://user alone", extra, req.HiddenLinks)
		}
	}
}

// A username with "_" (most have one) is no host name to IDNA, yet
// Telegram opens "<username>.t.me" as t.me/<username>: a link hidden
// behind words to the sender's own username in that form reaches the
// engine as their "@username" too, never as the link that names them.
// Another username there, a longer one or one under another host, is
// evidence, kept as sent.
// Mutation: LinksTelegramAccount reading only the links Extract makes
// (as 214449b) -> this test fails (the "_" links kept).
func TestHiddenSubdomainLinkToAnOwnUsernameWithUnderscoreIsTheNameShown(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct{ url, want string }{
		{"https://vecina_valiente.t.me", "@Vecina_Valiente"},
		{"https://Vecina_Valiente.T.ME/5?single", "@Vecina_Valiente"},
		{"https://vecina_valiente2.t.me", "https://vecina_valiente2.t.me"},
		{"https://x.vecina_valiente.t.me", "https://x.vecina_valiente.t.me"},
		{"https://vecina_valiente.t.me.evil.example", "https://vecina_valiente.t.me.evil.example"},
		{"https://halcon_55.t.me", "https://halcon_55.t.me"},
	} {
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"Vecina_Valiente"},`+
			`"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":%q}]}`, c.url))
		req, _ := a.request(1, m)
		if !slices.Equal(req.HiddenLinks, []string{c.want}) {
			t.Errorf("%s: links %q, want %q", c.url, req.HiddenLinks, c.want)
		}
	}
}

// A link to the sender's own account with letters percent-escaped in its
// host or path ("https://t.me/%76ecin", "https://%74.me/vecin",
// "tg://us%65r?id=ID"), as a browser or Telegram still opens it, is read
// as the account it opens: hidden behind words it reaches the engine as
// their "@username" (forwarded, "tg://user"), or not at all where it
// opens their id; written out, a link to their id becomes their
// "@username". One to another account, or an escape that is no letter
// ("%2576" is "%76", not "v"), is kept as sent.
func TestPercentEscapedLinkToTheSendersOwnAccountIsTheNameShown(t *testing.T) {
	a := testAdapter()
	sender := `"from":{"id":5550001,"first_name":"x","username":"Vecin"},`
	for _, c := range []struct{ url, want string }{
		{"https://t.me/%76ecin", "@Vecin"},
		{"https://%74.me/vecin", "@Vecin"},
		{"https://%54%2E%4D%45/%56ECIN", "@Vecin"},
		{"https://telegram.dog/%76ecin?start=1", "@Vecin"},
		{"https://t.me/%73/vecin", "@Vecin"},
		{"https://%76ecin.t.me", "@Vecin"},
		{"https://%76ecin_2.t.me", "https://%76ecin_2.t.me"},
		{"tg://r%65solve?domain=vecin", "@Vecin"},
		{"tg://us%65r?id=5550001", ""},
		{"tg://%6Fpenmessage?user_id=5550001", ""},
		{"https://t.me/%76ecino", "https://t.me/%76ecino"},
		{"https://t.me/%2576ecin", "https://t.me/%2576ecin"},
		{"tg://us%65r?id=5550002", "tg://us%65r?id=5550002"},
	} {
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},`+sender+
			`"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":%q}]}`, c.url))
		req, _ := a.request(1, m)
		var want []string
		if c.want != "" {
			want = []string{c.want}
		}
		if !slices.Equal(req.HiddenLinks, want) || req.Text != "mira aquí" {
			t.Errorf("%s: links %q, want %q (text %q)", c.url, req.HiddenLinks, want, req.Text)
		}
	}

	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},`+sender+
		`"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"alguien"},"text":"te vigilo aquí",`+
		`"entities":[{"type":"text_link","offset":10,"length":4,"url":"https://t.me/%76ecin"}]}`)
	if req, _ := a.request(1, m); !slices.Equal(req.HiddenLinks, []string{"tg://user"}) {
		t.Errorf("forwarded: links %q, want tg://user", req.HiddenLinks)
	}

	m = decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},`+sender+`"text":"me amenazó tg://us%65r?id=5550001."}`)
	if req, _ := a.request(1, m); req.Text != "me amenazó @Vecin." {
		t.Errorf("written out: text %q, want the @username", req.Text)
	}
}

// A hidden link to the sender's own username with a space, control or
// invisible character escaped around the name ("t.me/vigia_user%00",
// "%20", "%0A", "%E2%80%8B", "%C2%A0", "%7F"), or any character no
// username holds after it, is read as Telegram reads a username (letters,
// digits and "_", what follows ignored): as their account. It reaches the
// engine as their "@username", never as the link that shows investigators
// their name (as "@vigia_user\x00"); so does "tg://resolve?domain=" with
// such an escape. A longer username, or another's, is evidence, kept.
// Mutation: LinksTelegramAccount and ownUsername comparing the whole
// first word (as before) -> this test fails ("%00", "%20", "%0A"… kept).
func TestHiddenLinkToTheSendersOwnUsernameWithAnEscapedBlankIsTheNameShown(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct{ url, want string }{
		{"https://t.me/vigia_user%00", "@Vigia_User"},
		{"https://t.me/vigia_user%20", "@Vigia_User"},
		{"https://t.me/vigia_user%0A", "@Vigia_User"},
		{"https://t.me/vigia_user%0D%0A", "@Vigia_User"},
		{"https://t.me/vigia_user%09x", "@Vigia_User"},
		{"https://t.me/vigia_user%7F", "@Vigia_User"},
		{"https://t.me/vigia_user%C2%A0", "@Vigia_User"},
		{"https://t.me/vigia_user%E2%80%8B", "@Vigia_User"},
		{"https://t.me/vigia_user%E2%80%8E", "@Vigia_User"},
		{"https://t.me/vigia_user%21", "@Vigia_User"},
		{"https://t.me/vigia_user%3F", "@Vigia_User"},
		{"https://t.me/VIGIA_USER%00/5?single", "@Vigia_User"},
		{"https://t.me/s/vigia_user%00", "@Vigia_User"},
		{"https://telegram.dog/vigia_user%20", "@Vigia_User"},
		{"https://t.me/%20vigia_user", "@Vigia_User"},
		{"https://t.me/%00vigia_user", "@Vigia_User"},
		{"tg://resolve?domain=vigia_user%00", "@Vigia_User"},
		{"tg://resolve?domain=vigia_user%E2%80%8B", "@Vigia_User"},
		{"https://t.me/%20@vigia_user", "@Vigia_User"},
		{"tg://resolve?domain=%20@vigia_user", "@Vigia_User"},
		{"tg://resolve?domain=%20@vigia_user2", "tg://resolve?domain=%20@vigia_user2"},
		{"https://t.me/vigia_user2%00", "https://t.me/vigia_user2%00"},
		{"https://t.me/vigia_use%00r", "https://t.me/vigia_use%00r"},
		{"https://t.me/x%00vigia_user", "https://t.me/x%00vigia_user"},
		{"https://t.me/%2576igia_user", "https://t.me/%2576igia_user"},
		{"tg://resolve?domain=vigia_user2%00", "tg://resolve?domain=vigia_user2%00"},
	} {
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"Vigia_User"},`+
			`"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":%q}]}`, c.url))
		req, _ := a.request(1, m)
		if !slices.Equal(req.HiddenLinks, []string{c.want}) || req.Text != "mira aquí" {
			t.Errorf("%s: links %q, want %q (text %q)", c.url, req.HiddenLinks, c.want, req.Text)
		}
	}

	// Forwarded: "tg://user", which names no one.
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x","username":"Vigia_User"},`+
		`"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"alguien"},"text":"te vigilo aquí",`+
		`"entities":[{"type":"text_link","offset":10,"length":4,"url":"https://t.me/vigia_user%00"}]}`)
	if req, _ := a.request(1, m); !slices.Equal(req.HiddenLinks, []string{"tg://user"}) {
		t.Errorf("forwarded: links %q, want tg://user", req.HiddenLinks)
	}
}
