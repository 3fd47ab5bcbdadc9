package saga_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/saga"
)

// TestInspect: halfway through a run every node shows its state to the
// browser panel as JSON: the saga log, each service's rows and outbox.
func TestInspect(t *testing.T) {
	for _, style := range []string{saga.Orchestration, saga.Choreography} {
		p, err := saga.Mechanism.With("style", style)
		if err != nil {
			t.Fatal(err)
		}
		w := sim.New(sim.Config{Seed: 1, Duration: 10 * time.Second, Network: sim.DefaultNetwork})
		if err := saga.Mechanism.Build(w, p); err != nil {
			t.Fatal(err)
		}
		if err := w.RunUntil(2 * time.Second); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(w.Snapshot())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"saga_log"`, `"rows"`, `"charge payment"`, `"placed"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: the snapshot does not show %s: %s", style, want, b)
			}
		}
	}
}
