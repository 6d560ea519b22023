package discord

import (
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// Beside the events' own handling (message and interactionEvent.run,
// which recover), the adapter runs engine and library code on goroutines
// of its own: the answers to events it does not handle (refuseMessage,
// interactionEvent.refuse), an interaction's deferral timer, a notice's
// retirement timer, the rechecker, the reconnector, the user queues'
// drains, and Run's channel check and command registration; and
// discordgo calls the gateway's handlers on its read loop, with no
// recover either. A panic on any of them would end serve, every event in
// flight with it, and print a traceback with argument values (a chat id,
// a token). Each recovers instead: the panic is logged as the events'
// are (its type and commands.Stack: functions and lines only, no text,
// id or token), and the goroutine goes on, or ends, alone.

// recovered, deferred, stops a panic of the goroutine it is deferred in
// and logs it as a panic in where. It must be deferred itself (recover
// works only there).
func (a *Adapter) recovered(where string) {
	if p := recover(); p != nil {
		a.logPanic(where, p)
	}
}

// logPanic logs a panic recovered in where; called from the deferred
// function that recovered it (the stack then starts at the panic).
func (a *Adapter) logPanic(where string, p any) {
	a.log.Error("discord panic recovered", "in", where, "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(4))
}

// guardEvent is handler, for discordgo's read loop, its panic stopped and
// logged: the gateway goes on reading, and serve runs on.
func guardEvent[E any](a *Adapter, handler func(*discordgo.Session, E)) func(*discordgo.Session, E) {
	return func(s *discordgo.Session, e E) {
		defer a.recovered("gateway event")
		handler(s, e)
	}
}

// errPanicked is the error of a step that panicked (guarded).
var errPanicked = errors.New("discord: panicked")

// guarded runs step, a panic in it logged (as in where) and returned as
// errPanicked.
func (a *Adapter) guarded(where string, step func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			a.logPanic(where, p)
			err = fmt.Errorf("%s: %w", where, errPanicked)
		}
	}()
	return step()
}
