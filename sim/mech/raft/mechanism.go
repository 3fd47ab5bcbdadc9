package raft

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Mechanism is the catalog entry of raft.
var Mechanism = &mech.Mechanism{
	Name:  "raft",
	Title: "Raft consensus with a replicated key-value store",
	Summary: "Servers elect a leader with randomized timeouts; the leader appends client commands to its log, " +
		"replicates them with AppendEntries and commits an entry once a majority stores it, and every server " +
		"applies committed entries to a key-value store. Reads may go through the log, rely on a leader lease " +
		"that trusts clocks, or be served by any server from its own state; buggy_commit reproduces the " +
		"commitment error of the paper's Figure 8.",
	Roles:  "raft-1..N (servers), client-N",
	Params: params(),
	Invariants: []string{
		"election-safety", "log-matching", "leader-completeness", "state-machine-safety", "linearizability",
	},
	Metrics:  []string{"commits", "leader-changes", "elections", "ops", "failed-ops", "deleted-entries"},
	Symbols:  []string{"leader"},
	Nodes:    nodes,
	Validate: validate,
	Build:    build,
	Checkers: func(mech.Params) []check.Checker {
		return []check.Checker{
			check.ElectionSafety(), check.LogMatching(), check.LeaderCompleteness(),
			check.StateMachineSafety(), check.LinearizabilityChecker(),
		}
	},
	Finish: func(w *sim.World, _ mech.Params) map[string]float64 {
		// Metrics nobody counted are still reported, as zero.
		m := w.Metrics()
		out := map[string]float64{}
		for _, name := range []string{"commits", "leader-changes", "elections", "ops", "failed-ops", "deleted-entries"} {
			out[name] = m[name]
		}
		return out
	},
}

func init() { mech.Register(Mechanism) }

func params() []mech.Param {
	ms := float64(time.Millisecond)
	return []mech.Param{
		{Name: "nodes", Kind: mech.Int, Default: "5", Min: 1, Max: 9, Help: "Raft servers raft-1..N; a majority must agree to elect or commit"},
		{Name: "clients", Kind: mech.Int, Default: "3", Min: 0, Max: 16, Help: "clients sending get, put and append on keys x, y and z"},
		{Name: "election_timeout", Kind: mech.Range, Default: "150ms..300ms", Min: ms, Max: float64(time.Minute), Help: "a follower that hears no leader for a timeout drawn from this range, on its own clock, starts an election"},
		{Name: "heartbeat", Kind: mech.Duration, Default: "50ms", Min: ms, Max: float64(time.Minute), Help: "how often a leader sends AppendEntries when it has nothing new"},
		{Name: "prevote", Kind: mech.Bool, Default: "false", Help: "ask for pre-votes before raising the term, so a server cut off from the majority cannot disrupt it on return"},
		{Name: "check_quorum", Kind: mech.Bool, Default: "false", Help: "a leader that has not heard from a majority for an election timeout steps down, and followers ignore votes while they hear from a leader"},
		{Name: "read", Kind: mech.Enum, Default: "log", Values: []string{"log", "lease", "local"}, Help: "log: reads go through the log; lease: the leader answers alone during a lease that trusts clocks; local: client-N reads from raft-N, which answers from its own state (stale on purpose)"},
		{Name: "buggy_commit", Kind: mech.Bool, Default: "false", Help: "a leader commits entries of earlier terms by counting replicas: the error of the paper's Figure 8"},
	}
}

func nodes(p mech.Params) []string {
	var names []string
	for i := 1; i <= p.Int("nodes"); i++ {
		names = append(names, fmt.Sprintf("raft-%d", i))
	}
	for i := 1; i <= p.Int("clients"); i++ {
		names = append(names, fmt.Sprintf("client-%d", i))
	}
	return names
}

func validate(p mech.Params) error {
	if p.Range("election_timeout").Min <= 0 {
		return &mech.ParamError{Param: "election_timeout", Msg: "the election timeout must be positive"}
	}
	return nil
}

func newConfig(p mech.Params) *config {
	cfg := &config{
		electionTimeout: p.Range("election_timeout"),
		heartbeat:       p.Duration("heartbeat"),
		preVote:         p.Bool("prevote"),
		checkQuorum:     p.Bool("check_quorum"),
		read:            p.String("read"),
		buggyCommit:     p.Bool("buggy_commit"),
	}
	for i := 1; i <= p.Int("nodes"); i++ {
		cfg.servers = append(cfg.servers, fmt.Sprintf("raft-%d", i))
	}
	return cfg
}

func build(w *sim.World, p mech.Params) error {
	cfg := newConfig(p)
	w.DeclareSymbol("leader")
	for _, name := range cfg.servers {
		if err := w.AddNode(name, func() sim.Node { return &server{r: newRaft(cfg, name)} }); err != nil {
			return err
		}
	}
	for i := 1; i <= p.Int("clients"); i++ {
		name := fmt.Sprintf("client-%d", i)
		if err := w.AddNode(name, func() sim.Node { return newClient(cfg, name, i) }); err != nil {
			return err
		}
	}
	return nil
}
