package raft_test

import (
	"encoding/json"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/raft"
)

// TestInspect checks what the browser's mechanism panel gets: every server's
// role, term, vote, log with terms, commit index, the leader's nextIndex and
// matchIndex, and the key-value state, as JSON.
func TestInspect(t *testing.T) {
	p := raft.Mechanism.Defaults()
	w := sim.New(sim.Config{Seed: 3, Duration: 10 * time.Second, Network: sim.DefaultNetwork})
	if err := raft.Mechanism.Build(w, p); err != nil {
		t.Fatal(err)
	}
	if err := w.RunUntil(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	leaders := 0
	for _, n := range w.Snapshot().Nodes {
		if n.Role != "raft" {
			continue
		}
		v, ok := n.State.(raft.ServerView)
		if !ok {
			t.Fatalf("%s: state %T, want raft.ServerView", n.Name, n.State)
		}
		if v.Term == 0 || v.CommitIndex == 0 || len(v.Log) == 0 || len(v.KV) == 0 || v.Log[0].Index != v.LogStart {
			t.Errorf("%s: uninformative state %+v", n.Name, v)
		}
		if v.Role == "leader" {
			leaders++
			if len(v.Progress) != 4 || v.Progress[0].MatchIndex == 0 || w.Resolve("leader") != n.Name {
				t.Errorf("%s: leader state %+v (symbol leader = %q)", n.Name, v.Progress, w.Resolve("leader"))
			}
		}
		if _, err := json.Marshal(v); err != nil {
			t.Errorf("%s: %v", n.Name, err)
		}
	}
	if leaders != 1 {
		t.Errorf("%d leaders after 2s, want 1", leaders)
	}
}
