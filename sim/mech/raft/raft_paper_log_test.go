package raft

// Tests tied to sentences of the Raft paper about log replication (§5.3) and
// safety (§5.4), continued from raft_paper_test.go.

import (
	"slices"
	"testing"

	"coordlab/sim/check"
)

// "Once a leader has been elected, it begins servicing client requests...
// The leader appends the command to its log as a new entry, then issues
// AppendEntries RPCs in parallel to each of the other servers to replicate
// the entry." (§5.3)
func TestLeaderStartReplication(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 1, entries(1)...)
	elect(t, r, h)
	r.Step("client-1", ClientRequest{Seq: 7, Command: Command{Op: "put", Key: "x", Value: "v", Client: "client-1", Seq: 7}})
	if r.log.lastIndex() != 2 || r.log.term(2) != 2 {
		t.Fatalf("log %v, want a new entry of term 2 at index 2", terms(r.log))
	}
	got := h.take()
	if len(got) != 2 {
		t.Fatalf("sent %v, want AppendEntries to both followers", got)
	}
	for _, e := range got {
		m := e.msg.(AppendEntries)
		if m.PrevLogIndex != 1 || m.PrevLogTerm != 1 || len(m.Entries) != 1 || m.Entries[0].Command.Value != "v" {
			t.Errorf("%s got %+v, want the new entry after index 1 of term 1", e.to, m)
		}
	}
}

// "A log entry is committed once the leader that created the entry has
// replicated it on a majority of the servers... When the entry has been
// safely replicated, the leader applies the entry to its state machine and
// returns the result of that execution to the client." (§5.3)
func TestLeaderCommitEntry(t *testing.T) {
	tests := []struct {
		n      int
		acks   []string
		commit bool
	}{
		{3, []string{"raft-2"}, true},
		{3, nil, false},
		{5, []string{"raft-2", "raft-3"}, true},
		{5, []string{"raft-2"}, false},
		{5, []string{"raft-2", "raft-2"}, false}, // a duplicated answer counts once
	}
	for i, tt := range tests {
		r, h := newTestRaft(testConfig(tt.n), 1, 0)
		elect(t, r, h)
		r.Step("client-1", ClientRequest{Seq: 1, Command: Command{Op: "put", Key: "x", Value: "v", Client: "client-1", Seq: 1}})
		h.take()
		for _, s := range tt.acks {
			r.Step(s, AppendEntriesResults{Term: r.currentTerm, Success: true, MatchIndex: 1})
		}
		replied := false
		for _, e := range h.take() {
			if m, ok := e.msg.(ClientReply); ok && e.to == "client-1" && m.Ok && m.Seq == 1 {
				replied = true
			}
		}
		if got := r.commitIndex == 1; got != tt.commit || replied != tt.commit || (r.lastApplied == 1) != tt.commit {
			t.Errorf("#%d: commitIndex %d lastApplied %d replied %v, want committed %v", i, r.commitIndex, r.lastApplied, replied, tt.commit)
		}
		if tt.commit && r.kv.get("x") != "v" {
			t.Errorf("#%d: the state machine holds x=%q, want v", i, r.kv.get("x"))
		}
	}
}

// "This also commits all preceding entries in the leader's log, including
// entries created by previous leaders." (§5.3)
func TestLeaderCommitPrecedingEntries(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 2, entries(1, 2)...)
	elect(t, r, h) // term 3
	r.Step("client-1", ClientRequest{Seq: 9, Command: Command{Op: "put", Key: "x", Value: "new", Client: "client-1", Seq: 9}})
	r.Step("raft-2", AppendEntriesResults{Term: 3, Success: true, MatchIndex: 3})
	if r.commitIndex != 3 || r.lastApplied != 3 {
		t.Fatalf("commitIndex %d lastApplied %d, want 3 and 3", r.commitIndex, r.lastApplied)
	}
	var committed []uint64
	for _, o := range h.obs {
		if c, ok := o.(check.RaftCommitted); ok {
			committed = append(committed, c.Index)
		}
	}
	if !slices.Equal(committed, []uint64{1, 2, 3}) {
		t.Errorf("observed commits %v, want 1, 2, 3", committed)
	}
}

