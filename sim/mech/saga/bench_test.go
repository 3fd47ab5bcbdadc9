package saga_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/saga"
)

// benchSaga runs the performance target: 60 s of virtual time, 50
// sagas, the rest of the parameters at their defaults, then the checkers
// (target: under 50 ms natively).
func benchSaga(b *testing.B, kv ...string) {
	p, err := saga.Mechanism.With(append([]string{"sagas", "50"}, kv...)...)
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	for b.Loop() {
		w := sim.New(sim.Config{Seed: 1, Duration: 60 * time.Second, Network: sim.DefaultNetwork})
		if err := saga.Mechanism.Build(w, p); err != nil {
			b.Fatal(err)
		}
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		for _, c := range saga.Mechanism.Checkers(p) {
			c.Check(w.History())
		}
		events = w.Events()
	}
	b.ReportMetric(float64(events), "events/run")
}

// BenchmarkSagaOrchestration is the 60 s, 50-saga target, orchestrated.
func BenchmarkSagaOrchestration(b *testing.B) { benchSaga(b) }

// BenchmarkSagaChoreography is the 60 s, 50-saga target, choreographed.
func BenchmarkSagaChoreography(b *testing.B) { benchSaga(b, "style", "choreography") }
