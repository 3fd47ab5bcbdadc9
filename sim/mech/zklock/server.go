package zklock

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"coordlab/sim"
)

// Role is a server's part in the ensemble.
type Role uint8

// The roles of ZooKeeper's quorum peers.
const (
	Looking Role = iota
	Following
	Leading
)

var roleNames = [...]string{"looking", "following", "leading"}

// String names the role.
func (r Role) String() string { return roleNames[r] }

// MarshalText writes the role's name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Server is one ZooKeeper server zk-N: a quorum peer that elects a leader,
// replicates the data tree through it, and serves clients' sessions.
type Server struct {
	ctx *sim.Context
	cfg Config
	id  int // N of zk-N

	// Durable state (mirrored in the durable store by persist): ZooKeeper
	// logs and snapshots to disk before it acknowledges.
	epoch       int64 // the accepted epoch
	epochLeader int   // the leader whose NEWLEADER for epoch this server acknowledged
	tree        DataTree
	log         []Txn // logged transactions not applied yet (zxid > tree.Zxid)

	role   Role
	leader int // the leader followed, or this server's own id when leading

	election
	follower
	leaderState

	// Client connections and their one-shot watches (volatile: a restarted
	// server has none, and its clients reconnect).
	conns      map[int64]*conn // by session
	childWatch []watcher       // getChildren(/lock) watches
	dataWatch  map[string][]watcher
}

// conn is a client connection: the client, its attempt, and the position
// of the last message sent on it.
type conn struct {
	client  string
	attempt Number
	seq     int64
}

type watcher struct {
	Session int64
	Client  string
}

// tick is the server's periodic timer (ZooKeeper's tickTime).
type tick struct{}

// NewServer returns zk-id.
func NewServer(cfg Config, id int) *Server {
	return &Server{cfg: cfg, id: id, conns: map[int64]*conn{}, dataWatch: map[string][]watcher{}}
}

func (s *Server) name(id int) string { return s.cfg.Servers[id-1] }

func idOf(name string) int {
	var id int
	fmt.Sscanf(name[len("zk-"):], "%d", &id)
	return id
}

func (s *Server) quorum() int { return len(s.cfg.Servers)/2 + 1 }

// Start reloads the durable state and looks for a leader.
func (s *Server) Start(ctx *sim.Context) {
	s.ctx = ctx
	if v, ok := ctx.Durable().Get("zab"); ok {
		d := v.(durable)
		s.epoch, s.epochLeader, s.tree, s.log = d.Epoch, d.EpochLeader, d.Tree, slices.Clone(d.Log)
	}
	for _, m := range []string{"watch-events", "sessions-expired", "leader-changes"} {
		ctx.Count(m, 0) // reported even when nothing happened
	}
	s.lookForLeader()
	ctx.SetTimer(s.cfg.Tick, tick{})
}

// durable is what a server keeps on disk: its accepted epoch, the leader
// that gave it, the snapshot of the tree and the log after it.
type durable struct {
	Epoch       int64
	EpochLeader int
	Tree        DataTree
	Log         []Txn
}

// persist writes the durable state. The tree is copy-on-write and the log
// is cloned, so stored values never change afterwards.
func (s *Server) persist() {
	var log []Txn
	if len(s.log) > 0 {
		log = slices.Clone(s.log)
	}
	s.ctx.Durable().Put("zab", durable{Epoch: s.epoch, EpochLeader: s.epochLeader, Tree: s.tree, Log: log})
}

func (s *Server) lastLogged() int64 {
	if len(s.log) > 0 {
		return s.log[len(s.log)-1].Zxid
	}
	return s.tree.Zxid
}

// serving reports whether clients may use this server: a follower once it
// is in sync with its leader, a leader once a quorum has accepted it.
func (s *Server) serving() bool {
	return (s.role == Following && s.synced) || (s.role == Leading && s.established)
}

