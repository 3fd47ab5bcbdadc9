package crdt

import (
	"slices"
	"strconv"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Update asks a replica to apply one operation: "inc" or "dec" on a counter,
// "add" or "remove" of Elem on a set, or "get" to read the value.
type Update struct {
	Op     uint64 // the client's operation number
	Action string
	Elem   string
}

// UpdateAck answers an Update: the value after it, and for a remove whether
// the replica held the element ("removed") or not ("absent").
type UpdateAck struct {
	Op     uint64
	Value  string
	Output string
}

// Gossip carries a replica's whole state to a peer, which merges it.
type Gossip struct {
	State State
}

// Kind names the message in the trace: its action ("inc", "add").
func (m Update) Kind() string { return m.Action }

// Kind names the message in the trace.
func (UpdateAck) Kind() string { return "ack" }

// Kind names the message in the trace.
func (Gossip) Kind() string { return "gossip" }

// gossipTick is the replica's gossip timer.
type gossipTick struct{}

// replica holds one copy of the data type. It applies clients' updates at
// once, without coordination, and every gossip interval sends its state to
// the next peer in turn. Its state and its tag counter are durable. It
// observes a check.ReplicaState whenever its state changes, and when it
// starts.
//
// Merging states is idempotent, applying an operation is not: an increment
// the network delivers twice would count twice. So a replica remembers each
// client's last operation number and answers a copy of it again without
// applying it, as a client connection would discard a duplicated request.
type replica struct {
	cfg   *config
	self  int
	name  string
	state State
	str   string               // state.String(), kept: merges compare it on every gossip
	seq   uint64               // adds tagged by this replica, for unique OR-Set tags
	peer  int                  // the next peer to gossip to, counted from self
	acked map[string]UpdateAck // each client's last operation and its answer
}

func newReplica(cfg *config, self int) *replica {
	return &replica{cfg: cfg, self: self, name: cfg.replicas[self], acked: map[string]UpdateAck{}}
}

// Start reloads the durable state and starts gossiping.
func (n *replica) Start(ctx *sim.Context) {
	n.state = newState(n.cfg.kind, len(n.cfg.replicas))
	if v, ok := ctx.Durable().Get("state"); ok {
		n.state = v.(State)
	}
	n.str = n.state.String()
	if v, ok := ctx.Durable().Get("seq"); ok {
		n.seq = v.(uint64)
	}
	n.observe(ctx)
	if len(n.cfg.replicas) > 1 {
		ctx.SetTimer(n.cfg.gossip, gossipTick{})
	}
}

// Receive applies a client's update or merges a peer's state.
func (n *replica) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Update:
		if last, ok := n.acked[from]; ok && m.Op <= last.Op {
			if m.Op == last.Op {
				ctx.Send(from, last) // a duplicate: answer it again, apply nothing
			}
			return // an older operation overtaken by a newer one
		}
		ack := UpdateAck{Op: m.Op, Output: n.update(ctx, m)}
		ack.Value = n.state.Value()
		n.acked[from] = ack
		ctx.Send(from, ack)
	case Gossip:
		n.set(ctx, n.state.Merge(m.State))
	}
}

// Timer sends the state to the next peer, round robin, so that within
// replicas-1 intervals every peer has heard from this replica directly.
func (n *replica) Timer(ctx *sim.Context, _ any) {
	n.peer = n.peer%(len(n.cfg.replicas)-1) + 1
	ctx.Send(n.cfg.replicas[(n.self+n.peer)%len(n.cfg.replicas)], Gossip{State: n.state})
	ctx.SetTimer(n.cfg.gossip, gossipTick{})
}

// update applies one operation to the local state and returns its output.
func (n *replica) update(ctx *sim.Context, m Update) string {
	switch s := n.state.(type) {
	case GCounter:
		if m.Action == "inc" {
			n.set(ctx, s.Inc(n.self))
		}
	case PNCounter:
		switch m.Action {
		case "inc":
			n.set(ctx, PNCounter{P: s.P.Inc(n.self), N: s.N})
		case "dec":
			n.set(ctx, PNCounter{P: s.P, N: s.N.Inc(n.self)})
		}
	case ORSet:
		switch m.Action {
		case "add":
			n.seq++
			ctx.Durable().Put("seq", n.seq)
			n.set(ctx, s.Add(m.Elem, n.name+":"+strconv.FormatUint(n.seq, 10)))
		case "remove":
			next, found := s.Remove(m.Elem)
			n.set(ctx, next)
			return presence(found)
		}
	case LWWRegister:
		return n.assign(ctx, s, m)
	}
	return ""
}

// assign reads the register's set, changes it and writes it back with a
// timestamp from this replica's clock, never below the one it replaces so
// that the replica's own updates stay in order.
func (n *replica) assign(ctx *sim.Context, r LWWRegister, m Update) string {
	i, found := slices.BinarySearch(r.Elems, m.Elem)
	elems := r.Elems
	switch {
	case m.Action == "add" && !found:
		elems = slices.Insert(slices.Clone(r.Elems), i, m.Elem)
	case m.Action == "remove" && found:
		elems = slices.Delete(slices.Clone(r.Elems), i, i+1)
	case m.Action != "add" && m.Action != "remove":
		return ""
	}
	n.set(ctx, LWWRegister{Elems: elems, TS: max(ctx.Now(), r.TS+1), Writer: n.name})
	if m.Action == "remove" {
		return presence(found)
	}
	return ""
}

func presence(found bool) string {
	if found {
		return "removed"
	}
	return "absent"
}

// set replaces the state, keeps it durable and observes it if it changed.
func (n *replica) set(ctx *sim.Context, s State) {
	str := s.String()
	if str == n.str {
		return
	}
	n.state, n.str = s, str
	ctx.Durable().Put("state", s)
	n.observe(ctx)
}

func (n *replica) observe(ctx *sim.Context) {
	ctx.Observe(check.ReplicaState{Replica: n.name, Value: n.state.Value(), State: n.str})
}

// ReplicaView is what the mechanism panel shows of a replica.
type ReplicaView struct {
	Value string `json:"value"`
	State string `json:"state"`
}

// Inspect shows the replica's value and whole state.
func (n *replica) Inspect() any {
	if n.state == nil {
		return ReplicaView{}
	}
	return ReplicaView{Value: n.state.Value(), State: n.str}
}
