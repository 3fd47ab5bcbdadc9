package sim

import "time"

// NodeSnapshot is what a viewer may know of one node at a moment.
type NodeSnapshot struct {
	Name   string        `json:"name"`
	Role   string        `json:"role"`
	Status Status        `json:"status"`
	Clock  time.Duration `json:"clock"` // the node's local clock
	Skew   time.Duration `json:"skew"`  // local clock minus true time
	Rate   float64       `json:"rate"`
	State  any           `json:"state,omitempty"` // from Inspector, if the node implements it
}

// Snapshot is the state of a whole world at one moment, for viewers. It is
// read-only: the UI never reaches into a node.
type Snapshot struct {
	At        Time               `json:"at"`
	Nodes     []NodeSnapshot     `json:"nodes"`
	Groups    [][]string         `json:"groups,omitempty"` // partition groups, if any
	Isolated  []string           `json:"isolated,omitempty"`
	Cuts      [][2]string        `json:"cuts,omitempty"`
	Network   Network            `json:"network"`
	Symbols   map[string]string  `json:"symbols,omitempty"`
	Metrics   map[string]float64 `json:"metrics"`
	EventsRun int                `json:"events"`
}

// Snapshot returns the state of every node and link now.
func (w *World) Snapshot() Snapshot {
	s := Snapshot{At: w.now, Network: w.net, Metrics: w.Metrics(), EventsRun: w.events}
	for _, n := range w.nodes {
		ns := NodeSnapshot{Name: n.name, Role: n.role, Status: n.status, Rate: n.clock.rate}
		ns.Clock = n.clock.local(w.now)
		ns.Skew = ns.Clock - w.now
		if in, ok := n.impl.(Inspector); ok && n.status != Crashed {
			ns.State = in.Inspect()
		}
		s.Nodes = append(s.Nodes, ns)
	}
	if w.links.any {
		byGroup := map[int32][]string{}
		var order []int32
		for _, n := range w.nodes {
			g := w.links.group[n.index]
			if w.links.isolated[n.index] {
				s.Isolated = append(s.Isolated, n.name)
			}
			if _, seen := byGroup[g]; !seen {
				order = append(order, g)
			}
			byGroup[g] = append(byGroup[g], n.name)
		}
		if len(order) > 1 {
			for _, g := range order {
				s.Groups = append(s.Groups, byGroup[g])
			}
		}
		for _, a := range w.nodes {
			for _, b := range w.nodes {
				if w.links.cut[[2]int32{a.index, b.index}] {
					s.Cuts = append(s.Cuts, [2]string{a.name, b.name})
				}
			}
		}
	}
	for k, v := range w.symbols {
		if v != "" {
			if s.Symbols == nil {
				s.Symbols = map[string]string{}
			}
			s.Symbols[k] = v
		}
	}
	return s
}
