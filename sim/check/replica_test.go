package check_test

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

const ms = time.Millisecond

// regOp builds a client operation on key k1 observed when it returns.
func regOp(client, kind, value, output string, call, ret int, ok bool) sim.Observation {
	return sim.Observation{At: sim.Time(ret) * ms, Node: client, Value: check.Op{
		Client: client, Kind: kind, Key: "k1", Value: value, Output: output,
		Call: sim.Time(call) * ms, Return: sim.Time(ret) * ms, Ok: ok,
	}}
}

func put(client, value string, call, ret int) sim.Observation {
	return regOp(client, "put", value, "", call, ret, true)
}

func get(client, output string, call, ret int) sim.Observation {
	return regOp(client, "get", "", output, call, ret, true)
}

func runChecker(c check.Checker, h ...sim.Observation) []check.Violation {
	h = append(h, sim.Observation{At: h[len(h)-1].At, Value: sim.End{}})
	return c.Check(h)
}

func TestStaleRead(t *testing.T) {
	tests := []struct {
		name  string
		h     []sim.Observation
		stale int
	}{
		{"read after the latest write", []sim.Observation{put("client-1", "a", 0, 10), put("client-2", "b", 20, 30), get("client-3", "b", 40, 50)}, 0},
		{"read of an overwritten value", []sim.Observation{put("client-1", "a", 0, 10), put("client-2", "b", 20, 30), get("client-3", "a", 40, 50)}, 1},
		{"read of the initial value after a write", []sim.Observation{put("client-1", "a", 0, 10), get("client-3", "", 40, 50)}, 1},
		{"read of the initial value before any write", []sim.Observation{get("client-3", "", 0, 5), put("client-1", "a", 10, 20)}, 0},
		{"read concurrent with the newer write", []sim.Observation{put("client-1", "a", 0, 10), put("client-2", "b", 20, 40), get("client-3", "a", 30, 50)}, 0},
		{"writes concurrent with each other", []sim.Observation{put("client-1", "a", 0, 30), put("client-2", "b", 10, 20), get("client-3", "a", 40, 50)}, 0},
		{"siblings holding the newest value", []sim.Observation{put("client-1", "a", 0, 10), put("client-2", "b", 20, 30), get("client-3", "a|b", 40, 50)}, 0},
		{"siblings all older", []sim.Observation{put("client-1", "a", 0, 10), put("client-2", "b", 20, 30), put("client-1", "c", 40, 50), get("client-3", "a|b", 60, 70)}, 1},
		{"value of a write that timed out", []sim.Observation{regOp("client-1", "put", "a", "", 0, 10, false), put("client-2", "b", 20, 30), get("client-3", "a", 40, 50)}, 0},
		{"a failed read is not a read", []sim.Observation{put("client-1", "a", 0, 10), put("client-2", "b", 20, 30), regOp("client-3", "get", "", "a", 40, 50, false)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := runChecker(check.StaleRead(), tt.h...)
			if len(v) != tt.stale {
				t.Fatalf("got %d violations %+v, want %d", len(v), v, tt.stale)
			}
			for _, x := range v {
				if x.Invariant != "stale-read" || x.Detail == "" || len(x.Nodes) == 0 {
					t.Errorf("malformed violation %+v", x)
				}
			}
		})
	}
}

func TestStaleReadDetail(t *testing.T) {
	v := runChecker(check.StaleRead(), put("client-1", "a", 0, 10), put("client-2", "b", 20, 30), get("client-3", "a", 40, 50))
	want := `client-3 read k1 at 40ms and got "a", although client-2 had finished writing "b" at 30ms, after that value was written`
	if len(v) != 1 || v[0].Detail != want || v[0].At != 50*ms {
		t.Fatalf("got %+v, want one violation at 50ms saying %q", v, want)
	}
}

