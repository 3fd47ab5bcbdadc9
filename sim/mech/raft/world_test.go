package raft_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/raft"
)

// run builds a raft world with the given parameters, schedules faults, runs
// it for d and returns it.
func run(t testing.TB, seed uint64, d time.Duration, net sim.Network, faults []sim.Fault, kv ...string) *sim.World {
	t.Helper()
	p, err := raft.Mechanism.With(kv...)
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := raft.Mechanism.Run(sim.Config{Seed: seed, Duration: d, Network: net}, p, faults...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// violations runs every raft checker over the world's history.
func violations(w *sim.World, p mech.Params) []check.Violation {
	var out []check.Violation
	for _, c := range raft.Mechanism.Checkers(p) {
		out = append(out, c.Check(w.History())...)
	}
	return out
}

// TestHealthyMinute runs the default cluster for a minute without faults:
// one leader, every operation answered, steady commits, nothing violated.
func TestHealthyMinute(t *testing.T) {
	w := run(t, 1, 60*time.Second, sim.DefaultNetwork, nil)
	m := w.Metrics()
	if m["leader-changes"] != 1 || m["failed-ops"] != 0 || m["commits"] < 1000 || m["ops"] < 1000 {
		t.Errorf("metrics %v, want one leader, no failed operation, 1000 commits and operations", m)
	}
	for _, v := range violations(w, raft.Mechanism.Defaults()) {
		t.Errorf("%s at %v: %s", v.Invariant, v.At, v.Detail)
	}
}

// serversAndClients splits a Raft world's nodes by role.
func serversAndClients(w *sim.World) (servers, clients []string) {
	for _, n := range w.NodeNames() {
		if sim.Role(n) == "raft" {
			servers = append(servers, n)
		} else {
			clients = append(clients, n)
		}
	}
	return servers, clients
}
