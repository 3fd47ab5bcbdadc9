package quorum_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/quorum"
)

// trial is one random run: parameters, network and faults drawn from a seed.
type trial struct {
	seed   uint64
	kv     []string
	net    sim.Network
	faults []sim.Fault
}

func (tr trial) String() string {
	return fmt.Sprintf("seed %d, params %v, latency %v, faults %v", tr.seed, tr.kv, tr.net.Latency, tr.faults)
}

// run runs a trial for 6s of virtual time and returns the violations found
// by each checker, by invariant.
func (tr trial) run(t *testing.T) map[string][]check.Violation {
	t.Helper()
	h := tr.history(t)
	out := map[string][]check.Violation{}
	p, _ := quorum.Mechanism.With(tr.kv...)
	for _, c := range quorum.Mechanism.Checkers(p) {
		if c.Name != "linearizability" {
			out[c.Name] = c.Check(h)
		}
	}
	return out
}

// history runs a trial for 6s of virtual time and returns its history.
func (tr trial) history(t *testing.T) []sim.Observation {
	t.Helper()
	p, err := quorum.Mechanism.With(tr.kv...)
	if err != nil {
		t.Fatalf("%v: %v", tr, err)
	}
	w := sim.New(sim.Config{Seed: tr.seed, Duration: 6 * time.Second, Network: tr.net})
	if err := quorum.Mechanism.Build(w, p); err != nil {
		t.Fatalf("%v: %v", tr, err)
	}
	for _, f := range tr.faults {
		if err := w.Schedule(f); err != nil {
			t.Fatalf("%v: %v", tr, err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatalf("%v: %v", tr, err)
	}
	return w.History()
}

// strictTrial draws n, r and w with r + w > n, a strict quorum, a conflict
// rule, a jittery network and, when faulty, partitions and crashes.
func strictTrial(seed uint64, faulty bool) trial {
	g := rand.New(rand.NewPCG(seed, 7))
	n := 1 + g.IntN(5)
	r := 1 + g.IntN(n)
	w := n + 1 - r + g.IntN(r) // r + w > n
	replicas := n + g.IntN(3)
	conflict := []string{"lww", "vector"}[g.IntN(2)]
	kv := []string{"n", strconv.Itoa(n), "r", strconv.Itoa(r), "w", strconv.Itoa(w), "replicas", strconv.Itoa(replicas),
		"conflict", conflict, "clients", strconv.Itoa(1 + g.IntN(4)), "keys", strconv.Itoa(1 + g.IntN(2)),
		"think", strconv.Itoa(g.IntN(30)) + "ms", "read_repair", strconv.FormatBool(g.IntN(2) == 0)}
	maxLat := time.Duration(1+g.IntN(40)) * time.Millisecond
	tr := trial{seed: seed, kv: kv, net: sim.Network{Latency: sim.Latency{Min: time.Millisecond / 2, Max: maxLat}}}
	if !faulty {
		return tr
	}
	for range 1 + g.IntN(3) {
		at := time.Duration(g.IntN(4000)) * time.Millisecond
		var side []string
		for i := range replicas {
			if g.IntN(2) == 0 {
				side = append(side, "replica-"+strconv.Itoa(i+1))
			}
		}
		side = append(side, "client-1")
		tr.faults = append(tr.faults,
			sim.Fault{At: at, Kind: sim.FaultPartition, Groups: [][]string{side}},
			sim.Fault{At: at + time.Duration(g.IntN(1500))*time.Millisecond, Kind: sim.FaultHeal})
	}
	victim := "replica-" + strconv.Itoa(1+g.IntN(replicas))
	at := time.Duration(g.IntN(4000)) * time.Millisecond
	tr.faults = append(tr.faults, sim.Fault{At: at, Kind: sim.FaultCrash, Node: victim},
		sim.Fault{At: at + 500*time.Millisecond, Kind: sim.FaultRestart, Node: victim})
	return tr
}

// TestStrictQuorumNeverStale: with r + w > n, a strict quorum and clocks
// that agree, no read returns a value older than a completed write, and
// under last-writer-wins no acknowledged write is lost — over many seeds,
// without faults and also with partitions and crashes (which cost
// availability, not freshness). Version vectors do lose writes when clients
// share a coordinator, as they do here when there are fewer replicas than
// clients or a client turns to another coordinator after a timeout: see
// TestVectorLostUpdatesMatchFinalState.
func TestStrictQuorumNeverStale(t *testing.T) {
	for _, faulty := range []bool{false, true} {
		for seed := uint64(1); seed <= 40; seed++ {
			tr := strictTrial(seed, faulty)
			v := tr.run(t)
			for _, inv := range []string{"stale-read", "lost-update"} {
				if inv == "lost-update" && slices.Contains(tr.kv, "vector") {
					continue
				}
				if len(v[inv]) > 0 {
					t.Errorf("%v: %d %s violations, first: %s", tr, len(v[inv]), inv, v[inv][0].Detail)
				}
			}
		}
	}
}

// TestSmallQuorumsGoStale is the other side of the same property: with r + w
// <= n on a jittery network, some runs do return stale reads, so the check
// above can fail.
func TestSmallQuorumsGoStale(t *testing.T) {
	stale := 0
	for seed := uint64(1); seed <= 10; seed++ {
		tr := trial{seed: seed, kv: []string{"n", "3", "r", "1", "w", "1", "think", "10ms"},
			net: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: 30 * time.Millisecond}}}
		if len(tr.run(t)["stale-read"]) > 0 {
			stale++
		}
	}
	if stale < 5 {
		t.Errorf("only %d of 10 runs with r 1, w 1 of n 3 read stale data; the quorum sizes should make it common", stale)
	}
}

