package app

import (
	"math"
	"sort"

	"coordlab/sim"
	"coordlab/sim/check"
)

// This file derives what the player draws from a run's trace and history:
// pure functions over data, tested natively, so the components only lay out
// what they are given.

// flight is one message between its send and its delivery.
type flight struct {
	ID       uint64
	From, To string
	Msg      string
	Sent     sim.Time
	Until    sim.Time
	Lost     bool // dropped by the network at send: drawn fading out
}

// flights tracks the messages in flight as a run advances, reading only the
// trace events it has not seen yet, so a frame costs what happened since the
// last one, not the whole trace.
type flights struct {
	seen    int // trace events read
	pending []flight
}

// update reads the new trace events and returns the messages in flight at
// now, at most limit of them (the most recently sent). A trace that shrank
// (the run was restarted to seek back) is read again from its start.
func (f *flights) update(trace []sim.TraceEvent, now sim.Time, limit int) []flight {
	if len(trace) < f.seen {
		f.seen, f.pending = 0, nil
	}
	for i := f.seen; i < len(trace); i++ {
		e := &trace[i]
		switch e.Kind {
		case sim.TraceSend:
			f.pending = append(f.pending, flight{ID: e.ID, From: e.Node, To: e.Peer, Msg: e.Msg, Sent: e.At, Until: e.Until})
		case sim.TraceDrop:
			if e.Detail == "lost" {
				for j := len(f.pending) - 1; j >= 0; j-- {
					if f.pending[j].ID == e.ID && !f.pending[j].Lost {
						f.pending[j].Lost = true
						break
					}
				}
			}
		}
	}
	f.seen = len(trace)
	kept := f.pending[:0]
	for _, m := range f.pending {
		if m.Until > now {
			kept = append(kept, m)
		}
	}
	f.pending = kept
	if len(kept) > limit {
		return kept[len(kept)-limit:]
	}
	return kept
}

// progress returns how far a message has travelled at now, from 0 to 1.
func (m flight) progress(now sim.Time) float64 {
	if m.Until <= m.Sent {
		return 1
	}
	return math.Max(0, math.Min(1, float64(now-m.Sent)/float64(m.Until-m.Sent)))
}

// point is a position in the cluster view's coordinates.
type point struct{ X, Y float64 }

// layout places nodes on a circle, servers first, in the order given, so
// the picture stays put from frame to frame.
func layout(names []string, cx, cy, r float64) map[string]point {
	pos := make(map[string]point, len(names))
	n := float64(len(names))
	for i, name := range names {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/n
		pos[name] = point{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	return pos
}

// lerp interpolates between two points.
func lerp(a, b point, t float64) point {
	return point{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t}
}

// section is a span of time one node spends in a critical section, as its
// own observations tell: from believing it holds a lock to no longer
// believing it (or crashing). Open sections end at the run's current time.
type section struct {
	Node       string
	From, To   sim.Time
	Token      int64
	Open, Lost bool
}

// sections reads the critical sections from a history.
func sections(h []sim.Observation, now sim.Time) []section {
	var out []section
	open := map[string]int{} // node -> index in out
	closeFor := func(node string, at sim.Time, lost bool) {
		if i, ok := open[node]; ok {
			out[i].To, out[i].Open, out[i].Lost = at, false, lost
			delete(open, node)
		}
	}
	for _, o := range h {
		switch v := o.Value.(type) {
		case check.LockAcquired:
			closeFor(v.Client, o.At, false)
			open[v.Client] = len(out)
			out = append(out, section{Node: v.Client, From: o.At, To: now, Token: v.Token, Open: true})
		case check.LockReleased:
			closeFor(v.Client, o.At, v.Lost)
		case sim.FaultEvent:
			if v.Kind == sim.FaultCrash || v.Kind == sim.FaultRestart {
				closeFor(v.Node, o.At, true)
			}
		}
	}
	return out
}

// arrow is a message drawn in the space-time diagram.
type arrow struct {
	From, To   string
	Msg        string
	Sent, At   sim.Time
	Dropped    bool
	DropDetail string
	InFlight   bool
}

// arrows returns the messages sent in [from, to], at most limit of them
// (the latest), each matched with its delivery or drop. A message still
// travelling at to is drawn up to its planned arrival.
func arrows(trace []sim.TraceEvent, from, to sim.Time, limit int) []arrow {
	// Trace events are in time order: find the window by binary search.
	start := sort.Search(len(trace), func(i int) bool { return trace[i].At >= from })
	byID := map[uint64][]int{} // sends not yet matched, oldest first
	var out []arrow
	for i := start; i < len(trace) && trace[i].At <= to; i++ {
		e := &trace[i]
		switch e.Kind {
		case sim.TraceSend:
			byID[e.ID] = append(byID[e.ID], len(out))
			out = append(out, arrow{From: e.Node, To: e.Peer, Msg: e.Msg, Sent: e.At, At: e.Until, InFlight: true})
		case sim.TraceDeliver, sim.TraceDrop:
			waiting := byID[e.ID]
			if len(waiting) == 0 {
				continue // sent before the window
			}
			a := &out[waiting[0]]
			byID[e.ID] = waiting[1:]
			a.InFlight = false
			if e.Kind == sim.TraceDrop {
				a.Dropped, a.DropDetail = true, e.Detail
				if e.Detail == "lost" {
					// Lost on the way: draw it vanishing half way.
					a.At = a.Sent + (a.At-a.Sent)/2
					continue
				}
			}
			a.At = e.At
		}
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// faultMark is a fault drawn on the space-time diagram and the timeline.
type faultMark struct {
	At     sim.Time
	Node   string // "" for a network-wide fault
	Detail string
}

// faultMarks lists the faults that took effect from time from on.
func faultMarks(trace []sim.TraceEvent, from sim.Time) []faultMark {
	var out []faultMark
	start := sort.Search(len(trace), func(i int) bool { return trace[i].At >= from })
	for _, e := range trace[start:] {
		if e.Kind == sim.TraceFault {
			out = append(out, faultMark{At: e.At, Node: e.Node, Detail: e.Detail})
		}
	}
	return out
}
