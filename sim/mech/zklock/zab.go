package zklock

import (
	"slices"
	"time"
)

// The atomic broadcast, after Zab (Junqueira, Reed and Serafini, "Zab:
// High-performance broadcast for primary-backup systems", DSN 2011),
// simplified:
//   - Discovery: the elected leader waits for FOLLOWERINFO from a quorum
//     (itself included) and takes an epoch one above every accepted epoch it
//     heard. There is no separate NEWEPOCH round: a follower accepts the
//     epoch with NEWLEADER, and never accepts the same epoch from a second
//     leader, which is what keeps two leaders from sharing one.
//   - Synchronisation: the new leader commits its whole logged history
//     (it has the highest zxid of the quorum that elected it, so it has every
//     committed transaction) and sends each follower a full copy of its
//     state (always a SNAP, never a DIFF or TRUNC). It serves once a quorum
//     has acknowledged.
//   - Broadcast: the leader gives each write a zxid (epoch<<32 | counter),
//     logs it, proposes it, and commits it once a quorum has logged it;
//     followers log in zxid order and apply what is committed. Acks are
//     cumulative, and the leader's PING every tick resends what a follower
//     has not acknowledged (or a new snapshot if it fell behind the commit
//     point), standing in for TCP's retransmission and ordering.
//   - A follower that hears nothing from its leader for syncLimit ticks, and
//     a leader that hears from less than a quorum for as long, go back to
//     the election, closing their clients' connections.

// follower is a following server's state.
type follower struct {
	synced     bool          // NEWLEADER accepted: serving clients
	lastLeader time.Duration // local time the leader was last heard
	touched    []int64       // sessions heard since the last Ack
	commitSeen int64         // the highest commit point heard: a COMMIT may overtake its PROPOSAL
}

// peer is what a leader knows of one follower.
type peer struct {
	info      bool  // sent FOLLOWERINFO
	infoEpoch int64 // its accepted epoch
	pending   bool  // NEWLEADER sent, not acknowledged
	synced    bool
	acked     int64 // highest zxid it acknowledged
	lastHeard time.Duration
}

// tracked is the leader's expiry record of one session.
type tracked struct {
	expireAt time.Duration // on the leader's clock
	timeout  time.Duration
	owner    string // the server the session's client is connected to ("" unknown after a leader change)
	attempt  Number // the client's connection attempt that made owner the owner
	lastXid  Number // the last request of the session the leader turned into a transaction
}

// leaderState is a leading server's state.
type leaderState struct {
	peers       []peer // by server id-1
	epochChosen bool
	established bool // a quorum acknowledged NEWLEADER: serving
	since       time.Duration
	counter     int64
	committed   int64
	prepared    DataTree // the committed tree with every outstanding proposal applied
	tracker     map[int64]tracked
}

// follow starts following the elected leader.
func (s *Server) follow(leader int) {
	s.role, s.leader = Following, leader
	s.follower = follower{lastLeader: s.ctx.Now()}
	s.ctx.Send(s.name(leader), FollowerInfo{AcceptedEpoch: s.epoch, LastZxid: s.lastLogged()})
}

func (s *Server) fromLeader(from string) bool {
	return s.role == Following && s.leader != 0 && from == s.name(s.leader)
}

// handleNewLeader installs the leader's state. A follower accepts a newer
// epoch, or the epoch it already accepted from this same leader (a resync).
func (s *Server) handleNewLeader(from string, m NewLeader) {
	if !s.fromLeader(from) {
		return
	}
	if m.Epoch < s.epoch || (m.Epoch == s.epoch && s.epochLeader != s.leader) {
		s.lookForLeader() // a leader of an epoch already given to another
		return
	}
	old := s.tree
	s.epoch, s.epochLeader = m.Epoch, s.leader
	s.tree, s.log = m.Snap, slices.Clone(m.Log)
	s.synced, s.lastLeader = true, s.ctx.Now()
	s.fire(s.tree.Diff(old))
	s.commitSeen = max(s.commitSeen, m.Committed)
	s.applyCommitted(s.commitSeen)
	s.persist()
	s.ctx.Send(from, AckNewLeader{Epoch: s.epoch, LastZxid: s.lastLogged()})
}

