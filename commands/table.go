package commands

import "context"

// HandlerFunc runs one command.
type HandlerFunc func(ctx context.Context, c *Context) error

// Command is one entry of the command table.
type Command struct {
	Name    string
	Aliases []string
	// Role is the least role that may run it; to others it does not exist.
	Role Role
	// PrivateOnly commands are refused in groups (they would expose the user).
	PrivateOnly bool
	Handler     HandlerFunc
}

// commandTable lists every command Vigía knows.
func commandTable() []*Command {
	return []*Command{
		{Name: "start", Handler: start},
		{Name: "help", Handler: help},
		{Name: "language", Aliases: []string{"lang", "idioma", "langue", "lingua"}, PrivateOnly: true, Handler: chooseLanguage},
		{Name: "status", Aliases: []string{"estado"}, PrivateOnly: true, Handler: status},
		{Name: "cancel", Aliases: []string{"cancelar", "annuler"}, PrivateOnly: true, Handler: cancelDraft},
		{Name: "recent", Role: Investigator, Handler: recent},
		{Name: "tip", Role: Investigator, Handler: showTip},
	}
}