// Receive dispatches a message to its handler.
func (s *Server) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Notification:
		s.handleNotification(from, m)
	case FollowerInfo:
		s.handleFollowerInfo(from, m)
	case NewLeader:
		s.handleNewLeader(from, m)
	case AckNewLeader:
		s.handleAckNewLeader(from, m)
	case Proposal:
		s.handleProposal(from, m)
	case Ack:
		s.handleAck(from, m)
	case Commit:
		s.handleCommit(from, m)
	case Goodbye:
		s.handleGoodbye(from)
	case Forward:
		s.handleForward(m)
	case Revalidate:
		s.handleRevalidate(m)
	case RevalidateReply:
		s.handleRevalidateReply(m)
	case Connect:
		s.handleConnect(from, m)
	case Request:
		s.handleRequest(from, m)
	}
}

// Timer runs the periodic tick of whatever role the server has, and the
// election's finalize wait.
func (s *Server) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case tick:
		switch s.role {
		case Looking:
			s.broadcastVote()
		case Following:
			s.followerTick()
		case Leading:
			s.leaderTick()
		}
		ctx.SetTimer(s.cfg.Tick, tick{})
	case finalize:
		s.handleFinalize(t)
	}
}

// handleConnect opens a session through the leader, or moves an existing
// session here after the leader confirms it is still alive.
func (s *Server) handleConnect(from string, m Connect) {
	if !s.serving() {
		s.ctx.Send(from, Closed{Conn: Conn{Attempt: m.Attempt}, Session: m.Session})
		return
	}
	if m.Session == 0 {
		s.toLeader(Forward{Origin: s.ctx.Name(), Client: from, Open: m.Timeout, Attempt: m.Attempt})
		return
	}
	if s.role == Leading {
		s.handleRevalidate(Revalidate{Origin: s.ctx.Name(), Client: from, Session: m.Session, Attempt: m.Attempt})
		return
	}
	s.ctx.Send(s.name(s.leader), Revalidate{Origin: s.ctx.Name(), Client: from, Session: m.Session, Attempt: m.Attempt})
}

// handleRevalidateReply completes a reconnection.
func (s *Server) handleRevalidateReply(m RevalidateReply) {
	if !s.serving() {
		return
	}
	at := Conn{Attempt: m.Attempt, Seq: 1}
	switch {
	case m.Moved:
		s.ctx.Send(m.Client, Closed{Conn: Conn{Attempt: m.Attempt}, Session: m.Session})
	case !m.Valid:
		s.ctx.Send(m.Client, ConnectReply{Conn: at, Session: m.Session, Err: ErrSessionExpired})
	default:
		if c, ok := s.conns[m.Session]; !ok || c.client != m.Client || c.attempt != m.Attempt {
			// (A duplicated connect must not restart the connection's count.)
			s.conns[m.Session] = &conn{client: m.Client, attempt: m.Attempt, seq: 1}
		}
		s.ctx.Send(m.Client, ConnectReply{Conn: at, Session: m.Session, Timeout: m.Timeout})
	}
}

// stamp returns a session's client and the next position on its
// connection, if it is connected here.
func (s *Server) stamp(session int64) (string, Conn, bool) {
	c, ok := s.conns[session]
	if !ok {
		return "", Conn{}, false
	}
	c.seq++
	return c.client, Conn{Attempt: c.attempt, Seq: c.seq}, true
}

func (s *Server) connected(session int64, client string) bool {
	c, ok := s.conns[session]
	return ok && c.client == client
}