func discard(at int, replica, value, kept string) sim.Observation {
	return sim.Observation{At: sim.Time(at) * ms, Node: replica, Value: check.Discard{Replica: replica, Key: "k1", Value: value, Kept: kept}}
}

func TestLostUpdateDiscard(t *testing.T) {
	tests := []struct {
		name string
		h    []sim.Observation
		lost int
	}{
		{"later write thrown away for an older one", []sim.Observation{put("client-2", "a", 0, 10), discard(22, "replica-1", "b", "a"), put("client-1", "b", 20, 30)}, 1},
		{"reported once however many replicas discard it", []sim.Observation{put("client-2", "a", 0, 10), discard(22, "replica-1", "b", "a"), discard(23, "replica-2", "b", "a"), put("client-1", "b", 20, 30)}, 1},
		{"concurrent writes: one must lose", []sim.Observation{discard(22, "replica-1", "b", "a"), put("client-2", "a", 0, 25), put("client-1", "b", 20, 30)}, 0},
		{"older write thrown away for a newer one", []sim.Observation{put("client-2", "a", 0, 10), discard(22, "replica-1", "a", "b"), put("client-1", "b", 20, 30)}, 0},
		{"the discarded write was never acknowledged", []sim.Observation{put("client-2", "a", 0, 10), discard(22, "replica-1", "b", "a"), regOp("client-1", "put", "b", "", 20, 30, false)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := runChecker(check.LostUpdate(), tt.h...)
			if len(v) != tt.lost {
				t.Fatalf("got %d violations %+v, want %d", len(v), v, tt.lost)
			}
			if tt.lost > 0 && (v[0].At != 30*ms || !strings.Contains(v[0].Detail, `threw away client-1's acknowledged write of "b"`)) {
				t.Fatalf("violation %+v: want it at the acknowledgement (30ms) naming the lost write", v[0])
			}
		})
	}
}

func state(at int, replica, value string) sim.Observation {
	return sim.Observation{At: sim.Time(at) * ms, Node: replica, Value: check.ReplicaState{Replica: replica, Value: value, State: "s:" + value}}
}

func update(client, kind, value, output string, call int, ok bool) sim.Observation {
	return sim.Observation{At: sim.Time(call+5) * ms, Node: client, Value: check.Op{
		Client: client, Kind: kind, Key: "c", Value: value, Output: output,
		Call: sim.Time(call) * ms, Return: sim.Time(call+5) * ms, Ok: ok,
	}}
}

func fault(at int, kind sim.FaultKind, node string) sim.Observation {
	return sim.Observation{At: sim.Time(at) * ms, Node: node, Value: sim.FaultEvent{Kind: kind, Node: node}}
}

