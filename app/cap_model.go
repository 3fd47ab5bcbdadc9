package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/quorum"
)

// This file is the CAP explorer's model: its controls, the settings they
// make, and the series of measurements the charts draw. It never touches
// the DOM (STYLE.md, after raftscope) and is tested natively.

// capInputs are the explorer's controls as the learner set them. R and W
// are kept as set: a smaller n caps them (see settings) without forgetting
// them, so that moving n down and up again brings r and w back.
type capInputs struct {
	N, R, W    int
	Partition  bool
	Length     time.Duration // of the partition
	Latency    time.Duration // the slowest one-way network delay
	Skew       time.Duration // client-1's clock runs this far ahead
	Sloppy     bool
	Vector     bool // version vectors with siblings instead of last writer wins
	ReadRepair bool
}

// defaultInputs are quorum.DefaultSettings as controls.
func defaultInputs() capInputs {
	s := quorum.DefaultSettings()
	return capInputs{
		N: s.N, R: s.R, W: s.W,
		Partition: s.Partition, Length: s.PartitionLength,
		Latency: s.Latency.Max, Skew: s.Skew,
		Sloppy: s.Sloppy, Vector: s.Conflict == "vector", ReadRepair: s.ReadRepair,
	}
}

// minLatency is the fastest one-way delay: the latency control sets the
// slowest, and the spread between them is what lets a read overtake a
// write on its way to a replica.
const minLatency = time.Millisecond

// settings returns the explorer's settings for the inputs: the
// 10,000-operation workload of quorum.DefaultSettings, without the
// linearizability search (the page asks for it in a second run).
func (in capInputs) settings() quorum.Settings {
	s := quorum.DefaultSettings()
	s.N, s.R, s.W = in.N, min(in.R, in.N), min(in.W, in.N)
	s.Partition, s.PartitionLength = in.Partition, in.Length
	s.Latency = sim.Latency{Min: min(minLatency, in.Latency), Max: in.Latency}
	s.Skew, s.Sloppy, s.ReadRepair = in.Skew, in.Sloppy, in.ReadRepair
	s.Conflict = "lww"
	if in.Vector {
		s.Conflict = "vector"
	}
	// quorum's own default, written out so that the playground scenario
	// (capScenarioFor) runs with the very same timeout.
	s.Timeout = max(10*in.Latency, 100*time.Millisecond)
	s.CheckLinearizability = false
	return s
}

type capKind int

const (
	capRange  capKind = iota // <input type=range>
	capToggle                // <input type=checkbox>, values 0 and 1
	capChoice                // <select>, values 0..len(choices)-1
)

// capControl is one control of the explorer. Values are float64 for every
// kind, so that one chart and one sweep serve them all: durations are in
// milliseconds, toggles 0 or 1, a choice the index of its option.
type capControl struct {
	id      string // data-control, and the name in keys
	label   string
	help    string
	kind    capKind
	min     float64
	max     float64 // for r and w, n caps it (see hi)
	step    float64
	choices []string // names of the values of a toggle or choice
	get     func(capInputs) float64
	set     func(*capInputs, float64)
}

