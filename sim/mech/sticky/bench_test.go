package sticky_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/sticky"
)

// BenchmarkSticky runs the performance target: 60 s of virtual time,
// 50 users, default parameters (target: under 50 ms natively).
func BenchmarkSticky(b *testing.B) {
	p, err := sticky.Mechanism.With("users", "50")
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	for b.Loop() {
		w := sim.New(sim.Config{Seed: 1, Duration: 60 * time.Second, Network: sim.DefaultNetwork})
		if err := sticky.Mechanism.Build(w, p); err != nil {
			b.Fatal(err)
		}
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		sticky.Mechanism.Finish(w, p)
		for _, c := range sticky.Mechanism.Checkers(p) {
			c.Check(w.History())
		}
		events = w.Events()
	}
	b.ReportMetric(float64(events), "events/run")
}
