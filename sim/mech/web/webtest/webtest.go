// Package webtest runs session mechanisms in tests: it builds a world from a
// mechanism, parameters and faults, runs it and returns the metrics and the
// violations its checkers find. It is what the scenario runner does, in a
// form tests can call without a scenario file.
package webtest

import (
	"encoding/json"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Run is the outcome of one run.
type Run struct {
	World      *sim.World
	Metrics    map[string]float64
	Violations map[string][]check.Violation // by invariant
}

// Count returns how many violations of the invariant the run had.
func (r *Run) Count(invariant string) int { return len(r.Violations[invariant]) }

// Panels decodes the world's snapshot, as the browser's mechanism panel
// gets it in JSON, into the shape a test declares: only the fields it
// names.
func Panels[T any](t testing.TB, w *sim.World) T {
	t.Helper()
	var snap T
	b, err := json.Marshal(w.Snapshot())
	if err == nil {
		err = json.Unmarshal(b, &snap)
	}
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// Spec is one run to make.
type Spec struct {
	Seed     uint64
	Duration time.Duration // default 60s
	Params   []string      // name/value pairs, as mech.Mechanism.With takes them
	Faults   []sim.Fault
	Network  *sim.Network // default sim.DefaultNetwork
}

// Do runs the spec and fails the test on any error of building or running.
func Do(t testing.TB, m *mech.Mechanism, s Spec) *Run {
	t.Helper()
	p, err := m.With(s.Params...)
	if err != nil {
		t.Fatalf("%s params %v: %v", m.Name, s.Params, err)
	}
	if s.Duration == 0 {
		s.Duration = 60 * time.Second
	}
	net := sim.DefaultNetwork
	if s.Network != nil {
		net = *s.Network
	}
	w := sim.New(sim.Config{Seed: s.Seed, Duration: s.Duration, Network: net})
	if err := m.Build(w, p); err != nil {
		t.Fatalf("%s build: %v", m.Name, err)
	}
	for _, sym := range m.Symbols {
		w.DeclareSymbol(sym)
	}
	for _, f := range s.Faults {
		if err := w.Schedule(f); err != nil {
			t.Fatalf("%s fault: %v", m.Name, err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatalf("%s run: %v", m.Name, err)
	}
	r := &Run{World: w, Metrics: w.Metrics(), Violations: map[string][]check.Violation{}}
	if m.Finish != nil {
		for k, v := range m.Finish(w, p) {
			r.Metrics[k] = v
		}
	}
	for _, c := range m.Checkers(p) {
		r.Violations[c.Name] = c.Check(w.History())
	}
	return r
}

// Crash and Restart are fault shorthands.
func Crash(at time.Duration, node string) sim.Fault {
	return sim.Fault{At: at, Kind: sim.FaultCrash, Node: node}
}

// Restart restarts node at at.
func Restart(at time.Duration, node string) sim.Fault {
	return sim.Fault{At: at, Kind: sim.FaultRestart, Node: node}
}

// Jump moves node's clock by d at at.
func Jump(at time.Duration, node string, d time.Duration) sim.Fault {
	return sim.Fault{At: at, Kind: sim.FaultClockJump, Node: node, Jump: d}
}

// Send is one message a Probe sends. Make, when set, builds the message from
// what the probe has received so far (to use a session id a server handed
// out, say); otherwise Msg is sent.
type Send struct {
	At   time.Duration
	To   string
	Msg  sim.Message
	Make func(got []Got) sim.Message
}

// Got is one message a Probe or Responder received.
type Got struct {
	At   sim.Time
	From string
	Msg  sim.Message
}

// Probe is a scripted node for handler table tests: it sends its script at
// the given times and records everything it receives.
type Probe struct {
	Script []Send
	Got    *[]Got
}

// Start arms one timer per scripted message.
func (p *Probe) Start(ctx *sim.Context) {
	for i, s := range p.Script {
		ctx.SetTimer(s.At, i)
	}
}

// Timer sends a scripted message.
func (p *Probe) Timer(ctx *sim.Context, tag any) {
	s := p.Script[tag.(int)]
	msg := s.Msg
	if s.Make != nil {
		msg = s.Make(*p.Got)
	}
	ctx.Send(s.To, msg)
}

// Receive records a message.
func (p *Probe) Receive(ctx *sim.Context, from string, msg sim.Message) {
	*p.Got = append(*p.Got, Got{At: ctx.Now(), From: from, Msg: msg})
}

// Responder stands in for a node a node under test talks to: it records
// every message and answers with what Answer returns (nothing when nil).
type Responder struct {
	Answer func(from string, msg sim.Message) sim.Message
	Got    *[]Got
}

// Start does nothing.
func (r *Responder) Start(*sim.Context) {}

// Timer is unused.
func (r *Responder) Timer(*sim.Context, any) {}

// Receive records msg and answers it.
func (r *Responder) Receive(ctx *sim.Context, from string, msg sim.Message) {
	*r.Got = append(*r.Got, Got{At: ctx.Now(), From: from, Msg: msg})
	if r.Answer != nil {
		if a := r.Answer(from, msg); a != nil {
			ctx.Send(from, a)
		}
	}
}

// Node is a named node factory for World.
type Node struct {
	Name string
	New  func() sim.Node
}

// World builds a small world of nodes (in order) on a 1ms network, for
// handler tests. Run it with w.RunUntil or w.Run.
func World(t testing.TB, d time.Duration, nodes ...Node) *sim.World {
	t.Helper()
	w := sim.New(sim.Config{Seed: 1, Duration: d, Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}})
	for _, n := range nodes {
		if err := w.AddNode(n.Name, n.New); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// Faults is a random fault schedule for property tests: between one and
// four crashes (each followed by a restart) of the given nodes, at random
// moments of a 60s run, drawn from r.
func Faults(r interface{ IntN(int) int }, nodes ...string) []sim.Fault {
	var fs []sim.Fault
	for range 1 + r.IntN(4) {
		n := nodes[r.IntN(len(nodes))]
		at := time.Duration(5+r.IntN(45)) * time.Second
		fs = append(fs, Crash(at, n), Restart(at+time.Duration(1+r.IntN(10))*time.Second, n))
	}
	return fs
}

// ReloginsInFlight counts the users whose last step of their own was a
// refused request: their new login (or refresh) was still on its way when
// the run ended, so the history cannot show it yet.
func (r *Run) ReloginsInFlight() int {
	last := map[string]check.SessionOp{}
	for _, o := range r.World.History() {
		if op, ok := o.Value.(check.SessionOp); ok && op.Op != "replay" {
			last[op.User] = op
		}
	}
	n := 0
	for _, op := range last {
		if op.Status == 401 {
			n++
		}
	}
	return n
}
