package commands

import "time"

// ShortReceiptRetry makes a refused receipt go again at once, for tests.
func ShortReceiptRetry(t interface{ Cleanup(func()) }) {
	old := receiptRetry
	receiptRetry = time.Millisecond
	t.Cleanup(func() { receiptRetry = old })
}
