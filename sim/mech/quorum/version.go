package quorum

import (
	"slices"
	"strings"
	"time"

	"coordlab/sim/check"
)

// VClock is a version vector (the Dynamo paper's "vector clock"): one counter
// per replica, indexed by replica number (replica-1 is index 0). A VClock is
// never changed once it is part of a Version or a message; operations return
// new ones.
type VClock []uint64

// descends reports whether a has seen every event b has: a ≥ b entry by entry.
func (a VClock) descends(b VClock) bool {
	for i, x := range b {
		if x > 0 && (i >= len(a) || a[i] < x) {
			return false
		}
	}
	return true
}

// merge returns the entry-by-entry maximum of a and b.
func (a VClock) merge(b VClock) VClock {
	out := make(VClock, max(len(a), len(b)))
	copy(out, a)
	for i, x := range b {
		out[i] = max(out[i], x)
	}
	return out
}

// Version is one version of a key's value as a replica stores it.
type Version struct {
	Value string
	// With last-writer-wins: the writer's clock when it issued the write, then
	// the writer's name and operation number to break ties.
	TS     time.Duration
	Writer string
	Seq    uint64
	// With version vectors: the version's causal history, and the context
	// the writer's put carried (the vector of what it had read before). A
	// version whose Clock descends from another's but whose Seen does not
	// replaces it although its writer never saw it: see saw.
	Clock VClock
	Seen  VClock
}

// saw reports whether the writer of a knew of b when it wrote a: b is within
// the context a's put carried, or the same client wrote b in an earlier
// operation (a client knows its own writes). Only then may a replace b
// without losing an update. Under Dynamo's per-node version vectors a can
// descend from b without having seen it: the coordinator of two puts sent
// with the same context gives the second a larger counter of its own, and a
// late duplicate of a put gets one too (Preguiça et al., "Dotted Version
// Vectors", 2012, fix this with a dot per version).
func (a *Version) saw(b *Version) bool {
	return a.Seen.descends(b.Clock) || (a.Writer == b.Writer && a.Seq > b.Seq)
}

// newer reports whether a wins over b under last-writer-wins: the later
// timestamp, whoever's clock it was read from.
func (a Version) newer(b Version) bool {
	if a.TS != b.TS {
		return a.TS > b.TS
	}
	if a.Writer != b.Writer {
		return a.Writer > b.Writer
	}
	return a.Seq > b.Seq
}

// reconcile returns what survives of the versions in a and b. Under
// last-writer-wins that is the one newest version. With version vectors it is
// every version no other version descends from (Dynamo's syntactic
// reconciliation): concurrent versions survive together as siblings, sorted
// by value.
func reconcile(vector bool, a, b []Version) []Version {
	if !vector {
		// Each side holds at most one version; the winner's slice is
		// returned as it is (versions are never changed once stored).
		switch {
		case len(a) == 0:
			return b
		case len(b) == 0 || !b[0].newer(a[0]):
			return a
		}
		return b
	}
	switch {
	// A set of one version is reconciled already: most calls merge one
	// version with nothing or with one it descends from or that descends
	// from it, and return an input as it is (versions are never changed
	// once stored).
	case len(a) == 0 && len(b) <= 1:
		return b
	case len(b) == 0 && len(a) <= 1:
		return a
	case len(a) == 1 && len(b) == 1:
		switch {
		case a[0].Clock.descends(b[0].Clock):
			return a
		case b[0].Clock.descends(a[0].Clock):
			return b
		}
	}
	var buf [4]Version
	all := append(append(buf[:0], a...), b...)
	// When what survives is one side whole (which is sorted, being a
	// reconciled set), that side is the answer.
	n, fromA := 0, 0
	for i := range all {
		if !obsolete(i, all) {
			n++
			if i < len(a) {
				fromA++
			}
		}
	}
	switch {
	case n == len(a) && fromA == n:
		return a
	case n == len(b) && fromA == 0:
		return b
	}
	out := make([]Version, 0, n)
	for i := range all {
		if !obsolete(i, all) {
			out = append(out, all[i])
		}
	}
	slices.SortFunc(out, func(x, y Version) int { return strings.Compare(x.Value, y.Value) })
	return out
}

// obsolete reports whether all[i] is dominated by another version in all, or
// is a copy of one that comes earlier. It reads the clocks in place rather
// than copying versions: reconcile calls it for every version it merges.
func obsolete(i int, all []Version) bool {
	c := all[i].Clock
	for j := range all {
		if j == i {
			continue
		}
		if u := all[j].Clock; u.descends(c) && (!c.descends(u) || j < i) {
			return true
		}
	}
	return false
}

// sameVersions reports whether two reconciled sets hold the same versions.
// Every write has its own value, so values identify versions.
func sameVersions(a, b []Version) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Value != b[i].Value {
			return false
		}
	}
	return true
}

// hasValue reports whether vs holds a version of value.
func hasValue(vs []Version, value string) bool {
	for _, v := range vs {
		if v.Value == value {
			return true
		}
	}
	return false
}

// output is what a get returns to the application: the value, or the
// siblings separated by check.SiblingSep.
func output(vs []Version) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0].Value
	}
	values := make([]string, len(vs))
	for i, v := range vs {
		values[i] = v.Value
	}
	return strings.Join(values, check.SiblingSep)
}

// context is the merged version vector of what a get returned: a put that
// carries it supersedes every sibling the client saw.
func context(vs []Version) VClock {
	var c VClock
	for _, v := range vs {
		c = c.merge(v.Clock)
	}
	return c
}
