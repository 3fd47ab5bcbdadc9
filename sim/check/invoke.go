package check

import "coordlab/sim"

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
// followed by the end of h (the run ended, or the client crashed, while the
// request was in flight) gets an Op with Ok false at the end of h: it may or
// may not have taken effect. That observation names no node, as the world's
// own do, since no client reported it. Other observations are copied as
// they are.
func StampOps(h []sim.Observation) []sim.Observation {
	out := make([]sim.Observation, len(h), len(h)+8)
	type pending struct {
		at  sim.Time
		inv Invoke
	}
	invoked := map[string]pending{}
	var order []string // clients with an invocation pending, in order of invocation
	for i, o := range h {
		switch v := o.Value.(type) {
		case Invoke:
			if _, ok := invoked[v.Client]; !ok {
				order = append(order, v.Client)
			}
			invoked[v.Client] = pending{o.At, v}
		case Op:
			if p, ok := invoked[v.Client]; ok {
				v.Call, v.Return = p.at, o.At
				delete(invoked, v.Client)
				o.Value = v
			}
		}
		out[i] = o
	}
	if len(h) == 0 {
		return out
	}
	end := h[len(h)-1].At
	for _, c := range order {
		p, ok := invoked[c]
		if !ok {
			continue
		}
		delete(invoked, c)
		out = append(out, sim.Observation{At: end, Value: Op{
			Client: c, Kind: p.inv.Kind, Key: p.inv.Key, Value: p.inv.Value, Call: p.at, Return: end,
		}})
	}
	return out
}
