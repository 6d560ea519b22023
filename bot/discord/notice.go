package discord

import (
	"errors"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// errFileRefused marks a file Discord refused to take (too large, a bad
// form): sending it again unchanged would fail again.
var errFileRefused = errors.New("file refused")

// refused reports whether Discord refused a request for what it holds: a
// 400, or a 413 for an upload over its size limit.
func refused(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil &&
		(re.Response.StatusCode == http.StatusBadRequest || re.Response.StatusCode == http.StatusRequestEntityTooLarge)
}