func TestLostUpdateAfterMerge(t *testing.T) {
	inc := func(c string, at int, ok bool) sim.Observation { return update(c, "inc", "1", "", at, ok) }
	dec := func(c string, at int, ok bool) sim.Observation { return update(c, "dec", "1", "", at, ok) }
	add := func(c, e string, at int, ok bool) sim.Observation { return update(c, "add", e, "", at, ok) }
	rm := func(c, e, out string, at int) sim.Observation { return update(c, "remove", e, out, at, true) }
	tests := []struct {
		name string
		h    []sim.Observation
		lost int
	}{
		{"counter holds every increment", []sim.Observation{inc("client-1", 0, true), inc("client-2", 1, true), state(100, "replica-1", "2"), state(100, "replica-2", "2")}, 0},
		{"counter lost an increment", []sim.Observation{inc("client-1", 0, true), inc("client-2", 1, true), state(100, "replica-1", "1"), state(100, "replica-2", "1")}, 1},
		{"unacknowledged increment may count", []sim.Observation{inc("client-1", 0, true), inc("client-2", 1, false), state(100, "replica-1", "2"), state(100, "replica-2", "2")}, 0},
		{"counter lost a decrement", []sim.Observation{inc("client-1", 0, true), dec("client-2", 1, true), state(100, "replica-1", "1"), state(100, "replica-2", "1")}, 1},
		{"not converged: no claim", []sim.Observation{inc("client-1", 0, true), inc("client-2", 1, true), state(100, "replica-1", "1"), state(100, "replica-2", "2")}, 0},
		{"a crashed replica does not count", []sim.Observation{inc("client-1", 0, true), state(50, "replica-2", "0"), fault(60, sim.FaultCrash, "replica-2"), state(100, "replica-1", "1")}, 0},
		{"set keeps concurrent adds", []sim.Observation{add("client-1", "a", 0, true), add("client-2", "b", 0, true), state(100, "replica-1", "a,b"), state(100, "replica-2", "a,b")}, 0},
		{"set lost an add", []sim.Observation{add("client-1", "a", 0, true), add("client-2", "b", 0, true), state(100, "replica-1", "b"), state(100, "replica-2", "b")}, 1},
		{"removed element stays removed", []sim.Observation{add("client-1", "a", 0, true), rm("client-1", "a", "removed", 10), state(100, "replica-1", ""), state(100, "replica-2", "")}, 0},
		{"removed element came back", []sim.Observation{add("client-1", "a", 0, true), rm("client-1", "a", "removed", 10), state(100, "replica-1", "a"), state(100, "replica-2", "a")}, 1},
		{"remove that found nothing keeps the add", []sim.Observation{add("client-1", "a", 0, true), rm("client-1", "a", "absent", 10), state(100, "replica-1", "a"), state(100, "replica-2", "a")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := runChecker(check.LostUpdate(), tt.h...)
			if len(v) != tt.lost {
				t.Fatalf("got %d violations %+v, want %d", len(v), v, tt.lost)
			}
		})
	}
}

func TestConvergence(t *testing.T) {
	settle := 1 * time.Second
	tests := []struct {
		name      string
		h         []sim.Observation
		end       int
		violation bool
	}{
		{"same state after healing", []sim.Observation{fault(100, sim.FaultPartition, ""), state(200, "replica-1", "1"), fault(300, sim.FaultHeal, ""), state(400, "replica-2", "1")}, 2000, false},
		{"different states after healing", []sim.Observation{fault(100, sim.FaultPartition, ""), state(200, "replica-1", "1"), fault(300, sim.FaultHeal, ""), state(400, "replica-2", "2")}, 2000, true},
		{"still partitioned at the end", []sim.Observation{fault(100, sim.FaultPartition, ""), state(200, "replica-1", "1"), state(400, "replica-2", "2")}, 2000, false},
		{"too little time after the heal", []sim.Observation{fault(100, sim.FaultPartition, ""), state(200, "replica-1", "1"), fault(1500, sim.FaultHeal, ""), state(1600, "replica-2", "2")}, 2000, false},
		{"too little time after the last update", []sim.Observation{state(200, "replica-1", "1"), update("client-1", "inc", "1", "", 1500, true), state(400, "replica-2", "2")}, 2000, false},
		{"a node still paused", []sim.Observation{fault(100, sim.FaultPause, "replica-2"), state(200, "replica-1", "1"), state(400, "replica-2", "2")}, 2000, false},
		{"a late read does not put the judgement off", []sim.Observation{state(200, "replica-1", "1"), state(400, "replica-2", "2"), update("client-1", "get", "", "1", 1900, true)}, 2000, true},
		{"a crashed replica is left out", []sim.Observation{state(200, "replica-1", "1"), state(200, "replica-2", "2"), fault(300, sim.FaultCrash, "replica-2")}, 2000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := append(tt.h, sim.Observation{At: sim.Time(tt.end) * ms, Value: sim.End{}})
			v := check.Convergence(settle).Check(h)
			if (len(v) > 0) != tt.violation {
				t.Fatalf("got violations %+v, want violation: %v", v, tt.violation)
			}
		})
	}
}
