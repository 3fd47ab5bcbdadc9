package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// FaultKind names a fault.
type FaultKind uint8

// The faults a scenario can inject.
const (
	FaultCrash      FaultKind = iota + 1 // volatile state, timers and in-flight messages to the node are lost
	FaultRestart                         // the start handler runs again over the durable store; a running node is bounced
	FaultPause                           // stop-the-world: the node handles nothing until it resumes
	FaultResume                          // end a pause
	FaultPartition                       // split the nodes into groups
	FaultHeal                            // remove partitions, isolations and cuts
	FaultIsolate                         // cut one node off from everybody
	FaultCut                             // drop messages in one direction between two nodes
	FaultClockJump                       // move a node's clock by a fixed amount
	FaultClockDrift                      // change the rate of a node's clock
	FaultLoss                            // set the probability that a message is lost
	FaultDuplicate                       // set the probability that a message is delivered twice
	FaultLatency                         // set the network's delay distribution
)

var faultNames = [...]string{"", "crash", "restart", "pause", "resume", "partition", "heal", "isolate", "cut", "clock-jump", "clock-drift", "loss", "duplicate", "latency"}

// String returns the fault's name.
func (k FaultKind) String() string { return faultNames[k] }

// MarshalText writes the fault's name.
func (k FaultKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Fault is one fault, injected at virtual time At. Which fields matter
// depends on Kind. Node, From and To may be symbolic names ("holder").
type Fault struct {
	At       Time
	Kind     FaultKind
	Node     string        // crash, restart, pause, resume, isolate, clock-jump, clock-drift
	For      time.Duration // pause: resume after this long (0: until a resume fault)
	Groups   [][]string    // partition
	From, To string        // cut
	Jump     time.Duration // clock-jump
	Rate     float64       // clock-drift: 1.2 runs 20% fast
	Value    float64       // loss, duplicate: a probability
	Latency  Latency       // latency
}

// String describes the fault as the trace shows it.
func (f *Fault) String() string {
	switch f.Kind {
	case FaultPause:
		if f.For > 0 {
			return fmt.Sprintf("pause %s for %v", f.Node, f.For)
		}
		return "pause " + f.Node
	case FaultPartition:
		gs := make([]string, len(f.Groups))
		for i, g := range f.Groups {
			gs[i] = "[" + strings.Join(g, " ") + "]"
		}
		return "partition " + strings.Join(gs, " ")
	case FaultHeal:
		return "heal all"
	case FaultCut:
		return fmt.Sprintf("cut %s -> %s", f.From, f.To)
	case FaultClockJump:
		return fmt.Sprintf("clock %s jump %+v", f.Node, f.Jump)
	case FaultClockDrift:
		return fmt.Sprintf("clock %s drift %v", f.Node, f.Rate)
	case FaultLoss, FaultDuplicate:
		return fmt.Sprintf("%s %v", f.Kind, f.Value)
	case FaultLatency:
		return "latency " + f.Latency.String()
	}
	return f.Kind.String() + " " + f.Node
}

// names returns every node name the fault refers to.
func (f *Fault) names() []string {
	names := []string{}
	if f.Node != "" {
		names = append(names, f.Node)
	}
	if f.From != "" {
		names = append(names, f.From, f.To)
	}
	for _, g := range f.Groups {
		names = append(names, g...)
	}
	return names
}

// Schedule adds a fault to the run. Every name it uses must be a node or a
// declared symbol; a fault in the past takes effect at once.
func (w *World) Schedule(f Fault) error {
	if f.Kind == 0 || int(f.Kind) >= len(faultNames) {
		return fmt.Errorf("unknown fault kind %d", f.Kind)
	}
	for _, name := range f.names() {
		if _, ok := w.byName[name]; !ok && !w.declared[name] {
			return fmt.Errorf("fault %q names %q, which is neither a node nor a symbolic name of this mechanism", f.String(), name)
		}
	}
	if f.Kind == FaultClockDrift && !validRate(f.Rate) {
		return fmt.Errorf("fault %q: a clock rate must be from %v to %v", f.String(), MinClockRate, MaxClockRate)
	}
	f.At = max(f.At, w.now)
	fc := f
	// A fault fires after every other event of its instant. A fault clicked
	// in the browser is injected after the world ran up to that instant, and
	// must replay identically when the recorded scenario is run from the
	// start.
	w.push(event{at: f.At, kind: evFault, late: true, fault: &fc})
	return nil
}

// resolve returns the node a name stands for: the node itself, or whom a
// symbolic name stands for now (false if nobody).
func (w *World) resolve(name string) (*node, bool) {
	if i, ok := w.byName[name]; ok {
		return w.nodes[i], true
	}
	if target := w.symbols[name]; target != "" {
		return w.nodes[w.byName[target]], true
	}
	return nil, false
}

// nobody returns a name of f that stands for nobody now, or "".
func (w *World) nobody(f *Fault) string {
	for _, name := range f.names() {
		if _, ok := w.resolve(name); !ok {
			return name
		}
	}
	return ""
}

// wait keeps a fault whose name stands for nobody yet until somebody fits
// (section 3 of DESIGN.md).
func (w *World) wait(f *Fault, name string) {
	w.record(rec{kind: TraceFault, node: -1, peer: -1, detail: f.String() + ": waiting, " + name + " stands for nobody yet"}, nil)
	w.waiting = append(w.waiting, f)
}

func (w *World) fireWaiting(symbol string) {
	waiting := w.waiting
	w.waiting = nil
	for _, f := range waiting {
		if slices.Contains(f.names(), symbol) && w.nobody(f) == "" {
			w.applyFault(f)
		} else {
			w.waiting = append(w.waiting, f)
		}
	}
}

func (w *World) applyFault(f *Fault) {
	if f.Kind == FaultPartition || f.Kind == FaultCut {
		if name := w.nobody(f); name != "" {
			w.wait(f, name)
			return
		}
	}
	switch f.Kind {
	case FaultPartition:
		w.partition(f.Groups)
	case FaultHeal:
		w.links.heal()
	case FaultCut:
		from, ok1 := w.resolve(f.From)
		to, ok2 := w.resolve(f.To)
		if ok1 && ok2 {
			if w.links.cut == nil {
				w.links.cut = make(map[[2]int32]bool)
			}
			w.links.cut[[2]int32{from.index, to.index}] = true
			w.links.any = true
		}
	case FaultLoss:
		w.net.Loss = f.Value
	case FaultDuplicate:
		w.net.Duplicate = f.Value
	case FaultLatency:
		w.net.Latency = f.Latency
	default:
		n, ok := w.resolve(f.Node)
		if !ok {
			w.wait(f, f.Node)
			return
		}
		w.applyNodeFault(f, n)
		return
	}
	w.record(rec{kind: TraceFault, node: -1, peer: -1, detail: f.String()}, nil)
	w.history = append(w.history, Observation{At: w.now, Value: FaultEvent{Kind: f.Kind}})
}

func (w *World) applyNodeFault(f *Fault, n *node) {
	w.record(rec{kind: TraceFault, node: n.index, peer: -1, detail: f.String()}, nil)
	w.history = append(w.history, Observation{At: w.now, Node: n.name, Value: FaultEvent{Kind: f.Kind, Node: n.name}})
	switch f.Kind {
	case FaultCrash:
		w.crash(n)
	case FaultRestart:
		if n.status != Crashed {
			w.crash(n)
		}
		w.start(n)
	case FaultPause:
		if n.status != Up {
			return
		}
		n.status = Paused
		n.pauses++
		if f.For > 0 {
			w.push(event{at: w.now + f.For, kind: evResume, node: n.index, epoch: n.epoch, id: n.pauses})
		}
	case FaultResume:
		if n.status == Paused {
			w.wake(n) // recorded above
		}
	case FaultIsolate:
		w.links.isolated[n.index] = true
		w.links.any = true
	case FaultClockJump:
		n.clock.rebase(w.now)
		n.clock.base += f.Jump
		w.rescheduleTimers(n)
	case FaultClockDrift:
		n.clock.rebase(w.now)
		n.clock.rate = f.Rate
		w.rescheduleTimers(n)
	}
}

func (w *World) crash(n *node) {
	n.status = Crashed
	n.epoch++
	n.impl = nil
	n.started = false
	// A crashed process leads and holds nothing it can act on: its names
	// wait for the next leader or holder.
	for sym, name := range w.symbols {
		if name == n.name {
			w.symbols[sym] = ""
		}
	}
	for _, slot := range w.nodeTimers(n) {
		w.freeTimer(slot)
	}
	for i := range n.pending {
		if e := &n.pending[i]; e.kind == evDeliver {
			w.record(rec{kind: TraceDrop, node: n.index, peer: e.from, msg: e.msg.Kind(), id: e.id, detail: "destination crashed while paused"}, nil)
		}
	}
	n.pending = nil
}

// resume ends a pause: everything that queued up while the node was paused is
// handed to it now, in the order it arrived, while its clock kept running.
func (w *World) resume(n *node) {
	w.record(rec{kind: TraceFault, node: n.index, peer: -1, detail: "resume " + n.name}, nil)
	w.history = append(w.history, Observation{At: w.now, Node: n.name, Value: FaultEvent{Kind: FaultResume, Node: n.name}})
	w.wake(n)
}

// wake ends a pause already recorded.
func (w *World) wake(n *node) {
	n.status = Up
	pending := n.pending
	n.pending = nil
	for _, e := range pending {
		e.at = w.now
		w.push(e)
	}
}

func (w *World) partition(groups [][]string) {
	clear(w.links.group)
	for i := range w.links.group {
		w.links.group[i] = int32(len(groups) + 1) // the group of the unnamed
	}
	for gi, g := range groups {
		for _, name := range g {
			if n, ok := w.resolve(name); ok {
				w.links.group[n.index] = int32(gi + 1)
			}
		}
	}
	w.links.any = true
}

// Inject applies a fault now: the UI's fault buttons use it.
func (w *World) Inject(f Fault) error {
	f.At = w.now
	return w.Schedule(f)
}
