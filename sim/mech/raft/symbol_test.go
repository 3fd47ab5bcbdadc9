package raft_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/raft"
)

// TestLeaderSymbolAfterRestart restarts the leader. It comes back as a
// follower, so the symbolic name `leader` must no longer stand for it: a
// fault aimed at the leader waits for the next one to be elected instead of
// hitting a follower.
func TestLeaderSymbolAfterRestart(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		w := sim.New(sim.Config{Seed: seed, Duration: 10 * time.Second, Network: sim.DefaultNetwork})
		if err := raft.Mechanism.Build(w, raft.Mechanism.Defaults()); err != nil {
			t.Fatal(err)
		}
		if err := w.RunUntil(2 * time.Second); err != nil {
			t.Fatal(err)
		}
		old := w.Resolve("leader")
		if old == "" {
			t.Fatalf("seed %d: no leader after 2s", seed)
		}
		if err := w.Inject(sim.Fault{Kind: sim.FaultRestart, Node: old}); err != nil {
			t.Fatal(err)
		}
		// Nobody can have won an election 10ms later: timeouts are 150ms or more.
		if err := w.RunUntil(2*time.Second + 10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if got := w.Resolve("leader"); got != "" {
			t.Errorf("seed %d: leader stands for %q just after %s restarted as a follower, want nobody", seed, got, old)
		}
		if err := w.RunUntil(3 * time.Second); err != nil {
			t.Fatal(err)
		}
		leader := w.Resolve("leader")
		for _, n := range w.Snapshot().Nodes {
			if v, ok := n.State.(raft.ServerView); ok && n.Name == leader && v.Role != "leader" {
				t.Errorf("seed %d: leader stands for %s, a %s", seed, leader, v.Role)
			}
		}
	}
}
