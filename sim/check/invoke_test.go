package check_test

import (
	"testing"

	"coordlab/sim"
	"coordlab/sim/check"
)

func TestStampOps(t *testing.T) {
	h := []sim.Observation{
		{At: 10 * ms, Node: "client-1", Value: check.Invoke{Client: "client-1", Kind: "put", Key: "k1", Value: "a"}},
		{At: 12 * ms, Node: "client-2", Value: check.Invoke{Client: "client-2", Kind: "put", Key: "k1", Value: "b"}},
		// The client's own clock said 5010..5020: StampOps replaces both.
		{At: 20 * ms, Node: "client-1", Value: check.Op{Client: "client-1", Kind: "put", Key: "k1", Value: "a", Call: 5010 * ms, Return: 5020 * ms, Ok: true}},
		{At: 30 * ms, Value: sim.End{}},
	}
	got := check.StampOps(h)
	if len(got) != 5 {
		t.Fatalf("got %d observations, want the 4 given and one for client-2's unfinished put", len(got))
	}
	if op := got[2].Value.(check.Op); op.Call != 10*ms || op.Return != 20*ms {
		t.Errorf("client-1's put runs %v..%v, want 10ms..20ms (true times of its Invoke and Op)", op.Call, op.Return)
	}
	last := got[4]
	op, ok := last.Value.(check.Op)
	if !ok || last.Node != "" || op.Client != "client-2" || op.Ok || op.Value != "b" || op.Call != 12*ms || op.Return != 30*ms {
		t.Errorf("unfinished put = %+v, want client-2's put of b, not ok, from 12ms to the end (30ms), reported by no node", last)
	}
	if h[2].Value.(check.Op).Call != 5010*ms {
		t.Error("StampOps changed its input")
	}
}

// TestStampOpsCrashCutShort: a client that crashed with a request in flight
// and, restarted, invoked again never reported the first operation. It may
// still take effect (the coordinator goes on with it), so StampOps reports
// it as unfinished rather than dropping it, once however often it runs: the
// linearizability checker stamps a history the mechanisms stamped already.
func TestStampOpsCrashCutShort(t *testing.T) {
	h := []sim.Observation{
		{At: 10 * ms, Node: "client-1", Value: check.Invoke{Client: "client-1", Kind: "put", Key: "k1", Value: "a"}},
		{At: 20 * ms, Value: sim.FaultEvent{Kind: sim.FaultCrash, Node: "client-1"}},
		{At: 50 * ms, Node: "client-1", Value: check.Invoke{Client: "client-1", Kind: "get", Key: "k1"}},
		{At: 60 * ms, Node: "client-1", Value: check.Op{Client: "client-1", Kind: "get", Key: "k1", Output: "a", Ok: true}},
		{At: 100 * ms, Value: sim.End{}},
	}
	once := check.StampOps(h)
	twice := check.StampOps(once)
	for _, got := range [][]sim.Observation{once, twice} {
		if len(got) != len(h)+1 {
			t.Fatalf("got %d observations, want the %d given and one for the put the crash cut short", len(got), len(h))
		}
		last := got[len(got)-1]
		op, ok := last.Value.(check.Op)
		if !ok || last.Node != "" || op.Client != "client-1" || op.Kind != "put" || op.Value != "a" || op.Ok || op.Call != 10*ms || op.Return != 100*ms {
			t.Errorf("cut-short put = %+v, want client-1's put of a, not ok, from 10ms to the end (100ms), reported by no node", last)
		}
	}
	if v := check.LinearizabilityChecker().Check(once); len(v) > 0 {
		t.Errorf("the get may have seen the put the crash cut short, yet: %s", v[0].Detail)
	}
}