// "Raft never commits log entries from previous terms by counting replicas.
// Only log entries from the leader's current term are committed by counting
// replicas; once an entry from the current term has been committed in this
// way, then all prior entries are committed indirectly because of the Log
// Matching Property." (§5.4.2) With buggy_commit the leader counts replicas
// of an old entry, as in Figure 8 (c).
func TestLeaderOnlyCommitsCurrentTerm(t *testing.T) {
	for _, buggy := range []bool{false, true} {
		cfg := testConfig(5)
		cfg.buggyCommit = buggy
		r, h := newTestRaft(cfg, 1, 2, entries(1, 2)...)
		elect(t, r, h) // term 3, like S1 in Figure 8 (c) it holds an entry of term 2
		r.Step("raft-2", AppendEntriesResults{Term: 3, Success: true, MatchIndex: 2})
		r.Step("raft-3", AppendEntriesResults{Term: 3, Success: true, MatchIndex: 2})
		want := uint64(0)
		if buggy {
			want = 2
		}
		if r.commitIndex != want {
			t.Errorf("buggy_commit %v: commitIndex %d with index 2 (term 2) on a majority, want %d", buggy, r.commitIndex, want)
		}
		// An entry of the current term on a majority commits everything before it.
		r.Step("client-1", ClientRequest{Seq: 1, Command: Command{Op: "put", Key: "y", Value: "z", Client: "client-1", Seq: 1}})
		r.Step("raft-2", AppendEntriesResults{Term: 3, Success: true, MatchIndex: 3})
		r.Step("raft-3", AppendEntriesResults{Term: 3, Success: true, MatchIndex: 3})
		if r.commitIndex != 3 {
			t.Errorf("buggy_commit %v: commitIndex %d after index 3 (term 3) reached a majority, want 3", buggy, r.commitIndex)
		}
	}
}

// "Once a follower learns that a log entry is committed, it applies the
// entry to its local state machine (in log order)." (§5.3) Figure 2: "If
// leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
// last new entry)".
func TestFollowerCommitEntry(t *testing.T) {
	tests := []struct {
		prev         uint64
		ents         []Entry
		leaderCommit uint64
		wantCommit   uint64
	}{
		{0, entries(1), 1, 1},
		{0, entries(1, 1), 1, 1},
		{0, entries(1, 1), 2, 2},
		{0, entries(1), 5, 1}, // the leader committed more than it sent
		{0, nil, 3, 0},
		{1, nil, 9, 2}, // a late heartbeat: commitIndex never goes back (see below)
	}
	for i, tt := range tests {
		r, h := newTestRaft(testConfig(3), 1, 1)
		if tt.prev > 0 {
			// The follower holds three entries and knows two committed
			// when a late heartbeat after index 1 arrives.
			r.Step("raft-2", AppendEntries{Term: 1, LeaderID: "raft-2", Entries: entries(1, 1, 1), LeaderCommit: 2})
		}
		r.Step("raft-2", AppendEntries{Term: 1, LeaderID: "raft-2", PrevLogIndex: tt.prev, PrevLogTerm: r.log.term(tt.prev), Entries: tt.ents, LeaderCommit: tt.leaderCommit})
		if r.commitIndex != tt.wantCommit || r.lastApplied != tt.wantCommit {
			t.Errorf("#%d: commitIndex %d lastApplied %d, want %d", i, r.commitIndex, r.lastApplied, tt.wantCommit)
		}
		var applied []uint64
		for _, o := range h.obs {
			if a, ok := o.(check.RaftApplied); ok {
				applied = append(applied, a.Index)
			}
		}
		for k, idx := range applied {
			if idx != uint64(k+1) {
				t.Errorf("#%d: applied %v, not in log order", i, applied)
			}
		}
	}
}

