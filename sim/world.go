package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Limits bound a run so that a scenario can never hang a browser tab or a CI
// job. A run that exceeds one stops with a *LimitError.
type Limits struct {
	MaxNodes    int
	MaxDuration time.Duration
	MaxEvents   int
}

// DefaultLimits are generous for teaching scenarios and small enough to keep a
// browser responsive.
var DefaultLimits = Limits{MaxNodes: 64, MaxDuration: time.Hour, MaxEvents: 20_000_000}

// LimitError reports a run stopped at one of its Limits.
type LimitError struct {
	What  string // "nodes", "of virtual time", "events" or "events waiting at once"
	Limit string
	At    Time
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the run stopped at %v: it exceeds the limit of %s %s; make the scenario smaller", e.At, e.Limit, e.What)
}

// Config configures a World.
type Config struct {
	Seed      uint64
	Duration  time.Duration // the run ends at this virtual time
	Network   Network
	Limits    Limits // zero means DefaultLimits
	KeepTrace bool   // keep every trace event in memory (for viewers and --trace)
	// NoTrace skips the trace altogether, hash included, for runs that
	// are only measured (the CAP explorer re-runs 10,000 operations per
	// slider move): TraceHash then returns "". It does not change the run.
	NoTrace bool
}

// Observation is one entry of a run's history: something a node reported
// (a lock granted, a write accepted) or a fault the world applied, at the
// true time it happened. Checkers read only the history.
type Observation struct {
	At    Time
	Node  string
	Value any
}

// FaultEvent is the observation the world records when a fault hits a node, so
// that checkers can tell, for example, that a lock holder was down.
type FaultEvent struct {
	Kind FaultKind
	Node string
}

// World is one simulated run: virtual time, the event queue, the network, the
// nodes, the history and the trace. It is not safe for concurrent use; the UI
// drives it from one goroutine.
type World struct {
	cfg    Config
	now    Time
	seq    uint64
	q      queue
	nodes  []*node
	byName map[string]int32
	net    Network
	netRNG *rand.Rand
	links  links
	msgID  uint64
	// replyTo is the sender of the message being delivered, -1 outside a
	// delivery: a reply to it needs no lookup by name (see lookup).
	replyTo int32
	// timers is a slab of every live timer of every node; freeTimers lists
	// its empty slots.
	timers      []timer
	freeTimers  []int32
	timerSerial uint64
	events      int
	history     []Observation
	trace       *tracer
	metrics     map[string]float64
	symbols     map[string]string
	declared    map[string]bool
	waiting     []*Fault // faults on a symbolic name that stood for nobody yet
	// published lists symbols that came to stand for somebody during the
	// current event; waiting faults on them fire right after it, so a
	// handler is never cut short in the middle.
	published []string
	ended     bool
	err       error
}

// New returns an empty world. Add nodes, schedule faults, then step or run it.
func New(cfg Config) *World {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	return &World{
		cfg:      cfg,
		byName:   make(map[string]int32),
		replyTo:  -1,
		net:      cfg.Network,
		netRNG:   newStream(cfg.Seed, "network"),
		trace:    newTracer(cfg.KeepTrace),
		metrics:  make(map[string]float64),
		symbols:  make(map[string]string),
		declared: make(map[string]bool),
	}
}

// AddNode adds a node whose volatile state factory builds, at start and at
// every restart. Nodes start at time 0 in the order they were added.
func (w *World) AddNode(name string, factory func() Node) error {
	if _, dup := w.byName[name]; dup {
		return fmt.Errorf("node %q added twice", name)
	}
	if len(w.nodes) >= w.cfg.Limits.MaxNodes {
		return &LimitError{What: "nodes", Limit: fmt.Sprint(w.cfg.Limits.MaxNodes)}
	}
	n := &node{
		index:   int32(len(w.nodes)),
		name:    name,
		role:    Role(name),
		factory: factory,
		clock:   clock{rate: 1},
		rng:     newStream(w.cfg.Seed, "node/"+name),
	}
	n.ctx = Context{w: w, n: n}
	w.nodes = append(w.nodes, n)
	w.byName[name] = n.index
	w.links.grow(len(w.nodes))
	w.push(event{kind: evStart, node: n.index})
	return nil
}

// SetClock sets a node's initial clock offset and rate before the run starts.
func (w *World) SetClock(name string, offset time.Duration, rate float64) error {
	i, ok := w.byName[name]
	if !ok {
		return fmt.Errorf("no node %q", name)
	}
	if !validRate(rate) {
		return fmt.Errorf("clock rate of %s must be from %v to %v, got %v", name, MinClockRate, MaxClockRate, rate)
	}
	w.nodes[i].clock = clock{base: offset, rate: rate}
	return nil
}

