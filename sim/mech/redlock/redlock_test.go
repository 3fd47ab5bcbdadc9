package redlock_test

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
	"coordlab/sim/mech/redlock"
	"coordlab/sim/scenario"
)

func TestValidity(t *testing.T) {
	s, ms := time.Second, time.Millisecond
	tests := []struct {
		granted, n int
		ttl, took  time.Duration
		factor     float64
		want       time.Duration
		ok         bool
	}{
		{3, 5, 10 * s, 5 * ms, 0.01, 10*s - 5*ms - 102*ms, true}, // drift = 10s×0.01 + 2ms
		{5, 5, 10 * s, 0, 0, 10*s - 2*ms, true},
		{2, 5, 10 * s, 5 * ms, 0.01, 10*s - 5*ms - 102*ms, false}, // no majority
		{3, 5, 10 * s, 9900 * ms, 0.01, -2 * ms, false},           // took too long: no validity left
		{2, 3, time.Second, 10 * ms, 0.01, time.Second - 10*ms - 12*ms, true},
		{1, 1, time.Second, 0, 0.5, time.Second/2 - 2*ms, true},
	}
	for _, tt := range tests {
		got, ok := redlock.Validity(tt.granted, tt.n, tt.ttl, tt.took, tt.factor)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Validity(%d of %d, ttl %v, took %v, factor %v) = %v, %v; want %v, %v",
				tt.granted, tt.n, tt.ttl, tt.took, tt.factor, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBadParams(t *testing.T) {
	m := redlock.Mechanism
	tests := []struct {
		kv    []string
		param string
		want  string
	}{
		{[]string{"masters", "4"}, "masters", "odd number"},
		{[]string{"ttl", "-1s"}, "ttl", "expected a duration"},
		{[]string{"persistence", "everysec"}, "persistence", "one of none, always"},
		{[]string{"fencing", "true"}, "fencing", "no such parameter"},
		{[]string{"drift_factor", "2"}, "drift_factor", "expected a number"},
	}
	for _, tt := range tests {
		_, err := m.With(tt.kv...)
		var pe *mech.ParamError
		if !errors.As(err, &pe) || pe.Param != tt.param || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("With(%v) = %v; want a ParamError on %s saying %q", tt.kv, err, tt.param, tt.want)
		}
	}
	if _, err := m.With("masters", "7"); err != nil {
		t.Errorf("masters 7: %v", err)
	}
}

// TestBadParamPosition checks that a scenario with masters: 4 fails with the
// position of the offending value.
func TestBadParamPosition(t *testing.T) {
	src := "name: x\nmechanism: redlock\nparams: {clients: 2, masters: 4}\n"
	_, err := scenario.Parse("x.scenario.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "x.scenario.yaml:3:31") || !strings.Contains(err.Error(), "odd number") {
		t.Fatalf("err = %v; want one at x.scenario.yaml:3:31 about an odd number of masters", err)
	}
}

// run builds a world with the parameters, schedules the faults and runs it.
func run(t testing.TB, seed uint64, d time.Duration, net sim.Network, faults []sim.Fault, kv ...string) (*sim.World, []check.Violation) {
	t.Helper()
	p, err := redlock.Mechanism.With(kv...)
	if err != nil {
		t.Fatal(err)
	}
	w, vs, err := redlock.Mechanism.Run(sim.Config{Seed: seed, Duration: d, Network: net}, p, faults...)
	if err != nil {
		t.Fatal(err)
	}
	return w, vs
}

func count[T any](h []sim.Observation, keep func(T) bool) int {
	n := 0
	for _, o := range h {
		if v, ok := o.Value.(T); ok && keep(v) {
			n++
		}
	}
	return n
}

// TestMinorityUnlocksAndRetries: a client that reaches only 2 of 5 masters
// never holds the lock, retries, and leaves no key behind.
func TestMinorityUnlocksAndRetries(t *testing.T) {
	var cuts []sim.Fault
	for _, m := range []string{"redis-3", "redis-4", "redis-5"} {
		cuts = append(cuts, sim.Fault{Kind: sim.FaultCut, From: "client-1", To: m})
	}
	w, _ := run(t, 1, 5*time.Second, sim.DefaultNetwork, cuts, "clients", "1")
	if n := count(w.History(), func(check.LockAcquired) bool { return true }); n != 0 {
		t.Fatalf("client-1 acquired %d times with 2 of 5 masters", n)
	}
	if m := w.Metrics(); m["retries"] < 10 || m["attempts"] != m["retries"]+1 && m["attempts"] != m["retries"] {
		t.Fatalf("metrics %v: want many retries, one per failed attempt", m)
	}
	for _, n := range w.Snapshot().Nodes[:2] {
		if keys := n.State.(redlock.MasterState).Keys; len(keys) != 0 {
			t.Errorf("%s still has %v after the failed attempts unlocked it", n.Name, keys)
		}
	}
}

// TestSlowMastersTimeOut: answers slower than the request timeout count as
// failures, so nobody ever holds the lock.
func TestSlowMastersTimeOut(t *testing.T) {
	slow := sim.Network{Latency: sim.Latency{Min: 60 * time.Millisecond, Max: 60 * time.Millisecond}}
	w, _ := run(t, 1, 3*time.Second, slow, nil, "clients", "1")
	if n := count(w.History(), func(check.LockAcquired) bool { return true }); n != 0 {
		t.Fatalf("acquired %d times though every answer came after the 50 ms timeout", n)
	}
}

// TestValidityEndGivesUp: a client whose work outlasts the validity time
// stops trusting the lock instead of writing.
func TestValidityEndGivesUp(t *testing.T) {
	w, vs := run(t, 1, 10*time.Second, sim.DefaultNetwork, nil, "clients", "2", "ttl", "1s", "hold", "2s")
	lost := count(w.History(), func(r check.LockReleased) bool { return r.Lost })
	writes := count(w.History(), func(check.StorageWrite) bool { return true })
	if lost == 0 || writes != 0 || len(vs) != 0 {
		t.Fatalf("lost %d, writes %d, violations %v: want every hold to end in a lost lock, no write, no violation", lost, writes, vs)
	}
}

// TestNoFaultsMutualExclusion: without faults Redlock never lets two clients
// hold the lock, whatever the seed, sizes, times and latency.
func TestNoFaultsMutualExclusion(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		masters := []string{"1", "3", "5", "7"}[r.IntN(4)]
		clients := fmt.Sprint(1 + r.IntN(5))
		ttl := fmt.Sprintf("%dms", 300+r.IntN(3000))
		hold := fmt.Sprintf("%dms", 1+r.IntN(400))
		think := fmt.Sprintf("%dms", r.IntN(200))
		lat := time.Duration(1+r.IntN(20)) * time.Millisecond
		net := sim.Network{Latency: sim.Latency{Min: lat / 2, Max: lat}}
		w, vs := run(t, seed, 20*time.Second, net, nil, "masters", masters, "clients", clients, "ttl", ttl, "hold", hold, "think", think)
		if len(vs) > 0 {
			t.Fatalf("seed %d (masters %s clients %s ttl %s hold %s think %s latency %v): %s", seed, masters, clients, ttl, hold, think, net.Latency, vs[0].Detail)
		}
		if w.Metrics()["acquisitions"] == 0 {
			t.Fatalf("seed %d: no acquisitions at all", seed)
		}
	}
}

