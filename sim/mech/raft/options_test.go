package raft

// Table tests of the options beyond Figure 2 (Ongaro's dissertation: Pre-Vote
// §9.6, check_quorum §6.2, leases §6.4.1) and of the client interaction of §8.

import (
	"testing"
	"time"
)

// "A candidate would first ask other servers whether its log was up-to-date
// enough to get their vote. Only if the candidate believed it could get votes
// from a majority of the cluster would it increment its term and start a
// normal election." (dissertation §9.6)
func TestPreVote(t *testing.T) {
	cfg := testConfig(3)
	cfg.preVote = true
	r, h := newTestRaft(cfg, 1, 4, entries(4)...)
	timeout(r, h)
	if r.state != StatePreCandidate || r.currentTerm != 4 || r.votedFor != "" {
		t.Fatalf("state %v term %d votedFor %q, want a pre-candidate still in term 4 without a vote", r.state, r.currentTerm, r.votedFor)
	}
	for _, e := range h.take() {
		if m := e.msg.(RequestVote); !m.PreVote || m.Term != 5 {
			t.Fatalf("sent %+v, want pre-votes for term 5", m)
		}
	}
	r.Step("raft-2", RequestVoteResults{Term: 5, VoteGranted: true, PreVote: true})
	if r.state != StateCandidate || r.currentTerm != 5 {
		t.Fatalf("state %v term %d after a majority of pre-votes, want candidate in term 5", r.state, r.currentTerm)
	}
}

// A pre-vote is granted only if the term would be new, the log is
// up-to-date, and no leader was heard from within the election timeout; it
// changes nothing on the voter.
func TestPreVoteGrant(t *testing.T) {
	tests := []struct {
		name            string
		term, lastIndex uint64
		lastTerm        uint64
		heardFromLeader bool
		grant           bool
	}{
		{"up to date", 3, 1, 2, false, true},
		{"same term", 2, 1, 2, false, false},
		{"log behind", 3, 0, 0, false, false},
		{"a leader is alive", 3, 1, 2, true, false},
	}
	for _, tt := range tests {
		r, h := newTestRaft(testConfig(3), 1, 2, entries(2)...)
		if tt.heardFromLeader {
			r.Step("raft-3", AppendEntries{Term: 2, LeaderID: "raft-3", PrevLogIndex: 1, PrevLogTerm: 2})
			h.take()
		}
		r.Step("raft-2", RequestVote{Term: tt.term, CandidateID: "raft-2", LastLogIndex: tt.lastIndex, LastLogTerm: tt.lastTerm, PreVote: true})
		got := h.take()
		if len(got) != 1 || got[0].msg.(RequestVoteResults).VoteGranted != tt.grant {
			t.Errorf("%s: sent %+v, want grant %v", tt.name, got, tt.grant)
		}
		if r.currentTerm != 2 || r.votedFor != "" {
			t.Errorf("%s: a pre-vote changed term to %d, vote to %q", tt.name, r.currentTerm, r.votedFor)
		}
	}
}

// check_quorum: a leader that has not heard from a majority within an
// election timeout steps down (dissertation §6.2).
func TestCheckQuorum(t *testing.T) {
	for _, answered := range []bool{false, true} {
		cfg := testConfig(3)
		cfg.checkQuorum = true
		r, h := newTestRaft(cfg, 1, 1)
		elect(t, r, h)
		for range 4 { // 200 ms of heartbeats, past the 150 ms minimum election timeout
			h.now += cfg.heartbeat
			if answered {
				r.Step("raft-2", AppendEntriesResults{Term: r.currentTerm, Success: true, Sent: h.now})
			}
			r.Timer(heartbeatTimer)
		}
		if got := r.state == StateLeader; got != answered {
			t.Errorf("follower answered %v: still leader %v", answered, got)
		}
	}
}

