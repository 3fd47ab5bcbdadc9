package raft

// Tests tied to sentences of the Raft paper (Ongaro and Ousterhout, 2014):
// the rules of Figure 2 and of section 5. Each test quotes what it checks,
// in the manner of etcd-io/raft's raft_paper_test.go.

import (
	"slices"
	"testing"
	"time"

	"coordlab/sim"
)

// "When servers start up, they begin as followers." (§5.2)
func TestStartAsFollower(t *testing.T) {
	r, _ := newTestRaft(testConfig(3), 1, 0)
	if r.state != StateFollower {
		t.Fatalf("state = %v, want follower", r.state)
	}
}

// "If RPC request or response contains term T > currentTerm: set
// currentTerm = T, convert to follower (§5.1)" (Figure 2, rules for all
// servers).
func TestUpdateTermFromMessage(t *testing.T) {
	for _, state := range []StateType{StateFollower, StateCandidate, StateLeader} {
		for _, msg := range []sim.Message{
			AppendEntries{Term: 9, LeaderID: "raft-2"},
			RequestVote{Term: 9, CandidateID: "raft-2"},
			RequestVoteResults{Term: 9},
			AppendEntriesResults{Term: 9},
		} {
			r, h := newTestRaft(testConfig(3), 1, 1)
			switch state {
			case StateCandidate:
				timeout(r, h)
			case StateLeader:
				elect(t, r, h)
			}
			r.Step("raft-2", msg)
			if r.currentTerm != 9 || r.state != StateFollower {
				t.Errorf("%v after %s of term 9: term %d, state %v; want term 9, follower", state, msg.Kind(), r.currentTerm, r.state)
			}
		}
	}
}

// "Reply false if term < currentTerm (§5.1)" (Figure 2, receiver
// implementation of both RPCs).
func TestRejectStaleTerm(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 5, entries(1)...)
	r.Step("raft-2", AppendEntries{Term: 4, LeaderID: "raft-2", Entries: entries(4)})
	r.Step("raft-3", RequestVote{Term: 4, CandidateID: "raft-3", LastLogIndex: 9, LastLogTerm: 4})
	got := h.take()
	if len(got) != 2 {
		t.Fatalf("sent %v, want two refusals", got)
	}
	if m := got[0].msg.(AppendEntriesResults); m.Success || m.Term != 5 {
		t.Errorf("AppendEntries of term 4 answered %+v, want false with term 5", m)
	}
	if m := got[1].msg.(RequestVoteResults); m.VoteGranted || m.Term != 5 {
		t.Errorf("RequestVote of term 4 answered %+v, want false with term 5", m)
	}
	if r.log.lastIndex() != 1 || r.votedFor != "" {
		t.Errorf("a stale request changed the state: log %v, votedFor %q", terms(r.log), r.votedFor)
	}
}

// "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log
// entries) to all followers in order to maintain their authority." (§5.2)
// Figure 2: "repeat during idle periods to prevent election timeouts": a
// follower that was just sent entries needs no heartbeat.
func TestLeaderBroadcastsHeartbeat(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 1)
	elect(t, r, h)
	h.now += r.cfg.heartbeat / 2
	r.Step("raft-3", AppendEntriesResults{Term: r.currentTerm, Success: true}) // no effect on heartbeats
	r.Timer(heartbeatTimer)
	if got := h.take(); len(got) != 0 {
		t.Fatalf("sent %v half a heartbeat after the last AppendEntries, want nothing", got)
	}
	h.now += r.cfg.heartbeat / 2
	r.Timer(heartbeatTimer)
	got := h.take()
	var to []string
	for _, e := range got {
		m := e.msg.(AppendEntries)
		if len(m.Entries) != 0 || m.Term != r.currentTerm {
			t.Errorf("heartbeat %+v carries entries or a wrong term", m)
		}
		to = append(to, e.to)
	}
	if !slices.Equal(to, []string{"raft-2", "raft-3"}) {
		t.Errorf("heartbeats went to %v, want raft-2 and raft-3", to)
	}
	if _, ok := h.timers[r.heartbeatTimerID]; !ok {
		t.Error("the heartbeat timer was not set again")
	}
}

