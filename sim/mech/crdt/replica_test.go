package crdt

import (
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// probe stands in for a client or a peer: it sends its script, one message
// a millisecond, and records the acknowledgements it receives.
type probe struct {
	script []sim.Message
	got    *[]string
}

func (p *probe) Start(ctx *sim.Context) {
	for i := range p.script {
		ctx.SetTimer(time.Duration(i+1)*time.Millisecond, i)
	}
}

func (p *probe) Receive(_ *sim.Context, _ string, m sim.Message) {
	if a, ok := m.(UpdateAck); ok {
		*p.got = append(*p.got, a.Value+" "+a.Output)
	}
}

func (p *probe) Timer(ctx *sim.Context, tag any) { ctx.Send("replica-1", p.script[tag.(int)]) }

// TestReplicaUpdates sends updates and gossip to replica-1 of a ring of
// three (replica-2 is the probe, replica-3 is absent: gossip to it is lost
// in the partition) and checks the acknowledgements and the final state.
func TestReplicaUpdates(t *testing.T) {
	add := func(op uint64, e string) sim.Message { return Update{Op: op, Action: "add", Elem: e} }
	rm := func(op uint64, e string) sim.Message { return Update{Op: op, Action: "remove", Elem: e} }
	tests := []struct {
		kind   string
		script []sim.Message
		acks   []string
		value  string
	}{
		{"gcounter", []sim.Message{Update{Op: 1, Action: "inc"}, Update{Op: 2, Action: "inc"}, Gossip{State: GCounter{0, 5, 0}}},
			[]string{"1 ", "2 "}, "7"},
		{"pncounter", []sim.Message{Update{Op: 1, Action: "inc"}, Update{Op: 2, Action: "dec"}, Update{Op: 3, Action: "dec"}},
			[]string{"1 ", "0 ", "-1 "}, "-1"},
		{"orset", []sim.Message{add(1, "a"), add(2, "b"), rm(3, "a"), rm(4, "z"), Gossip{State: ORSet{}.Add("a", "replica-2:1")}},
			[]string{"a ", "a,b ", "b removed", "b absent"}, "a,b"},
		{"lwwregister", []sim.Message{add(1, "a"), add(2, "b"), rm(3, "a"), Gossip{State: LWWRegister{Elems: []string{"x"}, TS: time.Hour, Writer: "replica-2"}}},
			[]string{"a ", "a,b ", "b removed"}, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			p, err := Mechanism.With("type", tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			cfg := &config{kind: p.String("type"), gossip: time.Hour, replicas: []string{"replica-1", "replica-2", "replica-3"}}
			w := sim.New(sim.Config{Seed: 1, Duration: time.Second, Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}})
			var got []string
			must(t, w.AddNode("replica-1", func() sim.Node { return newReplica(cfg, 0) }))
			must(t, w.AddNode("replica-2", func() sim.Node { return &probe{script: tt.script, got: &got} }))
			must(t, w.Run())
			if !slices.Equal(got, tt.acks) {
				t.Errorf("acknowledgements %q, want %q", got, tt.acks)
			}
			var last check.ReplicaState
			for _, o := range w.History() {
				if s, ok := o.Value.(check.ReplicaState); ok {
					last = s
				}
			}
			if last.Value != tt.value {
				t.Errorf("replica-1 last reported %q, want %q", last.Value, tt.value)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestConvergedAt reads the moment replicas last came to agree.
func TestConvergedAt(t *testing.T) {
	st := func(at int, r, s string) sim.Observation {
		return sim.Observation{At: time.Duration(at) * time.Millisecond, Node: r, Value: check.ReplicaState{Replica: r, State: s}}
	}
	crash := sim.Observation{At: 50 * time.Millisecond, Node: "replica-2", Value: sim.FaultEvent{Kind: sim.FaultCrash, Node: "replica-2"}}
	tests := []struct {
		name string
		h    []sim.Observation
		at   time.Duration
		ok   bool
	}{
		{"agree from the start", []sim.Observation{st(0, "replica-1", "x"), st(0, "replica-2", "x")}, 0, true},
		{"diverge, then agree", []sim.Observation{st(0, "replica-1", "x"), st(0, "replica-2", "x"), st(10, "replica-1", "y"), st(30, "replica-2", "y")}, 30 * time.Millisecond, true},
		{"still apart at the end", []sim.Observation{st(0, "replica-1", "x"), st(10, "replica-2", "y")}, 0, false},
		{"a crash leaves the others agreeing", []sim.Observation{st(0, "replica-1", "x"), st(10, "replica-2", "y"), crash}, 50 * time.Millisecond, true},
	}
	for _, tt := range tests {
		at, ok := ConvergedAt(tt.h)
		if at != tt.at || ok != tt.ok {
			t.Errorf("%s: ConvergedAt = %v, %v; want %v, %v", tt.name, at, ok, tt.at, tt.ok)
		}
	}
}