// DeclareSymbol allows faults to name symbol ("holder", "leader"); the
// mechanism's nodes publish whom it stands for as the run goes.
func (w *World) DeclareSymbol(symbol string) { w.declared[symbol] = true }

// Now returns the current virtual time.
func (w *World) Now() Time { return w.now }

// Duration returns the virtual time at which the run ends.
func (w *World) Duration() time.Duration { return w.cfg.Duration }

// Seed returns the run's seed.
func (w *World) Seed() uint64 { return w.cfg.Seed }

// Events returns how many events have been processed.
func (w *World) Events() int { return w.events }

// History returns the observations so far, in order. Do not modify it.
func (w *World) History() []Observation { return w.history }

// ReserveHistory makes room for n more observations, for a run whose size
// is known ahead (the CAP explorer's fixed workload): growing the history
// as it fills copies it again and again. It changes nothing else.
func (w *World) ReserveHistory(n int) { w.history = slices.Grow(w.history, n) }

// Trace returns the trace events kept so far (only with Config.KeepTrace).
func (w *World) Trace() []TraceEvent { return w.trace.events }

// TraceHash returns the SHA-256 of the trace so far, as hex.
// A run with Config.NoTrace has none: "".
func (w *World) TraceHash() string {
	if w.cfg.NoTrace {
		return ""
	}
	return w.trace.sum()
}

// Metrics returns a copy of the metrics counted by the nodes.
func (w *World) Metrics() map[string]float64 {
	m := make(map[string]float64, len(w.metrics))
	for k, v := range w.metrics {
		m[k] = v
	}
	return m
}

// Resolve returns the node a symbolic name stands for now, or "".
func (w *World) Resolve(symbol string) string { return w.symbols[symbol] }

// NodeNames returns every node's name in the order they were added.
func (w *World) NodeNames() []string {
	names := make([]string, len(w.nodes))
	for i, n := range w.nodes {
		names[i] = n.name
	}
	return names
}

// NodesWithRole returns the names of the nodes with the given role, in order.
func (w *World) NodesWithRole(role string) []string {
	var names []string
	for _, n := range w.nodes {
		if n.role == role {
			names = append(names, n.name)
		}
	}
	return names
}

// Err returns the error that stopped the run, if any.
func (w *World) Err() error { return w.err }

// Done reports whether the run has reached its end or stopped on an error.
func (w *World) Done() bool {
	return w.err != nil || w.q.len() == 0 || w.q.peekAt() > w.cfg.Duration
}

// NextAt returns the time of the next event, if the run is not done.
func (w *World) NextAt() (Time, bool) {
	if w.Done() {
		return 0, false
	}
	return w.q.peekAt(), true
}

// Step processes one event. It returns false when the run is done.
func (w *World) Step() (bool, error) {
	if w.Done() {
		w.finish()
		return false, w.err
	}
	if w.events >= w.cfg.Limits.MaxEvents {
		w.err = &LimitError{What: "events", Limit: fmt.Sprint(w.cfg.Limits.MaxEvents), At: w.now}
		return false, w.err
	}
	// The event is handled where it lies in the queue's slab, not copied
	// out (under WebAssembly each copy of its 64 bytes shows); its slot is
	// reused only once it is released.
	slot := w.q.pop()
	e := &w.q.slab[slot]
	w.now = e.at
	w.events++
	w.dispatch(e)
	w.q.release(slot)
	for len(w.published) > 0 {
		symbol := w.published[0]
		w.published = w.published[1:]
		if w.symbols[symbol] != "" {
			w.fireWaiting(symbol)
		}
	}
	return true, nil
}

// RunUntil processes every event up to and including virtual time t (or the
// end of the run, if sooner) and leaves the clock at t.
func (w *World) RunUntil(t Time) error {
	if err := w.checkDuration(); err != nil {
		return err
	}
	t = min(t, w.cfg.Duration)
	for w.err == nil && w.q.len() > 0 && w.q.peekAt() <= t {
		if _, err := w.Step(); err != nil {
			return err
		}
	}
	if w.err == nil && t > w.now {
		w.now = t
	}
	if t >= w.cfg.Duration && w.Done() {
		w.finish()
	}
	return w.err
}

// Run runs the world to the end of its duration.
func (w *World) Run() error { return w.RunUntil(w.cfg.Duration) }

func (w *World) checkDuration() error {
	if w.err == nil && w.cfg.Duration > w.cfg.Limits.MaxDuration {
		w.err = &LimitError{What: "of virtual time", Limit: w.cfg.Limits.MaxDuration.String()}
	}
	return w.err
}

