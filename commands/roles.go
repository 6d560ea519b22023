package commands

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Role is what a user may do.
type Role int

// Roles, from least to most trusted.
const (
	Anyone Role = iota
	Investigator
	Admin
)

// Roles maps "platform:id" to a role; everyone else is Anyone.
type Roles map[string]Role

// Of returns the role of a platform user.
func (r Roles) Of(platform, userID string) Role { return r[platform+":"+userID] }

// ErrLeadingZero is ParseIDList's error for an id written with a leading
// zero ("telegram:0009001") or as "-0". The platforms give ids without
// one, and keys, pseudonyms and configured roles are of the id as given:
// such an id matches no one as written, and read as a number it may be
// someone else than meant (a digit lost in copying), so it is refused,
// not read as 9001.
var ErrLeadingZero = errors.New("the id must be written without leading zeros, as the platform gives it")

// ParseIDList parses "telegram:123,discord:456" into "platform:id" entries.
// It accepts what an operator pastes and can only mean one thing: spaces
// and line breaks around items, entries one a line or apart by ";", the
// digits of every script and full-width forms ("telegram：１２３",
// asciiNumerals), the minus sign "−" of a chat id copied from a document,
// and invisible characters (a zero-width space, a byte order mark). It
// rejects unknown platforms, ids that are not numbers (entries apart by
// spaces alone too: "1 234" may be two ids or one), and ids with a
// leading zero or "-0" (ErrLeadingZero). Its errors name an entry by its
// position, never by its value: the list comes from configuration, whose
// errors are printed, and an id names a person.
func ParseIDList(s string) ([]string, error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u2212':
			return '-'
		case r == ';' || r == '\n' || r == '\r':
			return ','
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, asciiNumerals(s))
	var out []string
	n := 0
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		n++
		platform, id, ok := strings.Cut(item, ":")
		platform = strings.ToLower(strings.TrimSpace(platform))
		id = strings.TrimSpace(id)
		if !ok || (platform != "telegram" && platform != "discord") {
			return nil, fmt.Errorf("entry %d is not platform:id (platform telegram or discord)", n)
		}
		if !isInt(id) {
			return nil, fmt.Errorf("entry %d: the id must be a number%s", n, idHint(id))
		}
		// Zero is written "0" alone: "007", "-007" and "-0" are not how a
		// platform gives an id, and each would match no one as written.
		if digits := strings.TrimPrefix(id, "-"); digits[0] == '0' && id != "0" {
			return nil, fmt.Errorf("entry %d: %w", n, ErrLeadingZero)
		}
		out = append(out, platform+":"+id)
	}
	return out, nil
}

// ParsePeopleList is ParseIDList for lists of people (VIGIA_ADMINS,
// VIGIA_INVESTIGATORS): a negative id is a Telegram group or channel,
// which no one can speak as, so it is refused rather than never matching.
func ParsePeopleList(s string) ([]string, error) {
	ids, err := ParseIDList(s)
	if err != nil {
		return nil, err
	}
	for n, id := range ids {
		if _, num, _ := strings.Cut(id, ":"); strings.HasPrefix(num, "-") {
			return nil, fmt.Errorf("entry %d: a negative id is a group or channel, not a person (VIGIA_INVESTIGATOR_CHATS lists chats)", n+1)
		}
	}
	return ids, nil
}

// idHint says what an id that is not a number most likely is.
func idHint(id string) string {
	switch {
	case strings.HasPrefix(id, "@"):
		return " (the numeric user id, not a @username)"
	case strings.ContainsAny(id, " \t"):
		return " (separate entries with commas)"
	}
	return ""
}

func isInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
