package quorum_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/quorum"
)

// BenchmarkExplore re-runs the explorer's 10,000-operation workload, as the
// /cap page does on every slider change (target: under 15 ms natively, so
// that WebAssembly in a browser stays under 50 ms).
func BenchmarkExplore(b *testing.B) {
	cases := []struct {
		name string
		edit func(*quorum.Settings)
	}{
		{"default", func(*quorum.Settings) {}},
		{"default-no-linearizability", func(s *quorum.Settings) { s.CheckLinearizability = false }},
		{"r1w1", func(s *quorum.Settings) { s.R, s.W = 1, 1 }},
		{"partition-sloppy", func(s *quorum.Settings) { s.Partition, s.Sloppy = true, true }},
		{"skew-vector", func(s *quorum.Settings) { s.Skew, s.Conflict = 2*time.Second, "vector" }},
	}
	for _, c := range cases {
		s := quorum.DefaultSettings()
		c.edit(&s)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := quorum.Explore(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// defaultWorld runs the explorer's default workload (n 3, r 2, w 2 on five
// replicas, 10,000 operations back to back) without measuring it.
func defaultWorld(b *testing.B) *sim.World {
	p, err := quorum.Mechanism.With("replicas", "5", "ops", "10000", "think", "0s", "timeout", "100ms")
	if err != nil {
		b.Fatal(err)
	}
	w := sim.New(sim.Config{Seed: 1, Duration: time.Hour, Network: sim.DefaultNetwork})
	if err := quorum.Mechanism.Build(w, p); err != nil {
		b.Fatal(err)
	}
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkRun is the simulation's share of BenchmarkExplore/default.
func BenchmarkRun(b *testing.B) {
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		events = defaultWorld(b).Events()
	}
	b.ReportMetric(float64(events), "events")
}

// BenchmarkAnalysis is the rest of it: stamping true times, the stale-read
// and lost-update checkers, and the linearizability search that a
// linearizable history needs.
func BenchmarkAnalysis(b *testing.B) {
	w := defaultWorld(b)
	h := check.StampOps(w.History())
	b.Run("stamp", func(b *testing.B) {
		for b.Loop() {
			check.StampOps(w.History())
		}
	})
	b.Run("stale-read+lost-update", func(b *testing.B) {
		for b.Loop() {
			check.StaleRead().Check(h)
			check.LostUpdate().Check(h)
		}
	})
	b.Run("linearizability", func(b *testing.B) {
		for b.Loop() {
			if v := check.LinearizabilityChecker().Check(h); len(v) > 0 {
				b.Fatal(v[0].Detail)
			}
		}
	})
}
