package quorum

import (
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// slowPeer stands in for a replica that holds every request it receives
// until answerAt and then answers them all in the order they came, the
// first as it would have when it arrived, each later one with a failure (a
// coordinator) or with nothing (a replica asked to read).
type slowPeer struct {
	answerAt time.Duration
	held     []held
}

type held struct {
	from string
	msg  sim.Message
}

func (p *slowPeer) Start(ctx *sim.Context) { ctx.SetTimer(p.answerAt, nil) }

func (p *slowPeer) Receive(_ *sim.Context, from string, m sim.Message) {
	p.held = append(p.held, held{from, m})
}

func (p *slowPeer) Timer(ctx *sim.Context, _ any) {
	for i, h := range p.held {
		first := i == 0
		switch m := h.msg.(type) {
		case Get:
			r := GetReply{Op: m.Op, Ok: first}
			if first {
				r.Versions = []Version{{Value: "old"}}
			}
			ctx.Send(h.from, r)
		case Put:
			ctx.Send(h.from, PutReply{Op: m.Op, Ok: first})
		case Read:
			r := ReadReply{Req: m.Req}
			if first {
				r.Versions = []Version{{Value: "old", TS: 1, Writer: "client-9"}}
			}
			ctx.Send(h.from, r)
		}
	}
}

// TestRestartedClientIgnoresOldAnswers: client-1 crashes with an operation
// held by its coordinator and, restarted, sends the next one to it. The
// coordinator answers the old operation first (successfully) and the new
// one with a failure: the restarted client must take the failure, the
// answer to its own request, not the answer meant for its previous life.
func TestRestartedClientIgnoresOldAnswers(t *testing.T) {
	cfg := newConfig(params(t, "clients", "1"))
	w := sim.New(sim.Config{Seed: 1, Duration: time.Second, Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}})
	must(t, w.AddNode("replica-1", func() sim.Node { return &slowPeer{answerAt: 400 * time.Millisecond} }))
	for i := 1; i < len(cfg.replicas); i++ {
		must(t, w.AddNode(cfg.replicas[i], func() sim.Node { return newReplica(cfg, i) }))
	}
	must(t, w.AddNode("client-1", func() sim.Node { return newClient(cfg, 0, -1) }))
	must(t, w.Schedule(sim.Fault{At: 150 * time.Millisecond, Kind: sim.FaultCrash, Node: "client-1"}))
	must(t, w.Schedule(sim.Fault{At: 160 * time.Millisecond, Kind: sim.FaultRestart, Node: "client-1"}))
	must(t, w.Run())
	restarted := false
	for _, o := range w.History() {
		switch v := o.Value.(type) {
		case sim.FaultEvent:
			restarted = restarted || v.Kind == sim.FaultRestart
		case check.Op:
			if restarted {
				if v.Ok {
					t.Errorf("the restarted client's first operation, %s %q, took the answer meant for its previous life", v.Kind, v.Output)
				}
				return
			}
		}
	}
	t.Fatal("the restarted client completed no operation")
}

// TestRestartedCoordinatorIgnoresOldReplies: replica-1 coordinates a get,
// crashes while replica-2 holds the read, and after its restart coordinates
// another get. replica-2 answers the old read first: the restarted
// coordinator must not count that reply, meant for its previous life, as
// replica-2's answer to its new request (it would return "old", a value no
// replica holds for k1 now).
func TestRestartedCoordinatorIgnoresOldReplies(t *testing.T) {
	p := params(t, "r", "3", "w", "3")
	cfg := newConfig(p)
	w := sim.New(sim.Config{Seed: 1, Duration: time.Second, Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}})
	var got []string
	for i, name := range cfg.replicas {
		switch name {
		case "replica-2":
			must(t, w.AddNode(name, func() sim.Node { return &slowPeer{answerAt: 100 * time.Millisecond} }))
		default:
			must(t, w.AddNode(name, func() sim.Node { return newReplica(cfg, i) }))
		}
	}
	script := []send{{to: "replica-1", msg: Get{Op: 1, Key: "k1"}, at: 10 * time.Millisecond}, {to: "replica-1", msg: Get{Op: 2, Key: "k1"}, at: 60 * time.Millisecond}}
	must(t, w.AddNode("client-1", func() sim.Node { return &probe{script: script, got: &got} }))
	must(t, w.Schedule(sim.Fault{At: 30 * time.Millisecond, Kind: sim.FaultRestart, Node: "replica-1"}))
	must(t, w.Run())
	if slices.Contains(got, "client-1<-replica-1 get-reply old") {
		t.Errorf("replies %q: the restarted coordinator answered with a reply to its previous life's request", got)
	}
}

// TestCoordinatorWithClockBehind: a clock set back below zero (a clock jump
// of -2s at the start) does not make a coordinator believe every replica,
// itself included, is down: suspicion starts only when a replica stays
// silent.
func TestCoordinatorWithClockBehind(t *testing.T) {
	script := []send{{to: "replica-1", msg: Put{Op: 1, Key: "k1", Value: "a", TS: 1}}, {to: "replica-1", msg: Get{Op: 2, Key: "k1"}, at: 500 * time.Millisecond}}
	_, got := world(t, params(t), map[string][]send{"client-1": script},
		sim.Fault{Kind: sim.FaultClockJump, Node: "replica-1", Jump: -2 * time.Second})
	if want := []string{"client-1<-replica-1 put-reply ok", "client-1<-replica-1 get-reply a"}; !slices.Equal(got, want) {
		t.Errorf("replies %q, want %q", got, want)
	}
}
