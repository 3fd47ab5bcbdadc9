package dblock_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"coordlab/sim/mech/dblock"
	"coordlab/sim/mech/lock/locktest"
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

func seeds(n int) int {
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

// TestFencingNeverAcceptsStaleWrite: with the row id as fencing token, no
// schedule of pauses, crashes, partitions and clock jumps makes storage
// accept a stale write. The schedules must break mutual exclusion often
// (rows expire under paused holders, db-1's clock jumps), or the test would
// prove nothing.
func TestFencingNeverAcceptsStaleWrite(t *testing.T) {
	p, err := dblock.Mechanism.With("clients", "3")
	if err != nil {
		t.Fatal(err)
	}
	nodes := dblock.Mechanism.Nodes(p)
	n := seeds(300)
	broken, refused := 0, 0
	for seed := 1; seed <= n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 0xdb1))
		expiry := "none"
		if r.IntN(4) > 0 {
			expiry = (time.Duration(300+r.IntN(2700)) * time.Millisecond).String()
		}
		src := fmt.Sprintf(`name: fencing-property
mechanism: dblock
seed: %d
duration: 20s
params: {clients: 3, hold: %v, retry: %v, expiry: %s, fencing: true}
network: {latency: "1ms..10ms", loss: %v}
faults:
%sexpect:
  holds: [stale-write]
`, seed, time.Duration(50+r.IntN(900))*time.Millisecond, time.Duration(10+r.IntN(100))*time.Millisecond,
			expiry, float64(r.IntN(10))/100, locktest.RandomFaults(r, nodes, 20*time.Second, 6))
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

// TestNoFaultsMutualExclusion: without faults, with rows that never expire or
// expire well after a hold, no two clients ever hold the lock at once and
// nobody is stuck.
func TestNoFaultsMutualExclusion(t *testing.T) {
	n := seeds(200)
	for seed := 1; seed <= n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 0xdb2))
		hold := time.Duration(10+r.IntN(800)) * time.Millisecond
		expiry := "none"
		if r.IntN(2) == 0 {
			expiry = (hold + time.Duration(100+r.IntN(2000))*time.Millisecond).String()
		}
		src := fmt.Sprintf(`name: no-faults-property
mechanism: dblock
seed: %d
duration: 20s
params: {clients: %d, hold: %v, think: %v, retry: %v, expiry: %s, replica: %v, fencing: %v}
network: {latency: "1ms..%dms"}
expect:
  violations: []
  metrics: {acquisitions: ">= 5"}
`, seed, 1+r.IntN(5), hold, time.Duration(r.IntN(300))*time.Millisecond, time.Duration(1+r.IntN(200))*time.Millisecond,
			expiry, r.IntN(2) == 0, r.IntN(2) == 0, 1+r.IntN(20))
		runYAML(t, src)
	}
}
