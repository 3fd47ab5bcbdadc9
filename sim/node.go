package sim

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Message is anything one node sends another. Kind names it in the trace
// ("SET", "AppendEntries"). A message must not be changed after it is sent:
// a duplicated message is delivered twice as the same value.
type Message interface {
	Kind() string
}

// Node is one simulated process. The world calls its handlers one at a time,
// never concurrently; a handler acts only through its Context. A crash throws
// the Node value away (its fields are its volatile state) and a restart builds
// a new one with the factory given to AddNode, so only what the node put in
// its durable Store survives.
type Node interface {
	Start(ctx *Context)
	Receive(ctx *Context, from string, msg Message)
	Timer(ctx *Context, tag any)
}

// Inspector is implemented by nodes whose state a viewer can show (a
// keyspace, a Raft log). Inspect returns a plain value that encodes to JSON.
type Inspector interface {
	Inspect() any
}

// TimerID identifies a timer so it can be cancelled.
type TimerID uint64

// Store is a node's durable storage: what it keeps survives a crash and a
// restart. Values must be treated as immutable once stored.
type Store struct{ m map[string]any }

// Get returns the value stored under key.
func (s *Store) Get(key string) (any, bool) {
	v, ok := s.m[key]
	return v, ok
}

// Put stores v under key.
func (s *Store) Put(key string, v any) {
	if s.m == nil {
		s.m = make(map[string]any)
	}
	s.m[key] = v
}

// Delete removes key.
func (s *Store) Delete(key string) { delete(s.m, key) }

// Keys returns the stored keys in sorted order.
func (s *Store) Keys() []string {
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Status is a node's condition.
type Status uint8

// The conditions a node can be in.
const (
	Up Status = iota
	Crashed
	Paused
)

var statusNames = [...]string{"up", "crashed", "paused"}

// String returns "up", "crashed" or "paused".
func (s Status) String() string { return statusNames[s] }

// MarshalText writes the status's name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

type timer struct {
	deadline time.Duration // in the node's local time
	tag      any
	node     int32
	serial   uint64 // the timer's number in the run, in the trace as its id
	gen      uint32 // bumped when the timer is rescheduled after a clock change
	live     bool
}

// node is the world's record of one simulated process.
type node struct {
	index   int32
	name    string
	role    string
	factory func() Node
	impl    Node
	status  Status
	epoch   uint32 // incremented by each crash: in-flight messages to an older epoch are dropped
	pauses  uint64 // counts pauses: a timed resume ends only the pause that set it
	clock   clock
	pending []event // events that arrived while paused
	store   Store
	rng     *rand.Rand
	ctx     Context
	started bool
	// peers remembers the last few nodes this one sent to, replaced in
	// turn (see World.lookup).
	peers    [4]peer
	nextPeer int
}

// peer is a destination a node sent to: its name and index.
type peer struct {
	name  string
	index int32
}

// Role returns the role part of a node name: "client" for "client-2".
func Role(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		return name[:i]
	}
	return name
}

// Context is a node's handle on the world, passed to every handler.
type Context struct {
	w *World
	n *node
}

// Name returns the node's name ("redis-1").
func (c *Context) Name() string { return c.n.name }

// Now returns the node's local clock, which may be offset, drift or jump: it
// is not the true time, which no node can read.
func (c *Context) Now() time.Duration { return c.n.clock.local(c.w.now) }

// Rand returns the node's own random stream, derived from the run's seed.
func (c *Context) Rand() *rand.Rand { return c.n.rng }

// Durable returns the node's durable store.
func (c *Context) Durable() *Store { return &c.n.store }

// Send sends msg to the node named to. It may be delayed, lost, duplicated or
// blocked by a partition; the sender is never told.
func (c *Context) Send(to string, msg Message) {
	c.w.send(c.n, to, msg)
}

// SetTimer arms a timer that fires after d has passed on the node's own
// clock: a fast clock fires it early in true time, a clock jumped forward
// fires it at once. The tag is handed back to Timer.
func (c *Context) SetTimer(d time.Duration, tag any) TimerID {
	return c.w.setTimer(c.n, d, tag)
}

// CancelTimer stops a timer. Cancelling a fired or unknown timer does nothing.
func (c *Context) CancelTimer(id TimerID) { c.w.cancelTimer(c.n, id) }

// Observe appends v to the run's history, stamped with the true time and the
// node's name. Checkers read the history. v must be a plain value: no
// pointers, maps or functions, so that it prints the same in every run.
func (c *Context) Observe(v any) { c.w.observe(c.n, v) }

// Publish makes this node the one the symbolic name (such as "holder" or
// "leader") stands for in faults, from now on.
func (c *Context) Publish(symbol string) { c.w.publish(symbol, c.n.name) }

// Unpublish clears the symbolic name if it stands for this node.
func (c *Context) Unpublish(symbol string) {
	if c.w.symbols[symbol] == c.n.name {
		c.w.publish(symbol, "")
	}
}

// Count adds delta to a metric of the run.
func (c *Context) Count(metric string, delta float64) { c.w.metrics[metric] += delta }

// SetMetric sets a metric of the run.
func (c *Context) SetMetric(metric string, v float64) { c.w.metrics[metric] = v }

// Nodes returns the names of the nodes with the given role, in order.
func (c *Context) Nodes(role string) []string { return c.w.NodesWithRole(role) }
