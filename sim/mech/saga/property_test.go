package saga_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/saga"
)

// randomFaults draws a fault schedule that is over by 21s: crashes and
// restarts of any node, a pause, an isolated node, clock jumps and drift.
// The network loses and duplicates messages all along.
func randomFaults(r *rand.Rand, nodes []string) (sim.Network, []sim.Fault) {
	pick := func() string { return nodes[r.IntN(len(nodes))] }
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(r.Int64N(int64(hi-lo))) }
	net := sim.DefaultNetwork
	net.Loss = r.Float64() * 0.1
	net.Duplicate = r.Float64() * 0.2
	var fs []sim.Fault
	for range r.IntN(5) {
		n, at := pick(), between(500*time.Millisecond, 15*time.Second)
		fs = append(fs, sim.Fault{At: at, Kind: sim.FaultCrash, Node: n},
			sim.Fault{At: at + between(100*time.Millisecond, 5*time.Second), Kind: sim.FaultRestart, Node: n})
	}
	if r.IntN(2) == 0 {
		fs = append(fs, sim.Fault{At: between(0, 15*time.Second), Kind: sim.FaultPause, Node: pick(), For: between(0, 3*time.Second)})
	}
	if r.IntN(2) == 0 {
		at := between(0, 15*time.Second)
		fs = append(fs, sim.Fault{At: at, Kind: sim.FaultIsolate, Node: pick()},
			sim.Fault{At: at + between(0, 5*time.Second), Kind: sim.FaultHeal})
	}
	if r.IntN(2) == 0 {
		fs = append(fs, sim.Fault{At: between(0, 15*time.Second), Kind: sim.FaultClockJump, Node: pick(), Jump: between(-time.Second, time.Second)})
	}
	if r.IntN(2) == 0 {
		fs = append(fs, sim.Fault{At: between(0, 15*time.Second), Kind: sim.FaultClockDrift, Node: pick(), Rate: 0.9 + 0.2*r.Float64()})
	}
	return net, fs
}

// runRandom runs one seed's random schedule and returns the world.
func runRandom(t *testing.T, seed uint64, kv ...string) (*sim.World, []check.Violation) {
	t.Helper()
	p, err := saga.Mechanism.With(kv...)
	if err != nil {
		t.Fatal(err)
	}
	net, faults := randomFaults(rand.New(rand.NewPCG(seed, 99)), saga.Mechanism.Nodes(p))
	w, found, err := saga.Mechanism.Run(sim.Config{Seed: seed, Duration: 60 * time.Second, Network: net}, p, faults...)
	if err != nil {
		t.Fatal(err)
	}
	return w, found
}

// settled checks, beyond the checkers, that every saga has come to rest
// once the faults are over: each step's effect is in force exactly once
// (completed) or not at all (compensated), in every saga alike.
func settled(h []sim.Observation) error {
	net := map[int]map[int]int{}
	var ids []int
	for _, o := range h {
		e, ok := o.Value.(check.SagaEffect)
		if !ok {
			continue
		}
		if net[e.Saga] == nil {
			net[e.Saga] = map[int]int{}
			ids = append(ids, e.Saga)
		}
		if e.Compensation {
			net[e.Saga][e.Step]--
		} else {
			net[e.Saga][e.Step]++
		}
	}
	for _, id := range ids {
		first := net[id][1]
		for step := 1; step <= len(saga.Steps); step++ {
			if n := net[id][step]; n != first || n < 0 || n > 1 {
				return fmt.Errorf("saga %d did not settle: effects in force per step %v", id, net[id])
			}
		}
	}
	return nil
}

// TestPropertySafeSagas: with idempotency keys and a durable log, in either
// style, whatever the crashes, pauses, partitions, clock faults, losses and
// duplicates, every saga ends fully committed or fully compensated and no
// effect applies twice.
func TestPropertySafeSagas(t *testing.T) {
	seeds := 150
	if testing.Short() {
		seeds = 20
	}
	for _, style := range []string{saga.Orchestration, saga.Choreography} {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			w, found := runRandom(t, seed, "style", style, "idempotency", "true", "durable_log", "true", "fail_rate", "0.3")
			for _, v := range found {
				t.Errorf("%s seed %d: %s at %v: %s", style, seed, v.Invariant, v.At, v.Detail)
			}
			if err := settled(w.History()); err != nil {
				t.Errorf("%s seed %d: %v", style, seed, err)
			}
			if t.Failed() {
				return
			}
		}
	}
}

// TestPropertyUnsafeIsCaught: the same schedules without idempotency keys
// must, on some seeds, charge twice — the checkers are not blind.
func TestPropertyUnsafeIsCaught(t *testing.T) {
	doubles := 0
	for seed := uint64(1); seed <= 20; seed++ {
		_, found := runRandom(t, seed, "idempotency", "false")
		for _, v := range found {
			if v.Invariant == "double-effect" {
				doubles++
			}
		}
	}
	if doubles == 0 {
		t.Fatal("20 seeds with duplicated messages and no idempotency keys never applied an effect twice")
	}
}
