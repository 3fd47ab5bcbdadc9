// Package replica is the asynchronous primary–replica pair with automatic
// failover that the setnx and dblock lock servers share: a Redis primary
// streaming its writes to a replica that Redis Sentinel promotes when the
// primary goes silent ("Redis replication" and "High availability with Redis
// Sentinel" in the Redis docs), or a MySQL primary with a binlog replica and a
// failover manager. Both follow the same shape, so it is written once.
//
// How it is modelled:
//   - The primary applies a write, answers the client, and only then sends the
//     write's effect to the replica (Propagate). It never waits for the
//     replica: that is what asynchronous means, and it is where a grant can be
//     lost.
//   - The replica applies effects in offset order. A gap (a lost message, a
//     new primary, a restarted one) makes it ask for a resync (PSYNC); the
//     primary answers with a full copy of its state (FULLRESYNC). Redis can
//     often resync partially from its backlog; a full copy of a lock server's
//     few keys is the same thing, smaller to explain.
//   - The primary pings every Heartbeat. A replica that hears nothing from its
//     primary for DownAfter, on its own clock, promotes itself. This folds
//     Sentinel into the replica: there is no separate quorum of sentinels, so
//     a replica cut off from a live primary promotes itself too, and the pair
//     runs split-brain until it hears the other again. Real Sentinel needs a
//     quorum to agree the primary is down, but when the quorum sits on the
//     replica's side of a partition it does exactly this (the "Example 2"
//     partition in the Sentinel docs). A clock jump on the replica can make it
//     think the primary went silent.
//   - Each promotion raises a configuration epoch. When two primaries hear of
//     each other, the one with the lower epoch steps down, becomes a replica
//     of the other and takes its full copy, throwing away whatever it
//     accepted alone — as Sentinel reconfigures a returning old master.
//   - Role and epoch are durable (Sentinel rewrites the configuration file);
//     the data's durability is the server's business.
//
// It is unsafe on purpose where the real systems are: the primary answers
// before the replica has the write, so a crash between the two loses an
// acknowledged grant, and the promoted replica hands the same lock out again.
package replica

import (
	"time"

	"coordlab/sim"
)

// Heartbeat is how often a primary pings the other servers.
const Heartbeat = 100 * time.Millisecond

// DownAfter is how long a replica hears nothing from its primary before it
// takes over: Sentinel's down-after-milliseconds, scaled down from its
// 30-second default so that a lesson shows a failover within seconds.
const DownAfter = time.Second

// Role is a server's part in the pair.
type Role uint8

// The roles.
const (
	Primary Role = iota
	Replica
)

var roleNames = [...]string{"primary", "replica"}

// String returns "primary" or "replica".
func (r Role) String() string { return roleNames[r] }

// MarshalText writes the role's name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// State is the data a server replicates.
type State interface {
	// Apply applies one effect a primary propagated.
	Apply(effect any)
	// Snapshot returns a copy of the whole state for a full resync. It must
	// not share memory with the live state.
	Snapshot() any
	// Restore replaces the state with a snapshot.
	Restore(snapshot any)
}

// Ping is a primary's heartbeat, with where its replication stream is.
type Ping struct {
	Epoch  int64
	ReplID uint64
	Offset int64
}

// Kind names the message.
func (Ping) Kind() string { return "PING" }

// Replicate carries one write's effect from the primary to a replica.
type Replicate struct {
	Epoch  int64
	ReplID uint64
	Offset int64
	Effect any
}

// Kind names the message.
func (Replicate) Kind() string { return "REPLICATE" }

// Psync is a replica's request for a resync.
type Psync struct{}

// Kind names the message.
func (Psync) Kind() string { return "PSYNC" }

// FullSync is the primary's answer to Psync: all of its state.
type FullSync struct {
	Epoch    int64
	ReplID   uint64
	Offset   int64
	Snapshot any
}

// Kind names the message.
func (FullSync) Kind() string { return "FULLRESYNC" }

// ReadOnly is a replica's answer to a client's write: it names the primary it
// follows ("" if it knows none), as Redis answers -READONLY and a MySQL
// replica refuses writes under read_only.
type ReadOnly struct{ Primary string }

