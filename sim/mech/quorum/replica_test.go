package quorum

import (
	"slices"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// probe is a test node standing in for a client or a peer replica: it sends
// its script, one message every millisecond unless a step says when, and
// records what it receives.
type probe struct {
	script []send
	got    *[]string
}

type send struct {
	to  string
	msg sim.Message
	at  time.Duration
}

func (p *probe) Start(ctx *sim.Context) {
	for i, s := range p.script {
		at := s.at
		if at == 0 {
			at = time.Duration(i+1) * time.Millisecond
		}
		ctx.SetTimer(at, i)
	}
}

func (p *probe) Receive(ctx *sim.Context, from string, m sim.Message) {
	*p.got = append(*p.got, ctx.Name()+"<-"+from+" "+describe(m))
}

func (p *probe) Timer(ctx *sim.Context, tag any) {
	s := p.script[tag.(int)]
	ctx.Send(s.to, s.msg)
}

// describe writes a message compactly for comparison.
func describe(m sim.Message) string {
	switch m := m.(type) {
	case GetReply:
		if !m.Ok {
			return "get-reply failed"
		}
		return "get-reply " + output(m.Versions)
	case PutReply:
		if !m.Ok {
			return "put-reply failed"
		}
		return "put-reply ok"
	case ReadReply:
		return "read-reply " + output(m.Versions)
	case Handoff:
		return "handoff " + m.Key + "=" + output(m.Versions)
	}
	return m.Kind()
}

// world builds replicas (their number from p) plus probes and runs it for a
// second. Probes are named like the clients or replicas they stand for; a
// replica named by a probe is replaced by it.
func world(t *testing.T, p mech.Params, probes map[string][]send, faults ...sim.Fault) (*sim.World, []string) {
	t.Helper()
	cfg := newConfig(p)
	w := sim.New(sim.Config{Seed: 1, Duration: time.Second, Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}})
	var got []string
	for i, name := range cfg.replicas {
		if script, ok := probes[name]; ok {
			must(t, w.AddNode(name, func() sim.Node { return &probe{script: script, got: &got} }))
			continue
		}
		must(t, w.AddNode(name, func() sim.Node { return newReplica(cfg, i) }))
	}
	names := make([]string, 0, len(probes))
	for name := range probes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if cfg.index(name) < 0 {
			must(t, w.AddNode(name, func() sim.Node { return &probe{script: probes[name], got: &got} }))
		}
	}
	for _, f := range faults {
		must(t, w.Schedule(f))
	}
	must(t, w.Run())
	return w, got
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func params(t *testing.T, kv ...string) mech.Params {
	t.Helper()
	p, err := Mechanism.With(kv...)
	must(t, err)
	return p
}

// stored returns what replica name stores for key k1, from its Inspect.
func stored(w *sim.World, name string) string {
	for _, n := range w.Snapshot().Nodes {
		if n.Name != name {
			continue
		}
		for _, k := range n.State.(ReplicaView).Keys {
			if k.Key == "k1" {
				var vs []string
				for _, v := range k.Versions {
					vs = append(vs, v.Value)
				}
				return strings.Join(vs, "|")
			}
		}
	}
	return ""
}

// discards lists the discards of last-writer-wins and the blind overwrites
// of version vectors a run observed.
func discards(w *sim.World) []string {
	var out []string
	for _, o := range w.History() {
		switch d := o.Value.(type) {
		case check.Discard:
			out = append(out, d.Replica+" dropped "+d.Value+" for "+d.Kept)
		case BlindOverwrite:
			out = append(out, d.Replica+" blindly dropped "+d.Value+" for "+d.Kept)
		}
	}
	return out
}

func lww(value string, ts time.Duration) []Version {
	return []Version{{Value: value, TS: ts, Writer: "client-1"}}
}

func vv(value string, clock ...uint64) []Version {
	return []Version{{Value: value, Clock: clock}}
}

// seen returns vs with the context their writer's put carried and the
// writer's name and operation number.
func seen(vs []Version, writer string, seq uint64, context ...uint64) []Version {
	out := slices.Clone(vs)
	for i := range out {
		out[i].Seen, out[i].Writer, out[i].Seq = context, writer, seq
	}
	return out
}

