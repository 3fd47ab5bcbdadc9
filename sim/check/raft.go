package check

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"coordlab/sim"
)

// This file holds the checkers of the Raft safety properties, Figure 3 of
// Ongaro and Ousterhout, "In Search of an Understandable Consensus
// Algorithm" (USENIX ATC 2014): election safety, log matching, leader
// completeness and state machine safety. They read what the servers observe:
// RaftLeader when one becomes leader, RaftAppended when a follower replaces
// conflicting entries with a leader's, RaftCommitted when a leader advances
// its commit index and RaftApplied when any server applies an entry to its
// state machine.
//
// A log is summarised by digests: the digest of the entry at index i hashes
// the digest at i-1 with the entry's term and command, computed by each
// server over its own log. Two servers hold identical logs up through index
// i exactly when their digests at i agree (up to hash collisions), which is
// what lets a checker test the Log Matching Property from single entries.

// RaftRun is a run of consecutive log entries that share a term, starting at
// index From: a leader's log [1 1 1 3 3] is [{From:1 Term:1} {From:4 Term:3}].
type RaftRun struct {
	From, Term uint64
}

// RaftLeader is what a Raft server observes when it becomes leader: its term
// and its whole log, as runs of terms, with the digest of its last entry.
type RaftLeader struct {
	Term      uint64
	LastIndex uint64
	Digest    uint64
	Log       []RaftRun
}

// TermAt returns the term of the leader's entry at index i, and false when
// its log is shorter than i.
func (l RaftLeader) TermAt(i uint64) (uint64, bool) {
	if i == 0 || i > l.LastIndex {
		return 0, false
	}
	k, _ := slices.BinarySearchFunc(l.Log, i, func(r RaftRun, i uint64) int { return cmp.Compare(r.From, i+1) })
	if k == 0 {
		return 0, false
	}
	return l.Log[k-1].Term, true
}

// RaftAppended is what a Raft follower observes when it accepts entries from
// a leader in place of conflicting ones it deleted: the index, term and
// digest of the last entry the leader sent.
type RaftAppended struct {
	Index, Term, Digest uint64
}

// String writes the observation compactly, without the reflection %+v
// would use: the trace formats every observation.
func (a RaftAppended) String() string {
	var b [80]byte
	return string(append(appendUint(appendIndexTerm(b[:0], a.Index, a.Term), " Digest:", a.Digest), '}'))
}

// RaftCommitted is what a Raft leader observes for each entry its commit
// index passes: the entry's index and term and the leader's own term, the
// term in which the entry was committed.
type RaftCommitted struct {
	Index, Term, LeaderTerm uint64
}

// String writes the observation compactly.
func (c RaftCommitted) String() string {
	var b [80]byte
	return string(append(appendUint(appendIndexTerm(b[:0], c.Index, c.Term), " LeaderTerm:", c.LeaderTerm), '}'))
}

// RaftApplied is what a Raft server observes when it applies the entry at
// Index to its state machine. Command describes the entry for a student
// ("put x c1-4").
type RaftApplied struct {
	Index, Term, Digest uint64
	Command             string
}

// String writes the observation compactly.
func (a RaftApplied) String() string {
	var b [128]byte
	out := appendUint(appendIndexTerm(b[:0], a.Index, a.Term), " Digest:", a.Digest)
	out = append(append(out, " Command:"...), a.Command...)
	return string(append(out, '}'))
}

// appendIndexTerm writes "{Index:i Term:t", as %+v would.
func appendIndexTerm(b []byte, index, term uint64) []byte {
	return appendUint(appendUint(append(b, '{'), "Index:", index), " Term:", term)
}

func appendUint(b []byte, label string, n uint64) []byte {
	return strconv.AppendUint(append(b, label...), n, 10)
}

// ElectionSafety returns the election-safety checker: "at most one leader
// can be elected in a given term" (Figure 3).
func ElectionSafety() Checker {
	return Checker{
		Name:    "election-safety",
		Explain: "At most one server is elected leader in any one term.",
		Check: func(h []sim.Observation) []Violation {
			var out []Violation
			first := map[uint64]string{}
			reported := map[uint64]bool{}
			for _, o := range h {
				l, ok := o.Value.(RaftLeader)
				if !ok {
					continue
				}
				prev, seen := first[l.Term]
				switch {
				case !seen:
					first[l.Term] = o.Node
				case prev != o.Node && !reported[l.Term]:
					reported[l.Term] = true
					out = append(out, Violation{
						Invariant: "election-safety",
						At:        o.At,
						Nodes:     []string{prev, o.Node},
						Detail:    fmt.Sprintf("%s and %s were both elected leader of term %d.", prev, o.Node, l.Term),
					})
				}
			}
			return out
		},
	}
}

// logEntry is one log entry as some server reported holding it.
type logEntry struct {
	node   string
	digest uint64
}

