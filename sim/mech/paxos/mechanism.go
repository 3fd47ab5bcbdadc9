package paxos

import (
	"fmt"
	"math/rand/v2"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Mechanism is the catalog entry of paxos.
var Mechanism = &mech.Mechanism{
	Name:  "paxos",
	Title: "Single-decree Paxos with dueling proposers",
	Summary: "Proposers try to get a value chosen by a majority of acceptors in two phases: prepare/promise " +
		"with a ballot number higher than any before, then accept/accepted, adopting the value of the " +
		"highest proposal already accepted. Safety never depends on timing, but two proposers can preempt " +
		"each other round after round; a random back-off before retrying breaks the duel.",
	Roles:      "proposer-N (also learners), acceptor-N",
	Params:     params(),
	Invariants: []string{"agreement", "validity"},
	Metrics:    []string{"rounds", "learned"},
	Nodes:      nodes,
	Build:      build,
	Checkers: func(p mech.Params) []check.Checker {
		return []check.Checker{check.Agreement(p.Int("acceptors")), check.Validity()}
	},
	Finish: func(w *sim.World, _ mech.Params) map[string]float64 {
		m := w.Metrics()
		return map[string]float64{"rounds": m["rounds"], "learned": m["learned"]}
	},
}

func init() { mech.Register(Mechanism) }

func params() []mech.Param {
	return []mech.Param{
		{Name: "proposers", Kind: mech.Int, Default: "2", Min: 1, Max: 9, Help: "proposers proposer-1..N, each proposing its own value vN and learning the chosen one"},
		{Name: "acceptors", Kind: mech.Int, Default: "3", Min: 1, Max: 9, Help: "acceptors acceptor-1..N; a value is chosen when a majority accepts it"},
		{Name: "backoff", Kind: mech.Range, Default: "0..100ms", Min: 0, Max: float64(10 * time.Second), Help: "a proposer whose round failed waits a random time from this range before the next; \"0s..0s\" retries at once"},
	}
}

// host is what proposers and acceptors need from the world: *sim.Context
// provides it, and tests provide a recorder.
type host interface {
	Send(to string, msg sim.Message)
	SetTimer(d time.Duration, tag any) sim.TimerID
	Rand() *rand.Rand
	Observe(v any)
	Durable() *sim.Store
	Count(metric string, delta float64)
}

// config is what every node of a run shares.
type config struct {
	proposers, acceptors []string
	backoff              sim.Latency
}

func (c *config) majority() int { return len(c.acceptors)/2 + 1 }

func (c *config) acceptorIndex(name string) int {
	for i, a := range c.acceptors {
		if a == name {
			return i
		}
	}
	return -1
}

func newConfig(p mech.Params) *config {
	c := &config{backoff: p.Range("backoff")}
	for i := 1; i <= p.Int("proposers"); i++ {
		c.proposers = append(c.proposers, fmt.Sprintf("proposer-%d", i))
	}
	for i := 1; i <= p.Int("acceptors"); i++ {
		c.acceptors = append(c.acceptors, fmt.Sprintf("acceptor-%d", i))
	}
	return c
}

func nodes(p mech.Params) []string {
	c := newConfig(p)
	return append(append([]string{}, c.proposers...), c.acceptors...)
}

func build(w *sim.World, p mech.Params) error {
	c := newConfig(p)
	for i, name := range c.proposers {
		if err := w.AddNode(name, func() sim.Node { return newProposer(c, i+1) }); err != nil {
			return err
		}
	}
	for _, name := range c.acceptors {
		if err := w.AddNode(name, func() sim.Node { return &acceptor{cfg: c} }); err != nil {
			return err
		}
	}
	return nil
}
