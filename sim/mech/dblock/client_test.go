package dblock_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/dblock"
)

func build(t *testing.T, duration time.Duration, kv ...string) *sim.World {
	t.Helper()
	p, err := dblock.Mechanism.With(kv...)
	if err != nil {
		t.Fatal(err)
	}
	w := sim.New(sim.Config{Seed: 3, Duration: duration, Network: sim.DefaultNetwork})
	if err := dblock.Mechanism.Build(w, p); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestLostInsertAnswer: db-1 inserts the row but its answer is lost. The
// client sends the INSERT again, gets a duplicate-key error for its own row,
// and a SELECT shows the row is its own: it holds the lock with the first
// row's id instead of waiting for itself forever.
func TestLostInsertAnswer(t *testing.T) {
	w := build(t, 3*time.Second, "clients", "1")
	for _, f := range []sim.Fault{
		{Kind: sim.FaultCut, From: "db-1", To: "client-1"},
		{At: 150 * time.Millisecond, Kind: sim.FaultHeal},
	} {
		if err := w.Schedule(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var grants []check.LockAcquired
	for _, o := range w.History() {
		if g, ok := o.Value.(check.LockAcquired); ok {
			grants = append(grants, g)
		}
	}
	if len(grants) < 5 || grants[0].Token != 1 || grants[1].Token != 2 {
		t.Errorf("grants %+v: want the first with row 1 (its own unanswered INSERT), then more", grants)
	}
}

// TestBadParameters: a parameter out of range is an error naming it.
func TestBadParameters(t *testing.T) {
	for _, kv := range [][]string{
		{"expiry", "-1s"}, {"expiry", "never"}, {"retry", "0s"}, {"hold", "-5ms"}, {"clients", "21"},
	} {
		if _, err := dblock.Mechanism.With(kv...); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s: %s gave %v, want an error naming %s", kv[0], kv[1], err, kv[0])
		}
	}
}

// TestDuplicatedInsert: the network delivers an INSERT twice. The first copy
// inserts the client's row, the second gets a duplicate-key error — for the
// client's own row — and that error may arrive before the INSERT's answer.
// The client must find out that the row is its own (as it does after an
// unanswered INSERT), not take the lock for taken and wait for itself
// forever. A lone client has nobody to wait for: it keeps taking the lock
// until the end of the run.
func TestDuplicatedInsert(t *testing.T) {
	p, err := dblock.Mechanism.With("clients", "1")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 10; seed++ {
		net := sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: 10 * time.Millisecond}, Duplicate: 0.5}
		w := sim.New(sim.Config{Seed: seed, Duration: 10 * time.Second, Network: net})
		if err := dblock.Mechanism.Build(w, p); err != nil {
			t.Fatal(err)
		}
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		var last sim.Time
		grants := 0
		for _, o := range w.History() {
			if _, ok := o.Value.(check.LockAcquired); ok {
				last, grants = o.At, grants+1
			}
		}
		if last < 9*time.Second {
			t.Errorf("seed %d: the lone client's last grant (of %d) was at %v of 10s: it waits for its own row", seed, grants, last)
		}
	}
}

// TestRestartIgnoresPreviousLifeAnswer: client-1 sends its first INSERT and
// is restarted 1ms later, while it is in flight. The answer reaches the new
// process, whose own first INSERT is outstanding. Over TCP that answer would
// have died with the old connection; here the new process must not take it
// for its own and believe it holds the lock through a row whose owner is its
// previous life's (its release would then delete nothing).
func TestRestartIgnoresPreviousLifeAnswer(t *testing.T) {
	p, err := dblock.Mechanism.With("clients", "2", "think", "0s")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		net := sim.Network{Latency: sim.Latency{Min: 2 * time.Millisecond, Max: 10 * time.Millisecond}}
		w := sim.New(sim.Config{Seed: seed, Duration: 2 * time.Second, Network: net})
		if err := dblock.Mechanism.Build(w, p); err != nil {
			t.Fatal(err)
		}
		if err := w.Schedule(sim.Fault{At: time.Millisecond, Kind: sim.FaultRestart, Node: "client-1"}); err != nil {
			t.Fatal(err)
		}
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		var rows []dblock.RowState
		for _, n := range w.Snapshot().Nodes {
			if n.Name == "db-1" {
				rows = n.State.(dblock.ServerState).Rows
			}
		}
		for _, o := range w.History() {
			g, ok := o.Value.(check.LockAcquired)
			if !ok || g.Client != "client-1" {
				continue
			}
			for _, r := range rows {
				if r.ID == g.Token && r.Owner != fmt.Sprintf("client-1#%d", g.Acq) {
					t.Errorf("seed %d: client-1 believed it held the lock with row %d (acquisition %d), whose owner is %s", seed, r.ID, g.Acq, r.Owner)
				}
			}
		}
	}
}
