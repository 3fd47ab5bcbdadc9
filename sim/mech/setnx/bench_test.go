package setnx_test

import (
	"testing"

	"coordlab/sim/scenario"
)

// BenchmarkSetnx60s4Clients runs a 60-second, 4-client setnx scenario end to
// end, invariant checks included. Target: under 20 ms natively.
func BenchmarkSetnx60s4Clients(b *testing.B) {
	s, err := scenario.Parse("bench.scenario.yaml", []byte(`name: bench
mechanism: setnx
duration: 60s
params: {clients: 4}
`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var events int
	for b.Loop() {
		res, err := s.Run(scenario.Options{})
		if err != nil {
			b.Fatal(err)
		}
		events = res.Events
	}
	b.ReportMetric(float64(events), "events/run")
}