func ms2d(v float64) time.Duration { return time.Duration(math.Round(v)) * time.Millisecond }
func d2ms(d time.Duration) float64 { return float64(d / time.Millisecond) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var onOff = []string{"off", "on"}

// capControls are the explorer's controls, in the order shown.
var capControls = []capControl{
	{id: "n", label: "n", help: "replicas each key is stored on", kind: capRange, min: 1, max: 7, step: 1,
		get: func(in capInputs) float64 { return float64(in.N) }, set: func(in *capInputs, v float64) { in.N = int(v) }},
	{id: "r", label: "r", help: "replies a read waits for", kind: capRange, min: 1, max: 7, step: 1,
		get: func(in capInputs) float64 { return float64(in.R) }, set: func(in *capInputs, v float64) { in.R = int(v) }},
	{id: "w", label: "w", help: "acknowledgements a write waits for", kind: capRange, min: 1, max: 7, step: 1,
		get: func(in capInputs) float64 { return float64(in.W) }, set: func(in *capInputs, v float64) { in.W = int(v) }},
	{id: "partition", label: "partition", help: "at 5s, cut client-1 and replica-1 (with the two stand-ins) off from the rest", kind: capToggle, max: 1, step: 1, choices: onOff,
		get: func(in capInputs) float64 { return b2f(in.Partition) }, set: func(in *capInputs, v float64) { in.Partition = v != 0 }},
	{id: "length", label: "partition length", help: "how long the partition lasts", kind: capRange, min: 1000, max: 30000, step: 1000,
		get: func(in capInputs) float64 { return d2ms(in.Length) }, set: func(in *capInputs, v float64) { in.Length = ms2d(v) }},
	{id: "latency", label: "network latency", help: "one-way delay of a message, from 1ms up to this", kind: capRange, min: 1, max: 50, step: 1,
		get: func(in capInputs) float64 { return d2ms(in.Latency) }, set: func(in *capInputs, v float64) { in.Latency = ms2d(v) }},
	{id: "skew", label: "clock skew", help: "client-1's clock runs this far ahead of true time", kind: capRange, min: 0, max: 2000, step: 50,
		get: func(in capInputs) float64 { return d2ms(in.Skew) }, set: func(in *capInputs, v float64) { in.Skew = ms2d(v) }},
	{id: "sloppy", label: "sloppy quorum", help: "write to stand-in replicas, with hints, when home replicas do not answer", kind: capToggle, max: 1, step: 1, choices: onOff,
		get: func(in capInputs) float64 { return b2f(in.Sloppy) }, set: func(in *capInputs, v float64) { in.Sloppy = v != 0 }},
	{id: "conflict", label: "conflicts", help: "last writer wins by the writer's clock, or version vectors keeping siblings", kind: capChoice, max: 1, step: 1, choices: []string{"lww", "vector"},
		get: func(in capInputs) float64 { return b2f(in.Vector) }, set: func(in *capInputs, v float64) { in.Vector = v != 0 }},
	{id: "repair", label: "read repair", help: "a read writes the newest version back to replicas that returned older ones", kind: capToggle, max: 1, step: 1, choices: onOff,
		get: func(in capInputs) float64 { return b2f(in.ReadRepair) }, set: func(in *capInputs, v float64) { in.ReadRepair = v != 0 }},
}

// capControlByID returns the control named id.
func capControlByID(id string) (capControl, bool) {
	for _, c := range capControls {
		if c.id == id {
			return c, true
		}
	}
	return capControl{}, false
}

// hi is the control's largest value under the other inputs: n caps r and w.
func (c capControl) hi(in capInputs) float64 {
	if c.id == "r" || c.id == "w" {
		return min(c.max, float64(in.N))
	}
	return c.max
}

// value is what the control shows: its input, snapped to a step and within
// its bounds (r and w capped at n).
func (c capControl) value(in capInputs) float64 { return c.clamp(in, c.get(in)) }

func (c capControl) clamp(in capInputs, v float64) float64 {
	if c.step > 0 {
		v = c.min + math.Round((v-c.min)/c.step)*c.step
	}
	return max(c.min, min(v, c.hi(in)))
}

// with returns the inputs with the control moved to v (snapped, bounded).
func (c capControl) with(in capInputs, v float64) capInputs {
	c.set(&in, c.clamp(in, v))
	return in
}

// format writes a value of the control as the page shows it.
func (c capControl) format(v float64) string {
	if c.choices != nil {
		i := max(0, min(int(v), len(c.choices)-1))
		return c.choices[i]
	}
	switch c.id {
	case "length", "latency", "skew":
		return ms2d(v).String()
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// positions returns the values a sweep of the control measures under the
// other inputs: every step, or at most max evenly spread ones with both
// ends.
func (c capControl) positions(in capInputs, most int) []float64 {
	lo, hi := c.min, c.hi(in)
	steps := int(math.Round((hi-lo)/c.step)) + 1
	var out []float64
	for i := range min(steps, most) {
		k := i
		if steps > most {
			k = int(math.Round(float64(i) * float64(steps-1) / float64(most-1)))
		}
		out = append(out, lo+float64(k)*c.step)
	}
	return out
}

// key writes the inputs, leaving out the control named except (none when
// ""): two runs belong to one series of a control when their keys without
// it are equal. Raw inputs are written (r and w as set, not as capped), so
// that moving n keeps the series of n.
func (in capInputs) key(except string) string {
	parts := make([]string, 0, len(capControls))
	for _, c := range capControls {
		if c.id != except {
			parts = append(parts, c.id+"="+c.format(c.get(in)))
		}
	}
	return strings.Join(parts, " ")
}

// capPoint is one measured position of a control.
type capPoint struct {
	x   float64
	sum quorum.Summary
}

// capSeries are the runs measured at positions of one control, the other
// inputs unchanged (their key), in the order of x.
type capSeries struct {
	control string
	key     string
	in      capInputs // the inputs of the last point, for the control's bounds
	points  []capPoint
}

// with returns the series with the run of in added as a point of control.
// A run with another control or other inputs starts a new series; one at a
// position already measured replaces it.
func (s capSeries) with(control string, in capInputs, sum quorum.Summary) capSeries {
	c, ok := capControlByID(control)
	if !ok {
		return s
	}
	key := in.key(control)
	if s.control != control || s.key != key {
		s = capSeries{control: control, key: key}
	}
	x := c.value(in)
	pts := make([]capPoint, 0, len(s.points)+1)
	added := false
	for _, p := range s.points {
		switch {
		case p.x == x:
			continue
		case p.x > x && !added:
			pts, added = append(pts, capPoint{x, sum}), true
		}
		pts = append(pts, p)
	}
	if !added {
		pts = append(pts, capPoint{x, sum})
	}
	s.points, s.in = pts, in
	return s
}

// capScenarioFor returns a scenario for the playground that runs the
// explorer's workload with the inputs, for dur of virtual time: the same
// mechanism, parameters, network and partition as quorum.Explore. The skew
// is a clock jump at 0s, where Explore sets the clock before the start, so
// with a skew the two runs may differ in their first operations.
func capScenarioFor(in capInputs, dur time.Duration) string {
	s := in.settings()
	var b strings.Builder
	fmt.Fprintf(&b, "name: cap-explorer\n")
	fmt.Fprintf(&b, "title: \"The CAP explorer's workload: n %d, r %d, w %d, %s\"\n", s.N, s.R, s.W, s.Conflict)
	fmt.Fprintf(&b, "mechanism: quorum\nseed: %d\nduration: %v\n", s.Seed, dur)
	fmt.Fprintf(&b, "params: {n: %d, r: %d, w: %d, replicas: %d, clients: %d, sloppy: %t, read_repair: %t, conflict: %s, ops: %d, think: 0s, timeout: %v}\n",
		s.N, s.R, s.W, s.N+2, s.Clients, s.Sloppy, s.ReadRepair, s.Conflict, s.Ops, s.Timeout)
	fmt.Fprintf(&b, "network: {latency: %q}\n", s.Latency.String())
	var faults []string
	if s.Skew > 0 {
		faults = append(faults, fmt.Sprintf("{at: 0s, clock: client-1, jump: +%v}", s.Skew))
	}
	if s.Partition {
		faults = append(faults,
			fmt.Sprintf("{at: %v, partition: [[client-1, replica-1, replica-%d, replica-%d]]}", s.PartitionAt, s.N+1, s.N+2),
			fmt.Sprintf("{at: %v, heal: all}", s.PartitionAt+s.PartitionLength))
	}
	if len(faults) > 0 {
		b.WriteString("faults:\n")
		for _, f := range faults {
			b.WriteString("  - " + f + "\n")
		}
	}
	return b.String()
}
