package raft

import (
	"slices"
	"time"

	"coordlab/sim/check"
)

// Log replication (§5.3), the commitment rule (§5.4.2), and the client
// interaction of §8 with the read options of the dissertation (§6.4).

// handleAppendEntries is the AppendEntries receiver implementation
// (Figure 2); rule 1, "reply false if term < currentTerm (§5.1)", is applied
// by Step.
func (r *raft) handleAppendEntries(from string, m AppendEntries) {
	// "2. Reply false if log doesn't contain an entry at prevLogIndex whose
	// term matches prevLogTerm (§5.3)."
	if !r.log.matchTerm(m.PrevLogIndex, m.PrevLogTerm) {
		r.env.Send(from, AppendEntriesResults{Term: r.currentTerm, RejectedIndex: m.PrevLogIndex, LastLogIndex: r.log.lastIndex(), Sent: m.Sent})
		return
	}
	appended, overwrote := false, false
	for k, e := range m.Entries {
		i := m.PrevLogIndex + 1 + uint64(k)
		if i <= r.log.lastIndex() {
			if r.log.term(i) == e.Term {
				continue // already in the log (a duplicated or reordered request)
			}
			// "3. If an existing entry conflicts with a new one (same index
			// but different terms), delete the existing entry and all that
			// follow it (§5.3)."
			r.env.Count("deleted-entries", float64(r.log.lastIndex()-i+1))
			r.log = r.log.truncate(i)
			overwrote = true
		}
		// "4. Append any new entries not already in the log."
		r.log = r.log.append(m.Entries[k:]...)
		appended = true
		break
	}
	lastNew := m.PrevLogIndex + uint64(len(m.Entries))
	if appended {
		r.persist()
	}
	if overwrote {
		// Where logs diverged, the log-matching checker gets the new
		// entries' digest; elsewhere the digests of applied entries and of
		// new leaders' logs suffice, at a fraction of the observations.
		r.env.Observe(check.RaftAppended{Index: lastNew, Term: r.log.term(lastNew), Digest: r.log.digest(lastNew)})
	}
	// "5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit,
	// index of last new entry)." A late request may carry fewer entries than
	// this server already knows committed: commitIndex never goes back.
	if c := min(m.LeaderCommit, lastNew); c > r.commitIndex {
		r.commitIndex = c
		r.applyCommitted()
	}
	r.env.Send(from, AppendEntriesResults{Term: r.currentTerm, Success: true, MatchIndex: lastNew, Sent: m.Sent})
}

// handleAppendEntriesResults updates the follower's progress: "if
// successful: update nextIndex and matchIndex for follower (§5.3)"; "if
// AppendEntries fails because of log inconsistency: decrement nextIndex and
// retry (§5.3)".
func (r *raft) handleAppendEntriesResults(from string, m AppendEntriesResults) {
	i := r.index(from)
	if i < 0 {
		return
	}
	r.active[i] = true
	if m.Sent > r.ackedSent[i] {
		r.ackedSent[i] = m.Sent
		r.leaderUntil = max(r.leaderUntil, r.leaseStart()+r.cfg.electionTimeout.Min)
	}
	if m.Success {
		r.nextIndex[i] = max(r.nextIndex[i], m.MatchIndex+1)
		if m.MatchIndex > r.matchIndex[i] {
			r.matchIndex[i] = m.MatchIndex
			r.maybeCommit()
		}
		return
	}
	if m.RejectedIndex+1 != r.nextIndex[i] {
		return // the results of an older request
	}
	r.nextIndex[i] = max(1, min(m.RejectedIndex, m.LastLogIndex+1))
	r.sendAppend(i)
}

// bcastAppend sends every other server the entries it lacks, or a heartbeat.
func (r *raft) bcastAppend() {
	for i := range r.cfg.servers {
		if i != r.self {
			r.sendAppend(i)
		}
	}
}

// heartbeat sends AppendEntries to the servers that heard nothing from the
// leader for a heartbeat interval: heartbeats are for "idle periods" (Figure
// 2), and a server that just got entries needs none.
func (r *raft) heartbeat() {
	now := r.env.Now()
	for i := range r.cfg.servers {
		if i != r.self && now-r.lastSent[i] >= r.cfg.heartbeat {
			r.sendAppend(i)
		}
	}
}

// sendAppend: "if last log index ≥ nextIndex for a follower: send
// AppendEntries RPC with log entries starting at nextIndex" (Figure 2).
func (r *raft) sendAppend(i int) {
	next := r.nextIndex[i]
	r.lastSent[i] = r.env.Now()
	r.env.Send(r.cfg.servers[i], AppendEntries{
		Term:         r.currentTerm,
		LeaderID:     r.id,
		PrevLogIndex: next - 1,
		PrevLogTerm:  r.log.term(next - 1),
		Entries:      r.log.slice(next, r.log.lastIndex()),
		LeaderCommit: r.commitIndex,
		Sent:         r.env.Now(),
	})
}

