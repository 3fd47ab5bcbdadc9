package raft

import (
	"slices"

	"coordlab/sim"
)

// server is a Raft server node, raft-N: the sim.Node around the protocol
// state machine. A crash throws it away; a restart boots a new one over the
// durable store.
type server struct {
	r *raft
}

// Start boots the server.
func (s *server) Start(ctx *sim.Context) { s.r.boot(ctx) }

// Receive steps the state machine with a message.
func (s *server) Receive(_ *sim.Context, from string, msg sim.Message) { s.r.Step(from, msg) }

// Timer steps the state machine with a fired timer.
func (s *server) Timer(_ *sim.Context, tag any) {
	if t, ok := tag.(timerTag); ok {
		s.r.Timer(t)
	}
}

// Inspect returns the server's state for the mechanism panel.
func (s *server) Inspect() any { return s.r.inspect() }

// maxShownEntries bounds the log an inspection shows: its newest entries.
const maxShownEntries = 200

// ServerView is what the browser's mechanism panel shows of a Raft server:
// the state of Figure 2 and the key-value state machine.
type ServerView struct {
	Role        string      `json:"role"`
	Term        uint64      `json:"term"`
	VotedFor    string      `json:"votedFor,omitempty"`
	Leader      string      `json:"leader,omitempty"`
	CommitIndex uint64      `json:"commitIndex"`
	LastApplied uint64      `json:"lastApplied"`
	LastIndex   uint64      `json:"lastIndex"`
	LogStart    uint64      `json:"logStart"` // index of the first entry shown
	Log         []EntryView `json:"log"`
	Progress    []Progress  `json:"progress,omitempty"` // leaders only
	Lease       bool        `json:"lease,omitempty"`    // read: lease, leaders only: the lease runs
	KV          []KeyValue  `json:"kv"`
}

// EntryView is one log entry as the panel shows it.
type EntryView struct {
	Index     uint64 `json:"index"`
	Term      uint64 `json:"term"`
	Command   string `json:"command"`
	Committed bool   `json:"committed"`
}

// Progress is a leader's nextIndex and matchIndex for one server.
type Progress struct {
	Server     string `json:"server"`
	NextIndex  uint64 `json:"nextIndex"`
	MatchIndex uint64 `json:"matchIndex"`
}

// KeyValue is one key of the state machine.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (r *raft) inspect() ServerView {
	v := ServerView{
		Role: r.state.String(), Term: r.currentTerm, VotedFor: r.votedFor, Leader: r.lead,
		CommitIndex: r.commitIndex, LastApplied: r.lastApplied, LastIndex: r.log.lastIndex(),
	}
	start := uint64(1)
	if n := r.log.lastIndex(); n > maxShownEntries {
		start = n - maxShownEntries + 1
	}
	v.LogStart = start
	for i := start; i <= r.log.lastIndex(); i++ {
		e := r.log[i-1]
		v.Log = append(v.Log, EntryView{Index: i, Term: e.Term, Command: e.Command.String(), Committed: i <= r.commitIndex})
	}
	if r.state == StateLeader {
		for i, s := range r.cfg.servers {
			if i != r.self {
				v.Progress = append(v.Progress, Progress{Server: s, NextIndex: r.nextIndex[i], MatchIndex: r.matchIndex[i]})
			}
		}
		v.Lease = r.cfg.read == "lease" && r.leaseValid()
	}
	keys := make([]string, 0, len(r.kv.data))
	for k := range r.kv.data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v.KV = append(v.KV, KeyValue{Key: k, Value: r.kv.data[k]})
	}
	return v
}