// TestReplicaStore drives a replica's storage handlers directly: replica-2
// and replica-3 are probes that write to replica-1.
func TestReplicaStore(t *testing.T) {
	tests := []struct {
		name     string
		conflict string
		script   []send
		stored   string
		discards []string
		replies  []string
	}{
		{"lww keeps the later timestamp", "lww",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: lww("a", 1)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: lww("b", 2)}}},
			"b", nil, []string{"replica-2<-replica-1 write-ack", "replica-2<-replica-1 write-ack"}},
		{"lww rejects an earlier timestamp that arrives later, and says so", "lww",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: lww("b", 2)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: lww("a", 1)}}},
			"b", []string{"replica-1 dropped a for b"}, []string{"replica-2<-replica-1 write-ack", "replica-2<-replica-1 write-ack"}},
		{"a repair replacing a version is observed and not acknowledged", "lww",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: lww("a", 1)}}, {to: "replica-1", msg: Write{Key: "k1", Versions: lww("b", 2), Repair: true}}},
			"b", []string{"replica-1 dropped a for b"}, []string{"replica-2<-replica-1 write-ack"}},
		{"a duplicate write changes nothing", "lww",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: lww("a", 1)}}, {to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: lww("a", 1)}}},
			"a", nil, []string{"replica-2<-replica-1 write-ack", "replica-2<-replica-1 write-ack"}},
		{"vector keeps concurrent versions as siblings", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: vv("a", 1, 0, 0)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: vv("b", 0, 1, 0)}}},
			"a|b", nil, []string{"replica-2<-replica-1 write-ack", "replica-2<-replica-1 write-ack"}},
		{"vector: a version that saw both siblings replaces them", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: vv("a", 1, 0, 0)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: vv("b", 0, 1, 0)}},
				{to: "replica-1", msg: Write{Req: 3, Key: "k1", Versions: seen(vv("c", 1, 2, 0), "client-3", 1, 1, 1, 0)}}},
			"c", nil, nil},
		{"vector: an older version arriving late is dropped silently", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-2", 1, 1, 0, 0)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: vv("a", 1, 0, 0)}},
				{to: "replica-1", msg: Read{Req: 3, Key: "k1"}}},
			"b", nil, []string{"replica-2<-replica-1 write-ack", "replica-2<-replica-1 write-ack", "replica-2<-replica-1 read-reply b"}},
		// Dynamo's weakness: b's vector descends from a's only because one
		// coordinator (replica-1, entry 0) counted both puts.
		{"vector: a version whose writer never saw the stored one replaces it, and says so", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-4", 1)}}},
			"b", []string{"replica-1 blindly dropped a for b"}, nil},
		{"vector: an incoming version is dropped for one whose writer never saw it, and says so", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-4", 1)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}}},
			"b", []string{"replica-1 blindly dropped a for b"}, nil},
		{"vector: a version whose writer had read the stored one replaces it silently", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-4", 1, 1, 0, 0)}}},
			"b", nil, nil},
		{"vector: a client's later put replaces its own earlier one silently", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-1", 2)}}},
			"b", nil, nil},
		{"vector: an earlier put of the same client replacing a later one says so", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-1", 2)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: seen(vv("a", 3, 0, 0), "client-1", 1)}}},
			"a", []string{"replica-1 blindly dropped b for a"}, nil},
		{"vector: two copies of one put are one version, whichever is kept", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}}, {to: "replica-1", msg: Write{Req: 2, Key: "k1", Versions: seen(vv("a", 2, 0, 0), "client-1", 1)}}},
			"a", nil, nil},
		// A read repair carries each version with its own writer's context:
		// replacing a stale version that the writer had read is silent.
		{"vector: a read repair replacing a version its writer had read is silent", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}},
				{to: "replica-1", msg: Write{Key: "k1", Versions: seen(vv("b", 1, 1, 0), "client-2", 1, 1, 0, 0), Repair: true}}},
			"b", nil, []string{"replica-2<-replica-1 write-ack"}},
		{"vector: a read repair adding a sibling drops nothing", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}},
				{to: "replica-1", msg: Write{Key: "k1", Versions: append(seen(vv("a", 1, 0, 0), "client-1", 1), seen(vv("c", 0, 1, 0), "client-3", 1)...), Repair: true}}},
			"a|c", nil, nil},
		// Unless it brings a blind overwrite to a replica that never held
		// both versions: this is where the write is lost there.
		{"vector: a read repair bringing a blind overwrite says so", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}},
				{to: "replica-1", msg: Write{Key: "k1", Versions: seen(vv("b", 2, 0, 0), "client-4", 1), Repair: true}}},
			"b", []string{"replica-1 blindly dropped a for b"}, nil},
		{"vector: a handoff replacing a version its writer had read is silent", "vector",
			[]send{{to: "replica-1", msg: Write{Req: 1, Key: "k1", Versions: seen(vv("a", 1, 0, 0), "client-1", 1)}},
				{to: "replica-1", msg: Handoff{Key: "k1", Versions: seen(vv("b", 1, 1, 0), "client-2", 1, 1, 0, 0), Seq: 1}}},
			"b", nil, []string{"replica-2<-replica-1 write-ack", "replica-2<-replica-1 handoff-ack"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, got := world(t, params(t, "conflict", tt.conflict), map[string][]send{"replica-2": tt.script})
			if s := stored(w, "replica-1"); s != tt.stored {
				t.Errorf("replica-1 stores %q, want %q", s, tt.stored)
			}
			if d := discards(w); !slices.Equal(d, tt.discards) {
				t.Errorf("discards %q, want %q", d, tt.discards)
			}
			if tt.replies != nil && !slices.Equal(got, tt.replies) {
				t.Errorf("replies %q, want %q", got, tt.replies)
			}
		})
	}
}