// "If the follower does not find an entry in its log with the same index and
// term, then it refuses the new entries." (§5.3) Figure 2: "Reply false if
// log doesn't contain an entry at prevLogIndex whose term matches
// prevLogTerm".
func TestFollowerCheckAppendEntries(t *testing.T) {
	log := entries(1, 2)
	tests := []struct {
		prevIndex, prevTerm uint64
		success             bool
	}{
		{0, 0, true},
		{1, 1, true},
		{2, 2, true},
		{1, 2, false}, // term mismatch
		{2, 1, false},
		{3, 2, false}, // beyond the end
	}
	for i, tt := range tests {
		r, h := newTestRaft(testConfig(3), 1, 2, log...)
		r.Step("raft-2", AppendEntries{Term: 2, LeaderID: "raft-2", PrevLogIndex: tt.prevIndex, PrevLogTerm: tt.prevTerm})
		got := h.take()
		m := got[len(got)-1].msg.(AppendEntriesResults)
		if m.Success != tt.success {
			t.Errorf("#%d: prev (%d, %d): success %v, want %v", i, tt.prevIndex, tt.prevTerm, m.Success, tt.success)
		}
		if !m.Success && (m.RejectedIndex != tt.prevIndex || m.LastLogIndex != 2) {
			t.Errorf("#%d: refusal %+v does not name the index refused and the last index", i, m)
		}
	}
}

// "If an existing entry conflicts with a new one (same index but different
// terms), delete the existing entry and all that follow it (§5.3). Append
// any new entries not already in the log." (Figure 2)
func TestFollowerAppendEntries(t *testing.T) {
	tests := []struct {
		prevIndex, prevTerm uint64
		ents                []uint64
		want                []uint64
	}{
		{2, 2, []uint64{3}, []uint64{1, 2, 3}},
		{1, 1, []uint64{3}, []uint64{1, 3}}, // conflict at 2: truncate
		{0, 0, []uint64{1}, []uint64{1, 2}}, // already there: keep the rest
		{0, 0, []uint64{1, 2, 3}, []uint64{1, 2, 3}},
		{0, 0, []uint64{3}, []uint64{3}},
		{1, 1, nil, []uint64{1, 2}}, // a heartbeat changes nothing
	}
	for i, tt := range tests {
		r, _ := newTestRaft(testConfig(3), 1, 2, entries(1, 2)...)
		es := entries(append(make([]uint64, tt.prevIndex), tt.ents...)...)[tt.prevIndex:] // entry i carries value i
		r.Step("raft-2", AppendEntries{Term: 3, LeaderID: "raft-2", PrevLogIndex: tt.prevIndex, PrevLogTerm: tt.prevTerm, Entries: es})
		if !slices.Equal(terms(r.log), tt.want) {
			t.Errorf("#%d: log %v, want %v", i, terms(r.log), tt.want)
		}
		if v, _ := r.env.Durable().Get(durableKey); !slices.Equal(terms(v.(persistent).Log), tt.want) {
			t.Errorf("#%d: durable log %v, want %v", i, terms(v.(persistent).Log), tt.want)
		}
	}
}

