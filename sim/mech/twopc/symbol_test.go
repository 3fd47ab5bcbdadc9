package twopc_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/twopc"
)

// TestDecidingSymbolAfterRestart crashes the coordinator while it forces a
// decision and restarts it. The restarted coordinator under presumed abort
// forces nothing until its next transaction's votes are in, so `deciding`
// must not stand for it in between: a fault aimed at that window waits for
// it instead of hitting the coordinator at once.
func TestDecidingSymbolAfterRestart(t *testing.T) {
	p, err := twopc.Mechanism.With("presumed_abort", "true")
	must(t, err)
	w := sim.New(sim.Config{Seed: 1, Duration: 10 * time.Second, Network: sim.DefaultNetwork})
	must(t, twopc.Mechanism.Build(w, p))
	must(t, w.Schedule(sim.Fault{At: time.Second, Kind: sim.FaultCrash, Node: twopc.Deciding}))
	must(t, w.Schedule(sim.Fault{At: 2 * time.Second, Kind: sim.FaultRestart, Node: twopc.CoordinatorName}))
	// The restarted coordinator starts its first transaction 100ms later.
	must(t, w.RunUntil(2*time.Second+50*time.Millisecond))
	if got := w.Resolve(twopc.Deciding); got != "" {
		t.Errorf("deciding stands for %q after the restart, before any vote came in; want nobody", got)
	}
}
