package raft_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/raft"
)

// TestRandomFaultsCatchStaleReads runs the random schedules of
// TestRandomFaults with read: local, which is unsafe on purpose: the same
// checkers that find nothing there must find stale reads here.
func TestRandomFaultsCatchStaleReads(t *testing.T) {
	p, err := raft.Mechanism.With("read", "local")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	const seeds = 10
	for seed := uint64(1); seed <= seeds; seed++ {
		w := sim.New(sim.Config{Seed: seed, Duration: 20 * time.Second, Network: sim.DefaultNetwork})
		if err := raft.Mechanism.Build(w, p); err != nil {
			t.Fatal(err)
		}
		servers, clients := serversAndClients(w)
		for _, f := range randomFaults(rand.New(rand.NewPCG(seed, 99)), servers, clients, 18*time.Second, true) {
			if err := w.Schedule(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		for _, v := range violations(w, p) {
			if v.Invariant != "linearizability" {
				t.Errorf("seed %d: %s violated with read: local: %s", seed, v.Invariant, v.Detail)
			}
		}
		if len(violations(w, p)) > 0 {
			found++
		}
	}
	if found < seeds/2 {
		t.Errorf("stale reads found in %d of %d runs with read: local, want most", found, seeds)
	}
}
