package twopc_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/twopc"
)

// benchTwoPC runs 60 s of virtual time (600 transactions) and the checkers
// (target: under 50 ms natively).
func benchTwoPC(b *testing.B, kv ...string) {
	p, err := twopc.Mechanism.With(kv...)
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	for b.Loop() {
		w := sim.New(sim.Config{Seed: 1, Duration: 60 * time.Second, Network: sim.DefaultNetwork})
		if err := twopc.Mechanism.Build(w, p); err != nil {
			b.Fatal(err)
		}
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		twopc.Mechanism.Finish(w, p)
		for _, c := range twopc.Mechanism.Checkers(p) {
			c.Check(w.History())
		}
		events = w.Events()
	}
	b.ReportMetric(float64(events), "events/run")
}

// BenchmarkTwoPC is the target with the default three participants.
func BenchmarkTwoPC(b *testing.B) { benchTwoPC(b) }

// BenchmarkTwoPC20 is the same with twenty participants, the most allowed.
func BenchmarkTwoPC20(b *testing.B) { benchTwoPC(b, "participants", "20") }
