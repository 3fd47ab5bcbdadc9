package raft

import (
	"math/rand/v2"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// StateType is a server's role: "at any given time each server is in one of
// three states: leader, follower, or candidate" (§5.1), plus the
// pre-candidate of the Pre-Vote extension.
type StateType uint8

// The server states.
const (
	StateFollower StateType = iota
	StateCandidate
	StateLeader
	StatePreCandidate
)

var stateNames = [...]string{"follower", "candidate", "leader", "pre-candidate"}

// String names the state.
func (s StateType) String() string { return stateNames[s] }

// config is what every server of a run shares.
type config struct {
	servers         []string
	electionTimeout sim.Latency // randomized within [Min, Max] (§5.2)
	heartbeat       time.Duration
	preVote         bool
	checkQuorum     bool
	read            string // "log", "lease" or "local"
	buggyCommit     bool
}

// quorum is the size of a majority of the servers.
func (c *config) quorum() int { return len(c.servers)/2 + 1 }

// host is what the Raft state machine needs from the world. *sim.Context
// provides it; tests provide a recorder, so the protocol is a state machine
// that can be stepped message by message.
type host interface {
	Now() time.Duration
	Send(to string, msg sim.Message)
	SetTimer(d time.Duration, tag any) sim.TimerID
	CancelTimer(id sim.TimerID)
	Rand() *rand.Rand
	Observe(v any)
	Durable() *sim.Store
	Publish(symbol string)
	Unpublish(symbol string)
	Count(metric string, delta float64)
}

// timerTag names a server's timers.
type timerTag uint8

const (
	electionTimer timerTag = iota + 1
	heartbeatTimer
)

// String names the timer in the trace.
func (t timerTag) String() string {
	if t == electionTimer {
		return "election timeout"
	}
	return "heartbeat"
}

// persistent is the "persistent state on all servers (updated on stable
// storage before responding to RPCs)" of Figure 2, as one durable record.
type persistent struct {
	CurrentTerm uint64 // latest term server has seen
	VotedFor    string // candidateId that received vote in current term ("" if none)
	Log         raftLog
}

const durableKey = "raft"

// stepFunc handles a message in the current term; one per role.
type stepFunc func(r *raft, from string, m sim.Message)

// waiting is a client waiting for the entry at some index to be applied.
type waiting struct {
	client string
	seq    uint64
}

// never is a local time before any other.
const never = time.Duration(-1 << 62)

// raft is one server's protocol state: a state machine stepped by messages
// and timers, in the manner of etcd-io/raft.
type raft struct {
	cfg  *config
	env  host
	id   string
	self int // this server's position in cfg.servers

	// Persistent state on all servers (Figure 2).
	currentTerm uint64
	votedFor    string
	log         raftLog

	// Volatile state on all servers (Figure 2).
	commitIndex uint64 // index of highest log entry known to be committed
	lastApplied uint64 // index of highest log entry applied to state machine

	// Volatile state on leaders, reinitialized after election (Figure 2),
	// indexed like cfg.servers.
	nextIndex  []uint64 // for each server, index of the next log entry to send to that server
	matchIndex []uint64 // for each server, index of highest log entry known to be replicated on server

	state StateType
	lead  string // the leader this server follows, "" if unknown
	step  stepFunc
	votes []int8 // per server: 1 granted, -1 refused, 0 no answer yet

	electionDeadline time.Duration // local time the election timeout elapses
	electionTimerID  sim.TimerID
	electionFireAt   time.Duration
	electionArmed    bool
	heartbeatTimerID sim.TimerID

	// leaderUntil is the local time until which this server believes a
	// leader is alive (a follower: an election timeout after hearing from it;
	// a leader: the end of its lease). Pre-votes, and with check_quorum or
	// read: lease also votes, are refused before it.
	leaderUntil   time.Duration
	ackedSent     []time.Duration // leader: newest Sent each server echoed
	lastSent      []time.Duration // leader: when it last sent each server AppendEntries
	active        []bool          // leader: heard from since the last quorum check
	quorumCheckAt time.Duration

	kv      kvStore
	pending map[uint64]waiting // leader: clients waiting on log indexes
}

func newRaft(cfg *config, id string) *raft {
	r := &raft{cfg: cfg, id: id}
	for i, s := range cfg.servers {
		if s == id {
			r.self = i
		}
	}
	n := len(cfg.servers)
	r.nextIndex, r.matchIndex = make([]uint64, n), make([]uint64, n)
	r.votes, r.ackedSent, r.active = make([]int8, n), make([]time.Duration, n), make([]bool, n)
	r.lastSent = make([]time.Duration, n)
	r.kv = newKV()
	r.pending = map[uint64]waiting{}
	return r
}

// boot starts the server over what its durable store holds: "when servers
// start up, they begin as followers" (§5.2).
func (r *raft) boot(env host) {
	r.env = env
	if v, ok := env.Durable().Get(durableKey); ok {
		p := v.(persistent)
		r.currentTerm, r.votedFor, r.log = p.CurrentTerm, p.VotedFor, p.Log
	}
	r.leaderUntil = never
	if r.cfg.read == "lease" {
		// A restarted server cannot know whether it promised a lease: it
		// waits one election timeout before voting, as if it just had.
		r.leaderUntil = env.Now() + r.cfg.electionTimeout.Min
	}
	// A server that led before a crash is a follower now: the symbolic
	// name must not stand for it any more.
	env.Unpublish("leader")
	r.becomeFollower(r.currentTerm, "")
	r.resetElectionTimer()
}

// persist writes the persistent state to the durable store; every handler
// calls it before sending anything that depends on the change.
func (r *raft) persist() {
	r.env.Durable().Put(durableKey, persistent{CurrentTerm: r.currentTerm, VotedFor: r.votedFor, Log: r.log})
}

// Step handles one message. First the rule for all servers: "if RPC request
// or response contains term T > currentTerm: set currentTerm = T, convert to
// follower (§5.1)"; requests with a stale term are refused ("reply false if
// term < currentTerm"). Then the role's step function handles it.
func (r *raft) Step(from string, msg sim.Message) {
	if m, ok := msg.(ClientRequest); ok {
		r.handleClientRequest(from, m)
		return
	}
	term, ok := termOf(msg)
	if !ok {
		return
	}
	switch {
	case term > r.currentTerm:
		switch m := msg.(type) {
		case RequestVote:
			if m.PreVote {
				r.handlePreVote(from, m) // a pre-vote changes nothing
				return
			}
			if (r.cfg.checkQuorum || r.cfg.read == "lease") && r.inLease() {
				// Dissertation §4.2.3: a server that heard from a leader
				// within the minimum election timeout ignores the request,
				// term and all; leases (§6.4.1) depend on it.
				return
			}
		case RequestVoteResults:
			if m.PreVote && m.VoteGranted {
				r.step(r, from, msg) // a grant echoes the term the pre-candidate would use
				return
			}
		}
		lead := ""
		if m, ok := msg.(AppendEntries); ok {
			lead = m.LeaderID
		}
		r.becomeFollower(term, lead)
	case term < r.currentTerm:
		r.refuseStale(from, msg)
		return
	}
	if m, ok := msg.(RequestVote); ok && m.PreVote {
		r.handlePreVote(from, m)
		return
	}
	r.step(r, from, msg)
}

// refuseStale answers a request from an older term with the current term,
// so that its sender updates itself; stale results are dropped.
func (r *raft) refuseStale(from string, msg sim.Message) {
	switch m := msg.(type) {
	case AppendEntries:
		r.env.Send(from, AppendEntriesResults{Term: r.currentTerm, RejectedIndex: m.PrevLogIndex, LastLogIndex: r.log.lastIndex(), Sent: m.Sent})
	case RequestVote:
		r.env.Send(from, RequestVoteResults{Term: r.currentTerm, PreVote: m.PreVote})
	}
}

// Timer handles a fired timer: an election timeout or a heartbeat.
func (r *raft) Timer(tag timerTag) {
	switch tag {
	case electionTimer:
		r.electionArmed = false
		if r.state == StateLeader {
			return
		}
		if r.env.Now() < r.electionDeadline {
			r.armElection() // the deadline moved since the timer was set
			return
		}
		// Followers: "if election timeout elapses without receiving
		// AppendEntries RPC from current leader or granting vote to
		// candidate: convert to candidate". Candidates: "if election
		// timeout elapses: start new election".
		if r.cfg.preVote {
			r.becomePreCandidate()
		} else {
			r.becomeCandidate()
		}
	case heartbeatTimer:
		if r.state != StateLeader {
			return
		}
		r.heartbeatTimerID = r.env.SetTimer(r.cfg.heartbeat, heartbeatTimer)
		if r.cfg.checkQuorum && !r.quorumActive() {
			r.becomeFollower(r.currentTerm, "") // check_quorum: a leader cut off from a majority steps down
			return
		}
		// "Repeat during idle periods to prevent election timeouts (§5.2)."
		r.heartbeat()
	}
}

// resetElectionTimer draws a new randomized election timeout: "election
// timeouts are chosen randomly from a fixed interval (e.g., 150–300ms)"
// (§5.2), measured on this server's own clock.
func (r *raft) resetElectionTimer() {
	et := r.cfg.electionTimeout
	d := et.Min
	if et.Max > et.Min {
		d += time.Duration(r.env.Rand().Int64N(int64(et.Max-et.Min) + 1))
	}
	r.electionDeadline = r.env.Now() + d
	r.armElection()
}

// armElection keeps one timer armed no later than the election deadline: a
// timer that fires early re-arms itself, so resetting the timeout on every
// heartbeat costs no event.
func (r *raft) armElection() {
	if r.electionArmed && r.electionFireAt <= r.electionDeadline {
		return
	}
	if r.electionArmed {
		r.env.CancelTimer(r.electionTimerID)
	}
	r.electionTimerID = r.env.SetTimer(r.electionDeadline-r.env.Now(), electionTimer)
	r.electionFireAt, r.electionArmed = r.electionDeadline, true
}

// becomeFollower moves to term (forgetting the vote of an older term) and
// follows lead, if known.
func (r *raft) becomeFollower(term uint64, lead string) {
	wasLeader := r.state == StateLeader
	if wasLeader {
		r.env.Unpublish("leader")
		r.env.CancelTimer(r.heartbeatTimerID)
		clear(r.pending) // their clients time out and retry
	}
	if term != r.currentTerm {
		r.currentTerm, r.votedFor = term, ""
		r.persist()
	}
	r.state, r.step, r.lead = StateFollower, stepFollower, lead
	if wasLeader {
		r.resetElectionTimer()
	}
}

// becomeLeader takes office: "upon election: send initial empty
// AppendEntries RPCs (heartbeat) to each server" (Figure 2).
func (r *raft) becomeLeader() {
	r.state, r.step, r.lead = StateLeader, stepLeader, r.id
	for i := range r.cfg.servers {
		// "nextIndex: initialized to leader last log index + 1";
		// "matchIndex: initialized to 0".
		r.nextIndex[i], r.matchIndex[i] = r.log.lastIndex()+1, 0
		r.ackedSent[i], r.active[i], r.lastSent[i] = never, false, never
	}
	r.matchIndex[r.self] = r.log.lastIndex()
	r.quorumCheckAt = r.env.Now()
	r.env.Publish("leader")
	r.env.Count("leader-changes", 1)
	r.env.Observe(check.RaftLeader{Term: r.currentTerm, LastIndex: r.log.lastIndex(), Digest: r.log.digest(r.log.lastIndex()), Log: r.log.runs()})
	r.bcastAppend()
	r.heartbeatTimerID = r.env.SetTimer(r.cfg.heartbeat, heartbeatTimer)
}

// stepFollower: "respond to RPCs from candidates and leaders" (Figure 2).
func stepFollower(r *raft, from string, msg sim.Message) {
	switch m := msg.(type) {
	case AppendEntries:
		r.lead = m.LeaderID
		r.heardFromLeader()
		r.handleAppendEntries(from, m)
	case RequestVote:
		r.handleRequestVote(from, m)
	}
}

// stepCandidate handles messages of the current term for candidates and
// pre-candidates.
func stepCandidate(r *raft, from string, msg sim.Message) {
	switch m := msg.(type) {
	case AppendEntries:
		// "If AppendEntries RPC received from new leader: convert to
		// follower." Its term is at least ours: it won this term.
		r.becomeFollower(m.Term, m.LeaderID)
		r.heardFromLeader()
		r.handleAppendEntries(from, m)
	case RequestVote:
		r.handleRequestVote(from, m) // refused: a candidate has voted for itself
	case RequestVoteResults:
		r.handleVoteResults(from, m)
	}
}

// stepLeader handles messages of the current term for a leader.
func stepLeader(r *raft, from string, msg sim.Message) {
	switch m := msg.(type) {
	case AppendEntriesResults:
		r.handleAppendEntriesResults(from, m)
	case RequestVote:
		r.handleRequestVote(from, m) // refused: a leader has voted for itself
	}
}

// heardFromLeader notes an AppendEntries from the current leader: the
// election timeout starts over, and the leader counts as alive for the
// minimum election timeout.
func (r *raft) heardFromLeader() {
	r.resetElectionTimer()
	r.leaderUntil = max(r.leaderUntil, r.env.Now()+r.cfg.electionTimeout.Min)
}

// inLease reports whether this server believes a leader is alive.
func (r *raft) inLease() bool { return r.env.Now() < r.leaderUntil }

// index returns a server's position in cfg.servers, or -1.
func (r *raft) index(name string) int {
	for i, s := range r.cfg.servers {
		if s == name {
			return i
		}
	}
	return -1
}