// TestDelayedRestartSafe: with delayed_restart, crashing, restarting and
// partitioning masters never lets two clients hold the lock — the fix the
// Redis documentation proposes for restarts without persistence.
// The same schedules without the fix must break it at least once, or the
// faults would prove nothing.
func TestDelayedRestartSafe(t *testing.T) {
	unsafe := 0
	for seed := uint64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		faults := masterFaults(r, 5, 30*time.Second)
		params := []string{"clients", "3", "ttl", "2s", "hold", "1500ms"}
		if _, vs := run(t, seed, 30*time.Second, sim.DefaultNetwork, faults, append(params, "delayed_restart", "true")...); len(vs) > 0 {
			t.Fatalf("seed %d, faults %v: %s", seed, faults, vs[0].Detail)
		}
		if _, vs := run(t, seed, 30*time.Second, sim.DefaultNetwork, faults, params...); len(vs) > 0 {
			unsafe++
		}
	}
	if unsafe == 0 {
		t.Fatal("no schedule broke mutual exclusion even without delayed_restart: the faults test nothing")
	}
	t.Logf("%d of 40 schedules were unsafe without delayed_restart", unsafe)
}

// masterFaults draws crashes, restarts and partitions of masters.
func masterFaults(r *rand.Rand, masters int, d time.Duration) []sim.Fault {
	var fs []sim.Fault
	for i := 0; i < 12; i++ {
		at := time.Duration(r.Int64N(int64(d)))
		m := fmt.Sprintf("redis-%d", 1+r.IntN(masters))
		switch r.IntN(3) {
		case 0:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultCrash, Node: m},
				sim.Fault{At: at + time.Duration(r.Int64N(int64(3*time.Second))), Kind: sim.FaultRestart, Node: m})
		case 1:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultRestart, Node: m})
		case 2:
			fs = append(fs, sim.Fault{At: at, Kind: sim.FaultPartition, Groups: [][]string{{m, "client-1"}}},
				sim.Fault{At: at + time.Second, Kind: sim.FaultHeal})
		}
	}
	return fs
}

// BenchmarkRedlock60s runs 60 s of virtual time with 5 masters and 3 clients.
func BenchmarkRedlock60s(b *testing.B) {
	p, err := redlock.Mechanism.With("masters", "5", "clients", "3")
	if err != nil {
		b.Fatal(err)
	}
	var events int
	for i := 0; i < b.N; i++ {
		w := sim.New(sim.Config{Seed: uint64(i + 1), Duration: 60 * time.Second, Network: sim.DefaultNetwork})
		if err := redlock.Mechanism.Build(w, p); err != nil {
			b.Fatal(err)
		}
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		events = w.Events()
	}
	b.ReportMetric(float64(events), "events/run")
}
