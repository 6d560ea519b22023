package commands

import (
	"fmt"
	"strings"
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

// ParseIDList parses "telegram:123,discord:456" into "platform:id" entries.
// It accepts spaces around items and rejects unknown platforms and ids that
// are not numbers.
func ParseIDList(s string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		platform, id, ok := strings.Cut(item, ":")
		platform = strings.ToLower(strings.TrimSpace(platform))
		id = strings.TrimSpace(id)
		if !ok || (platform != "telegram" && platform != "discord") {
			return nil, fmt.Errorf("%q is not platform:id (platform telegram or discord)", item)
		}
		if !isInt(id) {
			return nil, fmt.Errorf("%q: the id must be a number", item)
		}
		out = append(out, platform+":"+id)
	}
	return out, nil
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
