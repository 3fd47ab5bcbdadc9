package crdt_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/crdt"
)

// randomRun runs one data type under random partitions, isolations and a
// crash, all healed by 8s, and returns the violations by invariant and the
// metrics. Clients stop updating after 30 operations.
func randomRun(t *testing.T, kind string, seed uint64) (map[string][]check.Violation, map[string]float64, string) {
	t.Helper()
	g := rand.New(rand.NewPCG(seed, 3))
	replicas := 2 + g.IntN(4)
	clients := 1 + g.IntN(3)
	gossip := time.Duration(50+g.IntN(300)) * time.Millisecond
	p, err := crdt.Mechanism.With("type", kind, "replicas", strconv.Itoa(replicas), "clients", strconv.Itoa(clients),
		"gossip", gossip.String(), "ops", "30", "think", strconv.Itoa(50+g.IntN(200))+"ms")
	if err != nil {
		t.Fatal(err)
	}
	w := sim.New(sim.Config{Seed: seed, Duration: 8*time.Second + crdt.Settle(p) + time.Second,
		Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Duration(1+g.IntN(50)) * time.Millisecond}}})
	if err := crdt.Mechanism.Build(w, p); err != nil {
		t.Fatal(err)
	}
	var faults []sim.Fault
	for range 1 + g.IntN(3) {
		at := time.Duration(g.IntN(6000)) * time.Millisecond
		var side []string
		for _, n := range w.NodeNames() {
			if g.IntN(2) == 0 {
				side = append(side, n)
			}
		}
		faults = append(faults, sim.Fault{At: at, Kind: sim.FaultPartition, Groups: [][]string{side}},
			sim.Fault{At: at + time.Duration(g.IntN(2000))*time.Millisecond, Kind: sim.FaultHeal})
	}
	victim := "replica-" + strconv.Itoa(1+g.IntN(replicas))
	faults = append(faults, sim.Fault{At: 2 * time.Second, Kind: sim.FaultCrash, Node: victim},
		sim.Fault{At: 3 * time.Second, Kind: sim.FaultRestart, Node: victim},
		sim.Fault{At: 8 * time.Second, Kind: sim.FaultHeal})
	for _, f := range faults {
		if err := w.Schedule(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]check.Violation{}
	for _, c := range crdt.Mechanism.Checkers(p) {
		out[c.Name] = c.Check(w.History())
	}
	desc := fmt.Sprintf("%s seed %d: %d replicas, %d clients, gossip %v, faults %v", kind, seed, replicas, clients, gossip, faults)
	return out, crdt.Mechanism.Finish(w, p), desc
}

// TestConvergeAfterHealing: whatever the partitions, once the network has
// healed and the replicas had time to gossip, every data type converges, and
// the counters and the OR-Set lose no acknowledged update.
func TestConvergeAfterHealing(t *testing.T) {
	lwwLost := 0
	for _, kind := range []string{"gcounter", "pncounter", "orset", "lwwregister"} {
		for seed := uint64(1); seed <= 25; seed++ {
			v, m, desc := randomRun(t, kind, seed)
			if len(v["convergence"]) > 0 {
				t.Errorf("%s: %s", desc, v["convergence"][0].Detail)
			}
			if _, ok := m["converged-at"]; !ok {
				t.Errorf("%s: the replicas did not hold the same state at the end", desc)
			}
			switch {
			case kind == "lwwregister":
				lwwLost += len(v["lost-update"])
			case len(v["lost-update"]) > 0:
				t.Errorf("%s: %s", desc, v["lost-update"][0].Detail)
			}
		}
	}
	if lwwLost == 0 {
		t.Error("the last-writer-wins register lost no update in 25 partitioned runs; concurrent adds should be thrown away")
	}
}

// TestDuplicatedUpdatesApplyOnce: the network delivers client updates twice.
// A replica must apply each operation once and answer both copies alike, or
// a G-Counter counts an increment twice (reported as "decrements were
// lost"), and a remove's second copy answers "absent" although the first
// removed the element (reported as a lost add). Merging states is
// idempotent; applying a client's operation is not.
func TestDuplicatedUpdatesApplyOnce(t *testing.T) {
	for _, kind := range []string{"gcounter", "pncounter", "orset"} {
		for seed := uint64(1); seed <= 5; seed++ {
			p, err := crdt.Mechanism.With("type", kind)
			if err != nil {
				t.Fatal(err)
			}
			net := sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: 10 * time.Millisecond}, Duplicate: 0.5}
			w := sim.New(sim.Config{Seed: seed, Duration: 20 * time.Second, Network: net})
			if err := crdt.Mechanism.Build(w, p); err != nil {
				t.Fatal(err)
			}
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			for _, c := range crdt.Mechanism.Checkers(p) {
				for _, v := range c.Check(w.History()) {
					t.Errorf("%s seed %d: %s: %s", kind, seed, v.Invariant, v.Detail)
				}
			}
		}
	}
}
