package zklock_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/zklock"
	"coordlab/sim/scenario"
)

func TestBadParams(t *testing.T) {
	tests := []struct {
		kv    []string
		param string
		want  string
	}{
		{[]string{"recipe", "random"}, "recipe", "one of predecessor, herd"},
		{[]string{"session_timeout", "-4s"}, "session_timeout", "expected a duration"},
		{[]string{"ensemble", "0"}, "ensemble", "from 1 to 9"},
		{[]string{"ttl", "1s"}, "ttl", "no such parameter"},
	}
	for _, tt := range tests {
		_, err := zklock.Mechanism.With(tt.kv...)
		var pe *mech.ParamError
		if !errors.As(err, &pe) || pe.Param != tt.param || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("With(%v) = %v; want a ParamError on %s saying %q", tt.kv, err, tt.param, tt.want)
		}
	}
	src := "name: x\nmechanism: zklock\nparams:\n  clients: 2\n  recipe: random\n"
	if _, err := scenario.Parse("x.scenario.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "x.scenario.yaml:5:11") {
		t.Errorf("recipe: random in a scenario: %v; want an error at x.scenario.yaml:5:11", err)
	}
}

// run builds a world with the parameters, schedules the faults and runs it.
func run(t testing.TB, seed uint64, d time.Duration, net sim.Network, faults []sim.Fault, kv ...string) (*sim.World, []check.Violation) {
	t.Helper()
	p, err := zklock.Mechanism.With(kv...)
	if err != nil {
		t.Fatal(err)
	}
	w, vs, err := zklock.Mechanism.Run(sim.Config{Seed: seed, Duration: d, Network: net}, p, faults...)
	if err != nil {
		t.Fatal(err)
	}
	return w, vs
}

func acquiredAt(h []sim.Observation) []sim.Time {
	var at []sim.Time
	for _, o := range h {
		if _, ok := o.Value.(check.LockAcquired); ok {
			at = append(at, o.At)
		}
	}
	return at
}

// TestNoFaultsMutualExclusion: without faults the recipe never lets two
// clients hold the lock, whatever the seed, sizes, times, recipe and latency.
func TestNoFaultsMutualExclusion(t *testing.T) {
	for seed := uint64(1); seed <= 100; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		kv := []string{
			"ensemble", fmt.Sprint(1 + 2*r.IntN(3)),
			"clients", fmt.Sprint(1 + r.IntN(6)),
			"session_timeout", fmt.Sprintf("%dms", 1000+r.IntN(5000)),
			"recipe", []string{"predecessor", "herd"}[r.IntN(2)],
			"hold", fmt.Sprintf("%dms", 1+r.IntN(400)),
			"think", fmt.Sprintf("%dms", r.IntN(200)),
		}
		lat := time.Duration(1+r.IntN(20)) * time.Millisecond
		net := sim.Network{Latency: sim.Latency{Min: lat / 4, Max: lat}}
		w, vs := run(t, seed, 20*time.Second, net, nil, kv...)
		if len(vs) > 0 {
			t.Fatalf("seed %d %v latency %v: %s", seed, kv, net.Latency, vs[0].Detail)
		}
		if len(acquiredAt(w.History())) == 0 {
			t.Fatalf("seed %d %v: no acquisitions at all", seed, kv)
		}
	}
}

// randomFaults draws a schedule of pauses, crashes with restarts,
// partitions and clock jumps over the given nodes, healed by end.
func randomFaults(r *rand.Rand, nodes []string, n int, end time.Duration) []sim.Fault {
	var fs []sim.Fault
	pick := func() string { return nodes[r.IntN(len(nodes))] }
	for i := 0; i < n; i++ {
		at := time.Duration(r.Int64N(int64(end)))
		for_ := time.Duration(r.Int64N(int64(8 * time.Second)))
		node := pick()
		switch r.IntN(5) {
		case 0:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPause, Node: node, For: for_})
		case 1:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultCrash, Node: node}, sim.Fault{At: at + for_, Kind: sim.FaultRestart, Node: node})
		case 2:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPartition, Groups: [][]string{{node, pick()}}},
				sim.Fault{At: at + for_, Kind: sim.FaultHeal})
		case 3:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultClockJump, Node: node, Jump: for_ - 4*time.Second})
		case 4:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultIsolate, Node: node}, sim.Fault{At: at + for_, Kind: sim.FaultHeal})
		}
	}
	return append(fs, sim.Fault{At: end, Kind: sim.FaultHeal})
}

