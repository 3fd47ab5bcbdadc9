package quorum_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/quorum"
)

const ms = time.Millisecond

// op builds a completed operation as check.StampOps leaves it.
func op(client, kind, value, output string, call, ret int, ok bool) sim.Observation {
	return sim.Observation{At: sim.Time(ret) * ms, Node: client, Value: check.Op{
		Client: client, Kind: kind, Key: "k1", Value: value, Output: output,
		Call: sim.Time(call) * ms, Return: sim.Time(ret) * ms, Ok: ok,
	}}
}

func TestPercentile(t *testing.T) {
	lat := func(ms ...int) []time.Duration {
		out := make([]time.Duration, len(ms))
		for i, m := range ms {
			out[i] = time.Duration(m) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name string
		lat  []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", lat(7), 99, 7 * ms},
		{"median of four is the second", lat(1, 2, 3, 4), 50, 2 * ms},
		{"median of five is the third", lat(1, 2, 3, 4, 5), 50, 3 * ms},
		{"p99 of five is the largest", lat(1, 2, 3, 4, 5), 99, 5 * ms},
		{"p50 of 1..100", lat(hundred...), 50, 50 * ms},
		{"p99 of 1..100", lat(hundred...), 99, 99 * ms},
		{"p100 of 1..100", lat(hundred...), 100, 100 * ms},
	}
	for _, tt := range tests {
		if got := quorum.Percentile(tt.lat, tt.p); got != tt.want {
			t.Errorf("%s: p%v = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name string
		h    []sim.Observation
		want quorum.Measures
	}{
		{"no operations", nil, quorum.Measures{}},
		{"all answered", []sim.Observation{
			op("client-1", "put", "a", "", 0, 10, true),
			op("client-2", "get", "", "a", 20, 24, true),
			op("client-1", "get", "", "a", 30, 36, true),
		}, quorum.Measures{Ops: 3, Ok: 3, Availability: 1, P50: 6 * ms, P99: 10 * ms}},
		{"a timeout and a refusal count against availability, not latency", []sim.Observation{
			op("client-1", "put", "a", "", 0, 10, true),
			op("client-2", "get", "", "", 20, 620, false),
			op("client-3", "put", "b", "", 30, 32, false),
			op("client-1", "get", "", "a", 40, 44, true),
		}, quorum.Measures{Ops: 4, Ok: 2, Availability: 0.5, P50: 4 * ms, P99: 10 * ms}},
		{"an operation in flight at the end is left out", []sim.Observation{
			op("client-1", "put", "a", "", 0, 10, true),
			{At: 50 * ms, Value: check.Op{Client: "client-2", Kind: "put", Key: "k1", Value: "b", Call: 45 * ms, Return: 50 * ms}},
		}, quorum.Measures{Ops: 1, Ok: 1, Availability: 1, P50: 10 * ms, P99: 10 * ms}},
		{"stale reads and lost updates are counted", []sim.Observation{
			op("client-1", "put", "a", "", 0, 10, true),
			{At: 22 * ms, Node: "replica-1", Value: check.Discard{Replica: "replica-1", Key: "k1", Value: "b", Kept: "a"}},
			op("client-2", "put", "b", "", 20, 30, true),
			op("client-3", "get", "", "a", 40, 50, true),
		}, quorum.Measures{Ops: 3, Ok: 3, Availability: 1, P50: 10 * ms, P99: 10 * ms, StaleReads: 1, LostUpdates: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quorum.Measure(tt.h); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
