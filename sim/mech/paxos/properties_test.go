package paxos_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/paxos"
)

// randomFaults draws crashes and restarts of every node, partitions, pauses,
// loss and duplication for the first `until` of a run, then repairs
// everything.
func randomFaults(rng *rand.Rand, names []string, until time.Duration) []sim.Fault {
	var fs []sim.Fault
	crashed := map[string]bool{}
	for at := time.Duration(0); ; {
		at += time.Duration(1+rng.IntN(40)) * time.Millisecond
		if at >= until {
			break
		}
		n := names[rng.IntN(len(names))]
		switch k := rng.IntN(7); {
		case k < 2:
			if crashed[n] {
				fs = append(fs, sim.Fault{At: at, Kind: sim.FaultRestart, Node: n})
			} else {
				fs = append(fs, sim.Fault{At: at, Kind: sim.FaultCrash, Node: n})
			}
			crashed[n] = !crashed[n]
		case k < 3:
			var a, b []string
			for _, m := range names {
				if rng.IntN(2) == 0 {
					a = append(a, m)
				} else {
					b = append(b, m)
				}
			}
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPartition, Groups: [][]string{a, b}})
		case k < 4:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultHeal})
		case k < 5:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPause, Node: n, For: time.Duration(1+rng.IntN(50)) * time.Millisecond})
		case k < 6:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultLoss, Value: rng.Float64() * 0.4})
		default:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultDuplicate, Value: rng.Float64() * 0.4})
		}
	}
	fs = append(fs, sim.Fault{At: until, Kind: sim.FaultHeal}, sim.Fault{At: until, Kind: sim.FaultLoss},
		sim.Fault{At: until, Kind: sim.FaultDuplicate})
	for _, n := range names {
		if crashed[n] {
			fs = append(fs, sim.Fault{At: until, Kind: sim.FaultRestart, Node: n})
		}
	}
	return fs
}

// TestRandomFaults checks agreement and validity over many seeds and random
// fault schedules, with and without back-off, and that with back-off every
// proposer learns the value once the faults stop.
func TestRandomFaults(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	const faulty = 300 * time.Millisecond
	for _, tc := range []struct{ proposers, acceptors, backoff string }{
		{"2", "3", "0..100ms"}, {"3", "5", "0..100ms"}, {"2", "3", "0s..0s"}, {"4", "5", "0s..0s"},
	} {
		name := fmt.Sprintf("proposers=%s/acceptors=%s/backoff=%s", tc.proposers, tc.acceptors, tc.backoff)
		t.Run(name, func(t *testing.T) {
			p, err := paxos.Mechanism.With("proposers", tc.proposers, "acceptors", tc.acceptors, "backoff", tc.backoff)
			if err != nil {
				t.Fatal(err)
			}
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				w := sim.New(sim.Config{Seed: seed, Duration: 5 * time.Second, Network: sim.DefaultNetwork})
				if err := paxos.Mechanism.Build(w, p); err != nil {
					t.Fatal(err)
				}
				for _, f := range randomFaults(rand.New(rand.NewPCG(seed, 7)), w.NodeNames(), faulty) {
					if err := w.Schedule(f); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Run(); err != nil {
					t.Fatal(err)
				}
				for _, c := range paxos.Mechanism.Checkers(p) {
					for _, v := range c.Check(w.History()) {
						t.Errorf("seed %d: %s at %v: %s", seed, v.Invariant, v.At, v.Detail)
					}
				}
				// A proposer that crashed and restarted learns again, so
				// count the learners that have learned by the end.
				learners := map[string]bool{}
				for _, o := range w.History() {
					if _, ok := o.Value.(check.PaxosLearned); ok {
						learners[o.Node] = true
					}
				}
				if tc.backoff != "0s..0s" && len(learners) != p.Int("proposers") {
					t.Errorf("seed %d: %d of %s proposers learned the value after the faults stopped", seed, len(learners), tc.proposers)
				}
			}
		})
	}
}