// handleRequest serves reads from the local tree (ZooKeeper reads are
// local, and may be behind the leader) and sends writes to the leader.
func (s *Server) handleRequest(from string, r Request) {
	if !s.serving() || !s.connected(r.Session, from) || s.conns[r.Session].attempt != r.Attempt {
		s.ctx.Send(from, Closed{Conn: Conn{Attempt: r.Attempt}, Session: r.Session})
		return
	}
	s.touchLocal(r.Session)
	switch r.Op {
	case OpPing:
		_, at, _ := s.stamp(r.Session)
		s.ctx.Send(from, Reply{Conn: at, Xid: r.Xid, Op: r.Op})
	case OpGetChildren:
		if r.Watch {
			s.childWatch = addWatcher(s.childWatch, watcher{r.Session, from})
		}
		_, at, _ := s.stamp(r.Session)
		s.ctx.Send(from, Reply{Conn: at, Xid: r.Xid, Op: r.Op, Children: s.tree.Children()})
	case OpExists:
		name := r.Path[len(LockPath)+1:]
		n, ok := s.tree.Node(name)
		if r.Watch {
			s.dataWatch[name] = addWatcher(s.dataWatch[name], watcher{r.Session, from})
		}
		_, at, _ := s.stamp(r.Session)
		s.ctx.Send(from, Reply{Conn: at, Xid: r.Xid, Op: r.Op, Exists: ok, Czxid: n.Czxid})
	case OpCreate, OpDelete:
		s.toLeader(Forward{Origin: s.ctx.Name(), Client: from, Req: r})
	}
}

func addWatcher(ws []watcher, w watcher) []watcher {
	if slices.Contains(ws, w) {
		return ws // ZooKeeper keeps one watch per path and watcher
	}
	return append(ws, w)
}

// toLeader hands a forwarded request to the leader, which may be this server.
func (s *Server) toLeader(f Forward) {
	if s.role == Leading {
		s.handleForward(f)
		return
	}
	s.ctx.Send(s.name(s.leader), f)
}

// touchLocal records that a session's client was heard: the leader extends
// the session at once, a follower reports it with its next Ack.
func (s *Server) touchLocal(session int64) {
	if s.role == Leading {
		s.touch(session)
		return
	}
	if !slices.Contains(s.touched, session) {
		s.touched = append(s.touched, session)
	}
}

// apply applies one committed transaction, fires the watches it triggers,
// and answers the client if it is connected here.
func (s *Server) apply(txn Txn) {
	var fx Effects
	s.tree = s.tree.Apply(txn, &fx)
	if s.role == Leading {
		for _, id := range fx.Closed {
			delete(s.tracker, id)
		}
	}
	s.fire(fx)
	if txn.Origin != s.ctx.Name() {
		return
	}
	switch txn.Type {
	case TxnCreateSession:
		s.conns[txn.Session] = &conn{client: txn.Client, attempt: txn.Attempt, seq: 1}
		s.ctx.Send(txn.Client, ConnectReply{Conn: Conn{Attempt: txn.Attempt, Seq: 1}, Session: txn.Session, Timeout: txn.Timeout})
	case TxnCreate:
		s.answer(txn, Reply{Xid: txn.Xid, Op: txn.Op, Name: txn.Name, Czxid: txn.Zxid})
	case TxnDelete:
		s.answer(txn, Reply{Xid: txn.Xid, Op: txn.Op})
	case TxnError:
		s.answer(txn, Reply{Xid: txn.Xid, Op: txn.Op, Err: txn.Err})
	}
}

func (s *Server) answer(txn Txn, r Reply) {
	if !s.connected(txn.Session, txn.Client) {
		return
	}
	_, r.Conn, _ = s.stamp(txn.Session)
	s.ctx.Send(txn.Client, r)
}

// fire tells clients connected here what a change did: an expired session's
// client learns it, and every watch on a changed node or on /lock's
// children fires once and is gone.
func (s *Server) fire(fx Effects) {
	if !fx.any() {
		return
	}
	for _, id := range fx.Closed {
		if c, ok := s.conns[id]; ok {
			s.ctx.Send(c.client, Closed{Conn: Conn{Attempt: c.attempt}, Session: id, Expired: true})
			delete(s.conns, id)
		}
	}
	for _, name := range fx.Deleted {
		s.trigger(s.dataWatch[name], WatchEvent{Type: "NodeDeleted", Path: LockPath + "/" + name})
		delete(s.dataWatch, name)
	}
	for _, name := range fx.Created {
		s.trigger(s.dataWatch[name], WatchEvent{Type: "NodeCreated", Path: LockPath + "/" + name})
		delete(s.dataWatch, name)
	}
	if len(fx.Created)+len(fx.Deleted) > 0 {
		s.trigger(s.childWatch, WatchEvent{Type: "NodeChildrenChanged", Path: LockPath})
		s.childWatch = nil
	}
}