func (w *World) finish() {
	if w.err == nil && w.now < w.cfg.Duration {
		w.now = w.cfg.Duration
	}
	if !w.ended {
		w.ended = true
		w.history = append(w.history, Observation{At: w.now, Value: End{}})
	}
}

// End is the last observation of a finished run, so that checkers know how
// long the run lasted (a client still waiting at the end, say).
type End struct{}

func (w *World) push(e event) {
	if w.q.full() {
		if w.err == nil {
			w.err = &LimitError{What: "events waiting at once", Limit: fmt.Sprint(maxQueued), At: w.now}
		}
		return
	}
	w.seq++
	w.q.push(e, w.seq)
}

func (w *World) dispatch(e *event) {
	switch e.kind {
	case evStart:
		n := w.nodes[e.node]
		if n.status == Crashed || n.started {
			return
		}
		w.start(n)
	case evDeliver:
		w.deliver(e)
	case evTimer:
		w.fire(e)
	case evFault:
		w.applyFault(e.fault)
	case evResume:
		n := w.nodes[e.node]
		if n.status == Paused && n.epoch == e.epoch && n.pauses == e.id {
			w.resume(n)
		}
	}
}

func (w *World) start(n *node) {
	n.started = true
	n.status = Up
	n.impl = n.factory()
	w.record(rec{kind: TraceStart, node: n.index, peer: -1}, nil)
	n.impl.Start(&n.ctx)
}

// record adds a trace event stamped with the time and the node's local
// clock. body, if not nil, describes the content for kept traces. The hot
// paths (send, deliver, fire, observe) test NoTrace before they build the
// record, which under WebAssembly costs more than the call.
func (w *World) record(r rec, body any) {
	if w.cfg.NoTrace {
		return
	}
	local := w.now
	if r.node >= 0 {
		local = w.nodes[r.node].clock.local(w.now)
	}
	w.trace.record(&r, w.now, local)
	if w.trace.keep {
		e := TraceEvent{Seq: w.trace.count, At: w.now, Kind: r.kind, Msg: r.msg, ID: r.id, Until: r.until, Detail: r.detail, Local: local}
		if r.kind == TraceObserve {
			e.Detail = fmt.Sprintf("%T%+v", r.value, r.value)
		}
		if r.node >= 0 {
			e.Node = w.nodes[r.node].name
		}
		if r.peer >= 0 {
			e.Peer = w.nodes[r.peer].name
		}
		if body != nil {
			e.Body = fmt.Sprintf("%+v", body)
		}
		w.trace.events = append(w.trace.events, e)
	}
}

// lookup finds a destination by name. A map lookup per message shows up in
// profiles, and most messages go to the sender of the message being handled
// (a reply) or to one of the few peers the node wrote to last (a client's
// server, a coordinator's replicas), so those are tried first.
func (w *World) lookup(from *node, to string) (int32, bool) {
	if w.replyTo >= 0 && w.nodes[w.replyTo].name == to {
		return w.replyTo, true
	}
	for i := range from.peers {
		if p := &from.peers[i]; p.name == to && to != "" {
			return p.index, true
		}
	}
	ti, ok := w.byName[to]
	if ok {
		from.peers[from.nextPeer] = peer{to, ti}
		from.nextPeer = (from.nextPeer + 1) % len(from.peers)
	}
	return ti, ok
}

func (w *World) send(from *node, to string, msg Message) {
	w.msgID++
	id := w.msgID
	ti, ok := w.lookup(from, to)
	if !ok {
		w.record(rec{kind: TraceDrop, node: from.index, peer: -1, msg: msg.Kind(), id: id, detail: "no such node: " + to}, nil)
		return
	}
	dest := w.nodes[ti]
	copies := 1
	if w.net.Duplicate > 0 && w.netRNG.Float64() < w.net.Duplicate {
		copies = 2
	}
	for c := 0; c < copies; c++ {
		lost := w.net.Loss > 0 && w.netRNG.Float64() < w.net.Loss
		at := w.now + w.net.Latency.draw(w.netRNG)
		if at < w.now {
			at = math.MaxInt64 // past the end of time: it never arrives
		}
		if !w.cfg.NoTrace {
			r := rec{kind: TraceSend, node: from.index, peer: ti, msg: msg.Kind(), id: id, until: at}
			if c == 1 {
				r.detail = "duplicate"
			}
			w.record(r, msg)
			if lost {
				w.record(rec{kind: TraceDrop, node: from.index, peer: ti, msg: r.msg, id: id, detail: "lost"}, nil)
			}
		}
		if lost {
			continue
		}
		w.push(event{at: at, kind: evDeliver, node: ti, from: from.index, epoch: dest.epoch, id: id, msg: msg})
	}
}

