package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// promMetrics exports the engine's counters in Prometheus format. Labels
// name platforms, categories and commands: never a user.
type promMetrics struct {
	reg         *prometheus.Registry
	tips        *prometheus.CounterVec
	handled     *prometheus.HistogramVec
	sendFailed  *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
}

func newMetrics(st *storage.Store, spool *storage.Spool) *promMetrics {
	m := &promMetrics{
		reg: prometheus.NewRegistry(),
		tips: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_tips_received_total", Help: "Tips stored, by platform and category.",
		}, []string{"platform", "category"}),
		handled: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigia_handler_seconds", Help: "Time to handle one update, by platform and command.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"platform", "command"}),
		sendFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_send_failures_total", Help: "Messages that could not be delivered, by platform.",
		}, []string{"platform"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigia_rate_limited_total", Help: "429 answers from a platform.",
		}, []string{"platform"}),
	}
	// read asks Redis for a gauge's value, -1 when it does not answer.
	read := func(get func(context.Context) (float64, error)) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			v, err := get(ctx)
			if err != nil {
				return -1
			}
			return v
		}
	}
	queue := func(pick func(storage.QueueDepth) float64) func() float64 {
		return read(func(ctx context.Context) (float64, error) {
			d, err := st.QueueDepth(ctx)
			return pick(d), err
		})
	}
	m.reg.MustRegister(m.tips, m.handled, m.sendFailed, m.rateLimited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_queue_open", Help: "Tips in triage not yet decided."},
			queue(func(d storage.QueueDepth) float64 { return float64(d.Open) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_queue_oldest_seconds", Help: "Age of the oldest open triage entry."},
			queue(func(d storage.QueueDepth) float64 { return d.Oldest.Seconds() })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_inbox_depth", Help: "Webhook updates waiting in the inbox."},
			queue(func(d storage.QueueDepth) float64 { return float64(d.Inbox) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_spool_size", Help: "Tips kept on disk while Redis was unreachable, not yet replayed; -1 when a spool file cannot be read (see the ERROR log)."},
			spoolGauge(spool, func(c storage.SpoolCount) int { return c.Waiting })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_spool_unreadable", Help: "Spooled records that open under no configured secret (quarantined or about to be): tips that cannot reach Redis; see the ERROR log. -1 when a spool file cannot be read."},
			spoolGauge(spool, func(c storage.SpoolCount) int { return c.Unreadable + c.Quarantined })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_spool_set_aside", Help: "Spooled tips Redis refused the same way for minutes (a key of the wrong type), set aside in tips.spool.rejected and tried again at the next start; see the ERROR log. -1 when a spool file cannot be read."},
			spoolGauge(spool, func(c storage.SpoolCount) int { return c.SetAside })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_spool_owed_receipts", Help: "Receipts of spooled tips the platform refused, kept to be told with their reporters' next messages."},
			func() float64 { n, _ := spool.Owed(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vigia_spool_owed_dropped_total", Help: "Owed receipts dropped, the oldest first, past the 1,000 kept: their reporters never get them (the tips are kept); see the ERROR log."},
			func() float64 { _, n := spool.Owed(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigia_index_backlog", Help: "Tips received but not indexed yet (not findable by /search)."},
			read(func(ctx context.Context) (float64, error) {
				n, err := st.IndexBacklog(ctx)
				return float64(n), err
			})),
	)
	return m
}

// spoolGauge reads a gauge's value off the spool's counts, -1 when a
// spool file cannot be read (as the gauges read from Redis are when it
// does not answer): its tips are not counted then, and 0 would say that
// none wait.
func spoolGauge(spool *storage.Spool, pick func(storage.SpoolCount) int) func() float64 {
	return func() float64 {
		c, err := spool.Counted()
		if err != nil {
			return -1
		}
		return float64(pick(c))
	}
}

func (m *promMetrics) TipReceived(platform string, category tips.Category) {
	m.tips.WithLabelValues(platform, string(category)).Inc()
}

func (m *promMetrics) Handled(platform, command string, took time.Duration) {
	m.handled.WithLabelValues(platform, command).Observe(took.Seconds())
}

func (m *promMetrics) SendFailed(platform string) { m.sendFailed.WithLabelValues(platform).Inc() }

func (m *promMetrics) RateLimited(platform string) func() {
	return func() { m.rateLimited.WithLabelValues(platform).Inc() }
}