// "After a rejection, the leader decrements nextIndex and retries the
// AppendEntries RPC. Eventually nextIndex will reach a point where the
// leader and follower logs match. When this happens, AppendEntries will
// succeed, which removes any conflicting entries in the follower's log and
// appends entries from the leader's log." (§5.3) The follower logs are
// those of Figure 7.
func TestLeaderSyncFollowerLog(t *testing.T) {
	leader := []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6}
	followers := [][]uint64{
		{1, 1, 1, 4, 4, 5, 5, 6, 6},          // (a)
		{1, 1, 1, 4},                         // (b)
		{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},    // (c)
		{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, // (d)
		{1, 1, 1, 4, 4, 4, 4},                // (e)
		{1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},    // (f)
	}
	for i, f := range followers {
		cfg := testConfig(3)
		lr, lh := newTestRaft(cfg, 1, 8, entries(leader...)...)
		fr, fh := newTestRaft(cfg, 2, 7, entries(f...)...)
		c := &cluster{rafts: map[string]*raft{"raft-1": lr, "raft-2": fr}, hosts: map[string]*fakeHost{"raft-1": lh, "raft-2": fh}}
		elect(t, lr, lh) // term 9; raft-3 never answers
		// As in etcd's version of this test, the leader appends an entry of
		// its term: a follower's extra entries go only when one conflicts.
		lr.Step("client-1", ClientRequest{Seq: 1, Command: Command{Op: "put", Key: "x", Value: "9", Client: "client-1", Seq: 1}})
		c.deliverAll(t)
		want := append(slices.Clone(leader), 9)
		if !slices.Equal(terms(fr.log), want) {
			t.Errorf("follower (%c): log %v, want the leader's %v", 'a'+i, terms(fr.log), want)
		}
		if lr.matchIndex[1] != 11 || lr.nextIndex[1] != 12 || lr.commitIndex != 11 {
			t.Errorf("follower (%c): matchIndex %d nextIndex %d commitIndex %d, want 11, 12, 11", 'a'+i, lr.matchIndex[1], lr.nextIndex[1], lr.commitIndex)
		}
	}
}

// "A leader never overwrites or deletes entries in its log; it only appends
// new entries." (Figure 3, Leader Append-Only)
func TestLeaderAppendOnly(t *testing.T) {
	r, h := newTestRaft(testConfig(3), 1, 2, entries(1, 2)...)
	elect(t, r, h)
	// A deposed leader of an older term sends a conflicting log.
	r.Step("raft-2", AppendEntries{Term: 2, LeaderID: "raft-2", Entries: entries(2)})
	// A follower answers for an index the leader never sent.
	r.Step("raft-3", AppendEntriesResults{Term: 3, RejectedIndex: 0, LastLogIndex: 0})
	if !slices.Equal(terms(r.log), []uint64{1, 2}) || r.state != StateLeader {
		t.Errorf("leader log %v, state %v; want [1 2] and still leader", terms(r.log), r.state)
	}
}

// "The RequestVote RPC implements this restriction: the RPC includes
// information about the candidate's log, and the voter denies its vote if
// its own log is more up-to-date than that of the candidate... If the logs
// have last entries with different terms, then the log with the later term
// is more up-to-date. If the logs end with the same term, then whichever log
// is longer is more up-to-date." (§5.4.1)
func TestVoterUpToDate(t *testing.T) {
	tests := []struct {
		log                 []uint64
		lastIndex, lastTerm uint64
		grant               bool
	}{
		{[]uint64{1}, 1, 1, true},
		{[]uint64{1}, 2, 1, true},
		{[]uint64{1, 1}, 1, 1, false},
		{[]uint64{1}, 1, 2, true},
		{[]uint64{1}, 2, 2, true},
		{[]uint64{1, 1}, 1, 2, true},
		{[]uint64{2}, 1, 1, false},
		{[]uint64{2}, 2, 1, false},
		{[]uint64{2, 2}, 1, 1, false},
		{nil, 0, 0, true},
		{[]uint64{1}, 0, 0, false},
	}
	for i, tt := range tests {
		r, h := newTestRaft(testConfig(3), 1, 3, entries(tt.log...)...)
		r.Step("raft-2", RequestVote{Term: 3, CandidateID: "raft-2", LastLogIndex: tt.lastIndex, LastLogTerm: tt.lastTerm})
		got := h.take()
		if len(got) != 1 || got[0].msg.(RequestVoteResults).VoteGranted != tt.grant {
			t.Errorf("#%d: voter log %v, candidate (%d, %d): sent %+v, want grant %v", i, tt.log, tt.lastIndex, tt.lastTerm, got, tt.grant)
		}
	}
}

