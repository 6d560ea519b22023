package commands

import (
	"log/slog"
	"time"
)

// failureLogEvery is the least time between two lines of a loop that
// fails at every round while Redis is down (the broadcaster's, one a
// second; the indexer's, one every indexerPause): an outage of an hour
// would otherwise log thousands of them, burying the lines that say
// something new. Once a minute, as the spool's lines during an outage
// ("tips still spooled").
const failureLogEvery = time.Minute

// failureLog says which failures of a loop's run of them are logged: the
// first, then at most one every failureLogEvery, each line counting the
// failures left out since the one before (suppressed). A success ends
// the run: the next failure is a new run's first, logged at once, and
// counts nothing of the run before. It is for one goroutine.
type failureLog struct {
	logged     time.Time // the last line's time, zero outside a run
	suppressed int       // the failures not logged since
}

// failed counts a failure at now, and reports whether to log it, and if
// so how many failures were left out since the last line.
func (f *failureLog) failed(now time.Time) (suppressed int, log bool) {
	if !f.logged.IsZero() && now.Sub(f.logged) < failureLogEvery {
		f.suppressed++
		return 0, false
	}
	suppressed = f.suppressed
	f.logged, f.suppressed = now, 0
	return suppressed, true
}

// succeeded ends a run of failures.
func (f *failureLog) succeeded() { *f = failureLog{} }

// round notes a round's outcome at now: a success ends the run; a
// failure is logged as msg, with the error and the count left out, when
// failed says so.
func (f *failureLog) round(log *slog.Logger, msg string, err error, now time.Time) {
	if err == nil {
		f.succeeded()
		return
	}
	if suppressed, ok := f.failed(now); ok {
		log.Warn(msg, "error", err.Error(), "suppressed", suppressed)
	}
}