// TestCoordinator sends a client's requests to replica-1 and checks the
// answers: quorums reached, refused at once when too few replicas are
// believed up, failed after a timeout.
func TestCoordinator(t *testing.T) {
	// The get follows the put by more than a timeout, and comes so late that
	// only an immediate answer arrives before the run ends at 1s.
	put := func(op uint64, v string) send {
		return send{"replica-1", Put{Op: op, Key: "k1", Value: v, TS: time.Duration(op)}, time.Millisecond}
	}
	get := func(op uint64) send { return send{"replica-1", Get{Op: op, Key: "k1"}, 900 * time.Millisecond} }
	crash := func(node string) sim.Fault { return sim.Fault{Kind: sim.FaultCrash, Node: node} }
	tests := []struct {
		name    string
		params  []string
		script  []send
		faults  []sim.Fault
		replies []string
	}{
		{"quorum reached", nil, []send{put(1, "a"), get(2)},
			nil, []string{"client-1<-replica-1 put-reply ok", "client-1<-replica-1 get-reply a"}},
		{"one replica down: still a quorum of 2 out of 3", nil, []send{put(1, "a"), get(2)},
			[]sim.Fault{crash("replica-3")}, []string{"client-1<-replica-1 put-reply ok", "client-1<-replica-1 get-reply a"}},
		{"two down: the put times out, then the get is refused at once", nil, []send{put(1, "a"), get(2)},
			[]sim.Fault{crash("replica-2"), crash("replica-3")}, []string{"client-1<-replica-1 put-reply failed", "client-1<-replica-1 get-reply failed"}},
		{"two down, w 1 and r 1: available", []string{"r", "1", "w", "1"}, []send{put(1, "a"), get(2)},
			[]sim.Fault{crash("replica-2"), crash("replica-3")}, []string{"client-1<-replica-1 put-reply ok", "client-1<-replica-1 get-reply a"}},
		{"two down, sloppy: stand-ins answer", []string{"sloppy", "true"}, []send{put(1, "a"), get(2)},
			[]sim.Fault{crash("replica-2"), crash("replica-3")}, []string{"client-1<-replica-1 put-reply ok", "client-1<-replica-1 get-reply a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := world(t, params(t, tt.params...), map[string][]send{"client-1": tt.script}, tt.faults...)
			if !slices.Equal(got, tt.replies) {
				t.Errorf("replies %q, want %q", got, tt.replies)
			}
		})
	}
}

// TestHintedHandoff: with replica-2 down, a sloppy put goes to stand-in
// replica-4 with a hint; when replica-2 is back, replica-4 hands the version
// off and, not being a home replica of k1, forgets it.
func TestHintedHandoff(t *testing.T) {
	p := params(t, "sloppy", "true", "r", "3", "w", "3")
	script := []send{{to: "replica-1", msg: Put{Op: 1, Key: "k1", Value: "a", TS: 1}}}
	w, got := world(t, p, map[string][]send{"client-1": script},
		sim.Fault{Kind: sim.FaultCrash, Node: "replica-2"},
		sim.Fault{At: 500 * time.Millisecond, Kind: sim.FaultRestart, Node: "replica-2"})
	if !slices.Equal(got, []string{"client-1<-replica-1 put-reply ok"}) {
		t.Fatalf("replies %q, want the put acknowledged by 3 replicas, one of them a stand-in", got)
	}
	if s := stored(w, "replica-2"); s != "a" {
		t.Errorf("replica-2 stores %q after the handoff, want \"a\"", s)
	}
	if s := stored(w, "replica-4"); s != "" {
		t.Errorf("stand-in replica-4 still stores %q after handing it off", s)
	}
	for _, n := range w.Snapshot().Nodes {
		if st, ok := n.State.(ReplicaView); ok && len(st.Hints) > 0 {
			t.Errorf("%s still holds hints %+v", n.Name, st.Hints)
		}
	}
}
