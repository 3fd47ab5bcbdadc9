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
