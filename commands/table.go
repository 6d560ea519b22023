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
	ArgCategory // one of the tip categories
	ArgRole     // investigator or admin
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
	// TeamNames are, for a team command, its names in each language (the
	// ones Discord's menu shows: "siguiente", "rechercher", "sinais"),
	// with their accents and without, which no other command has: typed in
	// a private chat, one is that command to a member who may run it, and
	// not an alias (to anyone else, "/nota …" stays what it was). New
	// fills them.
	TeamNames []string
	// Role is the least role that may run it; to others it does not exist.
	Role Role
	// PrivateOnly commands are refused in every group, investigators' groups
	// included: they would expose the user, or hand out what is for the
	// user alone (an invitation code, a second-factor secret, the team).
	PrivateOnly bool
	// OpensForm commands answer with a Form where the platform has forms;
	// such an answer must come first (Discord cannot open a modal after
	// deferring), so adapters must not defer them.
	OpensForm bool
	Args      []Arg
	// BeforeUnlock team commands work before the second factor is given
	// (those that give it); their arguments are not written to the audit log.
	BeforeUnlock bool
	// TipText team commands take a tip number, then text that goes into
	// the tip's history (a note, a question): the audit log, kept a year
	// whatever happens to the tip, records its length, not the text, so
	// the text goes when the tip is purged or expires.
	TipText bool
	// AuditLate team commands have their audit entry written once the
	// handler knows what the command does (Context.auditPending), before
	// it acts; or, if it never says, after it returns. A refused /ask is
	// so recorded once, as refused: not first as a question asked.
	AuditLate bool
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
		{Name: "reply", Aliases: []string{"responder", "repondre"}, PrivateOnly: true, Handler: replyCommand,
			Args: []Arg{{Name: "code", Required: true}, {Name: "answer", Required: true}}},
		{Name: "forget", Aliases: []string{"olvidar", "oublier"}, PrivateOnly: true, Handler: forget,
			Args: []Arg{{Name: "code", Required: true}}},
		{Name: "wipe", Aliases: []string{"borrar", "effacer", "apagar"}, PrivateOnly: true, Handler: wipe,
			Args: []Arg{{Name: "delay"}}},
		{Name: "redeem", PrivateOnly: true, Handler: redeem,
			Args: []Arg{{Name: "code", Required: true}}},
		{Name: "enroll", Role: Investigator, PrivateOnly: true, BeforeUnlock: true, Handler: enroll,
			Args: []Arg{{Name: "code"}}},
		{Name: "unlock", Role: Investigator, PrivateOnly: true, BeforeUnlock: true, Handler: unlock,
			Args: []Arg{{Name: "code", Required: true}}},
		{Name: "lock", Role: Investigator, BeforeUnlock: true, Handler: lock},
		{Name: "next", Role: Investigator, Handler: next,
			Args: []Arg{{Name: "category", Kind: ArgCategory}}},
		{Name: "queue", Role: Investigator, Handler: queue},
		{Name: "triage", Role: Investigator, Handler: triage,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}, {Name: "decision", Required: true}}},
		{Name: "note", Role: Investigator, TipText: true, Handler: note,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}, {Name: "text", Required: true}}},
		{Name: "ask", Role: Investigator, TipText: true, AuditLate: true, Handler: ask,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}, {Name: "question", Required: true}}},
		{Name: "invite", Role: Admin, PrivateOnly: true, Handler: invite,
			Args: []Arg{{Name: "role", Kind: ArgRole}}},
		{Name: "revoke", Role: Admin, PrivateOnly: true, Handler: revoke,
			Args: []Arg{{Name: "target", Required: true}}},
		{Name: "team", Role: Admin, PrivateOnly: true, Handler: team},
		{Name: "audit", Role: Admin, PrivateOnly: true, Handler: auditLog,
			Args: []Arg{{Name: "count", Kind: ArgInteger, Min: 1, Max: maxRecent}}},
		{Name: "dead", Role: Admin, Handler: dead},
		{Name: "purge", Role: Admin, Handler: purge,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}, {Name: "now"}}},
		{Name: "search", Role: Investigator, Handler: search,
			Args: []Arg{{Name: "query", Required: true}}},
		{Name: "entity", Role: Investigator, Handler: entity,
			Args: []Arg{{Name: "value", Required: true}}},
		{Name: "signals", Role: Investigator, Handler: signals,
			Args: []Arg{{Name: "window"}}},
		{Name: "subscribe", Handler: subscribe, Args: []Arg{{Name: "regions"}}},
		{Name: "unsubscribe", Handler: unsubscribe},
		{Name: "warn", Aliases: []string{"alerta", "aviso", "alerte"}, Handler: warn, Args: []Arg{{Name: "text", Required: true}}},
		{Name: "publish", Role: Investigator, TipText: true, Handler: publish,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}, {Name: "text"}}},
		{Name: "retract", Role: Investigator, Handler: retract,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}}},
		{Name: "recent", Role: Investigator, Handler: recent,
			Args: []Arg{{Name: "count", Kind: ArgInteger, Min: 1, Max: maxRecent}}},
		{Name: "tip", Role: Investigator, Handler: showTip,
			Args: []Arg{{Name: "number", Kind: ArgInteger, Required: true, Min: 1}, {Name: "page", Kind: ArgInteger, Min: 1, Max: maxHistoryPage}}},
	}
}

// Commands returns the command table, for adapters that register commands
// with their platform. Callers must not change it.
func (m *Mux) Commands() []*Command {
	return m.cmds
}