// Kind names the message.
func (ReadOnly) Kind() string { return "READONLY" }

// RoleChanged is observed when a server becomes primary or replica after the
// start: a failover or a step-down.
type RoleChanged struct {
	Server  string
	Role    string // "primary" or "replica"
	Epoch   int64
	Primary string // whom a new replica follows
}

// config is what survives a crash: the role (Sentinel's rewritten
// configuration file).
type config struct {
	Role    Role
	Epoch   int64
	Primary string
}

type tick struct{}

// Node is one server's replication state. A server embeds it, calls Start
// from its own Start, and hands it messages and timers first.
type Node struct {
	ctx     *sim.Context
	state   State
	servers []string
	role    Role
	epoch   int64
	primary string // the primary a replica follows
	replID  uint64 // the replication stream a replica follows (0: none yet)
	offset  int64
	heard   time.Duration // replica: local time it last heard its primary
	askedAt time.Duration // replica: when it last asked for a resync
	asked   bool
	// Promoted is called when this server becomes primary after the start.
	Promoted func()
}

// Start restores the role and starts the heartbeat. The first of servers is
// the primary of a fresh pair; with a single server there is no replication
// and it is the primary for good.
func (n *Node) Start(ctx *sim.Context, state State, servers []string) {
	n.ctx, n.state, n.servers = ctx, state, servers
	n.role, n.primary = Replica, servers[0]
	if ctx.Name() == servers[0] {
		n.role, n.primary = Primary, ""
	}
	if v, ok := ctx.Durable().Get("replication"); ok {
		c := v.(config)
		n.role, n.epoch, n.primary = c.Role, c.Epoch, c.Primary
	}
	if n.role == Primary {
		n.startStream()
	} else {
		ctx.Unpublish("leader")
		n.heard = ctx.Now()
		n.resync()
	}
	if len(servers) > 1 {
		ctx.SetTimer(Heartbeat, tick{})
	}
}

// IsPrimary reports whether this server takes writes.
func (n *Node) IsPrimary() bool { return n.role == Primary }

// Primary returns the primary a replica follows ("" if none or if this
// server is the primary).
func (n *Node) Primary() string { return n.primary }

// startStream begins a new replication stream as primary.
func (n *Node) startStream() {
	n.replID = n.ctx.Rand().Uint64() | 1
	n.offset = 0
	n.ctx.Publish("leader")
	n.pingAll()
}

func (n *Node) ping() Ping { return Ping{Epoch: n.epoch, ReplID: n.replID, Offset: n.offset} }

func (n *Node) pingAll() {
	for _, s := range n.servers {
		if s != n.ctx.Name() {
			n.ctx.Send(s, n.ping())
		}
	}
}

// Propagate sends one applied write's effect to the replicas. Only a primary
// calls it, after it has answered the client.
func (n *Node) Propagate(effect any) {
	if n.role != Primary || len(n.servers) < 2 {
		return
	}
	n.offset++
	for _, s := range n.servers {
		if s != n.ctx.Name() {
			n.ctx.Send(s, Replicate{Epoch: n.epoch, ReplID: n.replID, Offset: n.offset, Effect: effect})
		}
	}
}

// Timer handles the heartbeat; it returns false for a tag that is not its own.
func (n *Node) Timer(tag any) bool {
	if _, ok := tag.(tick); !ok {
		return false
	}
	n.ctx.SetTimer(Heartbeat, tick{})
	if n.role == Primary {
		// Publish again: a stale primary that stepped down may have taken
		// the name with it.
		n.ctx.Publish("leader")
		n.pingAll()
	} else if n.ctx.Now()-n.heard >= DownAfter {
		n.promote()
	}
	return true
}

