// Package crdt replicates a conflict-free replicated data type by gossip:
// the state-based CRDTs of Shapiro, Preguiça, Baquero and Zawirski,
// "A comprehensive study of Convergent and Commutative Replicated Data
// Types" (INRIA RR-7506, 2011) — the G-Counter, the PN-Counter, the
// observed-remove set (OR-Set) and the last-writer-wins register.
//
// Clients send updates to any replica, which applies them at once without
// asking anybody, so replicas stay available during a partition and diverge.
// Every gossip interval each replica sends its whole state to the next peer
// in turn, and the receiver merges it with a least upper bound; once the
// network heals and a few rounds have passed, all replicas hold the same
// state (convergence).
//
// The LWW-Register is unsafe on purpose: it stores the set of elements as one
// value with a timestamp, so of two concurrent updates at different replicas
// merge keeps one and throws the other away (lost-update, see
// LWWRegister.Merge), while the OR-Set keeps both. The counters and the
// OR-Set lose nothing.
package crdt

import (
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

func init() { mech.Register(Mechanism) }

// Mechanism is the crdt entry of the catalog.
var Mechanism = &mech.Mechanism{
	Name:  "crdt",
	Title: "State-based CRDTs replicated by gossip",
	Summary: "Clients update any replica, even during a partition; replicas gossip their whole state and merge it. " +
		"Counters and the OR-Set converge without losing an update; the last-writer-wins register converges by " +
		"throwing concurrent updates away.",
	Roles: "replica-1..replicas, client-N",
	Params: []mech.Param{
		{Name: "replicas", Kind: mech.Int, Default: "3", Min: 1, Max: 16, Help: "replicas of the data type"},
		{Name: "type", Kind: mech.Enum, Default: "gcounter", Values: []string{"gcounter", "pncounter", "orset", "lwwregister"}, Help: "the data type"},
		{Name: "gossip", Kind: mech.Duration, Default: "200ms", Min: float64(time.Millisecond), Max: float64(time.Minute), Help: "interval at which a replica sends its state to the next peer"},
		{Name: "clients", Kind: mech.Int, Default: "2", Min: 1, Max: 16, Help: "clients updating the replicas"},
		{Name: "ops", Kind: mech.Int, Default: "20", Min: 0, Max: 10000, Help: "operations per client, then it stops (0: until the run ends)"},
		{Name: "reads", Kind: mech.Float, Default: "0.2", Min: 0, Max: 1, Help: "fraction of operations that read the value"},
		{Name: "think", Kind: mech.Duration, Default: "200ms", Min: 0, Max: float64(time.Minute), Help: "pause of a client between two operations"},
		{Name: "timeout", Kind: mech.Duration, Default: "500ms", Min: float64(time.Millisecond), Max: float64(time.Minute), Help: "how long a client waits before trying the next replica"},
	},
	Invariants: []string{"convergence", "lost-update"},
	Metrics:    []string{"converged-at", "updates"},
	Nodes:      nodeNames,
	Build:      build,
	Checkers:   checkers,
	Finish:     finish,
}

// config is what every node of a run knows. Nodes share it and never change
// it.
type config struct {
	kind                   string
	replicas               []string
	gossip, think, timeout time.Duration
	reads                  float64
}

func nodeNames(p mech.Params) []string {
	var names []string
	for i := range p.Int("replicas") {
		names = append(names, "replica-"+strconv.Itoa(i+1))
	}
	for i := range p.Int("clients") {
		names = append(names, "client-"+strconv.Itoa(i+1))
	}
	return names
}

func build(w *sim.World, p mech.Params) error {
	cfg := &config{kind: p.String("type"), gossip: p.Duration("gossip"), think: p.Duration("think"),
		timeout: p.Duration("timeout"), reads: p.Float("reads")}
	for i := range p.Int("replicas") {
		cfg.replicas = append(cfg.replicas, "replica-"+strconv.Itoa(i+1))
	}
	for i, name := range cfg.replicas {
		if err := w.AddNode(name, func() sim.Node { return newReplica(cfg, i) }); err != nil {
			return err
		}
	}
	for i := range p.Int("clients") {
		quota := p.Int("ops")
		if quota == 0 {
			quota = -1
		}
		if err := w.AddNode("client-"+strconv.Itoa(i+1), func() sim.Node { return newClient(cfg, i, quota) }); err != nil {
			return err
		}
	}
	return nil
}

// Settle is how long after the last fault and the last update the replicas
// are given to converge: two full rounds of gossip to every peer, and a
// second for messages in flight.
func Settle(p mech.Params) time.Duration {
	return 2*time.Duration(p.Int("replicas"))*p.Duration("gossip") + time.Second
}

func checkers(p mech.Params) []check.Checker {
	cs := []check.Checker{check.Convergence(Settle(p)), check.LostUpdate()}
	for i := range cs {
		inner := cs[i].Check
		cs[i].Check = func(h []sim.Observation) []check.Violation { return inner(check.StampOps(h)) }
	}
	return cs
}

func finish(w *sim.World, _ mech.Params) map[string]float64 {
	m := map[string]float64{}
	var updates float64
	for _, o := range w.History() {
		if op, ok := o.Value.(check.Op); ok && op.Ok && op.Kind != "get" {
			updates++
		}
	}
	m["updates"] = updates
	if at, ok := ConvergedAt(w.History()); ok {
		m["converged-at"] = float64(at) / float64(time.Millisecond)
	}
	return m
}

// ConvergedAt returns the moment from which every replica that was up held
// the same state until the end of the history, and false if they did not
// all hold the same state at the end.
func ConvergedAt(h []sim.Observation) (sim.Time, bool) {
	states := map[string]string{}
	var order []string // replicas in order of first report
	at, agreed := sim.Time(0), false
	for _, o := range h {
		switch v := o.Value.(type) {
		case check.ReplicaState:
			if _, seen := states[v.Replica]; !seen {
				order = append(order, v.Replica)
			}
			states[v.Replica] = v.State
		case sim.FaultEvent:
			if v.Kind != sim.FaultCrash || states[v.Node] == "" {
				continue
			}
			delete(states, v.Node)
		default:
			continue
		}
		same := true
		first := ""
		for _, r := range order {
			s, up := states[r]
			if !up {
				continue
			}
			if first == "" {
				first = s
			}
			same = same && s == first
		}
		if same && !agreed {
			at = o.At
		}
		agreed = same
	}
	return at, agreed
}
