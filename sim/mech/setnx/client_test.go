package setnx_test

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/setnx"
	"coordlab/sim/scenario"
)

func build(t *testing.T, duration time.Duration, net sim.Network, kv ...string) *sim.World {
	t.Helper()
	p, err := setnx.Mechanism.With(kv...)
	if err != nil {
		t.Fatal(err)
	}
	w := sim.New(sim.Config{Seed: 3, Duration: duration, Network: net, KeepTrace: true})
	if err := setnx.Mechanism.Build(w, p); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestValuePerAcquisition: each acquisition draws one random value, and
// retries of the same acquisition reuse it — so the number of distinct
// values sent equals the number of acquisitions asked for, while the number
// of SETs (with retries) is larger.
func TestValuePerAcquisition(t *testing.T) {
	w := build(t, 5*time.Second, sim.DefaultNetwork, "clients", "3")
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	values, sets := map[string]bool{}, 0
	for _, e := range w.Trace() {
		if e.Kind == sim.TraceSend && e.Msg == "SET NX PX" {
			sets++
			_, rest, _ := strings.Cut(e.Body, "Value:")
			value, _, _ := strings.Cut(rest, " ")
			values[value] = true
		}
	}
	requested := 0
	for _, o := range w.History() {
		if _, ok := o.Value.(check.LockRequested); ok {
			requested++
		}
	}
	if len(values) != requested || sets <= requested {
		t.Errorf("%d distinct values in %d SETs for %d acquisitions; want one value per acquisition and some retries", len(values), sets, requested)
	}
}

// TestClientFindsNewPrimary: after redis-1 crashes, clients time out, try
// redis-2, and keep getting the lock from it once it is promoted.
func TestClientFindsNewPrimary(t *testing.T) {
	w := build(t, 10*time.Second, sim.DefaultNetwork, "replica", "true")
	if err := w.Schedule(sim.Fault{At: 3 * time.Second, Kind: sim.FaultCrash, Node: "redis-1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	after := 0
	for _, o := range w.History() {
		if _, ok := o.Value.(check.LockAcquired); ok && o.At > 5*time.Second {
			after++
		}
	}
	if after < 5 {
		t.Errorf("%d acquisitions after the failover, want at least 5", after)
	}
	if got := w.Resolve("leader"); got != "redis-2" {
		t.Errorf("leader is %q, want redis-2", got)
	}
}

// TestBadParameters: a parameter out of range is an error naming it.
func TestBadParameters(t *testing.T) {
	for _, kv := range [][]string{
		{"ttl", "-1s"}, {"ttl", "0s"}, {"release", "unlink"}, {"persistence", "sometimes"}, {"clients", "0"},
	} {
		if _, err := setnx.Mechanism.With(kv...); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s: %s gave %v, want an error naming %s", kv[0], kv[1], err, kv[0])
		}
	}
}

// TestBadParameterPosition: in a scenario, a negative ttl is an error at the
// line and column where it is written.
func TestBadParameterPosition(t *testing.T) {
	src := "name: bad-ttl\nmechanism: setnx\nparams:\n  clients: 2\n  ttl: -1s\n"
	_, err := scenario.Parse("bad.scenario.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "bad.scenario.yaml:5:8") || !strings.Contains(err.Error(), "ttl") {
		t.Errorf("got %v, want an error about ttl at bad.scenario.yaml:5:8", err)
	}
}
