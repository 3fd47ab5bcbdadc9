package check

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim"
)

// ms is a true time in milliseconds, to keep hand-made histories short.
func lkMs(n int) sim.Time { return sim.Time(n) * sim.Time(time.Millisecond) }

func lkAt(n int, node string, v any) sim.Observation {
	return sim.Observation{At: lkMs(n), Node: node, Value: v}
}

func lkAcquired(n int, client string, acq int, token int64) sim.Observation {
	return lkAt(n, client, LockAcquired{Client: client, Acq: acq, Token: token})
}

func lkReleased(n int, client string, acq int) sim.Observation {
	return lkAt(n, client, LockReleased{Client: client, Acq: acq})
}

func lkRequested(n int, client string, acq int) sim.Observation {
	return lkAt(n, client, LockRequested{Client: client, Acq: acq})
}

func lkWrote(n int, client string, acq int, token int64, accepted bool) sim.Observation {
	return lkAt(n, "storage-1", StorageWrite{Client: client, Acq: acq, Token: token, Accepted: accepted})
}

func lkFault(n int, kind sim.FaultKind, node string) sim.Observation {
	return sim.Observation{At: lkMs(n), Node: node, Value: sim.FaultEvent{Kind: kind, Node: node}}
}

func lkEnd(n int) sim.Observation { return sim.Observation{At: lkMs(n), Value: sim.End{}} }

// lockCase is one hand-made history and the violations a checker must find:
// their times and the nodes they name, in order.
type lockCase struct {
	name  string
	hist  []sim.Observation
	want  []sim.Time
	nodes [][]string
}

func runLockCases(t *testing.T, c Checker, cases []lockCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(tc.hist)
			if len(got) != len(tc.want) {
				t.Fatalf("%s found %d violations, want %d: %+v", c.Name, len(got), len(tc.want), got)
			}
			for i, v := range got {
				if v.Invariant != c.Name {
					t.Errorf("violation %d names invariant %q, want %q", i, v.Invariant, c.Name)
				}
				if v.At != tc.want[i] {
					t.Errorf("violation %d at %v, want %v", i, v.At, tc.want[i])
				}
				if tc.nodes != nil && strings.Join(v.Nodes, ",") != strings.Join(tc.nodes[i], ",") {
					t.Errorf("violation %d names nodes %v, want %v", i, v.Nodes, tc.nodes[i])
				}
				if v.Detail == "" || !strings.HasSuffix(v.Detail, ".") || strings.Count(v.Detail, ". ") > 0 {
					t.Errorf("violation %d detail is not one sentence: %q", i, v.Detail)
				}
			}
		})
	}
}

func TestMutualExclusion(t *testing.T) {
	runLockCases(t, MutualExclusion(), []lockCase{
		{name: "one after the other", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0), lkReleased(210, "client-1", 1),
			lkAcquired(215, "client-2", 1, 0), lkReleased(415, "client-2", 1),
		}},
		{name: "overlap while the first is paused", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkFault(100, sim.FaultPause, "client-1"),
			lkAcquired(1010, "client-2", 1, 0), lkReleased(1210, "client-2", 1),
			lkReleased(3100, "client-1", 1),
		}, want: []sim.Time{lkMs(1010)}, nodes: [][]string{{"client-2", "client-1"}}},
		{name: "a crashed holder holds nothing", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkFault(100, sim.FaultCrash, "client-1"),
			lkAcquired(1010, "client-2", 1, 0),
		}},
		{name: "a lost lock is given up", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkAt(900, "client-1", LockReleased{Client: "client-1", Acq: 1, Lost: true}),
			lkAcquired(1010, "client-2", 1, 0),
		}},
		{name: "three at once", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkAcquired(20, "client-2", 1, 0),
			lkAcquired(30, "client-3", 1, 0),
		}, want: []sim.Time{lkMs(20), lkMs(30), lkMs(30)},
			nodes: [][]string{{"client-2", "client-1"}, {"client-3", "client-1"}, {"client-3", "client-2"}}},
	})
}

