package quorum

import (
	"math"
	"slices"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Measures are the figures of a run: what the metrics report and the CAP
// explorer plots.
type Measures struct {
	Ops int // gets and puts the clients completed or gave up (not those in flight at the end)
	Ok  int // of which answered successfully
	// Availability is Ok / Ops: the share of operations answered rather
	// than refused or timed out (0 when there were none).
	Availability float64
	// P50 and P99 are percentiles of the latency of the successful
	// operations, by the nearest-rank method; 0 when none succeeded.
	P50, P99    time.Duration
	StaleReads  int // violations of stale-read
	LostUpdates int // violations of lost-update
}

// Measure computes the measures of a history whose operations carry true
// call times (see check.StampOps).
func Measure(h []sim.Observation) Measures {
	stale, lost, _ := staleAndLost(h)
	return measure(h, stale, lost, always)
}

func always(sim.Time) bool { return true }

// measure measures the operations sent at a time that in accepts, and
// counts the violations found at such a time.
func measure(h []sim.Observation, stale, lost []check.Violation, in func(sim.Time) bool) Measures {
	var m Measures
	var lat []time.Duration
	for _, o := range h {
		op, ok := o.Value.(check.Op)
		if !ok || o.Node == "" || (op.Kind != "get" && op.Kind != "put") || !in(op.Call) {
			continue // o.Node is empty for an operation still in flight at the end
		}
		m.Ops++
		if op.Ok {
			m.Ok++
			lat = append(lat, op.Return-op.Call)
		}
	}
	if m.Ops > 0 {
		m.Availability = float64(m.Ok) / float64(m.Ops)
	}
	slices.Sort(lat)
	m.P50, m.P99 = Percentile(lat, 50), Percentile(lat, 99)
	for _, v := range stale {
		if in(v.At) {
			m.StaleReads++
		}
	}
	for _, v := range lost {
		if in(v.At) {
			m.LostUpdates++
		}
	}
	return m
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted latencies
// by the nearest-rank method: the smallest latency that at least p percent of
// the latencies do not exceed. It returns 0 for no latencies.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
