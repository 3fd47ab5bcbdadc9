package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Latency is a message delay distribution: uniform over [Min, Max]. Min ==
// Max is a constant delay. Reordering is not configured separately: it follows
// from jitter, as it does on a real network.
type Latency struct {
	Min, Max time.Duration
}

// String formats the latency as the scenario format writes it.
func (l Latency) String() string {
	if l.Min == l.Max {
		return l.Min.String()
	}
	return fmt.Sprintf("%v..%v", l.Min, l.Max)
}

func (l Latency) draw(r *rand.Rand) time.Duration {
	if l.Max <= l.Min {
		return l.Min
	}
	// Uint64N draws as Int64N does, and takes a span of the whole range.
	return l.Min + time.Duration(r.Uint64N(uint64(l.Max-l.Min)+1))
}

// Network is the configuration of the simulated network: every message's
// delay is drawn from Latency, it is lost with probability Loss and delivered
// twice with probability Duplicate.
type Network struct {
	Latency   Latency
	Loss      float64
	Duplicate float64
}

// DefaultNetwork is a healthy local network: 1 to 5 ms, nothing lost.
var DefaultNetwork = Network{Latency: Latency{Min: time.Millisecond, Max: 5 * time.Millisecond}}

// links holds the state of the links between nodes: partition groups, nodes
// isolated from everybody, and one-way cuts. A message crosses when both ends
// are in the same group, neither is isolated, and its direction is not cut.
type links struct {
	group    []int32 // per node; 0 when no partition is in force
	isolated []bool
	cut      map[[2]int32]bool
	any      bool // fast path: no partition, isolation or cut at all
}

func (l *links) grow(n int) {
	l.group = append(l.group, 0)
	l.isolated = append(l.isolated, false)
	_ = n
}

func (l *links) crosses(from, to int32) bool {
	if !l.any || from == to {
		return true
	}
	if l.group[from] != l.group[to] || l.isolated[from] || l.isolated[to] {
		return false
	}
	return !l.cut[[2]int32{from, to}]
}

func (l *links) heal() {
	clear(l.group)
	clear(l.isolated)
	l.cut = nil
	l.any = false
}
