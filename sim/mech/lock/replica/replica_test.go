package replica_test

import (
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/lock/replica"
)

const ms = time.Millisecond

// toy is a replicated log of numbers on s-1 and s-2. Its state is kept in a
// map outside the node so the test can read it after a crash.
type toy struct {
	ctx  *sim.Context
	rep  replica.Node
	log  []int
	seen map[string][]int
}

type write struct{ V int }

func (write) Kind() string { return "write" }

func (t *toy) Start(ctx *sim.Context) {
	t.ctx = ctx
	t.rep.Start(ctx, t, []string{"s-1", "s-2"})
}
func (t *toy) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if t.rep.Receive(from, msg) {
		return
	}
	if w, ok := msg.(write); ok && t.rep.IsPrimary() {
		t.log = append(t.log, w.V)
		t.save()
		t.rep.Propagate(w.V)
	}
}
func (t *toy) Timer(ctx *sim.Context, tag any) { t.rep.Timer(tag) }
func (t *toy) Apply(e any)                     { t.log = append(t.log, e.(int)); t.save() }
func (t *toy) Snapshot() any                   { return slices.Clone(t.log) }
func (t *toy) Restore(s any)                   { t.log = slices.Clone(s.([]int)); t.save() }
func (t *toy) save()                           { t.seen[t.ctx.Name()] = slices.Clone(t.log) }

// writer sends write{1}, write{2}, ... to s-1 and s-2 every 100ms: the
// replica drops them, the primary logs them.
type writer struct{ n int }

func (w *writer) Start(ctx *sim.Context)                    { ctx.SetTimer(100*ms, nil) }
func (w *writer) Receive(*sim.Context, string, sim.Message) {}
func (w *writer) Timer(ctx *sim.Context, _ any) {
	w.n++
	ctx.Send("s-1", write{w.n})
	ctx.Send("s-2", write{w.n})
	ctx.SetTimer(100*ms, nil)
}

func run(t *testing.T, duration time.Duration, net sim.Network, faults ...sim.Fault) (*sim.World, map[string][]int) {
	t.Helper()
	w := sim.New(sim.Config{Seed: 2, Duration: duration, Network: net})
	seen := map[string][]int{}
	for _, name := range []string{"s-1", "s-2"} {
		if err := w.AddNode(name, func() sim.Node { return &toy{seen: seen} }); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddNode("writer-1", func() sim.Node { return &writer{} }); err != nil {
		t.Fatal(err)
	}
	w.DeclareSymbol("leader")
	for _, f := range faults {
		if err := w.Schedule(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return w, seen
}

func roleChanges(w *sim.World) []replica.RoleChanged {
	var out []replica.RoleChanged
	for _, o := range w.History() {
		if rc, ok := o.Value.(replica.RoleChanged); ok {
			out = append(out, rc)
		}
	}
	return out
}

// TestReplicaCatchesUpOverALossyNetwork: lost and duplicated messages leave
// gaps that resyncs fill; the replica ends with the primary's log.
func TestReplicaCatchesUpOverALossyNetwork(t *testing.T) {
	net := sim.Network{Latency: sim.Latency{Min: ms, Max: 20 * ms}, Loss: 0.2, Duplicate: 0.2}
	// The writer stops at 2.5s; the run goes on long enough to heal.
	w, seen := run(t, 3*time.Second, net, sim.Fault{At: 2500 * ms, Kind: sim.FaultCrash, Node: "writer-1"})
	if len(seen["s-1"]) < 20 || !slices.Equal(seen["s-1"], seen["s-2"]) {
		t.Errorf("primary %v, replica %v: want the same log", seen["s-1"], seen["s-2"])
	}
	if rc := roleChanges(w); len(rc) != 0 {
		t.Errorf("role changes %+v on a merely lossy network", rc)
	}
}

// TestFailover: s-2 promotes itself once s-1 has been silent for DownAfter
// and keeps what it had; s-1, back, steps down and takes s-2's log, losing
// what it had not shipped.
func TestFailover(t *testing.T) {
	net := sim.Network{Latency: sim.Latency{Min: ms, Max: ms}}
	failover := []sim.Fault{
		{At: 550 * ms, Kind: sim.FaultCut, From: "s-1", To: "s-2"}, // writes 6.. never reach s-2
		{At: 1020 * ms, Kind: sim.FaultCrash, Node: "s-1"},
		{At: 1030 * ms, Kind: sim.FaultHeal},
		{At: 2500 * ms, Kind: sim.FaultRestart, Node: "s-1"},
	}
	w, seen := run(t, 3*time.Second, net, failover...)
	want := []replica.RoleChanged{
		{Server: "s-2", Role: "primary", Epoch: 1},
		{Server: "s-1", Role: "replica", Epoch: 1, Primary: "s-2"},
	}
	if got := roleChanges(w); !slices.Equal(got, want) {
		t.Errorf("role changes %+v, want %+v", got, want)
	}
	if w.Resolve("leader") != "s-2" || w.Metrics()["failovers"] != 1 {
		t.Errorf("leader %q after %v failovers, want s-2 after 1", w.Resolve("leader"), w.Metrics()["failovers"])
	}
	// s-2 has 1..5 from s-1, then what it took itself after its promotion
	// at 1.6s: 16 on.
	if got := seen["s-2"]; len(got) < 15 || !slices.Equal(got[:6], []int{1, 2, 3, 4, 5, 16}) {
		t.Errorf("s-2's log %v: want 1..5, then its own writes from 16 on", got)
	}
	if !slices.Equal(seen["s-1"], seen["s-2"]) {
		t.Errorf("s-1 %v, s-2 %v: want s-1 to have taken s-2's log", seen["s-1"], seen["s-2"])
	}

	// The role is durable: restarted, the promoted s-2 is primary again.
	w, _ = run(t, 4*time.Second, net, append(failover, sim.Fault{At: 3 * time.Second, Kind: sim.FaultRestart, Node: "s-2"})...)
	if got := roleChanges(w); !slices.Equal(got, want) || w.Resolve("leader") != "s-2" {
		t.Errorf("after s-2's restart: role changes %+v, leader %q; want no more changes and s-2", got, w.Resolve("leader"))
	}
}

// TestClockJumpOnTheReplica: a replica whose clock jumps forward thinks its
// primary went silent and takes over; the primary steps down when it hears.
func TestClockJumpOnTheReplica(t *testing.T) {
	net := sim.Network{Latency: sim.Latency{Min: ms, Max: ms}}
	w, _ := run(t, 2*time.Second, net, sim.Fault{At: 500 * ms, Kind: sim.FaultClockJump, Node: "s-2", Jump: 2 * time.Second})
	want := []replica.RoleChanged{
		{Server: "s-2", Role: "primary", Epoch: 1},
		{Server: "s-1", Role: "replica", Epoch: 1, Primary: "s-2"},
	}
	if got := roleChanges(w); !slices.Equal(got, want) {
		t.Errorf("role changes %+v, want %+v", got, want)
	}
}

func TestTarget(t *testing.T) {
	tg := replica.NewTarget([]string{"db-1", "db-2"})
	var got []string
	got = append(got, tg.Server())
	tg.Next()
	got = append(got, tg.Server())
	tg.Follow("db-1")
	got = append(got, tg.Server())
	tg.Follow("") // a replica that knows no primary: try the next
	got = append(got, tg.Server())
	if !slices.Equal(got, []string{"db-1", "db-2", "db-1", "db-2"}) {
		t.Errorf("targets %v", got)
	}
}
