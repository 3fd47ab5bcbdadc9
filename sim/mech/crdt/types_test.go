package crdt

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// randomState builds a state of the given type by applying random updates
// at random replicas of a ring of three, merging now and then, the way
// replicas reach states during a run.
func randomState(g *rand.Rand, kind string) State {
	s := newState(kind, 3)
	for range g.IntN(8) {
		at := g.IntN(3)
		elem := "e" + strconv.Itoa(g.IntN(4))
		switch x := s.(type) {
		case GCounter:
			s = x.Inc(at)
		case PNCounter:
			if g.IntN(2) == 0 {
				s = PNCounter{P: x.P.Inc(at), N: x.N}
			} else {
				s = PNCounter{P: x.P, N: x.N.Inc(at)}
			}
		case ORSet:
			if g.IntN(3) == 0 {
				s, _ = x.Remove(elem)
			} else {
				s = x.Add(elem, "replica-"+strconv.Itoa(at+1)+":"+strconv.Itoa(g.IntN(1000)))
			}
		case LWWRegister:
			s = LWWRegister{Elems: []string{elem}, TS: time.Duration(g.IntN(5)), Writer: "replica-" + strconv.Itoa(at+1)}
		}
	}
	return s
}

// TestMergeIsALeastUpperBound checks the laws that make a state-based CRDT
// converge whatever the order and repetition of gossip (Shapiro et al.,
// section 2.2): merge is commutative, associative and idempotent.
func TestMergeIsALeastUpperBound(t *testing.T) {
	for _, kind := range []string{"gcounter", "pncounter", "orset", "lwwregister"} {
		for seed := uint64(1); seed <= 200; seed++ {
			g := rand.New(rand.NewPCG(seed, 1))
			a, b, c := randomState(g, kind), randomState(g, kind), randomState(g, kind)
			eq := func(law string, x, y State) {
				if x.String() != y.String() {
					t.Fatalf("%s, seed %d: merge is not %s: %v vs %v (a=%v b=%v c=%v)", kind, seed, law, x, y, a, b, c)
				}
			}
			eq("commutative", a.Merge(b), b.Merge(a))
			eq("associative", a.Merge(b).Merge(c), a.Merge(b.Merge(c)))
			eq("idempotent", a.Merge(a), a)
			eq("an upper bound", a.Merge(b).Merge(a), a.Merge(b))
		}
	}
}

func TestCounters(t *testing.T) {
	g := GCounter{0, 0, 0}.Inc(0).Inc(0).Inc(2)
	h := GCounter{0, 0, 0}.Inc(1)
	if v := g.Merge(h).Value(); v != "4" {
		t.Errorf("G-Counter: merged value %s, want 4 (no increment lost)", v)
	}
	p := PNCounter{P: GCounter{2, 0, 0}, N: GCounter{0, 0, 3}}
	if v := p.Value(); v != "-1" {
		t.Errorf("PN-Counter value %s, want -1", v)
	}
}

func TestORSetAddWins(t *testing.T) {
	base := ORSet{}.Add("a", "replica-1:1")
	// replica-1 removes a while replica-2, which has seen the first add,
	// adds a again concurrently: the new tag was not observed by the remove.
	removed, found := base.Remove("a")
	readded := base.Add("a", "replica-2:1")
	if !found {
		t.Fatal("remove did not find a")
	}
	if v := removed.Merge(readded).Value(); v != "a" {
		t.Errorf("merged value %q, want \"a\": the concurrent add wins", v)
	}
	if v := removed.Merge(base).Value(); v != "" {
		t.Errorf("merged value %q, want empty: the remove saw the only add", v)
	}
	if _, found := (ORSet{}).Remove("a"); found {
		t.Error("removing from an empty set found something")
	}
}

func TestLWWRegisterLosesConcurrentAdds(t *testing.T) {
	x := LWWRegister{Elems: []string{"a"}, TS: 5, Writer: "replica-1"}
	y := LWWRegister{Elems: []string{"b"}, TS: 7, Writer: "replica-2"}
	if v := x.Merge(y).Value(); v != "b" {
		t.Errorf("merged value %q, want \"b\": the later timestamp wins and \"a\" is gone", v)
	}
	tie := LWWRegister{Elems: []string{"c"}, TS: 7, Writer: "replica-3"}
	if v := y.Merge(tie).Value(); v != "c" {
		t.Errorf("tie: merged value %q, want \"c\" (the larger writer name breaks ties)", v)
	}
}
