package twopc_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/twopc"
)

// TestInspect: while participants are blocked, the snapshot shows their
// locks and prepared transactions, and the coordinator's log.
func TestInspect(t *testing.T) {
	p, err := twopc.Mechanism.With("presumed_abort", "false")
	must(t, err)
	w := sim.New(sim.Config{Seed: 1, Duration: 30 * time.Second, Network: sim.DefaultNetwork})
	must(t, twopc.Mechanism.Build(w, p))
	must(t, w.Schedule(sim.Fault{At: 5 * time.Second, Kind: sim.FaultCrash, Node: twopc.Deciding}))
	must(t, w.RunUntil(8*time.Second))
	b, err := json.Marshal(w.Snapshot())
	must(t, err)
	for _, want := range []string{`"locks":{"k`, `"state":"prepared"`, `"coordinator-1","role":"coordinator","status":"crashed"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the snapshot does not show %s: %s", want, b)
		}
	}
	w2 := sim.New(sim.Config{Seed: 1, Duration: 30 * time.Second, Network: sim.DefaultNetwork})
	must(t, twopc.Mechanism.Build(w2, p))
	must(t, w2.RunUntil(5*time.Second))
	b, err = json.Marshal(w2.Snapshot())
	must(t, err)
	if !strings.Contains(string(b), `"log":[`) || !strings.Contains(string(b), `"presumed_abort":false`) {
		t.Errorf("the coordinator's panel shows no log: %s", b)
	}
}
