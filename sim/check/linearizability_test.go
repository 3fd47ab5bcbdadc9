package check_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// linOp is a client operation on key k returning at ret milliseconds.
func linOp(client, kind, key, value, output string, call, ret int, ok bool) check.Op {
	return check.Op{Client: client, Kind: kind, Key: key, Value: value, Output: output,
		Call: sim.Time(call) * ms, Return: sim.Time(ret) * ms, Ok: ok}
}

func linHistory(ops ...check.Op) []sim.Observation {
	var h []sim.Observation
	for _, op := range ops {
		h = append(h, sim.Observation{At: op.Return, Node: op.Client, Value: op})
	}
	return h
}

func TestLinearizabilityVerdicts(t *testing.T) {
	tests := []struct {
		name string
		ops  []check.Op
		want check.Verdict
	}{
		{"sequential", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, true),
			linOp("client-2", "get", "x", "", "a", 20, 30, true),
			linOp("client-1", "append", "x", "+b", "", 40, 50, true),
			linOp("client-2", "get", "x", "", "a+b", 60, 70, true),
		}, check.Linearizable},
		{"concurrent read may see either value", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, true),
			linOp("client-2", "put", "x", "b", "", 20, 40, true),
			linOp("client-3", "get", "x", "", "a", 30, 35, true),
		}, check.Linearizable},
		{"stale read", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, true),
			linOp("client-2", "put", "x", "b", "", 20, 30, true),
			linOp("client-3", "get", "x", "", "a", 40, 50, true),
		}, check.NotLinearizable},
		{"read of the initial value after a write", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, true),
			linOp("client-3", "get", "x", "", "", 40, 50, true),
		}, check.NotLinearizable},
		{"appends out of order", []check.Op{
			linOp("client-1", "append", "x", "+a", "", 0, 10, true),
			linOp("client-2", "append", "x", "+b", "", 20, 30, true),
			linOp("client-3", "get", "x", "", "+b+a", 40, 50, true),
		}, check.NotLinearizable},
		{"a write that gave up may take effect later", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, false),
			linOp("client-2", "put", "x", "b", "", 20, 30, true),
			linOp("client-3", "get", "x", "", "a", 40, 50, true),
		}, check.Linearizable},
		{"a write that gave up may never take effect", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, false),
			linOp("client-3", "get", "x", "", "", 40, 50, true),
		}, check.Linearizable},
		{"a read that gave up says nothing", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, true),
			linOp("client-3", "get", "x", "", "", 40, 50, false),
		}, check.Linearizable},
		{"keys are independent", []check.Op{
			linOp("client-1", "put", "x", "a", "", 0, 10, true),
			linOp("client-2", "put", "y", "b", "", 20, 30, true),
			linOp("client-3", "get", "y", "", "b", 40, 50, true),
			linOp("client-3", "get", "x", "", "a", 60, 70, true),
		}, check.Linearizable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			worst := check.Linearizable
			for _, kv := range check.CheckLinearizability(tt.ops, time.Minute) {
				if kv.Verdict != check.Linearizable {
					worst = kv.Verdict
				}
			}
			if worst != tt.want {
				t.Fatalf("verdict %q, want %q", worst, tt.want)
			}
			v := check.LinearizabilityChecker().Check(linHistory(tt.ops...))
			if (len(v) == 0) != (tt.want == check.Linearizable) {
				t.Fatalf("checker reported %+v for a history that is %s", v, tt.want)
			}
		})
	}
}

func TestLinearizabilityDetail(t *testing.T) {
	v := check.LinearizabilityChecker().Check(linHistory(
		linOp("client-1", "put", "x", "a", "", 0, 10, true),
		linOp("client-2", "put", "x", "b", "", 20, 30, true),
		linOp("client-3", "get", "x", "", "a", 40, 50, true),
	))
	want := `client-3's get of x at 40ms returned "a", although client-2 had finished writing "b" at 30ms, after that value was written.`
	if len(v) != 1 || v[0].Detail != want || v[0].At != 50*ms || strings.Join(v[0].Nodes, ",") != "client-3" {
		t.Fatalf("violations = %+v, want one at 50ms by client-3: %q", v, want)
	}
}