// handleProposal logs the transactions that continue the log, applies what
// is committed, and acknowledges.
func (s *Server) handleProposal(from string, m Proposal) {
	if !s.fromLeader(from) || !s.synced || m.Epoch != s.epoch {
		return
	}
	s.lastLeader = s.ctx.Now()
	changed := false
	for _, t := range m.Txns {
		if t.Zxid <= s.lastLogged() {
			continue // already logged
		}
		if t.Zxid != s.nextZxid() {
			break // a gap: the leader's next PING fills it
		}
		s.log = append(s.log, t)
		changed = true
	}
	s.commitSeen = max(s.commitSeen, m.Commit)
	if s.applyCommitted(s.commitSeen) || changed {
		s.persist()
	}
	s.ctx.Send(from, Ack{Epoch: s.epoch, Zxid: s.lastLogged(), Touched: s.touched})
	s.touched = nil
}

// nextZxid is the zxid that continues the log in the current epoch.
func (s *Server) nextZxid() int64 {
	if last := s.lastLogged(); Epoch(last) == s.epoch {
		return last + 1
	}
	return Zxid(s.epoch, 1)
}

func (s *Server) handleCommit(from string, m Commit) {
	if !s.fromLeader(from) || !s.synced || m.Epoch != s.epoch {
		return
	}
	s.lastLeader = s.ctx.Now()
	s.commitSeen = max(s.commitSeen, m.Zxid)
	if s.applyCommitted(m.Zxid) {
		s.persist()
	}
}

// applyCommitted applies every logged transaction up to zxid, in order.
func (s *Server) applyCommitted(zxid int64) bool {
	applied := false
	for len(s.log) > 0 && s.log[0].Zxid <= zxid {
		txn := s.log[0]
		s.log = s.log[1:]
		s.apply(txn)
		applied = true
	}
	return applied
}

// followerTick gives up on a silent leader and re-sends FOLLOWERINFO until
// the leader answers.
func (s *Server) followerTick() {
	if s.ctx.Now()-s.lastLeader > s.cfg.syncLimit() {
		s.lookForLeader()
		return
	}
	if !s.synced {
		s.ctx.Send(s.name(s.leader), FollowerInfo{AcceptedEpoch: s.epoch, LastZxid: s.lastLogged()})
	}
}

// lead starts leading: discovery waits for a quorum of FOLLOWERINFO.
func (s *Server) lead() {
	s.role, s.leader = Leading, s.id
	s.leaderState = leaderState{peers: make([]peer, len(s.cfg.Servers)), since: s.ctx.Now()}
	s.peers[s.id-1] = peer{info: true, infoEpoch: s.epoch}
	if s.quorum() == 1 {
		s.establish()
	}
}

func (s *Server) handleFollowerInfo(from string, m FollowerInfo) {
	if s.role != Leading {
		return
	}
	p := &s.peers[idOf(from)-1]
	p.lastHeard = s.ctx.Now()
	if s.epochChosen {
		s.syncFollower(idOf(from))
		return
	}
	p.info, p.infoEpoch = true, m.AcceptedEpoch
	count := 0
	for _, q := range s.peers {
		if q.info {
			count++
		}
	}
	if count >= s.quorum() {
		s.establish()
	}
}

// establish takes the new epoch, commits the leader's own history and
// synchronises the followers that answered.
func (s *Server) establish() {
	for _, q := range s.peers {
		if q.info {
			s.epoch = max(s.epoch, q.infoEpoch)
		}
	}
	s.epoch++
	s.epochLeader = s.id
	s.epochChosen = true
	s.applyCommitted(s.lastLogged())
	s.committed, s.prepared, s.counter = s.tree.Zxid, s.tree, 0
	s.persist()
	s.tracker = map[int64]tracked{}
	for _, ss := range s.tree.Sessions {
		// A new leader gives every session its whole timeout again, as
		// ZooKeeper's session tracker does after a leader change.
		s.tracker[ss.ID] = tracked{expireAt: s.ctx.Now() + ss.Timeout, timeout: ss.Timeout}
	}
	for i, q := range s.peers {
		if q.info && i != s.id-1 {
			s.syncFollower(i + 1)
		}
	}
	s.checkEstablished()
}

// syncFollower sends a follower a full copy of the committed state and the
// proposals still outstanding.
func (s *Server) syncFollower(id int) {
	s.peers[id-1].pending = true
	s.ctx.Send(s.name(id), NewLeader{Epoch: s.epoch, Snap: s.tree, Log: slices.Clone(s.log), Committed: s.committed})
}

func (s *Server) handleAckNewLeader(from string, m AckNewLeader) {
	if s.role != Leading || !s.epochChosen || m.Epoch != s.epoch {
		return // an answer to an earlier leadership of this server
	}
	p := &s.peers[idOf(from)-1]
	if !p.pending && !p.synced {
		return
	}
	p.pending, p.synced = false, true
	p.acked = max(p.acked, m.LastZxid)
	p.lastHeard = s.ctx.Now()
	s.checkEstablished()
	s.maybeCommit()
}