// TestFencingNeverStale: with fencing, storage never accepts a stale write,
// whatever pauses, crashes, partitions and clock jumps hit clients and
// servers. Mutual exclusion may break (a paused holder); the write may not.
func TestFencingNeverStale(t *testing.T) {
	brokeMutex := 0
	for seed := uint64(1); seed <= 150; seed++ {
		r := rand.New(rand.NewPCG(seed, 5))
		p, _ := zklock.Mechanism.With("clients", "3")
		nodes := zklock.Mechanism.Nodes(p)
		faults := randomFaults(r, nodes[:len(nodes)-1], 8, 30*time.Second)
		w, vs := run(t, seed, 40*time.Second, sim.DefaultNetwork, faults, "clients", "3", "fencing", "true", "hold", "1s")
		for _, v := range vs {
			if v.Invariant == "stale-write" {
				t.Fatalf("seed %d, faults %+v: %s", seed, faults, v.Detail)
			}
			brokeMutex++
		}
		_ = w
	}
	if brokeMutex == 0 {
		t.Fatal("no schedule broke mutual exclusion: the faults test nothing")
	}
}

// TestMajorityKeepsGranting: while a majority of the ensemble is up, the
// lock keeps being granted — within a few seconds of any fault — and stays
// safe; afterwards every server holds the same tree.
func TestMajorityKeepsGranting(t *testing.T) {
	for seed := uint64(1); seed <= 150; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		ensemble := []int{3, 5}[r.IntN(2)]
		servers := zklock.ServerNames(ensemble)
		var faults []sim.Fault
		// Faults on at most a minority of the servers, one after another.
		minority := servers[:ensemble/2]
		for at := 3 * time.Second; at < 40*time.Second; at += 6 * time.Second {
			for _, s := range minority {
				if r.IntN(2) == 0 {
					continue
				}
				d := time.Duration(1+r.IntN(4)) * time.Second
				switch r.IntN(3) {
				case 0:
					faults = append(faults, sim.Fault{At: at, Kind: sim.FaultCrash, Node: s}, sim.Fault{At: at + d, Kind: sim.FaultRestart, Node: s})
				case 1:
					faults = append(faults, sim.Fault{At: at, Kind: sim.FaultPause, Node: s, For: d})
				case 2:
					faults = append(faults, sim.Fault{At: at, Kind: sim.FaultIsolate, Node: s}, sim.Fault{At: at + d, Kind: sim.FaultHeal})
				}
			}
			if r.IntN(3) == 0 { // and now and then the leader itself, if it is in the minority
				faults = append(faults, sim.Fault{At: at + time.Second, Kind: sim.FaultCrash, Node: minority[0]}, sim.Fault{At: at + 3*time.Second, Kind: sim.FaultRestart, Node: minority[0]})
			}
		}
		// The highest ids win elections, so put the minority there too.
		for i := range faults {
			if faults[i].Node != "" {
				faults[i].Node = servers[ensemble-1-indexOf(servers, faults[i].Node)]
			}
		}
		w, vs := run(t, seed, 50*time.Second, sim.DefaultNetwork, faults, "ensemble", fmt.Sprint(ensemble), "clients", "3")
		if len(vs) > 0 {
			t.Fatalf("seed %d, faults %+v: %s", seed, faults, vs[0].Detail)
		}
		at := acquiredAt(w.History())
		last := sim.Time(0)
		for _, a := range append(at, 50*time.Second) {
			if a-last > 12*time.Second {
				t.Fatalf("seed %d (ensemble %d): no grant between %v and %v; faults %+v", seed, ensemble, last, a, faults)
			}
			last = a
		}
		// Every server is back in the ensemble, and servers that applied
		// the same transactions hold the same tree.
		byZxid := map[string]string{}
		for _, n := range w.Snapshot().Nodes[:ensemble] {
			st := n.State.(zklock.ServerState)
			if !st.Serving {
				t.Fatalf("seed %d: %s is not serving at the end: %+v", seed, n.Name, st)
			}
			tree := fmt.Sprint(st.Lock)
			for _, ss := range st.Sessions {
				tree += " " + ss.ID
			}
			if other, ok := byZxid[st.Zxid]; ok && other != tree {
				t.Fatalf("seed %d: two servers at zxid %s hold different trees:\n%s\n%s", seed, st.Zxid, other, tree)
			}
			byZxid[st.Zxid] = tree
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// BenchmarkZklock60s runs 60 s of virtual time with 3 servers and 5 clients.
func BenchmarkZklock60s(b *testing.B) {
	p, err := zklock.Mechanism.With("ensemble", "3", "clients", "5")
	if err != nil {
		b.Fatal(err)
	}
	var events int
	for i := 0; i < b.N; i++ {
		w := sim.New(sim.Config{Seed: uint64(i + 1), Duration: 60 * time.Second, Network: sim.DefaultNetwork})
		if err := zklock.Mechanism.Build(w, p); err != nil {
			b.Fatal(err)
		}
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		events = w.Events()
	}
	b.ReportMetric(float64(events), "events/run")
}
