package zklock

// Leader election, after ZooKeeper's FastLeaderElection, simplified: a
// looking server votes for itself and broadcasts its vote; it adopts any
// better vote it hears (higher epoch, then higher zxid, then higher id) and
// broadcasts again; once a quorum holds the same vote and nothing better
// arrives within the finalize wait, the chosen server leads and the others
// follow. A looking server that hears from a server already leading joins it.
// Votes are re-broadcast every tick while looking, standing in for
// ZooKeeper's retries over TCP.

// election is a server's election state.
type election struct {
	round   int64
	vote    Vote
	votes   []Vote // by server id-1, for the current round
	voted   []bool
	pending bool   // a finalize wait is running
	backers []bool // servers already following this one (FLE's "out of election" votes)
}

// finalize is the timer of the finalize wait (FLE's finalizeWait).
type finalize struct{ Round int64 }

// lookForLeader leaves whatever role the server had and starts a new round.
func (s *Server) lookForLeader() {
	if s.role == Leading {
		s.ctx.Unpublish("leader")
	}
	if s.role == Following {
		s.ctx.Send(s.name(s.leader), Goodbye{})
	}
	s.closeConnections()
	s.role, s.leader = Looking, 0
	s.follower = follower{}
	s.leaderState = leaderState{}
	s.round++
	n := len(s.cfg.Servers)
	s.votes, s.voted, s.backers = make([]Vote, n), make([]bool, n), make([]bool, n)
	s.vote = s.selfVote()
	s.record(s.id, s.vote)
	s.pending = false
	s.broadcastVote()
	s.checkVotes()
}

func (s *Server) selfVote() Vote { return Vote{Leader: s.id, Zxid: s.lastLogged(), Epoch: s.epoch} }

// record keeps a server's vote in this round. A server only ever changes
// its vote to a better one within a round, so an older notification that
// the network delivered late (TCP would not) never replaces a newer one.
func (s *Server) record(id int, v Vote) {
	if !s.voted[id-1] || v.Better(s.votes[id-1]) {
		s.votes[id-1], s.voted[id-1] = v, true
	}
}

// notification is what this server tells others: its vote while looking,
// the leader it follows or leads otherwise.
func (s *Server) notification() Notification {
	if s.role == Looking {
		return Notification{Round: s.round, Vote: s.vote, State: Looking}
	}
	return Notification{Round: s.round, Vote: Vote{Leader: s.leader, Zxid: s.lastLogged(), Epoch: s.epoch}, State: s.role}
}

func (s *Server) broadcastVote() {
	n := s.notification()
	for _, peer := range s.cfg.Servers {
		if peer != s.ctx.Name() {
			s.ctx.Send(peer, n)
		}
	}
}

// handleNotification is FLE's main loop body for one received notification.
func (s *Server) handleNotification(from string, n Notification) {
	id := idOf(from)
	if s.role != Looking {
		if n.State == Looking {
			s.ctx.Send(from, s.notification()) // tell it who leads
		}
		return
	}
	if n.State != Looking {
		s.handleSettled(id, n)
		return
	}
	switch {
	case n.Round > s.round:
		s.round = n.Round
		clear(s.voted)
		s.pending = false
		s.vote = s.selfVote()
		if n.Vote.Better(s.vote) {
			s.vote = n.Vote
		}
		s.broadcastVote()
	case n.Round < s.round:
		s.ctx.Send(from, s.notification())
		return
	case n.Vote.Better(s.vote):
		s.vote = n.Vote
		s.broadcastVote()
	}
	s.votes[s.id-1] = s.vote
	s.record(id, n.Vote)
	s.checkVotes()
}

// handleSettled hears from a server that is no longer looking: join it if
// it leads, and lead if a quorum already follows this server.
func (s *Server) handleSettled(id int, n Notification) {
	switch {
	case n.State == Leading && n.Vote.Leader == id:
		s.follow(id) // an established leader: join it
	case n.State == Following && n.Vote.Leader == s.id:
		s.backers[id-1] = true
		count := 1
		for _, b := range s.backers {
			if b {
				count++
			}
		}
		if count >= s.quorum() {
			s.lead()
		}
	}
}

// agreeing counts the servers whose vote in this round equals ours.
func (s *Server) agreeing() int {
	count := 0
	for i, ok := range s.voted {
		if ok && s.votes[i] == s.vote {
			count++
		}
	}
	return count
}

// checkVotes starts the finalize wait once a quorum agrees.
func (s *Server) checkVotes() {
	if s.pending || s.agreeing() < s.quorum() {
		return
	}
	if len(s.cfg.Servers) == 1 {
		s.lead()
		return
	}
	s.pending = true
	s.ctx.SetTimer(s.cfg.finalizeWait(), finalize{Round: s.round})
}

// handleFinalize ends the election if the quorum still agrees.
func (s *Server) handleFinalize(f finalize) {
	if s.role != Looking || f.Round != s.round || !s.pending {
		return
	}
	s.pending = false
	if s.agreeing() < s.quorum() {
		return
	}
	if s.vote.Leader == s.id {
		s.lead()
	} else {
		s.follow(s.vote.Leader)
	}
}
