package setnx_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"coordlab/sim/mech/lock/locktest"
	"coordlab/sim/mech/setnx"
	"coordlab/sim/scenario"
)

// runYAML runs a generated scenario; a failure prints it, so that it can be
// saved and replayed with `coordlab run`.
func runYAML(t *testing.T, src string) *scenario.Result {
	t.Helper()
	s, err := scenario.Parse("property.scenario.yaml", []byte(src))
	if err != nil {
		t.Fatalf("generated scenario does not parse: %v\n%s", err, src)
	}
	res, err := s.Run(scenario.Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if !*res.ExpectationMet {
		t.Fatalf("expectation not met: %s\n%s", strings.Join(res.Failures, "; "), src)
	}
	return res
}

func seeds(t *testing.T, n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

func violated(res *scenario.Result, invariant string) bool {
	for _, v := range res.Violations {
		if v.Invariant == invariant {
			return true
		}
	}
	return false
}

// TestFencingNeverAcceptsStaleWrite: with fencing and a counter that
// survives restarts (persistence always), no schedule of pauses, crashes,
// partitions and clock jumps makes storage accept a stale write — even
// though the same schedules break mutual exclusion, which the test checks
// too, so that it cannot pass by never putting fencing to work.
func TestFencingNeverAcceptsStaleWrite(t *testing.T) {
	p, err := setnx.Mechanism.With("clients", "3")
	if err != nil {
		t.Fatal(err)
	}
	nodes := setnx.Mechanism.Nodes(p)
	n := seeds(t, 300)
	broken, refused := 0, 0
	for seed := 1; seed <= n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 0x5e7))
		ttl := time.Duration(300+r.IntN(1700)) * time.Millisecond
		hold := time.Duration(50+r.IntN(900)) * time.Millisecond
		release := []string{"cad", "del"}[r.IntN(2)]
		src := fmt.Sprintf(`name: fencing-property
mechanism: setnx
seed: %d
duration: 20s
params: {clients: 3, ttl: %v, hold: %v, release: %s, watchdog: %v, persistence: always, fencing: true}
network: {latency: "1ms..10ms", loss: %v}
faults:
%sexpect:
  holds: [stale-write]
`, seed, ttl, hold, release, r.IntN(2) == 0, float64(r.IntN(10))/100, locktest.RandomFaults(r, nodes, 20*time.Second, 6))
		res := runYAML(t, src)
		if violated(res, "mutual-exclusion") {
			broken++
		}
		if res.Metrics["refused-writes"] > 0 {
			refused++
		}
	}
	t.Logf("%d runs: %d broke mutual exclusion, %d had storage refuse a write", n, broken, refused)
	if broken < n/10 || refused < n/20 {
		t.Errorf("the fault schedules are too gentle to test fencing: %d of %d runs broke mutual exclusion, %d refused a write", broken, n, refused)
	}
}

// TestNoFaultsMutualExclusion: without faults, for any sensible parameters
// (a hold shorter than the TTL, or the watchdog renewing it), no two clients
// ever hold the lock at once, and nobody deletes another's lock.
func TestNoFaultsMutualExclusion(t *testing.T) {
	n := seeds(t, 200)
	for seed := 1; seed <= n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 0x6e7))
		ttl := time.Duration(500+r.IntN(1500)) * time.Millisecond
		watchdog := r.IntN(2) == 0
		hold := time.Duration(10+r.IntN(int(ttl/time.Millisecond)/2)) * time.Millisecond
		if watchdog {
			hold = time.Duration(10+r.IntN(3000)) * time.Millisecond
		}
		src := fmt.Sprintf(`name: no-faults-property
mechanism: setnx
seed: %d
duration: 20s
params: {clients: %d, ttl: %v, hold: %v, think: %v, release: %s, watchdog: %v, replica: %v, persistence: %s, fencing: %v}
network: {latency: "1ms..%dms"}
expect:
  violations: []
  metrics: {acquisitions: ">= 5"}
`, seed, 1+r.IntN(5), ttl, hold, time.Duration(r.IntN(300))*time.Millisecond,
			[]string{"cad", "del"}[r.IntN(2)], watchdog, r.IntN(2) == 0,
			[]string{"none", "everysec", "always"}[r.IntN(3)], r.IntN(2) == 0, 1+r.IntN(20))
		runYAML(t, src)
	}
}
