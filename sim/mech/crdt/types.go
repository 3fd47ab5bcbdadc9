package crdt

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// State is the payload of a state-based CRDT (a CvRDT, Shapiro et al. 2011,
// section 2.2): replicas merge states with a least upper bound, so merging
// in any order, any number of times, reaches the same state. A State is a
// value: Merge and the updates return new states and never change the old
// one, which may be in a message in flight.
type State interface {
	// Merge returns the least upper bound of the two states.
	Merge(o State) State
	// Value is what a client reading the replica sees: "7", or "a,b".
	Value() string
	// String encodes the whole state so that equal states encode equally.
	String() string
}

// newState returns the empty state of a type for a ring of n replicas.
func newState(kind string, n int) State {
	switch kind {
	case "pncounter":
		return PNCounter{P: make(GCounter, n), N: make(GCounter, n)}
	case "orset":
		return ORSet{}
	case "lwwregister":
		return LWWRegister{}
	}
	return make(GCounter, n)
}

// GCounter is a grow-only counter (Shapiro et al., specification 6): one
// entry per replica, which only that replica increments; the value is the
// sum and merge takes the maximum of each entry, so no increment is ever
// lost.
type GCounter []uint64

// Inc returns the counter with replica i's entry incremented.
func (g GCounter) Inc(i int) GCounter {
	out := slices.Clone(g)
	out[i]++
	return out
}

// Merge takes the maximum of each entry.
func (g GCounter) Merge(o State) State {
	out := slices.Clone(g)
	for i, x := range o.(GCounter) {
		out[i] = max(out[i], x)
	}
	return out
}

func (g GCounter) sum() uint64 {
	var s uint64
	for _, x := range g {
		s += x
	}
	return s
}

// Value is the sum of the entries.
func (g GCounter) Value() string { return strconv.FormatUint(g.sum(), 10) }

// String lists the entries: "[2 0 5]".
func (g GCounter) String() string {
	parts := make([]string, len(g))
	for i, x := range g {
		parts[i] = strconv.FormatUint(x, 10)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// PNCounter is a counter that also decrements (specification 7): two
// G-Counters, one of increments and one of decrements.
type PNCounter struct{ P, N GCounter }

// Merge merges both halves.
func (c PNCounter) Merge(o State) State {
	x := o.(PNCounter)
	return PNCounter{P: c.P.Merge(x.P).(GCounter), N: c.N.Merge(x.N).(GCounter)}
}

// Value is increments minus decrements.
func (c PNCounter) Value() string { return strconv.FormatInt(int64(c.P.sum())-int64(c.N.sum()), 10) }

// String shows both halves: "P[2 0 5] N[1 0 0]".
func (c PNCounter) String() string { return "P" + c.P.String() + " N" + c.N.String() }

// Tagged is an element of an OR-Set with the unique tag of the add that put
// it there.
type Tagged struct {
	Elem string
	Tag  string // "replica-2:7": the 7th add at replica-2
}

// ORSet is the observed-remove set (specification 15): an add tags the
// element uniquely; a remove tombstones the tags it has observed, so an add
// that the remove did not see survives it ("add wins"). Both sets only grow
// and merge is their union. Elements and tombstones are kept sorted.
type ORSet struct {
	Added   []Tagged
	Removed []Tagged // tombstones
}

func compareTagged(a, b Tagged) int {
	if c := strings.Compare(a.Elem, b.Elem); c != 0 {
		return c
	}
	return strings.Compare(a.Tag, b.Tag)
}

// union merges two sorted sets of tagged elements.
func union(a, b []Tagged) []Tagged {
	out := make([]Tagged, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.SortFunc(out, compareTagged)
	return slices.Compact(out)
}

// Add returns the set with e added under a new tag.
func (s ORSet) Add(e, tag string) ORSet {
	return ORSet{Added: union(s.Added, []Tagged{{e, tag}}), Removed: s.Removed}
}

// Remove returns the set with every tag of e it has observed tombstoned, and
// whether there was any.
func (s ORSet) Remove(e string) (ORSet, bool) {
	var seen []Tagged
	for _, t := range s.Added {
		if t.Elem == e && !s.removed(t) {
			seen = append(seen, t)
		}
	}
	if len(seen) == 0 {
		return s, false
	}
	return ORSet{Added: s.Added, Removed: union(s.Removed, seen)}, true
}

func (s ORSet) removed(t Tagged) bool {
	_, found := slices.BinarySearchFunc(s.Removed, t, compareTagged)
	return found
}

// Has reports whether e has a tag that is not tombstoned.
func (s ORSet) Has(e string) bool {
	return slices.ContainsFunc(s.Added, func(t Tagged) bool { return t.Elem == e && !s.removed(t) })
}

// Merge takes the union of the adds and of the tombstones.
func (s ORSet) Merge(o State) State {
	x := o.(ORSet)
	return ORSet{Added: union(s.Added, x.Added), Removed: union(s.Removed, x.Removed)}
}

// Value lists the elements with a live tag, sorted, separated by commas.
func (s ORSet) Value() string {
	var elems []string
	for _, t := range s.Added {
		if !s.removed(t) && (len(elems) == 0 || elems[len(elems)-1] != t.Elem) {
			elems = append(elems, t.Elem)
		}
	}
	return strings.Join(elems, ",")
}

// String lists the tagged adds and the tombstones.
func (s ORSet) String() string {
	enc := func(ts []Tagged) string {
		parts := make([]string, len(ts))
		for i, t := range ts {
			parts[i] = t.Elem + "@" + t.Tag
		}
		return strings.Join(parts, " ")
	}
	return "A{" + enc(s.Added) + "} R{" + enc(s.Removed) + "}"
}

// LWWRegister is the last-writer-wins register (specification 8) holding a
// set of elements: an add or remove reads the whole set, changes it and
// writes it back with a timestamp from the replica's clock. Merge keeps the
// write with the later timestamp, so of two concurrent updates at different
// replicas one is thrown away — which is what the OR-Set exists to avoid.
type LWWRegister struct {
	Elems  []string // sorted
	TS     time.Duration
	Writer string // breaks timestamp ties
}

// later orders writes by timestamp, then writer. A replica never stamps two
// writes alike, but the order is total all the same (last, by value) so that
// merge is commutative on any two states.
func (r LWWRegister) later(o LWWRegister) bool {
	switch {
	case r.TS != o.TS:
		return r.TS > o.TS
	case r.Writer != o.Writer:
		return r.Writer > o.Writer
	}
	return r.Value() > o.Value()
}

// Merge keeps the later write.
func (r LWWRegister) Merge(o State) State {
	if x := o.(LWWRegister); x.later(r) {
		return x
	}
	return r
}

// Value lists the elements, separated by commas.
func (r LWWRegister) Value() string { return strings.Join(r.Elems, ",") }

// String shows the elements and the timestamp that wins merges.
func (r LWWRegister) String() string {
	return "{" + r.Value() + "} @" + r.TS.String() + " by " + r.Writer
}
