package commands

import "time"

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
