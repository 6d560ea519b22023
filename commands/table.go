package commands

import "context"

// HandlerFunc runs one command.
type HandlerFunc func(ctx context.Context, c *Context) error

// ArgKind is the type of a command argument, for platforms that type them.
type ArgKind int

// Argument kinds.
const (
	ArgText ArgKind = iota
	ArgInteger
	ArgLanguage // one of the supported languages
)

// Arg describes one argument. Its localised name and description are the
// messages "arg_<command>_<arg>_name" and "arg_<command>_<arg>".
type Arg struct {
	Name     string
	Kind     ArgKind
	Required bool
	Min, Max int // for ArgInteger
}

// Command is one entry of the command table. Its localised description is
// the message "command_<name>", and its localised name (for platforms that
// show one, like Discord) "command_<name>_name".
type Command struct {
	Name    string
	Aliases []string
	// Role is the least role that may run it; to others it does not exist.
	Role Role
	// PrivateOnly commands are refused in groups (they would expose the user).
	PrivateOnly bool
	// OpensForm commands answer with a Form where the platform has forms;
	// such an answer must come first (Discord cannot open a modal after
	// deferring), so adapters must not defer them.
	OpensForm bool
	Args      []Arg
	Handler   HandlerFunc
}

// commandTable lists every command Vigía knows.
func commandTable() []*Command {
	return []*Command{
		{Name: "start", Handler: start},
		{Name: "help", Handler: help},
		{Name: "report", Aliases: []string{"denunciar", "signaler"}, PrivateOnly: true, OpensForm: true, Handler: report},
		{Name: "status", Aliases: []string{"estado"}, PrivateOnly: true, Handler: status,
			Args: []Arg{{Name: "code", Required: true}}},
		{Name: "language", Aliases: []string{"lang", "idioma", "langue", "lingua"}, PrivateOnly: true, Handler: chooseLanguage,
			Args: []Arg{{Name: "language", Kind: ArgLanguage}}},
		{Name: "cancel", Aliases: []string{"cancelar", "annuler"}, PrivateOnly: true, Handler: cancelDraft},
		{Name: "recent", Role: Investigator, Handler: recent,
			Args: []Arg{{Name: "count", Kind: ArgInteger, Min: 1, Max: maxRecent}}},
		{Name: "tip", Role: Investigator, Handler: showTip,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}}},
	}
}

// Commands returns the command table, for adapters that register commands
// with their platform. Callers must not change it.
func (m *Mux) Commands() []*Command {
	return commandTable()
}