func (s *Server) trigger(ws []watcher, ev WatchEvent) {
	for _, w := range ws {
		if s.connected(w.Session, w.Client) {
			_, ev.Conn, _ = s.stamp(w.Session)
			s.ctx.Send(w.Client, ev)
			s.ctx.Count("watch-events", 1)
		}
	}
}

// closeConnections drops every client, as a server does when it stops
// serving: they reconnect elsewhere within their session timeout.
func (s *Server) closeConnections() {
	ids := make([]int64, 0, len(s.conns))
	for id := range s.conns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := s.conns[id]
		s.ctx.Send(c.client, Closed{Conn: Conn{Attempt: c.attempt}, Session: id})
	}
	clear(s.conns)
	clear(s.dataWatch)
	s.childWatch = nil
}

// ZnodeState is one child of /lock as the panel shows it.
type ZnodeState struct {
	Name   string `json:"name"`
	Owner  string `json:"ephemeral_owner"` // session id
	Client string `json:"client"`
	Czxid  string `json:"czxid"`
	Holder bool   `json:"holder,omitempty"` // the lowest sequence number holds the lock
}

// SessionState is one session as the panel shows it.
type SessionState struct {
	ID        string `json:"id"`
	Client    string `json:"client"`
	TimeoutMs int64  `json:"timeout_ms"`
	ExpiresMs *int64 `json:"expires_in_ms,omitempty"` // the leader's countdown
}

// ServerState is what the browser panel shows of a server.
type ServerState struct {
	Role        Role           `json:"role"`
	Leader      string         `json:"leader,omitempty"`
	Serving     bool           `json:"serving"`
	Epoch       int64          `json:"epoch"`
	Zxid        string         `json:"zxid"`
	Uncommitted int            `json:"uncommitted"`
	Lock        []ZnodeState   `json:"lock"`
	Sessions    []SessionState `json:"sessions"`
	Connected   []string       `json:"connected_clients"`
	Watches     int            `json:"watches"`
}

// Inspect returns the znode tree with owners, the sessions, the zxid and
// the server's role.
func (s *Server) Inspect() any {
	st := ServerState{Role: s.role, Serving: s.serving(), Epoch: s.epoch, Zxid: FormatZxid(s.tree.Zxid),
		Uncommitted: len(s.log), Lock: []ZnodeState{}, Sessions: []SessionState{}, Connected: []string{}}
	if s.leader != 0 {
		st.Leader = s.name(s.leader)
	}
	clients := map[int64]string{}
	for _, ss := range s.tree.Sessions {
		clients[ss.ID] = ss.Client
		state := SessionState{ID: FormatZxid(ss.ID), Client: ss.Client, TimeoutMs: ss.Timeout.Milliseconds()}
		if t, ok := s.tracker[ss.ID]; ok && s.role == Leading && s.ctx != nil {
			left := (t.expireAt - s.ctx.Now()).Milliseconds()
			state.ExpiresMs = &left
		}
		st.Sessions = append(st.Sessions, state)
	}
	for i, n := range s.tree.Nodes {
		st.Lock = append(st.Lock, ZnodeState{Name: n.Name, Owner: FormatZxid(n.Owner), Client: clients[n.Owner], Czxid: FormatZxid(n.Czxid), Holder: i == 0})
	}
	for _, id := range slices.Sorted(maps.Keys(s.conns)) {
		st.Connected = append(st.Connected, s.conns[id].client)
	}
	st.Watches = len(s.childWatch)
	for _, ws := range s.dataWatch {
		st.Watches += len(ws)
	}
	return st
}

// sessionTimeout returns the timeout of a session in the prepared tree.
func (t DataTree) sessionTimeout(id int64) (time.Duration, bool) {
	i, ok := slices.BinarySearchFunc(t.Sessions, id, cmpSession)
	if !ok {
		return 0, false
	}
	return t.Sessions[i].Timeout, true
}