// LogMatching returns the log-matching checker: "if two logs contain an entry
// with the same index and term, then the logs are identical in all entries up
// through the given index" (Figure 3). It compares the digests servers report
// for the same index and term: for every entry they apply, for the last
// entry of a new leader's log, and where a follower overwrote entries.
func LogMatching() Checker {
	return Checker{
		Name:    "log-matching",
		Explain: "Two logs holding an entry with the same index and term are identical up to that entry.",
		Check: func(h []sim.Observation) []Violation {
			var out []Violation
			seen := map[[2]uint64]logEntry{}
			reported := map[[2]uint64]bool{}
			for _, o := range h {
				var index, term, digest uint64
				switch v := o.Value.(type) {
				case RaftLeader:
					index, term, digest = v.LastIndex, 0, v.Digest
					term, _ = v.TermAt(v.LastIndex)
				case RaftAppended:
					index, term, digest = v.Index, v.Term, v.Digest
				case RaftApplied:
					index, term, digest = v.Index, v.Term, v.Digest
				default:
					continue
				}
				if index == 0 {
					continue
				}
				key := [2]uint64{index, term}
				prev, ok := seen[key]
				switch {
				case !ok:
					seen[key] = logEntry{node: o.Node, digest: digest}
				case prev.digest != digest && !reported[key]:
					reported[key] = true
					out = append(out, Violation{
						Invariant: "log-matching",
						At:        o.At,
						Nodes:     twoNodes(prev.node, o.Node),
						Detail: fmt.Sprintf("%s and %s both hold an entry of term %d at index %d, but their logs differ before it.",
							prev.node, o.Node, term, index),
					})
				}
			}
			return out
		},
	}
}

// twoNodes names the nodes of a violation between two reports, which may
// come from the same server at different times.
func twoNodes(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// LeaderCompleteness returns the leader-completeness checker: "if a log entry
// is committed in a given term, then that entry will be present in the logs
// of the leaders for all higher-numbered terms" (Figure 3). Every commit is
// compared with every leader of a higher term, whichever was observed first.
func LeaderCompleteness() Checker {
	return Checker{
		Name:    "leader-completeness",
		Explain: "An entry committed in one term is in the log of every leader of a later term.",
		Check: func(h []sim.Observation) []Violation {
			type commit struct {
				RaftCommitted
				node string
				at   sim.Time
			}
			type leader struct {
				RaftLeader
				node string
				at   sim.Time
			}
			var commits []commit
			var leaders []leader
			seen := map[[2]uint64]bool{}
			for _, o := range h {
				switch v := o.Value.(type) {
				case RaftCommitted:
					if key := [2]uint64{v.Index, v.Term}; !seen[key] {
						seen[key] = true
						commits = append(commits, commit{v, o.Node, o.At})
					}
				case RaftLeader:
					leaders = append(leaders, leader{v, o.Node, o.At})
				}
			}
			var out []Violation
			for _, l := range leaders {
				for _, c := range commits {
					if c.LeaderTerm >= l.Term {
						continue
					}
					if t, ok := l.TermAt(c.Index); ok && t == c.Term {
						continue
					}
					out = append(out, Violation{
						Invariant: "leader-completeness",
						At:        max(l.at, c.at),
						Nodes:     twoNodes(l.node, c.node),
						Detail: fmt.Sprintf("%s became leader of term %d without the entry of term %d at index %d, which %s had committed in term %d.",
							l.node, l.Term, c.Term, c.Index, c.node, c.LeaderTerm),
					})
					break // one missing entry per leader says enough
				}
			}
			slices.SortStableFunc(out, func(a, b Violation) int { return cmp.Compare(a.At, b.At) })
			return out
		},
	}
}

// StateMachineSafety returns the state-machine-safety checker: "if a server
// has applied a log entry at a given index to its state machine, no other
// server will ever apply a different log entry for the same index"
// (Figure 3).
func StateMachineSafety() Checker {
	return Checker{
		Name:    "state-machine-safety",
		Explain: "No two servers apply different entries at the same log index.",
		Check: func(h []sim.Observation) []Violation {
			type applied struct {
				RaftApplied
				node string
			}
			var out []Violation
			first := map[uint64]applied{}
			reported := map[uint64]bool{}
			for _, o := range h {
				a, ok := o.Value.(RaftApplied)
				if !ok {
					continue
				}
				prev, seen := first[a.Index]
				switch {
				case !seen:
					first[a.Index] = applied{a, o.Node}
				case (prev.Term != a.Term || prev.Digest != a.Digest) && !reported[a.Index]:
					reported[a.Index] = true
					out = append(out, Violation{
						Invariant: "state-machine-safety",
						At:        o.At,
						Nodes:     twoNodes(prev.node, o.Node),
						Detail: fmt.Sprintf("%s applied %q (term %d) at index %d, but %s applied %q (term %d) there.",
							prev.node, prev.Command, prev.Term, a.Index, o.Node, a.Command, a.Term),
					})
				}
			}
			return out
		},
	}
}