// Receive handles a replication message; it returns false for any other.
func (n *Node) Receive(from string, msg sim.Message) bool {
	switch m := msg.(type) {
	case Ping:
		if n.heardPrimary(from, m.Epoch) && (m.ReplID != n.replID || m.Offset > n.offset) {
			n.resync()
		}
	case Replicate:
		if !n.heardPrimary(from, m.Epoch) {
			return true
		}
		switch {
		case m.ReplID == n.replID && m.Offset == n.offset+1:
			n.state.Apply(m.Effect)
			n.offset++
		case m.ReplID == n.replID && m.Offset <= n.offset:
			// a duplicate
		default:
			n.resync()
		}
	case Psync:
		if n.role == Primary {
			n.ctx.Send(from, FullSync{Epoch: n.epoch, ReplID: n.replID, Offset: n.offset, Snapshot: n.state.Snapshot()})
		}
	case FullSync:
		if n.heardPrimary(from, m.Epoch) {
			n.state.Restore(m.Snapshot)
			n.replID, n.offset, n.asked = m.ReplID, m.Offset, false
		}
	default:
		return false
	}
	return true
}

// heardPrimary handles a message from a server acting as primary in epoch
// epoch. It returns true when this server now follows that one.
func (n *Node) heardPrimary(from string, epoch int64) bool {
	if n.role == Primary {
		if epoch > n.epoch || (epoch == n.epoch && from < n.ctx.Name()) {
			n.stepDown(from, epoch)
			return true
		}
		n.ctx.Send(from, n.ping()) // tell the stale primary who leads now
		return false
	}
	if epoch < n.epoch {
		return false // a deposed primary that has not heard yet
	}
	if from != n.primary || epoch != n.epoch {
		n.primary, n.epoch, n.replID = from, epoch, 0
		n.save()
	}
	n.heard = n.ctx.Now()
	return true
}

// resync asks the primary for a full copy, at most once a heartbeat.
func (n *Node) resync() {
	now := n.ctx.Now()
	if n.primary == "" || (n.asked && now-n.askedAt < Heartbeat) {
		return
	}
	n.asked, n.askedAt = true, now
	n.ctx.Send(n.primary, Psync{})
}

// promote makes a replica whose primary went silent the primary, with the
// data it has: whatever had not reached it is gone.
func (n *Node) promote() {
	n.role, n.primary = Primary, ""
	n.epoch++
	n.save()
	n.ctx.Count("failovers", 1)
	n.ctx.Observe(RoleChanged{Server: n.ctx.Name(), Role: "primary", Epoch: n.epoch})
	n.startStream()
	if n.Promoted != nil {
		n.Promoted()
	}
}

// stepDown turns a primary that heard of a newer one into its replica.
func (n *Node) stepDown(primary string, epoch int64) {
	n.role, n.primary, n.epoch = Replica, primary, epoch
	n.replID, n.offset = 0, 0
	n.heard = n.ctx.Now()
	n.save()
	n.ctx.Unpublish("leader")
	n.ctx.Observe(RoleChanged{Server: n.ctx.Name(), Role: "replica", Epoch: epoch, Primary: primary})
}

func (n *Node) save() {
	n.ctx.Durable().Put("replication", config{Role: n.role, Epoch: n.epoch, Primary: n.primary})
}

// Status is what the browser panel shows of a server's replication.
type Status struct {
	Role    Role   `json:"role"`
	Epoch   int64  `json:"epoch"`
	Primary string `json:"primary,omitempty"`
	Offset  int64  `json:"offset"`
}

// Inspect returns the replication status (nil without replication).
func (n *Node) Inspect() *Status {
	if len(n.servers) < 2 {
		return nil
	}
	return &Status{Role: n.role, Epoch: n.epoch, Primary: n.primary, Offset: n.offset}
}

// Target is a client's idea of which server is the primary. Clients start
// with the first, follow a ReadOnly answer's hint, and try the next server
// when a request goes unanswered — how a Sentinel-aware client or a database
// driver with a list of hosts finds the new primary after a failover.
type Target struct {
	servers []string
	i       int
}

// NewTarget returns a target starting at the first server.
func NewTarget(servers []string) Target { return Target{servers: servers} }

// Server returns the server the client believes is primary.
func (t *Target) Server() string { return t.servers[t.i] }

// Follow switches to the named server, or to the next one if it is unknown.
func (t *Target) Follow(name string) {
	for i, s := range t.servers {
		if s == name {
			t.i = i
			return
		}
	}
	t.Next()
}

// Next switches to the next server in the list.
func (t *Target) Next() { t.i = (t.i + 1) % len(t.servers) }
