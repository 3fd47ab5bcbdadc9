package quorum

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// survivors is reconcile with version vectors by its definition: every
// version no other version strictly descends from, each once, sorted by
// value.
func survivors(a, b []Version) []Version {
	var out []Version
	for _, v := range append(slices.Clone(a), b...) {
		dominated := false
		for _, u := range append(slices.Clone(a), b...) {
			if u.Clock.descends(v.Clock) && !v.Clock.descends(u.Clock) {
				dominated = true
			}
		}
		if !dominated && !slices.ContainsFunc(out, func(u Version) bool { return u.Value == v.Value }) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(x, y Version) int { return strings.Compare(x.Value, y.Value) })
	return out
}

// TestReconcileVectors checks reconcile, shortcuts included, against its
// definition on random sets of versions: each side a reconciled set, as
// replicas store and send them, drawn from a few writes with random clocks.
func TestReconcileVectors(t *testing.T) {
	g := rand.New(rand.NewPCG(1, 2))
	shortcuts := 0
	for range 5000 {
		// A pool of writes, each with its own clock, as the coordinators
		// issue them (a new event in every write's clock).
		var pool []Version
		for i := range 1 + g.IntN(5) {
			c := VClock{uint64(g.IntN(3)), uint64(g.IntN(3)), uint64(g.IntN(3))}
			if !slices.ContainsFunc(pool, func(v Version) bool { return slices.Equal(v.Clock, c) }) {
				pool = append(pool, Version{Value: fmt.Sprintf("v%d", i), Clock: c})
			}
		}
		side := func() []Version {
			var vs []Version
			for _, v := range pool {
				if g.IntN(2) == 0 {
					vs = append(vs, v)
				}
			}
			return survivors(vs, nil)
		}
		a, b := side(), side()
		got, want := reconcile(true, a, b), survivors(a, b)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("reconcile(%v, %v) = %v, want %v", a, b, got, want)
		}
		if len(got) > 0 && (len(a) > 0 && &got[0] == &a[0] || len(b) > 0 && &got[0] == &b[0]) {
			shortcuts++
		}
	}
	if shortcuts == 0 {
		t.Fatal("no reconcile returned a side as it is: the shortcuts were never taken")
	}
}
