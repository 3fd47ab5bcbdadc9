package raft

import "coordlab/sim/check"

// Command is an operation of the replicated key-value state machine: get,
// put or append, stamped with the client and its sequence number (§8).
type Command struct {
	Op     string // "get", "put" or "append"
	Key    string
	Value  string
	Client string
	Seq    uint64
}

// String describes the command for a student: "put x c1-4".
func (c Command) String() string {
	if c.Op == "get" {
		return "get " + c.Key
	}
	return c.Op + " " + c.Key + " " + c.Value
}

// Entry is a log entry: "each entry contains command for state machine, and
// term when entry was received by leader (first index is 1)" (Figure 2).
type Entry struct {
	Term    uint64
	Command Command
	// digest hashes the digest of the entry before it with this entry's
	// term and command, computed by each server over its own log. It is not
	// part of the protocol: it lets the log-matching checker compare whole
	// prefixes of logs from single observations.
	digest uint64
	// desc is Command.String(), computed once by the leader that created
	// the entry rather than by every server that applies it.
	desc string
}

// chain returns the digest of an entry that follows an entry with digest
// prev: FNV-1a over both.
func chain(prev uint64, e Entry) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	mix := func(n uint64) {
		for range 8 {
			h = (h ^ (n & 0xff)) * prime
			n >>= 8
		}
	}
	text := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
		h = (h ^ 0xff) * prime // a separator no string holds
	}
	mix(prev)
	mix(e.Term)
	text(e.Command.Op)
	text(e.Command.Key)
	text(e.Command.Value)
	text(e.Command.Client)
	mix(e.Command.Seq)
	return h
}

// raftLog is a server's log: log[0] holds index 1.
type raftLog []Entry

// lastIndex is the index of the last entry, 0 for an empty log.
func (l raftLog) lastIndex() uint64 { return uint64(len(l)) }

// term returns the term of the entry at index i: 0 for index 0 and beyond
// the end.
func (l raftLog) term(i uint64) uint64 {
	if i == 0 || i > l.lastIndex() {
		return 0
	}
	return l[i-1].Term
}

// lastTerm is the term of the last entry.
func (l raftLog) lastTerm() uint64 { return l.term(l.lastIndex()) }

// digest returns the digest of the log up to index i.
func (l raftLog) digest(i uint64) uint64 {
	if i == 0 || i > l.lastIndex() {
		return 0
	}
	return l[i-1].digest
}

// matchTerm reports whether the log has an entry at index i with term t;
// index 0, before the first entry, always matches.
func (l raftLog) matchTerm(i, t uint64) bool {
	return i == 0 || (i <= l.lastIndex() && l.term(i) == t)
}

// isUpToDate implements §5.4.1: "If the logs have last entries with
// different terms, then the log with the later term is more up-to-date. If
// the logs end with the same term, then whichever log is longer is more
// up-to-date." It reports whether a log ending at (lastIndex, lastTerm) is at
// least as up-to-date as l.
func (l raftLog) isUpToDate(lastIndex, lastTerm uint64) bool {
	if lastTerm != l.lastTerm() {
		return lastTerm > l.lastTerm()
	}
	return lastIndex >= l.lastIndex()
}

// append adds entries after the last one, computing their digests. It never
// writes into an array another slice may see: a truncated log is copied
// before it grows again (see truncate).
func (l raftLog) append(es ...Entry) raftLog {
	for _, e := range es {
		e.digest = chain(l.digest(l.lastIndex()), e)
		if e.desc == "" {
			e.desc = e.Command.String()
		}
		l = append(l, e)
	}
	return l
}

// truncate deletes the entry at index i and all that follow it. The result
// is a copy, because the old slice may still be referenced by the durable
// store and by AppendEntries messages in flight, which must never change.
func (l raftLog) truncate(i uint64) raftLog {
	out := make(raftLog, i-1, max(i-1, 8))
	copy(out, l[:i-1])
	return out
}

// slice returns the entries from index lo through hi, capped so that no
// append to the log can show through it (messages must not change).
func (l raftLog) slice(lo, hi uint64) []Entry {
	if lo > hi {
		return nil
	}
	return l[lo-1 : hi : hi]
}

// runs summarises the log's terms for the RaftLeader observation.
func (l raftLog) runs() []check.RaftRun {
	var out []check.RaftRun
	for i, e := range l {
		if len(out) == 0 || out[len(out)-1].Term != e.Term {
			out = append(out, check.RaftRun{From: uint64(i + 1), Term: e.Term})
		}
	}
	return out
}
