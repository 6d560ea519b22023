// Package commands is Vigía's engine. Adapters translate a platform event
// into a Request and render the Replies; the Mux decides everything in
// between: who may run what, in which language, and what is stored.
//
// Commands are data (see table.go); role checks, panic recovery, language
// resolution and error answers run once, in Mux.Handle.
//
// What the engine needs of storage is one interface, Store, with most of
// storage.Store's methods (the engine is its only client; tests wrap it
// to make Redis fail where they choose). What it may ask of a platform
// beyond Replier and Sender is a set of small optional interfaces an
// adapter implements or not (MessageDeleter, ChatWiper, NoWaitSender…).
package commands
