package central_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/central"
)

// BenchmarkCentral runs the performance target: 60 s of virtual time,
// 50 users, default parameters (target: under 50 ms natively).
func BenchmarkCentral(b *testing.B) {
	p, err := central.Mechanism.With("users", "50")
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	for b.Loop() {
		w := sim.New(sim.Config{Seed: 1, Duration: 60 * time.Second, Network: sim.DefaultNetwork})
		if err := central.Mechanism.Build(w, p); err != nil {
			b.Fatal(err)
		}
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		central.Mechanism.Finish(w, p)
		for _, c := range central.Mechanism.Checkers(p) {
			c.Check(w.History())
		}
		events = w.Events()
	}
	b.ReportMetric(float64(events), "events/run")
}