// maybeCommit applies the leader's commitment rule: "if there exists an N
// such that N > commitIndex, a majority of matchIndex[i] ≥ N, and
// log[N].term == currentTerm: set commitIndex = N (§5.3, §5.4)". As §5.4.2
// puts it, "Raft never commits log entries from previous terms by counting
// replicas". With buggy_commit it does, which is the error Figure 8 shows:
// such an entry can still be overwritten by a future leader.
func (r *raft) maybeCommit() {
	r.matchIndex[r.self] = r.log.lastIndex()
	n := r.majorityMatch()
	if n <= r.commitIndex {
		return
	}
	if r.log.term(n) != r.currentTerm && !r.cfg.buggyCommit {
		return
	}
	for i := r.commitIndex + 1; i <= n; i++ {
		r.env.Observe(check.RaftCommitted{Index: i, Term: r.log.term(i), LeaderTerm: r.currentTerm})
	}
	r.env.Count("commits", float64(n-r.commitIndex))
	r.commitIndex = n
	r.applyCommitted()
}

// majorityMatch returns the highest index that a majority of servers hold.
func (r *raft) majorityMatch() uint64 {
	var buf [16]uint64
	m := append(buf[:0], r.matchIndex...)
	slices.Sort(m)
	return m[len(m)-r.cfg.quorum()]
}

// applyCommitted: "if commitIndex > lastApplied: increment lastApplied,
// apply log[lastApplied] to state machine (§5.3)". The leader then answers
// the client that sent the entry: "respond after entry applied to state
// machine".
func (r *raft) applyCommitted() {
	for r.lastApplied < r.commitIndex && r.lastApplied < r.log.lastIndex() {
		r.lastApplied++
		e := r.log[r.lastApplied-1]
		result := r.kv.apply(e.Command)
		r.env.Observe(check.RaftApplied{Index: r.lastApplied, Term: e.Term, Digest: e.digest, Command: e.desc})
		if w, ok := r.pending[r.lastApplied]; ok {
			delete(r.pending, r.lastApplied)
			if w.client == e.Command.Client && w.seq == e.Command.Seq {
				r.env.Send(w.client, ClientReply{Seq: w.seq, Ok: true, Value: result})
			}
		}
	}
}

// handleClientRequest serves a client. Writes, and reads with read: log, go
// through the log: "if command received from client: append entry to local
// log, respond after entry applied to state machine (§5.3)".
func (r *raft) handleClientRequest(from string, m ClientRequest) {
	c := m.Command
	switch {
	case c.Op == "get" && r.cfg.read == "local":
		// read: local — any server answers from its own state machine. It
		// is fast and stale on purpose: a follower lags, and a deposed
		// leader may not know it is one.
		r.env.Send(from, ClientReply{Seq: m.Seq, Ok: true, Value: r.kv.get(c.Key)})
		return
	case r.state != StateLeader:
		r.env.Send(from, ClientReply{Seq: m.Seq, NotLeader: true, Leader: r.lead})
		return
	case c.Op == "get" && r.cfg.read == "lease" && r.leaseValid() && r.log.term(r.commitIndex) == r.currentTerm:
		// read: lease — within its lease no other leader can exist, and
		// having committed an entry of its own term the leader knows
		// everything committed (dissertation §6.4.1). Both depend on
		// clocks running at the same rate.
		r.env.Send(from, ClientReply{Seq: m.Seq, Ok: true, Value: r.kv.get(c.Key)})
		return
	}
	if result, ok := r.kv.done(c); ok {
		// "If it receives a command whose serial number has already been
		// executed, it responds immediately without re-executing" (§8).
		r.env.Send(from, ClientReply{Seq: m.Seq, Ok: true, Value: result})
		return
	}
	r.log = r.log.append(Entry{Term: r.currentTerm, Command: c})
	r.persist()
	r.pending[r.log.lastIndex()] = waiting{client: from, seq: m.Seq}
	r.bcastAppend()
	r.maybeCommit() // a cluster of one commits at once
}

// leaseStart returns the local time from which the leader holds its lease:
// the newest moment by which a majority (itself included) had acknowledged
// an AppendEntries it sent.
func (r *raft) leaseStart() time.Duration {
	var buf [16]time.Duration
	t := append(buf[:0], r.ackedSent...)
	t[r.self] = r.env.Now()
	slices.Sort(t)
	return t[len(t)-r.cfg.quorum()]
}

// leaseValid reports whether the leader's lease still runs: for the minimum
// election timeout from its start, during which the followers that
// acknowledged refuse to vote. A leader whose clock runs slow keeps
// answering after they have elected another.
func (r *raft) leaseValid() bool {
	return r.env.Now() < r.leaseStart()+r.cfg.electionTimeout.Min
}

// quorumActive is check_quorum: every minimum election timeout, the leader
// checks that a majority answered it since the last check.
func (r *raft) quorumActive() bool {
	now := r.env.Now()
	if now-r.quorumCheckAt < r.cfg.electionTimeout.Min {
		return true
	}
	r.quorumCheckAt = now
	n := 1
	for i, a := range r.active {
		if a && i != r.self {
			n++
		}
		r.active[i] = false
	}
	return n >= r.cfg.quorum()
}
