package raft_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/raft"
)

// randomFaults draws a fault schedule for the first `until` of a run:
// crashes and restarts, partitions and heals, pauses, message loss and
// duplication and, with clocks, clock drift and jumps on the servers. At
// until everything is repaired, so the run ends with a majority up and
// connected.
func randomFaults(rng *rand.Rand, servers, clients []string, until time.Duration, clocks bool) []sim.Fault {
	var fs []sim.Fault
	crashed := map[string]bool{}
	for at := time.Duration(0); ; {
		at += time.Duration(200+rng.IntN(1500)) * time.Millisecond
		if at >= until {
			break
		}
		s := servers[rng.IntN(len(servers))]
		switch k := rng.IntN(10); {
		case k < 2:
			if !crashed[s] {
				fs = append(fs, sim.Fault{At: at, Kind: sim.FaultCrash, Node: s})
				crashed[s] = true
			} else {
				fs = append(fs, sim.Fault{At: at, Kind: sim.FaultRestart, Node: s})
				crashed[s] = false
			}
		case k < 4:
			var a, b []string
			for _, n := range append(append([]string{}, servers...), clients...) {
				if rng.IntN(2) == 0 {
					a = append(a, n)
				} else {
					b = append(b, n)
				}
			}
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPartition, Groups: [][]string{a, b}})
		case k < 5:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultHeal})
		case k < 6:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPause, Node: s, For: time.Duration(100+rng.IntN(2000)) * time.Millisecond})
		case k < 7:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultLoss, Value: rng.Float64() * 0.3})
		case k < 8:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultDuplicate, Value: rng.Float64() * 0.3})
		case k < 9 && clocks:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultClockDrift, Node: s, Rate: 0.5 + rng.Float64()})
		case clocks:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultClockJump, Node: s, Jump: time.Duration(rng.IntN(4000)-2000) * time.Millisecond})
		}
	}
	fs = append(fs, sim.Fault{At: until, Kind: sim.FaultHeal},
		sim.Fault{At: until, Kind: sim.FaultLoss, Value: 0},
		sim.Fault{At: until, Kind: sim.FaultDuplicate, Value: 0})
	for _, s := range servers {
		if crashed[s] {
			fs = append(fs, sim.Fault{At: until, Kind: sim.FaultRestart, Node: s})
		}
		if clocks {
			fs = append(fs, sim.Fault{At: until, Kind: sim.FaultClockDrift, Node: s, Rate: 1})
		}
	}
	return fs
}

// TestRandomFaults runs many seeds with random fault schedules on 3 and 5
// servers and checks that every safety property and linearizability hold,
// and that commits keep growing once a majority is up and connected again.
// Reads through the log do not depend on clocks, so clocks are faulted too;
// lease reads do, so their runs keep clocks honest.
func TestRandomFaults(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 5
	}
	const faulty, calm = 20 * time.Second, 5 * time.Second
	for _, nodes := range []int{3, 5} {
		for _, variant := range []struct {
			read    string
			prevote bool
			quorum  bool
			clocks  bool
		}{
			{"log", false, false, true},
			{"log", true, true, true},
			{"lease", false, false, false},
			{"lease", true, true, false},
		} {
			name := fmt.Sprintf("nodes=%d/read=%s/prevote=%v/check_quorum=%v", nodes, variant.read, variant.prevote, variant.quorum)
			t.Run(name, func(t *testing.T) {
				p, err := raft.Mechanism.With("nodes", fmt.Sprint(nodes), "read", variant.read,
					"prevote", fmt.Sprint(variant.prevote), "check_quorum", fmt.Sprint(variant.quorum))
				if err != nil {
					t.Fatal(err)
				}
				for seed := uint64(1); seed <= uint64(seeds); seed++ {
					w := sim.New(sim.Config{Seed: seed, Duration: faulty + calm, Network: sim.DefaultNetwork})
					if err := raft.Mechanism.Build(w, p); err != nil {
						t.Fatal(err)
					}
					servers, clients := serversAndClients(w)
					rng := rand.New(rand.NewPCG(seed, uint64(nodes)))
					for _, f := range randomFaults(rng, servers, clients, faulty, variant.clocks) {
						if err := w.Schedule(f); err != nil {
							t.Fatal(err)
						}
					}
					if err := w.RunUntil(faulty + time.Second); err != nil {
						t.Fatal(err)
					}
					before := w.Metrics()["commits"]
					if err := w.Run(); err != nil {
						t.Fatal(err)
					}
					for _, v := range violations(w, p) {
						t.Errorf("seed %d: %s at %v: %s", seed, v.Invariant, v.At, v.Detail)
					}
					if after := w.Metrics()["commits"]; after < before+20 {
						t.Errorf("seed %d: only %v commits in the last 4s with every server up and connected (%v before)", seed, after-before, before)
					}
				}
			})
		}
	}
}