// TestClockSkewLosesWrites: under last-writer-wins a client whose clock runs
// ahead makes the others' later writes vanish, in every seed; version
// vectors lose none.
func TestClockSkewLosesWrites(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		for _, conflict := range []string{"lww", "vector"} {
			tr := trial{seed: seed, kv: []string{"conflict", conflict, "think", "20ms"}, net: sim.DefaultNetwork,
				faults: []sim.Fault{{Kind: sim.FaultClockJump, Node: "client-2", Jump: time.Second}}}
			lost := len(tr.run(t)["lost-update"])
			if conflict == "lww" && lost == 0 {
				t.Errorf("%v: no lost update with client-2's clock 1s ahead", tr)
			}
			if conflict == "vector" && lost > 0 {
				t.Errorf("%v: %d lost updates with version vectors", tr, lost)
			}
		}
	}
}

// TestOnePassFindsWhatTheCheckersFind: the explorer's single pass over a
// history (check.StaleReadsAndLostUpdates) reports exactly what the
// stale-read and lost-update checkers report one by one, on histories with
// stale reads (r = w = 1 across partitions), lost updates (a skewed clock)
// and neither.
func TestOnePassFindsWhatTheCheckersFind(t *testing.T) {
	var stale, lost int
	for seed := uint64(1); seed <= 12; seed++ {
		for _, tr := range []trial{
			strictTrial(seed, true),
			{seed: seed, kv: []string{"n", "3", "r", "1", "w", "1", "keys", "2", "think", "5ms"}, net: sim.DefaultNetwork,
				faults: []sim.Fault{{At: time.Second, Kind: sim.FaultPartition, Groups: [][]string{{"client-1", "replica-1"}}}, {At: 3 * time.Second, Kind: sim.FaultHeal}}},
			{seed: seed, kv: []string{"think", "20ms"}, net: sim.DefaultNetwork, faults: []sim.Fault{{Kind: sim.FaultClockJump, Node: "client-2", Jump: time.Second}}},
		} {
			h := check.StampOps(tr.history(t))
			gotStale, gotLost := check.StaleReadsAndLostUpdates(h)
			wantStale, wantLost := check.StaleRead().Check(h), check.LostUpdate().Check(h)
			if fmt.Sprint(gotStale) != fmt.Sprint(wantStale) || fmt.Sprint(gotLost) != fmt.Sprint(wantLost) {
				t.Fatalf("%v: one pass found %d stale reads and %d lost updates, the checkers %d and %d", tr, len(gotStale), len(gotLost), len(wantStale), len(wantLost))
			}
			stale, lost = stale+len(gotStale), lost+len(gotLost)
		}
	}
	if stale == 0 || lost == 0 {
		t.Fatalf("the trials found %d stale reads and %d lost updates; they must show both", stale, lost)
	}
}
