package raft

import "time"

// The messages below are the RPCs of Figure 2, sent as one-way messages: a
// request and its results travel separately, so the results carry what the
// sender needs to match them to the request (the paper's RPCs get that from
// the call itself).

// RequestVote is "invoked by candidates to gather votes (§5.2)". With PreVote
// set it is the Pre-Vote request of Ongaro's dissertation (§9.6): Term is the
// term the candidate would campaign in, and the receiver changes nothing.
type RequestVote struct {
	Term         uint64 // candidate's term
	CandidateID  string // candidate requesting vote
	LastLogIndex uint64 // index of candidate's last log entry (§5.4)
	LastLogTerm  uint64 // term of candidate's last log entry (§5.4)
	PreVote      bool
}

// Kind names the message in the trace.
func (m RequestVote) Kind() string {
	if m.PreVote {
		return "PreVote"
	}
	return "RequestVote"
}

// RequestVoteResults are the results of RequestVote.
type RequestVoteResults struct {
	Term        uint64 // currentTerm, for candidate to update itself (a pre-vote grant echoes the request's term)
	VoteGranted bool   // true means candidate received vote
	PreVote     bool
}

// Kind names the message in the trace.
func (m RequestVoteResults) Kind() string {
	if m.PreVote {
		return "PreVoteResults"
	}
	return "RequestVoteResults"
}

// AppendEntries is "invoked by leader to replicate log entries (§5.3); also
// used as heartbeat (§5.2)".
type AppendEntries struct {
	Term         uint64  // leader's term
	LeaderID     string  // so follower can redirect clients
	PrevLogIndex uint64  // index of log entry immediately preceding new ones
	PrevLogTerm  uint64  // term of prevLogIndex entry
	Entries      []Entry // log entries to store (empty for heartbeat)
	LeaderCommit uint64  // leader's commitIndex
	// Sent is the leader's clock when it sent the request, echoed in the
	// results: a majority of echoes no older than t is the leader's lease
	// from t (dissertation §6.4.1, read: lease).
	Sent time.Duration
}

// Kind names the message in the trace.
func (m AppendEntries) Kind() string { return "AppendEntries" }

// AppendEntriesResults are the results of AppendEntries.
type AppendEntriesResults struct {
	Term    uint64 // currentTerm, for leader to update itself
	Success bool   // true if follower contained entry matching prevLogIndex and prevLogTerm
	// MatchIndex is, on success, the index of the last entry the request
	// carried: the follower's log matches the leader's up to it.
	MatchIndex uint64
	// RejectedIndex is, on failure, the request's PrevLogIndex, so that the
	// leader decrements nextIndex only for the request it last sent.
	RejectedIndex uint64
	// LastLogIndex is the follower's last index on failure: a shorter log lets
	// the leader skip the indexes the follower cannot have (§5.3 notes that
	// such hints are an optimization).
	LastLogIndex uint64
	Sent         time.Duration // the request's Sent
}

// Kind names the message in the trace.
func (m AppendEntriesResults) Kind() string { return "AppendEntriesResults" }

// ClientRequest is a client's command: "clients of Raft send all of their
// requests to the leader" (§8). Seq numbers the client's commands so that a
// retried command is executed once.
type ClientRequest struct {
	Seq     uint64
	Command Command
}

// Kind names the message in the trace.
func (m ClientRequest) Kind() string { return "ClientRequest" }

// ClientReply answers a ClientRequest: the result, or NotLeader with the
// server's guess of the leader ("" when it knows none).
type ClientReply struct {
	Seq       uint64
	Ok        bool
	Value     string // what a get read
	NotLeader bool
	Leader    string
}

// Kind names the message in the trace.
func (m ClientReply) Kind() string { return "ClientReply" }

// termOf returns the term a Raft RPC carries.
func termOf(m any) (uint64, bool) {
	switch m := m.(type) {
	case RequestVote:
		return m.Term, true
	case RequestVoteResults:
		return m.Term, true
	case AppendEntries:
		return m.Term, true
	case AppendEntriesResults:
		return m.Term, true
	}
	return 0, false
}