// "To begin an election, a follower increments its current term and
// transitions to candidate state. It then votes for itself and issues
// RequestVote RPCs in parallel to each of the other servers in the
// cluster." (§5.2) The same holds when a candidate's election times out:
// "If election timeout elapses: start new election" (Figure 2).
func TestStartElection(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 2, entries(1, 2)...)
	for round, term := range []uint64{3, 4} {
		timeout(r, h)
		if r.state != StateCandidate || r.currentTerm != term || r.votedFor != "raft-1" {
			t.Fatalf("round %d: state %v term %d votedFor %q; want candidate, term %d, voted for itself", round, r.state, r.currentTerm, r.votedFor, term)
		}
		want := RequestVote{Term: term, CandidateID: "raft-1", LastLogIndex: 2, LastLogTerm: 2}
		got := h.take()
		if len(got) != 2 || got[0] != (envelope{"raft-2", want}) || got[1] != (envelope{"raft-3", want}) {
			t.Fatalf("round %d: sent %+v, want %+v to raft-2 and raft-3", round, got, want)
		}
		if p := h.store; p != nil {
			if v, _ := p.Get(durableKey); v.(persistent).CurrentTerm != term || v.(persistent).VotedFor != "raft-1" {
				t.Errorf("round %d: durable state %+v not updated before the requests", round, v)
			}
		}
	}
}

// "If election timeout elapses without receiving AppendEntries RPC from
// current leader or granting vote to candidate: convert to candidate"
// (Figure 2): an AppendEntries from the leader restarts the timeout.
func TestHeartbeatResetsElectionTimeout(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 1)
	h.now = r.electionDeadline - time.Millisecond
	r.Step("raft-2", AppendEntries{Term: 1, LeaderID: "raft-2"})
	h.now += 2 * time.Millisecond
	r.Timer(electionTimer) // the timer armed for the old deadline fires
	if r.state != StateFollower {
		t.Fatalf("state = %v after hearing from the leader, want follower", r.state)
	}
	if r.electionDeadline < h.now+140*time.Millisecond {
		t.Errorf("the election deadline %v was not pushed back", r.electionDeadline)
	}
}

// "Raft uses randomized election timeouts to ensure that split votes are
// rare... election timeouts are chosen randomly from a fixed interval (e.g.,
// 150–300ms)." (§5.2) The timer is measured on the server's own clock.
func TestElectionTimeoutRandomized(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 1)
	seen := map[time.Duration]bool{}
	for range 100 {
		r.resetElectionTimer()
		d := r.electionDeadline - h.now
		if d < 150*time.Millisecond || d > 300*time.Millisecond {
			t.Fatalf("election timeout %v outside 150ms..300ms", d)
		}
		seen[d] = true
	}
	if len(seen) < 90 {
		t.Errorf("only %d different timeouts in 100 draws", len(seen))
	}
}

// "A candidate wins an election if it receives votes from a majority of the
// servers in the full cluster for the same term." (§5.2)
func TestLeaderElectionInOneRound(t *testing.T) {
	tests := []struct {
		n     int
		votes map[string]bool
		want  StateType
	}{
		{1, nil, StateLeader},
		{3, map[string]bool{"raft-2": true, "raft-3": true}, StateLeader},
		{3, map[string]bool{"raft-2": true}, StateLeader},
		{5, map[string]bool{"raft-2": true, "raft-3": true, "raft-4": true, "raft-5": true}, StateLeader},
		{5, map[string]bool{"raft-2": true, "raft-3": true}, StateLeader},
		{3, map[string]bool{"raft-2": false, "raft-3": false}, StateCandidate},
		{5, map[string]bool{"raft-2": true}, StateCandidate},
		{5, map[string]bool{"raft-2": true, "raft-3": false, "raft-4": false}, StateCandidate},
		{5, map[string]bool{}, StateCandidate},
	}
	for i, tt := range tests {
		r, h := newTestRaft(testConfig(tt.n), 1, 0)
		timeout(r, h)
		for _, s := range r.cfg.servers {
			if granted, ok := tt.votes[s]; ok {
				r.Step(s, RequestVoteResults{Term: r.currentTerm, VoteGranted: granted})
			}
		}
		if r.state != tt.want {
			t.Errorf("#%d: state %v, want %v", i, r.state, tt.want)
		}
	}
}

