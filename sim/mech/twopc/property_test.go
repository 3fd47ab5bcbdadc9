package twopc_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/twopc"
)

// randomFaults draws a fault schedule that is over by 21s: crashes (some at
// the worst moment, `deciding`) each followed by a restart, a pause, an
// isolated node, clock jumps and drift, on a network that loses and
// duplicates messages.
func randomFaults(r *rand.Rand, nodes []string) (sim.Network, []sim.Fault) {
	pick := func() string { return nodes[r.IntN(len(nodes))] }
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(r.Int64N(int64(hi-lo))) }
	net := sim.DefaultNetwork
	net.Loss = r.Float64() * 0.1
	net.Duplicate = r.Float64() * 0.2
	var fs []sim.Fault
	for range r.IntN(5) {
		n, at := pick(), between(500*time.Millisecond, 15*time.Second)
		crash := sim.Fault{At: at, Kind: sim.FaultCrash, Node: n}
		if n == twopc.CoordinatorName && r.IntN(2) == 0 {
			crash.Node = twopc.Deciding
		}
		fs = append(fs, crash, sim.Fault{At: at + between(100*time.Millisecond, 5*time.Second), Kind: sim.FaultRestart, Node: n})
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

// TestPropertyAtomicCommit: whatever the faults, no two nodes decide a
// transaction differently and nothing commits after a No vote; and once the
// faults are over, if the coordinator is up, every participant that voted
// Yes learns the decision.
func TestPropertyAtomicCommit(t *testing.T) {
	seeds := 75
	if testing.Short() {
		seeds = 20
	}
	live := 0
	for _, pa := range []string{"true", "false"} {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			p, err := twopc.Mechanism.With("presumed_abort", pa, "participants", []string{"2", "3", "5"}[seed%3])
			must(t, err)
			net, faults := randomFaults(rand.New(rand.NewPCG(seed, 7)), twopc.Mechanism.Nodes(p))
			w := sim.New(sim.Config{Seed: seed, Duration: 60 * time.Second, Network: net})
			must(t, twopc.Mechanism.Build(w, p))
			for _, f := range faults {
				must(t, w.Schedule(f))
			}
			must(t, w.Run())
			for _, v := range check.AtomicCommit().Check(w.History()) {
				t.Errorf("presumed_abort %s seed %d: %s at %v: %s", pa, seed, v.Invariant, v.At, v.Detail)
			}
			if coordinatorDownAtEnd(w.History()) {
				continue // a crash of `deciding` fired after its restart: nobody can decide
			}
			live++
			if msg := undecided(w.History(), 40*time.Second); msg != "" {
				t.Errorf("presumed_abort %s seed %d: %s", pa, seed, msg)
			}
			if t.Failed() {
				return
			}
		}
	}
	if live < seeds*2*9/10 {
		t.Errorf("only %d of %d runs ended with the coordinator up; the liveness check hardly ran", live, seeds*2)
	}
}

// coordinatorDownAtEnd reports whether the coordinator's last fault left it
// crashed.
func coordinatorDownAtEnd(h []sim.Observation) bool {
	down := false
	for _, o := range h {
		if f, ok := o.Value.(sim.FaultEvent); ok && f.Node == twopc.CoordinatorName {
			switch f.Kind {
			case sim.FaultCrash:
				down = true
			case sim.FaultRestart:
				down = false
			}
		}
	}
	return down
}

// undecided names a participant that voted Yes before cutoff and never
// learned the decision.
func undecided(h []sim.Observation, cutoff time.Duration) string {
	type wait struct {
		tx int
		p  string
	}
	open := map[wait]bool{}
	var order []wait
	for _, o := range h {
		switch v := o.Value.(type) {
		case check.TxVoted:
			if v.Yes && o.At < cutoff {
				open[wait{v.Tx, v.Participant}] = true
				order = append(order, wait{v.Tx, v.Participant})
			}
		case check.TxDecided:
			delete(open, wait{v.Tx, v.Node})
		}
	}
	for _, w := range order {
		if open[w] {
			return w.p + " voted yes on transaction " + strconv.Itoa(w.tx) + " and never learned the decision"
		}
	}
	return ""
}