func (w *World) deliver(e *event) {
	n := w.nodes[e.node]
	from := w.nodes[e.from]
	drop := ""
	switch {
	case n.status == Crashed:
		drop = "destination down"
	case n.epoch != e.epoch:
		drop = "destination crashed while the message was in flight"
	case !e.held && !w.links.crosses(e.from, e.node):
		drop = "partitioned"
	case n.status == Paused:
		e.held = true
		n.pending = append(n.pending, *e)
		return
	}
	if drop != "" {
		w.record(rec{kind: TraceDrop, node: n.index, peer: from.index, msg: e.msg.Kind(), id: e.id, detail: drop}, nil)
		return
	}
	if !w.cfg.NoTrace {
		r := rec{kind: TraceDeliver, node: n.index, peer: from.index, id: e.id}
		if w.trace.keep {
			r.msg = e.msg.Kind() // the hash takes the kind from the send
		}
		w.record(r, nil)
	}
	w.replyTo = from.index
	n.impl.Receive(&n.ctx, from.name, e.msg)
	w.replyTo = -1
}

// Timer IDs carry the timer's slot in the world's slab in their low bits
// and its serial number above them.
const slotBits = 24

func (w *World) setTimer(n *node, d time.Duration, tag any) TimerID {
	w.timerSerial++
	var slot int32
	if k := len(w.freeTimers); k > 0 {
		slot = w.freeTimers[k-1]
		w.freeTimers = w.freeTimers[:k-1]
	} else {
		slot = int32(len(w.timers))
		w.timers = append(w.timers, timer{})
	}
	w.timers[slot] = timer{deadline: n.clock.local(w.now) + max(d, 0), tag: tag, node: n.index, serial: w.timerSerial, live: true}
	w.scheduleTimer(slot)
	return TimerID(w.timerSerial<<slotBits | uint64(slot))
}

func (w *World) cancelTimer(n *node, id TimerID) {
	slot := int32(uint64(id) & (1<<slotBits - 1))
	if int(slot) < len(w.timers) {
		if t := &w.timers[slot]; t.live && t.node == n.index && t.serial == uint64(id)>>slotBits {
			w.freeTimer(slot)
		}
	}
}

func (w *World) freeTimer(slot int32) {
	w.timers[slot] = timer{}
	w.freeTimers = append(w.freeTimers, slot)
}

func (w *World) scheduleTimer(slot int32) {
	t := &w.timers[slot]
	t.gen++
	n := w.nodes[t.node]
	at := n.clock.trueTimeOf(t.deadline, w.now)
	w.push(event{at: at, kind: evTimer, node: n.index, from: slot, epoch: n.epoch, id: t.serial, gen: t.gen})
}

func (w *World) fire(e *event) {
	n := w.nodes[e.node]
	t := &w.timers[e.from]
	if !t.live || t.serial != e.id || t.gen != e.gen || n.epoch != e.epoch || n.status == Crashed {
		return // cancelled, rescheduled, or lost in a crash
	}
	if n.status == Paused {
		n.pending = append(n.pending, *e)
		return
	}
	tag := t.tag
	w.freeTimer(e.from)
	if !w.cfg.NoTrace {
		w.record(rec{kind: TraceTimer, node: n.index, peer: -1, id: e.id}, tag)
	}
	n.impl.Timer(&n.ctx, tag)
}

// nodeTimers returns the slots of a node's live timers in the order they
// were set.
func (w *World) nodeTimers(n *node) []int32 {
	var slots []int32
	for i := range w.timers {
		if w.timers[i].live && w.timers[i].node == n.index {
			slots = append(slots, int32(i))
		}
	}
	slices.SortFunc(slots, func(a, b int32) int { return cmp.Compare(w.timers[a].serial, w.timers[b].serial) })
	return slots
}

func (w *World) observe(n *node, v any) {
	w.history = append(w.history, Observation{At: w.now, Node: n.name, Value: v})
	if !w.cfg.NoTrace {
		w.record(rec{kind: TraceObserve, node: n.index, peer: -1, value: v}, nil)
	}
}

func (w *World) publish(symbol, name string) {
	if w.symbols[symbol] == name {
		return
	}
	w.symbols[symbol] = name
	if name != "" && len(w.waiting) > 0 {
		w.published = append(w.published, symbol)
	}
}

// rescheduleTimers re-times a node's pending timers after its clock changed.
// Timers are visited in the order they were set so the new events get
// sequence numbers in a deterministic order.
func (w *World) rescheduleTimers(n *node) {
	for _, slot := range w.nodeTimers(n) {
		w.scheduleTimer(slot)
	}
}
