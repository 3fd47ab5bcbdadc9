package zklock

// Sessions, as the leader keeps them. The leader alone decides that a
// session has expired (ZooKeeper's SessionTracker): it extends a session
// whenever the session's client is heard — directly when the client is
// connected to the leader, through the followers' Acks otherwise — and
// proposes closeSession once a session has gone a whole timeout unheard by
// the leader's own clock. Committing that closeSession deletes the session's
// ephemeral znodes on every server: this is the step where the lock recipe
// is unsafe on purpose, because the client may be alive and merely paused.

// handleForward turns a client's write, or a request for a new session, into
// a proposal.
func (s *Server) handleForward(f Forward) {
	if s.role != Leading || !s.established {
		return // the client times out and reconnects
	}
	if f.Open > 0 {
		s.propose(Txn{Type: TxnCreateSession, Timeout: f.Open, Client: f.Client, Origin: f.Origin, Attempt: f.Attempt})
		return
	}
	t, known := s.tracker[f.Req.Session]
	if known && f.Req.Xid <= t.lastXid {
		return // a duplicate, or a request overtaken by a later one: TCP would not deliver it
	}
	if known {
		t.lastXid = f.Req.Xid
		s.tracker[f.Req.Session] = t
	}
	txn := s.prepared.Prepare(f.Req)
	txn.Client, txn.Origin = f.Client, f.Origin
	if known && t.owner != "" && t.owner != f.Origin && txn.Type != TxnError {
		// A request that reached the leader through a server the session
		// has since left (that server was paused, say): ZooKeeper refuses
		// it with SessionMovedException, or it would act behind the
		// client's back.
		txn.Type, txn.Name, txn.Err = TxnError, "", ErrSessionMoved
	}
	s.touch(f.Req.Session)
	s.propose(txn)
}

// handleRevalidate answers whether a reconnecting session is still alive,
// extending it if so.
func (s *Server) handleRevalidate(r Revalidate) {
	if s.role != Leading || !s.established {
		return
	}
	timeout, ok := s.prepared.sessionTimeout(r.Session)
	reply := RevalidateReply{Client: r.Client, Session: r.Session, Timeout: timeout, Valid: ok, Attempt: r.Attempt}
	if t := s.tracker[r.Session]; ok && r.Attempt < t.attempt {
		reply.Moved = true // a stale connect: the client has moved on since
	} else if ok {
		s.touch(r.Session)
		t := s.tracker[r.Session]
		t.owner, t.attempt = r.Origin, r.Attempt
		s.tracker[r.Session] = t
	}
	if r.Origin == s.ctx.Name() {
		s.handleRevalidateReply(reply)
		return
	}
	s.ctx.Send(r.Origin, reply)
}

// touch extends a live session by its whole timeout.
func (s *Server) touch(id int64) {
	if t, ok := s.tracker[id]; ok {
		t.expireAt = s.ctx.Now() + t.timeout
		s.tracker[id] = t
	}
}

// expireSessions closes every session the leader has not heard from for
// its timeout.
func (s *Server) expireSessions() {
	now := s.ctx.Now()
	var expired []Session
	for _, ss := range s.prepared.Sessions { // sorted by id
		if t, ok := s.tracker[ss.ID]; ok && t.expireAt <= now {
			expired = append(expired, ss)
		}
	}
	for _, ss := range expired {
		s.ctx.Count("sessions-expired", 1)
		s.propose(Txn{Type: TxnCloseSession, Session: ss.ID, Client: ss.Client})
	}
}
