package raft_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/raft"
)

// TestClientRestart crashes and restarts every client. The servers remember
// each client's latest serial number (§8), so a restarted client that
// counted from 1 again would have its new commands taken for executed ones
// and answered without running them: reads that miss acknowledged writes.
func TestClientRestart(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		var fs []sim.Fault
		for _, c := range []string{"client-1", "client-2", "client-3"} {
			fs = append(fs, sim.Fault{At: 3 * time.Second, Kind: sim.FaultCrash, Node: c},
				sim.Fault{At: 3500 * time.Millisecond, Kind: sim.FaultRestart, Node: c})
		}
		w := run(t, seed, 8*time.Second, sim.DefaultNetwork, fs)
		for _, v := range violations(w, raft.Mechanism.Defaults()) {
			t.Errorf("seed %d: %s at %v: %s", seed, v.Invariant, v.At, v.Detail)
		}
	}
}

// TestRandomFaultsOnClients adds crashes, restarts and pauses of clients to
// the random server faults of TestRandomFaults. A client that crashes with a
// request in flight never learns its outcome: the operation must stay in the
// history as one that may or may not have taken effect.
func TestRandomFaultsOnClients(t *testing.T) {
	for _, read := range []string{"log", "lease"} {
		p, err := raft.Mechanism.With("read", read, "nodes", "3")
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 30; seed++ {
			w := sim.New(sim.Config{Seed: seed, Duration: 25 * time.Second, Network: sim.DefaultNetwork})
			if err := raft.Mechanism.Build(w, p); err != nil {
				t.Fatal(err)
			}
			servers, clients := serversAndClients(w)
			rng := rand.New(rand.NewPCG(seed, 5))
			fs := randomFaults(rng, servers, clients, 20*time.Second, read == "log")
			for range 6 {
				c := clients[rng.IntN(len(clients))]
				at := time.Duration(rng.IntN(18000)) * time.Millisecond
				switch rng.IntN(3) {
				case 0:
					fs = append(fs, sim.Fault{At: at, Kind: sim.FaultCrash, Node: c},
						sim.Fault{At: at + time.Duration(rng.IntN(2000))*time.Millisecond, Kind: sim.FaultRestart, Node: c})
				case 1:
					fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPause, Node: c, For: time.Duration(rng.IntN(2000)) * time.Millisecond})
				default:
					fs = append(fs, sim.Fault{At: at, Kind: sim.FaultRestart, Node: c}) // a bounce
				}
			}
			for _, f := range fs {
				if err := w.Schedule(f); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			for _, v := range violations(w, p) {
				t.Errorf("read %s seed %d: %s at %v: %s", read, seed, v.Invariant, v.At, v.Detail)
			}
		}
	}
}