// "Each server will vote for at most one candidate in a given term, on a
// first-come-first-served basis." (§5.2) Figure 2: "If votedFor is null or
// candidateId, and candidate's log is at least as up-to-date as receiver's
// log, grant vote".
func TestFollowerVote(t *testing.T) {
	tests := []struct {
		votedFor, candidate string
		grant               bool
	}{
		{"", "raft-2", true},
		{"", "raft-3", true},
		{"raft-2", "raft-2", true},
		{"raft-3", "raft-3", true},
		{"raft-2", "raft-3", false},
		{"raft-3", "raft-2", false},
	}
	for i, tt := range tests {
		r, h := newTestRaft(testConfig(3), 1, 1)
		r.votedFor = tt.votedFor
		r.Step(tt.candidate, RequestVote{Term: 1, CandidateID: tt.candidate})
		got := h.take()
		if len(got) != 1 || got[0].msg.(RequestVoteResults).VoteGranted != tt.grant {
			t.Errorf("#%d: votedFor %q, %s asks: sent %+v, want grant %v", i, tt.votedFor, tt.candidate, got, tt.grant)
		}
	}
}

// "While waiting for votes, a candidate may receive an AppendEntries RPC
// from another server claiming to be leader. If the leader's term (included
// in its RPC) is at least as large as the candidate's current term, then the
// candidate recognizes the leader as legitimate and returns to follower
// state." (§5.2)
func TestCandidateFallback(t *testing.T) {
	for _, leaderTerm := range []uint64{2, 3} {
		r, h := newTestRaft(testConfig(3), 1, 1)
		timeout(r, h) // candidate in term 2
		r.Step("raft-2", AppendEntries{Term: leaderTerm, LeaderID: "raft-2"})
		if r.state != StateFollower || r.currentTerm != leaderTerm || r.lead != "raft-2" {
			t.Errorf("leader term %d: state %v, term %d, lead %q; want follower of raft-2 in term %d", leaderTerm, r.state, r.currentTerm, r.lead, leaderTerm)
		}
	}
}

// "nextIndex: for each server, index of the next log entry to send to that
// server (initialized to leader last log index + 1); matchIndex: ...
// (initialized to 0)" (Figure 2). "Upon election: send initial empty
// AppendEntries RPCs (heartbeat) to each server".
func TestLeaderInitialState(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 2, entries(1, 2, 2)...)
	timeout(r, h)
	h.take()
	r.Step("raft-2", RequestVoteResults{Term: 3, VoteGranted: true})
	for i := range r.cfg.servers {
		if i != r.self && (r.nextIndex[i] != 4 || r.matchIndex[i] != 0) {
			t.Errorf("server %d: nextIndex %d matchIndex %d, want 4 and 0", i, r.nextIndex[i], r.matchIndex[i])
		}
	}
	for _, e := range h.take() {
		if m := e.msg.(AppendEntries); len(m.Entries) != 0 || m.PrevLogIndex != 3 || m.PrevLogTerm != 2 {
			t.Errorf("initial AppendEntries %+v, want an empty one after index 3 of term 2", m)
		}
	}
	if !h.symbol["leader"] || h.metrics["leader-changes"] != 1 {
		t.Error("the new leader did not publish \"leader\" or count a leader change")
	}
}