// Persistent state is "updated on stable storage before responding to RPCs"
// (Figure 2): a server that restarts after voting remembers its term, its
// vote and its log, and so cannot vote twice in one term.
func TestPersistentStateSurvivesRestart(t *testing.T) {
	cfg := testConfig(3)
	r, h := newTestRaft(cfg, 1, 1)
	r.Step("raft-2", AppendEntries{Term: 2, LeaderID: "raft-2", Entries: entries(2)})
	r.Step("raft-2", RequestVote{Term: 3, CandidateID: "raft-2", LastLogIndex: 1, LastLogTerm: 2})
	// A crash throws r away; a restart boots a new state machine over the store.
	r2 := newRaft(cfg, "raft-1")
	r2.boot(newFakeHost(h.store))
	if r2.currentTerm != 3 || r2.votedFor != "raft-2" || !slices.Equal(terms(r2.log), []uint64{2}) {
		t.Fatalf("after restart: term %d votedFor %q log %v; want 3, raft-2, [2]", r2.currentTerm, r2.votedFor, terms(r2.log))
	}
	if r2.commitIndex != 0 || r2.lastApplied != 0 || r2.state != StateFollower {
		t.Errorf("volatile state survived: commitIndex %d lastApplied %d state %v", r2.commitIndex, r2.lastApplied, r2.state)
	}
	r2.Step("raft-3", RequestVote{Term: 3, CandidateID: "raft-3", LastLogIndex: 1, LastLogTerm: 2})
	if m := r2.env.(*fakeHost).take()[0].msg.(RequestVoteResults); m.VoteGranted {
		t.Error("the restarted server voted twice in term 3")
	}
}

// "If successful: update nextIndex and matchIndex for follower (§5.3). If
// AppendEntries fails because of log inconsistency: decrement nextIndex and
// retry (§5.3)." (Figure 2, rules for leaders.) Results arrive as messages
// that may be late or duplicated, so only the results of the request last
// sent move nextIndex back.
func TestLeaderHandlesAppendEntriesResults(t *testing.T) {
	tests := []struct {
		name                string
		match, next         uint64 // raft-2's progress before
		res                 AppendEntriesResults
		wantMatch, wantNext uint64
		retry               bool
	}{
		{"success", 0, 6, AppendEntriesResults{Success: true, MatchIndex: 5}, 5, 6, false},
		{"late success", 5, 6, AppendEntriesResults{Success: true, MatchIndex: 3}, 5, 6, false},
		{"inconsistent", 0, 6, AppendEntriesResults{RejectedIndex: 5, LastLogIndex: 9}, 0, 5, true},
		{"inconsistent, follower's log shorter", 0, 6, AppendEntriesResults{RejectedIndex: 5, LastLogIndex: 2}, 0, 3, true},
		{"late refusal", 0, 4, AppendEntriesResults{RejectedIndex: 5, LastLogIndex: 2}, 0, 4, false},
	}
	for _, tt := range tests {
		r, h := newTestRaft(testConfig(3), 1, 1, entries(1, 1, 1, 1, 1)...)
		elect(t, r, h)
		r.matchIndex[1], r.nextIndex[1] = tt.match, tt.next
		tt.res.Term = r.currentTerm
		r.Step("raft-2", tt.res)
		if r.matchIndex[1] != tt.wantMatch || r.nextIndex[1] != tt.wantNext {
			t.Errorf("%s: matchIndex %d nextIndex %d, want %d and %d", tt.name, r.matchIndex[1], r.nextIndex[1], tt.wantMatch, tt.wantNext)
		}
		sent := h.take()
		if retried := len(sent) == 1 && sent[0].to == "raft-2"; retried != tt.retry {
			t.Errorf("%s: sent %+v, want a retry %v", tt.name, sent, tt.retry)
		}
		if tt.retry && sent[0].msg.(AppendEntries).PrevLogIndex != tt.wantNext-1 {
			t.Errorf("%s: retried %+v, want entries from index %d", tt.name, sent[0].msg, tt.wantNext)
		}
	}
}
