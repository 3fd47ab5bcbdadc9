package zklock

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LockPath is the lock node of the recipe (the recipe's "_locknode_").
const LockPath = "/lock"

// Znode is one child of /lock: an ephemeral sequential node.
type Znode struct {
	Name  string // "_c_9f3a...-lock-0000000004"
	Seq   int    // the sequence suffix
	Owner int64  // the session that created it (its ephemeral owner)
	Czxid int64  // the zxid of the transaction that created it: the fencing token
}

// Session is a client session the ensemble knows.
type Session struct {
	ID      int64
	Timeout time.Duration
	Client  string // who opened it, for the panel and for expiry notices
}

// DataTree is the replicated state: the children of /lock and the open
// sessions. It is copy-on-write — Apply returns a new tree and never changes
// the slices of the old one — so a tree can be stored in the durable store,
// sent in a snapshot and kept as the leader's prepared state at no risk.
type DataTree struct {
	Zxid     int64     // the last transaction applied
	Cversion int       // /lock's child version: the next sequence number
	Nodes    []Znode   // sorted by Seq
	Sessions []Session // sorted by ID
}

// TxnType names a transaction.
type TxnType uint8

// The transactions the leader proposes.
const (
	TxnCreateSession TxnType = iota + 1
	TxnCloseSession
	TxnCreate
	TxnDelete
	TxnError // a request that failed; it is ordered like the others so the client's answers stay in order
)

var txnNames = [...]string{"", "createSession", "closeSession", "create", "delete", "error"}

// String names the transaction.
func (t TxnType) String() string { return txnNames[t] }

// MarshalText writes the transaction's name.
func (t TxnType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Txn is one transaction of the replicated log. The leader fills in its
// whole effect (the sequential name, the session id) so that every server
// applies it the same way.
type Txn struct {
	Zxid    int64
	Type    TxnType
	Op      string // the client's operation, for the answer
	Session int64
	Timeout time.Duration // createSession
	Client  string        // the client that asked
	Name    string        // create, delete: the child of /lock
	Err     string        // error: what the client is told
	Origin  string        // the server the client is connected to: it answers
	Xid     Number        // the client's request number
	Attempt Number        // createSession: the client's connection attempt
}

// Effects is what applying transactions changed, for watches and for the
// servers' connected clients.
type Effects struct {
	Created, Deleted []string // children of /lock
	Closed           []int64  // sessions closed
}

func (e *Effects) any() bool { return len(e.Created)+len(e.Deleted)+len(e.Closed) > 0 }

// Epoch returns the epoch part of a zxid (its high 32 bits).
func Epoch(zxid int64) int64 { return zxid >> 32 }

// Zxid builds a zxid from an epoch and a counter, as ZooKeeper does.
func Zxid(epoch int64, counter int64) int64 { return epoch<<32 | counter }

// FormatZxid writes a zxid as ZooKeeper's logs do: 0x100000004.
func FormatZxid(z int64) string { return "0x" + strconv.FormatInt(z, 16) }

// SeqName returns the sequential name the leader gives a new child:
// prefix followed by the parent's cversion in ten digits.
func SeqName(prefix string, cversion int) string { return fmt.Sprintf("%s%010d", prefix, cversion) }

// SeqOf returns the sequence suffix of a child's name, or -1.
func SeqOf(name string) int {
	if len(name) < 10 {
		return -1
	}
	n, err := strconv.Atoi(name[len(name)-10:])
	if err != nil {
		return -1
	}
	return n
}

// Node returns the child with the given name.
func (t DataTree) Node(name string) (Znode, bool) {
	for _, n := range t.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Znode{}, false
}

// HasSession reports whether the session is open.
func (t DataTree) HasSession(id int64) bool {
	_, ok := slices.BinarySearchFunc(t.Sessions, id, cmpSession)
	return ok
}

// Children returns the names of /lock's children, in sequence order.
func (t DataTree) Children() []string {
	names := make([]string, len(t.Nodes))
	for i, n := range t.Nodes {
		names[i] = n.Name
	}
	return names
}

func cmpSession(s Session, id int64) int {
	switch {
	case s.ID < id:
		return -1
	case s.ID > id:
		return 1
	}
	return 0
}

// Apply applies one transaction and returns the new tree, leaving t as it
// was, and what changed. A closeSession deletes every ephemeral node the
// session owns: that is how a dead client's lock is freed.
func (t DataTree) Apply(txn Txn, fx *Effects) DataTree {
	t.Zxid = txn.Zxid
	switch txn.Type {
	case TxnCreateSession:
		i, ok := slices.BinarySearchFunc(t.Sessions, txn.Session, cmpSession)
		if !ok {
			t.Sessions = slices.Insert(slices.Clip(t.Sessions), i, Session{ID: txn.Session, Timeout: txn.Timeout, Client: txn.Client})
		}
	case TxnCloseSession:
		if i, ok := slices.BinarySearchFunc(t.Sessions, txn.Session, cmpSession); ok {
			t.Sessions = slices.Delete(slices.Clone(t.Sessions), i, i+1)
			fx.Closed = append(fx.Closed, txn.Session)
		}
		var kept []Znode
		for _, n := range t.Nodes {
			if n.Owner == txn.Session {
				fx.Deleted = append(fx.Deleted, n.Name)
				t.Cversion++
				continue
			}
			kept = append(kept, n)
		}
		if len(kept) != len(t.Nodes) {
			t.Nodes = kept
		}
	case TxnCreate:
		t.Nodes = append(slices.Clip(t.Nodes), Znode{Name: txn.Name, Seq: SeqOf(txn.Name), Owner: txn.Session, Czxid: txn.Zxid})
		t.Cversion++
		fx.Created = append(fx.Created, txn.Name)
	case TxnDelete:
		for i, n := range t.Nodes {
			if n.Name == txn.Name {
				t.Nodes = slices.Delete(slices.Clone(t.Nodes), i, i+1)
				t.Cversion++
				fx.Deleted = append(fx.Deleted, txn.Name)
				break
			}
		}
	}
	return t
}

// Diff returns what changed from old to t, for a server that installed a
// snapshot instead of applying transactions one by one.
func (t DataTree) Diff(old DataTree) Effects {
	var fx Effects
	for _, n := range old.Nodes {
		if _, ok := t.Node(n.Name); !ok {
			fx.Deleted = append(fx.Deleted, n.Name)
		}
	}
	for _, n := range t.Nodes {
		if _, ok := old.Node(n.Name); !ok {
			fx.Created = append(fx.Created, n.Name)
		}
	}
	for _, s := range old.Sessions {
		if !t.HasSession(s.ID) {
			fx.Closed = append(fx.Closed, s.ID)
		}
	}
	return fx
}

// Prepare turns a client's write request into a transaction against the
// leader's prepared state (the committed tree with every outstanding
// proposal applied), as ZooKeeper's PrepRequestProcessor does: a sequential
// create gets its name from the parent's cversion, and a request that cannot
// succeed becomes an error transaction.
func (t DataTree) Prepare(req Request) Txn {
	txn := Txn{Session: req.Session, Xid: req.Xid, Op: req.Op}
	switch {
	case req.Op != OpCreate && req.Op != OpDelete:
		txn.Type, txn.Err = TxnError, ErrBadArguments
	case !t.HasSession(req.Session):
		txn.Type, txn.Err = TxnError, ErrSessionExpired
	case req.Op == OpCreate:
		prefix := strings.TrimPrefix(req.Path, LockPath+"/")
		txn.Type, txn.Name = TxnCreate, SeqName(prefix, t.Cversion)
	default:
		name := strings.TrimPrefix(req.Path, LockPath+"/")
		if _, ok := t.Node(name); !ok {
			txn.Type, txn.Err = TxnError, ErrNoNode
		} else {
			txn.Type, txn.Name = TxnDelete, name
		}
	}
	return txn
}
