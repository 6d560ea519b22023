// Package commands is Vigía's engine. Adapters translate a platform event
// into a Request and render the Replies; the Mux decides everything in
// between: who may run what, in which language, and what is stored.
//
// Commands are data (see table.go); role checks, panic recovery, language
// resolution and error answers run once, in Mux.Handle.
package commands
