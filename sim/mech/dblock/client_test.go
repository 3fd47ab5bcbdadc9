package dblock_test

import (
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
