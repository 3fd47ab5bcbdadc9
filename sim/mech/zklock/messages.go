package zklock

import (
	"time"

	"coordlab/sim/mech"
)

// Client requests, as the ZooKeeper client library sends them. Op names the
// operation; one client has at most one request outstanding besides its
// pings, which keeps its requests in order over a network that reorders.
const (
	OpCreate      = "create"      // create(path, EPHEMERAL_SEQUENTIAL)
	OpGetChildren = "getChildren" // getChildren(/lock, watch)
	OpExists      = "exists"      // exists(path, watch)
	OpDelete      = "delete"      // delete(path, -1)
	OpPing        = "ping"
)

// The errors a server answers with (ZooKeeper's KeeperException codes).
const (
	ErrSessionExpired = "SESSIONEXPIRED"
	ErrNoNode         = "NONODE"
	ErrBadArguments   = "BADARGUMENTS"
	ErrSessionMoved   = "SESSIONMOVED"
)

// Number is a client's connection-attempt or request number (Attempt,
// Xid). A client counts both from mech.FirstRequest of its incarnation: a
// real restarted process has new connections, so the answers to its crashed
// predecessor's requests never reach it, but in the simulation they can, and
// a new process numbering from 1 again would take them for answers on its
// own connection attempt of the same number: its predecessor's session, its
// predecessor's znode, a watch it never set.
type Number int64

// String writes the number within its incarnation and, after a restart,
// the incarnation: 3, 3@life2.
func (n Number) String() string { return mech.RequestString(uint64(n)) }

// Conn places a server-to-client message on one connection: the client's
// connection attempt and the message's position on it. ZooKeeper talks to
// a client over TCP, which delivers in order and breaks rather than lose a
// message; the simulated network reorders and loses, so the client
// reorders by Seq and treats a gap that does not fill as a broken
// connection. Seq 0 is out of band (a refusal, a close).
type Conn struct {
	Attempt Number
	Seq     int64
}

// Connect opens a session (Session 0) or moves an existing one to this
// server after the client lost its previous server.
type Connect struct {
	Session int64
	Timeout time.Duration
	// Attempt numbers the client's connection attempts. The leader lets a
	// session move only to a newer attempt, so a connect that waited in a
	// paused server's queue cannot take the session back from the server
	// the client moved to since (TCP would have closed that connection).
	Attempt Number
}

// Kind names the message.
func (Connect) Kind() string { return "connect" }

// ConnectReply accepts the connection, or says the session has expired.
type ConnectReply struct {
	Conn    Conn
	Session int64
	Timeout time.Duration
	Err     string
}

// Kind names the message.
func (ConnectReply) Kind() string { return "connect-reply" }

// Request is a client operation on its session.
type Request struct {
	Attempt Number // the connection it was sent on
	Session int64
	Xid     Number
	Op      string
	Path    string
	Watch   bool
}

// Kind names the message after its operation.
func (r Request) Kind() string { return r.Op }

// Reply answers a Request.
type Reply struct {
	Conn     Conn
	Xid      Number
	Op       string
	Err      string
	Name     string   // create: the sequential name given
	Czxid    int64    // create, exists: the node's creation zxid
	Exists   bool     // exists
	Children []string // getChildren
}

// Kind names the message after its operation.
func (r Reply) Kind() string { return r.Op + "-reply" }

// WatchEvent is a one-shot watch firing: NodeDeleted for an exists watch,
// NodeChildrenChanged for a getChildren watch.
type WatchEvent struct {
	Conn Conn
	Type string
	Path string
}

// Kind names the message.
func (WatchEvent) Kind() string { return "watch" }

// Closed tells a client its server closed the connection: the server lost
// its leader or is not serving, or (Expired) the session has expired.
type Closed struct {
	Conn    Conn // out of band: Seq 0
	Session int64
	Expired bool
}

// Kind names the message.
func (c Closed) Kind() string {
	if c.Expired {
		return "session-expired"
	}
	return "connection-closed"
}

