package saga_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/saga"
)

// TestCompensationWaitsForDownService runs the outage of
// saga-service-down-compensates: inventory-1 is down from 2s to 6s.
// Compensations run in reverse order (Garcia-Molina and Salem's backward
// recovery): a saga given up on at inventory-1 must release the inventory
// before it refunds the payment, so no refund can take effect while
// inventory-1 is down, and the held-back refunds follow its return.
func TestCompensationWaitsForDownService(t *testing.T) {
	p, err := saga.Mechanism.With("sagas", "40", "fail_rate", "0.1")
	if err != nil {
		t.Fatal(err)
	}
	down, up := 2*time.Second, 6*time.Second
	w, _, err := saga.Mechanism.Run(sim.Config{Seed: 1, Duration: 15 * time.Second, Network: sim.DefaultNetwork}, p,
		sim.Fault{At: down, Kind: sim.FaultCrash, Node: "inventory-1"}, sim.Fault{At: up, Kind: sim.FaultRestart, Node: "inventory-1"})
	if err != nil {
		t.Fatal(err)
	}
	after := 0
	for _, o := range w.History() {
		e, ok := o.Value.(check.SagaEffect)
		if !ok || !e.Compensation || e.Service != "payment-1" {
			continue
		}
		// A refund just after the crash may belong to a release
		// acknowledged before it.
		if o.At > down+200*time.Millisecond && o.At < up {
			t.Errorf("saga %d refunded at %v, while inventory-1 was down and before its release", e.Saga, o.At)
		}
		if o.At >= up && o.At < up+time.Second {
			after++
		}
	}
	if after < 5 {
		t.Errorf("%d refunds in the second after inventory-1 returned, want the held-back ones (at least 5)", after)
	}
}