func TestStaleWrite(t *testing.T) {
	runLockCases(t, StaleWrite(), []lockCase{
		{name: "writes in grant order", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0), lkWrote(212, "client-1", 1, 0, true), lkReleased(210, "client-1", 1),
			lkAcquired(215, "client-2", 1, 0), lkWrote(417, "client-2", 1, 0, true),
		}},
		{name: "the paused holder writes after the newer one", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkAcquired(1010, "client-2", 1, 0), lkWrote(1212, "client-2", 1, 0, true),
			lkWrote(3102, "client-1", 1, 0, true),
		}, want: []sim.Time{lkMs(3102)}, nodes: [][]string{{"client-1", "client-2"}}},
		{name: "fenced: the stale write is refused", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 1),
			lkAcquired(1010, "client-2", 1, 2), lkWrote(1212, "client-2", 1, 2, true),
			lkWrote(3102, "client-1", 1, 1, false),
		}},
		{name: "fenced: a late-learned older grant writes first, then the newer", hist: []sim.Observation{
			// client-2 was granted token 6 and learned it at once; client-1 was
			// granted token 5 earlier but learned it only after a pause.
			lkAcquired(1010, "client-2", 1, 6),
			lkAcquired(1500, "client-1", 1, 5),
			lkWrote(1700, "client-1", 1, 5, true),
			lkWrote(1800, "client-2", 1, 6, true),
		}},
		{name: "fenced: a late-learned older grant writes last", hist: []sim.Observation{
			lkAcquired(1010, "client-2", 1, 6),
			lkAcquired(1500, "client-1", 1, 5),
			lkWrote(1700, "client-2", 1, 6, true),
			lkWrote(1800, "client-1", 1, 5, true),
		}, want: []sim.Time{lkMs(1800)}, nodes: [][]string{{"client-1", "client-2"}}},
		{name: "equal tokens fall back to the order of the grants", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 3),
			lkAcquired(1010, "client-2", 1, 3), lkWrote(1212, "client-2", 1, 3, true),
			lkWrote(3102, "client-1", 1, 3, true),
		}, want: []sim.Time{lkMs(3102)}},
		{name: "a write under no grant is ignored", hist: []sim.Observation{
			lkAcquired(10, "client-2", 1, 0), lkWrote(212, "client-2", 1, 0, true),
			lkWrote(300, "client-1", 7, 0, true),
		}},
	})
}

func TestWrongRelease(t *testing.T) {
	runLockCases(t, WrongRelease(), []lockCase{
		{name: "own lock", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkAt(212, "redis-1", LockDeleted{Server: "redis-1", Owner: "client-1", By: "client-1"}),
		}},
		{name: "another client's lock", hist: []sim.Observation{
			lkAt(3102, "redis-1", LockDeleted{Server: "redis-1", Owner: "client-2", By: "client-1"}),
		}, want: []sim.Time{lkMs(3102)}, nodes: [][]string{{"client-1", "client-2"}}},
	})
}

func TestLockStuck(t *testing.T) {
	runLockCases(t, LockStuck(10*time.Second), []lockCase{
		{name: "the holder crashes and the lock expires", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkRequested(50, "client-2", 1),
			lkFault(2000, sim.FaultCrash, "client-1"),
			lkAcquired(3010, "client-2", 1, 0),
			lkEnd(30000),
		}},
		{name: "the holder crashes and the lock stays", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkRequested(50, "client-2", 1),
			lkFault(2000, sim.FaultCrash, "client-1"),
			lkRequested(5000, "client-3", 1),
			lkEnd(30000),
		}, want: []sim.Time{lkMs(12000), lkMs(15000)},
			nodes: [][]string{{"client-2", "client-1"}, {"client-3", "client-1"}}},
		{name: "a long wait for a live holder is not stuck", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkRequested(50, "client-2", 1),
			lkFault(2000, sim.FaultPause, "client-1"),
			lkEnd(30000),
		}},
		{name: "the run ends before stuck_after", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkRequested(50, "client-2", 1),
			lkFault(2000, sim.FaultCrash, "client-1"),
			lkEnd(11999),
		}},
		{name: "the restarted holder waits for its own row", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkFault(2000, sim.FaultCrash, "client-1"),
			lkFault(3000, sim.FaultRestart, "client-1"),
			lkRequested(3100, "client-1", 2),
			lkEnd(20000),
		}, want: []sim.Time{lkMs(13100)}, nodes: [][]string{{"client-1", "client-1"}}},
		{name: "a crashed waiter stops waiting", hist: []sim.Observation{
			lkAcquired(10, "client-1", 1, 0),
			lkRequested(50, "client-2", 1),
			lkFault(2000, sim.FaultCrash, "client-1"),
			lkFault(4000, sim.FaultCrash, "client-2"),
			lkEnd(30000),
		}},
	})
}

// TestStaleWriteDetail: the sentence names tokens only when both writes
// carried one (a mechanism may report grant tokens without fencing on).
func TestStaleWriteDetail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token int64 // what the writes carried
		want  string
	}{
		{"fenced", 1, "Storage accepted client-1's write with token 1 after it had accepted client-2's write with token 2, granted later."},
		{"unfenced", 0, "Storage accepted client-1's write under the lock granted at 10ms after it had accepted client-2's write under a newer grant (1.01s)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := StaleWrite().Check([]sim.Observation{
				lkAcquired(10, "client-1", 1, 1),
				lkAcquired(1010, "client-2", 1, 2), lkWrote(1212, "client-2", 1, 2*tc.token, true),
				lkWrote(3102, "client-1", 1, tc.token, true),
			})
			if len(got) != 1 || got[0].Detail != tc.want {
				t.Fatalf("got %+v\nwant one violation saying %q", got, tc.want)
			}
		})
	}
}
