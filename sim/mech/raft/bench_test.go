package raft_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// BenchmarkRaft60s is the performance target of DESIGN section 8: a 5-node,
// 3-client, 60-second Raft run (under 100 ms natively, aim 20 ms).
func BenchmarkRaft60s(b *testing.B) {
	for b.Loop() {
		run(b, 1, 60*time.Second, sim.DefaultNetwork, nil)
	}
}

// BenchmarkLinearizability60s checks the client history of that run with
// porcupine (target: under 1 s).
func BenchmarkLinearizability60s(b *testing.B) {
	benchmarkLinearizability(b, 60*time.Second)
}

// BenchmarkLinearizability10k checks a history of about 10,000 operations,
// the size DESIGN section 8 sets a 1 s target for.
func BenchmarkLinearizability10k(b *testing.B) {
	benchmarkLinearizability(b, 375*time.Second)
}

func benchmarkLinearizability(b *testing.B, d time.Duration) {
	w := run(b, 1, d, sim.DefaultNetwork, nil)
	h := w.History()
	c := check.LinearizabilityChecker()
	for b.Loop() {
		if v := c.Check(h); len(v) != 0 {
			b.Fatal(v)
		}
	}
	b.ReportMetric(float64(len(check.OpsOf(h))), "ops")
}
