package commands

import (
	"context"
	"time"
)

// ShortReceiptRetry makes a refused receipt go again at once, for tests.
func ShortReceiptRetry(t interface{ Cleanup(func()) }) {
	old := receiptRetry
	receiptRetry = time.Millisecond
	t.Cleanup(func() { receiptRetry = old })
}

// ShortAlertRetryBudget gives RetryAlerts's sends d in all, for tests.
func ShortAlertRetryBudget(t interface{ Cleanup(func()) }, d time.Duration) {
	old := alertRetryBudget
	alertRetryBudget = d
	t.Cleanup(func() { alertRetryBudget = old })
}

// Isolated is isolated, for tests.
var Isolated = isolated

// ShortWipeSettle gives a scheduled deletion's settle d, for tests.
func ShortWipeSettle(t interface{ Cleanup(func()) }, d time.Duration) {
	old := wipeSettle
	wipeSettle = d
	t.Cleanup(func() { wipeSettle = old })
}

// ShortUntoldLastTell gives the untold answers a sweep claimed d to be
// told once its context has ended, for tests.
func ShortUntoldLastTell(t interface{ Cleanup(func()) }, d time.Duration) {
	old := untoldLastTell
	untoldLastTell = d
	t.Cleanup(func() { untoldLastTell = old })
}

// ReceiptAlone is receiptAlone, for tests.
var ReceiptAlone = receiptAlone

// RefusedInOutage reports whether keepPart refuses text, a message of
// text alone, while Redis is down, never spooling it: read as a receipt
// code surely one (told to try again), or codes alone (NOT saved).
func RefusedInOutage(text string) bool {
	_, ok, digit := receiptAlone(text)
	return ok && digit || codesAlone(text)
}

// CheckKeysetNow runs the sweeper's keyset check once, for tests.
func (m *Mux) CheckKeysetNow(ctx context.Context) { m.checkKeyset(ctx) }

// SenderCallWait is senderCallWait, for tests.
const SenderCallWait = senderCallWait

// NamesAsShown is namesAsShown, for tests: text with the commands it
// names under their names in lang, as a Discord client in lang shows them.
func (m *Mux) NamesAsShown(lang, text string) string { return m.namesAsShown(lang, text) }

// DiscordT is Context.T for a Discord request from a client in client,
// answered in lang, for tests.
func (m *Mux) DiscordT(lang, client, id string, data map[string]any) string {
	c := &Context{mux: m, Lang: lang, client: client, Request: Request{Platform: "discord"}}
	return c.T(id, data)
}

// ShortIndexerPause makes RunIndexer try again d after a failed batch,
// for tests.
func ShortIndexerPause(t interface{ Cleanup(func()) }, d time.Duration) {
	old := indexerPause
	indexerPause = d
	t.Cleanup(func() { indexerPause = old })
}