// checkEstablished starts serving once a quorum is in sync.
func (s *Server) checkEstablished() {
	if s.established {
		return
	}
	count := 1
	for i, q := range s.peers {
		if q.synced && i != s.id-1 {
			count++
		}
	}
	if count >= s.quorum() {
		s.established = true
		s.ctx.Publish("leader")
		s.ctx.Count("leader-changes", 1)
	}
}

// propose gives a transaction its zxid, logs it and sends it to the
// followers.
func (s *Server) propose(txn Txn) {
	s.counter++
	txn.Zxid = Zxid(s.epoch, s.counter)
	if txn.Type == TxnCreateSession {
		txn.Session = txn.Zxid // a session id unique in the ensemble's history
		s.tracker[txn.Session] = tracked{expireAt: s.ctx.Now() + txn.Timeout, timeout: txn.Timeout, owner: txn.Origin}
	}
	var fx Effects
	s.prepared = s.prepared.Apply(txn, &fx)
	s.log = append(s.log, txn)
	s.persist()
	msg := Proposal{Epoch: s.epoch, Txns: []Txn{txn}, Commit: s.committed}
	for i, q := range s.peers {
		if q.synced && i != s.id-1 {
			s.ctx.Send(s.name(i+1), msg)
		}
	}
	s.maybeCommit()
}

func (s *Server) handleAck(from string, m Ack) {
	if s.role != Leading || !s.epochChosen || m.Epoch != s.epoch {
		return
	}
	p := &s.peers[idOf(from)-1]
	p.lastHeard = s.ctx.Now()
	if !p.synced {
		return
	}
	p.acked = max(p.acked, m.Zxid)
	for _, id := range m.Touched {
		s.touch(id)
	}
	s.maybeCommit()
}

// maybeCommit commits up to the highest zxid a quorum has logged.
func (s *Server) maybeCommit() {
	acks := []int64{s.lastLogged()}
	for i, q := range s.peers {
		if q.synced && i != s.id-1 {
			acks = append(acks, q.acked)
		}
	}
	if len(acks) < s.quorum() {
		return
	}
	slices.Sort(acks)
	c := acks[len(acks)-s.quorum()]
	if c <= s.committed {
		return
	}
	s.committed = c
	s.applyCommitted(c)
	s.persist()
	msg := Commit{Epoch: s.epoch, Zxid: c}
	for i, q := range s.peers {
		if q.synced && i != s.id-1 {
			s.ctx.Send(s.name(i+1), msg)
		}
	}
}

// handleGoodbye forgets a follower that left; a leader left without a
// quorum goes back to the election at once rather than at its next tick.
func (s *Server) handleGoodbye(from string) {
	if s.role != Leading {
		return
	}
	p := &s.peers[idOf(from)-1]
	p.synced, p.pending = false, false
	if !s.established {
		return
	}
	count := 1
	for i, q := range s.peers {
		if q.synced && i != s.id-1 {
			count++
		}
	}
	if count < s.quorum() {
		s.lookForLeader()
	}
}

// leaderTick pings the followers, steps down without a quorum and expires
// sessions.
func (s *Server) leaderTick() {
	now := s.ctx.Now()
	if !s.established {
		if now-s.since > s.cfg.syncLimit() {
			s.lookForLeader()
		}
		return
	}
	heard := 1
	for i, q := range s.peers {
		if q.synced && i != s.id-1 && now-q.lastHeard <= s.cfg.syncLimit() {
			heard++
		}
	}
	if heard < s.quorum() {
		s.lookForLeader()
		return
	}
	for i := range s.peers {
		if i != s.id-1 {
			s.pingFollower(i + 1)
		}
	}
	s.expireSessions()
}

// pingFollower resends what a follower lacks: a snapshot if it fell behind
// the commit point, or the outstanding proposals it has not acknowledged.
func (s *Server) pingFollower(id int) {
	q := s.peers[id-1]
	switch {
	case q.pending || (q.synced && q.acked < s.committed):
		s.syncFollower(id)
	case q.synced:
		var txns []Txn
		for _, t := range s.log {
			if t.Zxid > q.acked {
				txns = append(txns, t)
			}
		}
		s.ctx.Send(s.name(id), Proposal{Epoch: s.epoch, Txns: txns, Commit: s.committed, Ping: true})
	}
}
