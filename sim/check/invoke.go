package check

import (
	"slices"

	"coordlab/sim"
)

// Invoke is what a client observes when it sends a request, before the Op it
// observes when the request completes. No node can read the true time, yet
// Op.Call and Op.Return are true times: the history stamps every observation
// with the true time, so StampOps takes Call from the client's Invoke and
// Return from the Op's own observation. A client using Invoke has at most one
// operation outstanding.
type Invoke struct {
	Client string
	Kind   string
	Key    string
	Value  string
}

// String writes the invocation compactly: the trace formats every
// observation, and clients invoke often.
func (i Invoke) String() string {
	return "{Client:" + i.Client + " Kind:" + i.Kind + " Key:" + i.Key + " Value:" + i.Value + "}"
}

// StampOps returns a copy of h in which every Op observed by a client that
// observed an Invoke before it carries the true time of that Invoke as Call
// and the true time of its own observation as Return. An Invoke that no Op
// followed before the end of h or the client's next Invoke (the run ended,
// or the client crashed, while the request was in flight) gets an Op with Ok
// false at the end of h: it may or may not have taken effect. That
// observation names no node, as the world's own do, since no client reported
// it. Other observations are copied as they are; stamping a stamped history
// changes nothing.
func StampOps(h []sim.Observation) []sim.Observation {
	out := make([]sim.Observation, len(h), len(h)+8)
	copy(out, h)
	return stampOps(out)
}

// StampOpsInPlace is StampOps writing over h itself, for a caller that owns
// the history (a finished world that nobody reads any more): copying a
// long history costs as much as stamping it.
func StampOpsInPlace(h []sim.Observation) []sim.Observation { return stampOps(h) }

// stampOps stamps the Ops of h in place and appends the unfinished ones.
func stampOps(h []sim.Observation) []sim.Observation {
	// The clients' pending invocations: a handful of clients, so a slice
	// searched in order beats a map keyed by name.
	type pending struct {
		client string
		at     sim.Time
		inv    Invoke
		seq    int // order of invocation, for the unfinished ones
		open   bool
	}
	var clients []pending
	// cut holds invocations a crash cut short: the client invoked again
	// without reporting them. Its request may still take effect.
	var cut []pending
	find := func(c string) int {
		for i := range clients {
			if clients[i].client == c {
				return i
			}
		}
		return -1
	}
	for i, o := range h {
		switch v := o.Value.(type) {
		case Invoke:
			j := find(v.Client)
			if j < 0 {
				clients = append(clients, pending{client: v.Client})
				j = len(clients) - 1
			}
			if clients[j].open {
				cut = append(cut, clients[j])
			}
			clients[j].at, clients[j].inv, clients[j].seq, clients[j].open = o.At, v, i, true
		case Op:
			if o.Node == "" && len(cut) > 0 {
				// An earlier StampOps may have reported a cut-short invocation
				// already: its Op names no node and has the invocation's Call.
				k := slices.IndexFunc(cut, func(p pending) bool {
					return p.open && p.client == v.Client && p.at == v.Call && p.inv.Kind == v.Kind && p.inv.Key == v.Key && p.inv.Value == v.Value
				})
				if k >= 0 {
					cut[k].open = false
					continue
				}
			}
			if j := find(v.Client); j >= 0 && clients[j].open {
				v.Call, v.Return = clients[j].at, o.At
				clients[j].open = false
				h[i].Value = v
			}
		}
	}
	if len(h) == 0 {
		return h
	}
	end := h[len(h)-1].At
	clients = append(clients, cut...)
	slices.SortFunc(clients, func(a, b pending) int { return a.seq - b.seq })
	for _, p := range clients {
		if !p.open {
			continue
		}
		h = append(h, sim.Observation{At: end, Value: Op{
			Client: p.client, Kind: p.inv.Kind, Key: p.inv.Key, Value: p.inv.Value, Call: p.at, Return: end,
		}})
	}
	return h
}