// TestLinearizabilityStampsCalls checks that Call times come from the
// client's Invoke, in true time, whatever the client's own clock said.
func TestLinearizabilityStampsCalls(t *testing.T) {
	h := []sim.Observation{
		{At: 0, Node: "client-1", Value: check.Invoke{Client: "client-1", Kind: "put", Key: "x", Value: "a"}},
		{At: 10 * ms, Node: "client-1", Value: linOp("client-1", "put", "x", "a", "", 5000, 5010, true)},
		{At: 20 * ms, Node: "client-2", Value: check.Invoke{Client: "client-2", Kind: "put", Key: "x", Value: "b"}},
		{At: 30 * ms, Node: "client-2", Value: linOp("client-2", "put", "x", "b", "", 0, 1, true)},
		{At: 40 * ms, Node: "client-3", Value: check.Invoke{Client: "client-3", Kind: "get", Key: "x"}},
		{At: 50 * ms, Node: "client-3", Value: linOp("client-3", "get", "x", "", "a", 0, 1, true)},
	}
	if v := check.LinearizabilityChecker().Check(h); len(v) != 1 || v[0].At != 50*ms {
		t.Fatalf("violations = %+v, want the stale read at 50ms", v)
	}
}

// TestLinearizabilityUndecided gives porcupine a history it cannot decide in
// time (thirty concurrent writes and an impossible read) and checks that the
// verdict is unknown and is reported, never passed.
func TestLinearizabilityUndecided(t *testing.T) {
	var ops []check.Op
	for i := range 30 {
		c := "client-" + string(rune('a'+i%26)) + string(rune('0'+i/26))
		ops = append(ops, linOp(c, "put", "x", c, "", 0, 100, true))
	}
	ops = append(ops, linOp("client-z", "get", "x", "", "never written", 200, 300, true))
	got := check.CheckLinearizability(ops, 50*time.Millisecond)
	if len(got) != 1 || got[0].Verdict != check.Undecided {
		t.Fatalf("verdict %+v, want unknown", got)
	}
	v := check.LinearizabilityCheckerWithin(50 * time.Millisecond).Check(linHistory(ops...))
	if len(v) != 1 || !strings.HasPrefix(v[0].Detail, "The verdict is unknown") || len(v[0].Nodes) != 31 {
		t.Fatalf("violations %+v, want one saying the verdict is unknown, naming the 31 clients", v)
	}
}

func TestLinearizabilityHTML(t *testing.T) {
	h := linHistory(
		linOp("client-1", "put", "x", "a", "", 0, 10, true),
		linOp("client-2", "put", "x", "b", "", 20, 30, true),
		linOp("client-3", "get", "x", "", "a", 40, 50, true),
	)
	h = append(h, sim.Observation{At: 15 * ms, Node: "raft-1", Value: sim.FaultEvent{Kind: sim.FaultCrash, Node: "raft-1"}})
	var b bytes.Buffer
	if err := check.LinearizabilityHTML(h, &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<html", `get x → \"a\"`, "crash raft-1"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the visualization lacks %q", want)
		}
	}
}

func TestLinearizabilityDetailAppend(t *testing.T) {
	v := check.LinearizabilityChecker().Check(linHistory(
		linOp("client-1", "put", "x", "a", "", 0, 10, true),
		linOp("client-2", "append", "x", "+b", "", 20, 30, true),
		linOp("client-2", "append", "x", "+c", "", 40, 50, true),
		linOp("client-3", "get", "x", "", "a+b", 60, 70, true),
	))
	want := `client-3's get of x at 60ms returned "a+b", although client-2 had finished appending "+c" at 50ms, after that value was written.`
	if len(v) != 1 || v[0].Detail != want {
		t.Fatalf("violations = %+v, want %q", v, want)
	}
}

// TestLinearizabilityManyFailedWrites: writes that gave up and that no read
// saw are left out of the search, so a history with many of them is decided
// quickly, and a write that gave up but was read still counts.
func TestLinearizabilityManyFailedWrites(t *testing.T) {
	ops := []check.Op{linOp("client-1", "put", "x", "a", "", 0, 10, true)}
	for i := range 40 {
		c := "client-" + string(rune('a'+i%26)) + string(rune('0'+i/26))
		ops = append(ops, linOp(c, "append", "x", "+"+c, "", 20, 30, false))
	}
	ops = append(ops, linOp("client-z", "get", "x", "", "a", 40, 50, true))
	if got := check.CheckLinearizability(ops, time.Second); got[0].Verdict != check.Linearizable {
		t.Fatalf("verdict %+v, want linearizable", got)
	}
	ops = append(ops, linOp("client-z", "get", "x", "", "a+client-b0", 60, 70, true))
	if got := check.CheckLinearizability(ops, time.Second); got[0].Verdict != check.Linearizable {
		t.Fatalf("verdict %+v with a failed append read, want linearizable", got)
	}
	ops = append(ops, linOp("client-z", "get", "x", "", "a", 80, 90, true))
	if got := check.CheckLinearizability(ops, time.Second); got[0].Verdict != check.NotLinearizable {
		t.Fatalf("verdict %+v after the failed append was read and then missed, want not linearizable", got)
	}
}
