// Package locktest drives lock servers' message handlers from table tests:
// scripted sender nodes send given messages at given times over a network
// with a fixed delay, and every answer they get is recorded in order. The
// servers run in a real sim.World, so timers, clocks, crashes and the
// durable store behave as in a scenario.
package locktest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"coordlab/sim"
)

// Latency is the harness network's fixed one-way delay.
const Latency = time.Millisecond

// Reply is one message a sender received.
type Reply struct {
	At   sim.Time
	To   string // the sender that received it
	From string
	Msg  sim.Message
}

// String prints a reply as "client-1<-redis-1 {OK:true ...}".
func (r Reply) String() string { return fmt.Sprintf("%s<-%s %T%+v", r.To, r.From, r.Msg, r.Msg) }

type send struct {
	at  time.Duration
	to  string
	msg sim.Message
}

// Harness is a world of servers and scripted senders.
type Harness struct {
	W       *sim.World
	Replies []Reply
	senders map[string]*sender
	order   []string
}

// New returns a harness whose world runs for the given virtual time.
func New(duration time.Duration) *Harness {
	return &Harness{
		W: sim.New(sim.Config{Seed: 1, Duration: duration,
			Network: sim.Network{Latency: sim.Latency{Min: Latency, Max: Latency}}}),
		senders: map[string]*sender{},
	}
}

// Server adds a server node.
func (h *Harness) Server(name string, factory func() sim.Node) {
	if err := h.W.AddNode(name, factory); err != nil {
		panic(err)
	}
}

// Send schedules from to send msg to the server at true time at. The sender
// node is created at its first use; add every sender before running.
func (h *Harness) Send(at time.Duration, from, to string, msg sim.Message) {
	s, ok := h.senders[from]
	if !ok {
		s = &sender{h: h}
		h.senders[from] = s
		h.order = append(h.order, from)
		if err := h.W.AddNode(from, func() sim.Node { return s }); err != nil {
			panic(err)
		}
	}
	s.script = append(s.script, send{at: at, to: to, msg: msg})
}

// Fault schedules a fault.
func (h *Harness) Fault(f sim.Fault) {
	if err := h.W.Schedule(f); err != nil {
		panic(err)
	}
}

// Run runs the world to its end.
func (h *Harness) Run() {
	if err := h.W.Run(); err != nil {
		panic(err)
	}
}

// Observed returns the values of the history's observations of type T.
func Observed[T any](h *Harness) []T {
	var out []T
	for _, o := range h.W.History() {
		if v, ok := o.Value.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// Inspect returns what the named node's Inspect shows now.
func (h *Harness) Inspect(name string) any {
	for _, n := range h.W.Snapshot().Nodes {
		if n.Name == name {
			return n.State
		}
	}
	return nil
}

// sender is a scripted node. Its clock is the true time: it is never faulted.
type sender struct {
	h      *Harness
	script []send
}

func (s *sender) Start(ctx *sim.Context) {
	for i, step := range s.script {
		ctx.SetTimer(step.at-ctx.Now(), i)
	}
}

func (s *sender) Receive(ctx *sim.Context, from string, msg sim.Message) {
	s.h.Replies = append(s.h.Replies, Reply{At: s.h.W.Now(), To: ctx.Name(), From: from, Msg: msg})
}

func (s *sender) Timer(ctx *sim.Context, tag any) {
	step := s.script[tag.(int)]
	ctx.Send(step.to, step.msg)
}

// RandomFaults returns n random faults as the lines of a scenario's faults
// list: pauses (often of the holder, as a GC pause), crashes followed by
// restarts, partitions and isolations healed later, and clock jumps, at
// random times within duration. Every node in nodes may be hit. The caller
// seeds r, so a failing schedule is reproduced by its seed.
func RandomFaults(r *rand.Rand, nodes []string, duration time.Duration, n int) string {
	var b strings.Builder
	at := func() time.Duration { return time.Duration(r.Int64N(int64(duration) * 9 / 10)).Round(time.Millisecond) }
	pick := func() string { return nodes[r.IntN(len(nodes))] }
	span := func(max time.Duration) time.Duration {
		return 100*time.Millisecond + time.Duration(r.Int64N(int64(max))).Round(time.Millisecond)
	}
	until := func(t time.Duration) time.Duration { return min(t+span(3*time.Second), duration) }
	for range n {
		t := at()
		switch r.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "  - {at: %v, pause: holder, for: %v}\n", t, span(4*time.Second))
		case 1:
			fmt.Fprintf(&b, "  - {at: %v, pause: %s, for: %v}\n", t, pick(), span(3*time.Second))
		case 2:
			node := pick()
			fmt.Fprintf(&b, "  - {at: %v, crash: %s}\n  - {at: %v, restart: %s}\n", t, node, until(t), node)
		case 3:
			var left, right []string
			for _, node := range nodes {
				if r.IntN(2) == 0 {
					left = append(left, node)
				} else {
					right = append(right, node)
				}
			}
			if len(left) == 0 || len(right) == 0 {
				fmt.Fprintf(&b, "  - {at: %v, isolate: %s}\n", t, pick())
			} else {
				fmt.Fprintf(&b, "  - {at: %v, partition: [[%s], [%s]]}\n", t, strings.Join(left, ", "), strings.Join(right, ", "))
			}
			fmt.Fprintf(&b, "  - {at: %v, heal: all}\n", until(t))
		case 4, 5:
			jump := (time.Duration(r.Int64N(int64(5*time.Second))) - 2*time.Second).Round(time.Millisecond)
			if jump == 0 {
				jump = time.Second
			}
			fmt.Fprintf(&b, "  - {at: %v, clock: %s, jump: %v}\n", t, pick(), jump)
		}
	}
	return b.String()
}