// Messages between servers: the election and the atomic broadcast.

// Vote is a server's choice of leader in the election: ZooKeeper's fast
// leader election orders votes by epoch, then zxid, then server id.
type Vote struct {
	Leader int   // server id (the N of zk-N)
	Zxid   int64 // the last zxid the candidate has logged
	Epoch  int64
}

// Better reports whether v beats o.
func (v Vote) Better(o Vote) bool {
	if v.Epoch != o.Epoch {
		return v.Epoch > o.Epoch
	}
	if v.Zxid != o.Zxid {
		return v.Zxid > o.Zxid
	}
	return v.Leader > o.Leader
}

// Notification carries a server's vote and state in an election round.
type Notification struct {
	Round int64
	Vote  Vote
	State Role
}

// Kind names the message.
func (Notification) Kind() string { return "vote" }

// FollowerInfo is a follower's first message to the leader it elected.
type FollowerInfo struct {
	AcceptedEpoch int64
	LastZxid      int64
}

// Kind names the message.
func (FollowerInfo) Kind() string { return "FOLLOWERINFO" }

// NewLeader synchronises a follower with the leader by a full copy of the
// leader's committed state (ZooKeeper's SNAP sync), plus the proposals not
// yet committed.
type NewLeader struct {
	Epoch     int64
	Snap      DataTree
	Log       []Txn
	Committed int64
}

// Kind names the message.
func (NewLeader) Kind() string { return "NEWLEADER" }

// AckNewLeader is a follower's acceptance of the new leader's epoch and state.
type AckNewLeader struct {
	Epoch    int64
	LastZxid int64
}

// Kind names the message.
func (AckNewLeader) Kind() string { return "ACK-NEWLEADER" }

// Proposal carries transactions to log; Commit says how far the leader has
// committed. The leader's periodic Ping has the same content: it resends
// whatever a follower has not acknowledged, standing in for TCP.
type Proposal struct {
	Epoch  int64
	Txns   []Txn
	Commit int64
	Ping   bool
}

// Kind names the message.
func (p Proposal) Kind() string {
	if p.Ping {
		return "PING"
	}
	return "PROPOSAL"
}

// Ack acknowledges every transaction up to Zxid, and reports the sessions
// whose clients this follower heard from since its last Ack (the leader
// decides expiry).
type Ack struct {
	Epoch   int64
	Zxid    int64
	Touched []int64
}

// Kind names the message.
func (Ack) Kind() string { return "ACK" }

// Commit tells followers the transactions up to Zxid are committed.
type Commit struct {
	Epoch int64
	Zxid  int64
}

// Kind names the message.
func (Commit) Kind() string { return "COMMIT" }

// Goodbye is a follower's last word to the leader it leaves, standing in
// for the TCP connection it closes: the leader stops counting it at once.
type Goodbye struct{}

// Kind names the message.
func (Goodbye) Kind() string { return "GOODBYE" }

// Forward hands a client's write (or a new session) from the server it is
// connected to, Origin, to the leader.
type Forward struct {
	Origin string
	Client string
	Req    Request
	Open   time.Duration // a new session's timeout (Req.Op is "")
	// Attempt is the connection a new session is opened on.
	Attempt Number
}

// Kind names the message.
func (Forward) Kind() string { return "REQUEST" }

// Revalidate asks the leader whether a session that reconnects to Origin is
// still alive.
type Revalidate struct {
	Origin  string
	Client  string
	Session int64
	Attempt Number
}

// Kind names the message.
func (Revalidate) Kind() string { return "REVALIDATE" }

// RevalidateReply is the leader's answer.
type RevalidateReply struct {
	Client  string
	Session int64
	Timeout time.Duration
	Valid   bool
	Moved   bool // the session has since moved to a newer connection
	Attempt Number
}

// Kind names the message.
func (RevalidateReply) Kind() string { return "REVALIDATE-reply" }
