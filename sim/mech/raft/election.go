package raft

// Leader election (§5.2) with the election restriction of §5.4.1, and the
// Pre-Vote phase of Ongaro's dissertation (§9.6).

// becomeCandidate starts an election: "on conversion to candidate, start
// election: increment currentTerm, vote for self, reset election timer, send
// RequestVote RPCs to all other servers" (Figure 2).
func (r *raft) becomeCandidate() {
	r.state, r.step, r.lead = StateCandidate, stepCandidate, ""
	r.currentTerm++
	r.votedFor = r.id
	r.persist()
	r.env.Count("elections", 1)
	r.campaign(false)
}

// becomePreCandidate asks first whether the others would vote, without
// changing its term: only "if the candidate believed it could get votes from
// a majority of the cluster would it increment its term and start a normal
// election" (dissertation §9.6). A server cut off from a majority then never
// raises its term and disrupts nobody when it comes back.
func (r *raft) becomePreCandidate() {
	r.state, r.step, r.lead = StatePreCandidate, stepCandidate, ""
	r.campaign(true)
}

// campaign votes for itself, resets the election timer and asks every other
// server for its (pre-)vote.
func (r *raft) campaign(pre bool) {
	clear(r.votes)
	r.votes[r.self] = 1
	r.resetElectionTimer()
	if r.won() {
		r.winCampaign()
		return
	}
	term := r.currentTerm
	if pre {
		term++
	}
	req := RequestVote{Term: term, CandidateID: r.id, LastLogIndex: r.log.lastIndex(), LastLogTerm: r.log.lastTerm(), PreVote: pre}
	for i, s := range r.cfg.servers {
		if i != r.self {
			r.env.Send(s, req)
		}
	}
}

// handleRequestVote is the RequestVote receiver implementation (Figure 2);
// its rule 1, "reply false if term < currentTerm (§5.1)", is applied by Step.
func (r *raft) handleRequestVote(from string, m RequestVote) {
	// "2. If votedFor is null or candidateId, and candidate's log is at
	// least as up-to-date as receiver's log, grant vote (§5.2, §5.4)."
	grant := (r.votedFor == "" || r.votedFor == m.CandidateID) && r.log.isUpToDate(m.LastLogIndex, m.LastLogTerm)
	if grant {
		r.votedFor = m.CandidateID
		r.persist()
		r.resetElectionTimer() // "...or granting vote to candidate"
	}
	r.env.Send(from, RequestVoteResults{Term: r.currentTerm, VoteGranted: grant})
}

// handlePreVote answers a pre-vote as a vote would be answered, changing
// nothing: granted when the term would be new, the log is up-to-date
// (§5.4.1), and no leader was heard from within the election timeout.
func (r *raft) handlePreVote(from string, m RequestVote) {
	grant := m.Term > r.currentTerm && !r.inLease() && r.log.isUpToDate(m.LastLogIndex, m.LastLogTerm)
	term := r.currentTerm
	if grant {
		term = m.Term
	}
	r.env.Send(from, RequestVoteResults{Term: term, VoteGranted: grant, PreVote: true})
}

// handleVoteResults counts a vote: "if votes received from majority of
// servers: become leader" (Figure 2).
func (r *raft) handleVoteResults(from string, m RequestVoteResults) {
	if m.PreVote != (r.state == StatePreCandidate) {
		return // results of the other kind of campaign
	}
	i := r.index(from)
	if i < 0 || r.votes[i] != 0 {
		return
	}
	r.votes[i] = -1
	if m.VoteGranted {
		r.votes[i] = 1
	}
	if r.won() {
		r.winCampaign()
	}
}

// won reports whether a majority granted its vote.
func (r *raft) won() bool {
	n := 0
	for _, v := range r.votes {
		if v > 0 {
			n++
		}
	}
	return n >= r.cfg.quorum()
}

func (r *raft) winCampaign() {
	if r.state == StatePreCandidate {
		r.becomeCandidate()
		return
	}
	r.becomeLeader()
}