// With read: lease (or check_quorum), a server that heard from a leader
// within the minimum election timeout ignores a RequestVote entirely
// (dissertation §4.2.3): the leader's lease depends on it.
func TestLeaseIgnoresVotes(t *testing.T) {
	for _, read := range []string{"log", "lease"} {
		cfg := testConfig(3)
		cfg.read = read
		r, h := newTestRaft(cfg, 1, 1)
		h.now = 200 * time.Millisecond // past the wait after a restart
		r.Step("raft-2", AppendEntries{Term: 1, LeaderID: "raft-2"})
		h.take()
		h.now += 100 * time.Millisecond
		r.Step("raft-3", RequestVote{Term: 2, CandidateID: "raft-3"})
		got := h.take()
		ignored := len(got) == 0 && r.currentTerm == 1
		if ignored != (read == "lease") {
			t.Errorf("read %s: ignored %v (sent %+v, term %d)", read, ignored, got, r.currentTerm)
		}
	}
}

// read: lease — the leader answers a get alone while a majority acknowledged
// it within the minimum election timeout, and once it has committed an
// entry of its own term; otherwise the get goes through the log.
func TestLeaseRead(t *testing.T) {
	cfg := testConfig(3)
	cfg.read = "lease"
	r, h := newTestRaft(cfg, 1, 1)
	elect(t, r, h)
	put := Command{Op: "put", Key: "x", Value: "v", Client: "client-1", Seq: 1}
	r.Step("client-1", ClientRequest{Seq: 1, Command: put})
	r.Step("raft-2", AppendEntriesResults{Term: r.currentTerm, Success: true, MatchIndex: 1, Sent: h.now})
	h.take()
	get := Command{Op: "get", Key: "x", Client: "client-2", Seq: 1}
	h.now += 100 * time.Millisecond
	r.Step("client-2", ClientRequest{Seq: 1, Command: get})
	if got := h.take(); len(got) != 1 || got[0].msg != (ClientReply{Seq: 1, Ok: true, Value: "v"}) {
		t.Fatalf("within the lease: sent %+v, want an immediate answer v", got)
	}
	h.now += 100 * time.Millisecond // 200 ms since the acknowledgement: the lease ran out
	get.Seq = 2
	r.Step("client-2", ClientRequest{Seq: 2, Command: get})
	if r.log.lastIndex() != 2 || r.log[1].Command != get {
		t.Fatalf("after the lease: log %v, want the get appended", r.log)
	}
}

// read: local — any server answers a get from its own state; with read: log
// a follower redirects the client to the leader it knows.
func TestFollowerRead(t *testing.T) {
	for _, read := range []string{"log", "local"} {
		cfg := testConfig(3)
		cfg.read = read
		r, h := newTestRaft(cfg, 1, 1)
		r.Step("raft-2", AppendEntries{Term: 1, LeaderID: "raft-2", Entries: entries(1), LeaderCommit: 1})
		h.take()
		r.Step("client-1", ClientRequest{Seq: 4, Command: Command{Op: "get", Key: "x", Client: "client-1", Seq: 4}})
		want := ClientReply{Seq: 4, NotLeader: true, Leader: "raft-2"}
		if read == "local" {
			want = ClientReply{Seq: 4, Ok: true, Value: "1"}
		}
		if got := h.take(); len(got) != 1 || got[0].msg != want {
			t.Errorf("read %s: sent %+v, want %+v", read, got, want)
		}
	}
}

// "The state machine tracks the latest serial number processed for each
// client, along with the associated response. If it receives a command whose
// serial number has already been executed, it responds immediately without
// re-executing the request." (§8)
func TestDuplicateCommand(t *testing.T) {
	kv := newKV()
	app := Command{Op: "append", Key: "x", Value: "+a", Client: "client-1", Seq: 1}
	kv.apply(app)
	kv.apply(app) // the same command, committed twice after a retry
	if got := kv.get("x"); got != "+a" {
		t.Fatalf("x = %q after a duplicated append, want +a", got)
	}
	r, h := newTestRaft(testConfig(1), 1, 0)
	elect(t, r, h)
	r.Step("client-1", ClientRequest{Seq: 1, Command: app})
	r.Step("client-1", ClientRequest{Seq: 1, Command: app})
	if r.log.lastIndex() != 1 || r.kv.get("x") != "+a" {
		t.Errorf("log %v, x = %q: a retried command ran twice", r.log, r.kv.get("x"))
	}
	if got := h.take(); len(got) != 2 || got[1].msg != (ClientReply{Seq: 1, Ok: true}) {
		t.Errorf("sent %+v, want the retry answered from the session", got)
	}
}
