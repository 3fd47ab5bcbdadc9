package quorum

import (
	"cmp"
	"fmt"
	"slices"

	"coordlab/sim"
	"coordlab/sim/check"
)

// BlindOverwrite is what a replica observes under version vectors when it
// throws away a version of Key because the version vector of another one,
// Kept, descends from it although Kept's writer had never seen it (see
// Version.saw). Every replica that meets both does the same, so the value is
// gone for good: a lost update, if its put was acknowledged.
//
// check.Discard, which last-writer-wins replicas observe, cannot carry it:
// the lost-update checker counts a discard only when the value kept had been
// written before the value lost was even sent, and a blind overwrite is
// usually concurrent with what it replaces. So this mechanism adds its own
// record and reads it in lostUpdate.
type BlindOverwrite struct {
	Replica string
	Key     string
	Value   string // the value thrown away
	Kept    string // the value whose version vector looked newer
}

// String writes the overwrite compactly, as check.Discard does.
func (b BlindOverwrite) String() string {
	return "{Replica:" + b.Replica + " Key:" + b.Key + " Value:" + b.Value + " Kept:" + b.Kept + "}"
}

// lostUpdate is check.LostUpdate, which reads last-writer-wins discards,
// extended with the blind overwrites of version vectors.
func lostUpdate() check.Checker {
	c := check.LostUpdate()
	c.Explain = "An acknowledged write is never thrown away in favour of older data, nor, with version vectors, for a write whose writer had not seen it."
	inner := c.Check
	c.Check = func(h []sim.Observation) []check.Violation {
		return sortViolations(append(inner(h), blindOverwrites(h)...))
	}
	return c
}

// staleAndLost is check.StaleReadsAndLostUpdates with the blind overwrites
// added to the lost updates. older holds only the lost updates for older
// data, each a proof that the history is not linearizable; a blind
// overwrite is not one, since a register may order the write it lost before
// the one it kept.
func staleAndLost(h []sim.Observation) (stale, lost, older []check.Violation) {
	stale, older = check.StaleReadsAndLostUpdates(h)
	blind := blindOverwrites(h)
	if len(blind) == 0 {
		return stale, older, older
	}
	return stale, sortViolations(append(slices.Clone(older), blind...)), older
}

func sortViolations(v []check.Violation) []check.Violation {
	slices.SortStableFunc(v, func(a, b check.Violation) int { return cmp.Compare(a.At, b.At) })
	return v
}

// blindOverwrites reports each acknowledged put a BlindOverwrite threw away,
// once. A put that was not acknowledged may or may not have taken effect, so
// losing it breaks no promise. It reads operations with true times (see
// check.StampOps).
func blindOverwrites(h []sim.Observation) []check.Violation {
	first := slices.IndexFunc(h, func(o sim.Observation) bool { _, ok := o.Value.(BlindOverwrite); return ok })
	if first < 0 {
		return nil // the common case, checked without building anything
	}
	puts := map[[2]string]check.Op{} // by key and value: every put writes its own value
	for _, o := range h {
		if op, ok := o.Value.(check.Op); ok && op.Kind == "put" {
			puts[[2]string{op.Key, op.Value}] = op
		}
	}
	var out []check.Violation
	reported := map[[2]string]bool{}
	for _, o := range h[first:] {
		b, ok := o.Value.(BlindOverwrite)
		if !ok {
			continue
		}
		k := [2]string{b.Key, b.Value}
		lost, ok := puts[k]
		if !ok || !lost.Ok || reported[k] {
			continue
		}
		reported[k] = true
		kept, ok := puts[[2]string{b.Key, b.Kept}]
		whose := kept.Client + "'s "
		if !ok {
			whose = ""
		}
		out = append(out, check.Violation{
			Invariant: "lost-update",
			At:        max(o.At, lost.Return),
			Nodes:     names(lost.Client, b.Replica, kept.Client),
			Detail: fmt.Sprintf("%s threw away %s's acknowledged write of %q to %s for %s%q, whose version vector looked newer although its writer had never seen %q",
				b.Replica, lost.Client, lost.Value, b.Key, whose, b.Kept, lost.Value),
		})
	}
	return out
}

// names lists the non-empty names once each, in order.
func names(ns ...string) []string {
	var out []string
	for _, n := range ns {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
