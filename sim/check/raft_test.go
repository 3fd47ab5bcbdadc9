package check_test

import (
	"fmt"
	"strings"
	"testing"

	"coordlab/sim"
	"coordlab/sim/check"
)

// rfAt is an observation by node at n milliseconds.
func rfAt(n int, node string, v any) sim.Observation {
	return sim.Observation{At: sim.Time(n) * ms, Node: node, Value: v}
}

func rfLeader(n int, node string, term uint64, runs ...check.RaftRun) sim.Observation {
	last := uint64(0)
	if len(runs) > 0 {
		last = runs[len(runs)-1].From + 1 // every test log ends with a run of two entries
	}
	return rfAt(n, node, check.RaftLeader{Term: term, LastIndex: last, Digest: 100*last + runs[len(runs)-1].Term, Log: runs})
}

// raftCase is a hand-made history and how many violations a checker finds.
type raftCase struct {
	name string
	h    []sim.Observation
	want int
}

func runRaftCases(t *testing.T, c check.Checker, cases []raftCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(tc.h)
			if len(got) != tc.want {
				t.Fatalf("%s found %d violations, want %d: %+v", c.Name, len(got), tc.want, got)
			}
			for _, v := range got {
				if v.Invariant != c.Name || len(v.Nodes) == 0 || !strings.HasSuffix(v.Detail, ".") {
					t.Errorf("malformed violation %+v", v)
				}
			}
		})
	}
}

func TestElectionSafety(t *testing.T) {
	runRaftCases(t, check.ElectionSafety(), []raftCase{
		{"one leader per term", []sim.Observation{
			rfLeader(10, "raft-1", 1, check.RaftRun{From: 1, Term: 1}),
			rfLeader(20, "raft-2", 2, check.RaftRun{From: 1, Term: 1}),
			rfLeader(30, "raft-2", 2, check.RaftRun{From: 1, Term: 1}), // the same leader reported twice
		}, 0},
		{"two leaders of term 2", []sim.Observation{
			rfLeader(10, "raft-1", 2, check.RaftRun{From: 1, Term: 1}),
			rfLeader(20, "raft-3", 2, check.RaftRun{From: 1, Term: 1}),
			rfLeader(30, "raft-4", 2, check.RaftRun{From: 1, Term: 1}), // reported once per term
		}, 1},
	})
	v := check.ElectionSafety().Check([]sim.Observation{
		rfLeader(10, "raft-1", 2, check.RaftRun{From: 1, Term: 1}),
		rfLeader(20, "raft-3", 2, check.RaftRun{From: 1, Term: 1}),
	})
	if len(v) != 1 || v[0].Detail != "raft-1 and raft-3 were both elected leader of term 2." || v[0].At != 20*ms {
		t.Errorf("violation = %+v", v)
	}
}

func TestLogMatching(t *testing.T) {
	runRaftCases(t, check.LogMatching(), []raftCase{
		{"same digests", []sim.Observation{
			rfAt(10, "raft-2", check.RaftAppended{Index: 3, Term: 2, Digest: 77}),
			rfAt(11, "raft-3", check.RaftAppended{Index: 3, Term: 2, Digest: 77}),
			rfAt(12, "raft-1", check.RaftApplied{Index: 3, Term: 2, Digest: 77, Command: "put x 1"}),
		}, 0},
		{"same index, different terms", []sim.Observation{
			rfAt(10, "raft-2", check.RaftAppended{Index: 3, Term: 2, Digest: 77}),
			rfAt(11, "raft-3", check.RaftAppended{Index: 3, Term: 3, Digest: 78}),
		}, 0},
		{"same index and term, different prefixes", []sim.Observation{
			rfAt(10, "raft-2", check.RaftAppended{Index: 3, Term: 2, Digest: 77}),
			rfAt(11, "raft-3", check.RaftApplied{Index: 3, Term: 2, Digest: 99, Command: "put x 1"}),
		}, 1},
		{"a leader's log differs", []sim.Observation{
			rfAt(10, "raft-2", check.RaftAppended{Index: 4, Term: 2, Digest: 77}),
			rfAt(20, "raft-3", check.RaftLeader{Term: 3, LastIndex: 4, Digest: 5, Log: []check.RaftRun{{From: 1, Term: 1}, {From: 3, Term: 2}}}),
		}, 1},
	})
}

func TestLeaderCompleteness(t *testing.T) {
	committed := rfAt(100, "raft-1", check.RaftCommitted{Index: 2, Term: 2, LeaderTerm: 4})
	runRaftCases(t, check.LeaderCompleteness(), []raftCase{
		{"later leader holds the entry", []sim.Observation{
			committed,
			rfLeader(200, "raft-2", 5, check.RaftRun{From: 1, Term: 1}, check.RaftRun{From: 2, Term: 2}),
		}, 0},
		{"earlier-term leader may lack it", []sim.Observation{
			committed,
			rfLeader(200, "raft-5", 3, check.RaftRun{From: 1, Term: 3}),
		}, 0},
		{"Figure 8: later leader overwrote it", []sim.Observation{
			committed,
			rfLeader(200, "raft-5", 5, check.RaftRun{From: 1, Term: 1}, check.RaftRun{From: 2, Term: 3}),
		}, 1},
		{"later leader's log too short", []sim.Observation{
			rfLeader(50, "raft-5", 5, check.RaftRun{From: 1, Term: 1}), // observed before the commit
			rfAt(100, "raft-1", check.RaftCommitted{Index: 3, Term: 2, LeaderTerm: 4}),
		}, 1},
	})
	v := check.LeaderCompleteness().Check([]sim.Observation{committed,
		rfLeader(200, "raft-5", 5, check.RaftRun{From: 1, Term: 1}, check.RaftRun{From: 2, Term: 3})})
	want := "raft-5 became leader of term 5 without the entry of term 2 at index 2, which raft-1 had committed in term 4."
	if len(v) != 1 || v[0].Detail != want || v[0].At != 200*ms {
		t.Errorf("violation = %+v, want %q", v, want)
	}
}

func TestStateMachineSafety(t *testing.T) {
	applied := func(n int, node string, index, term uint64, cmd string) sim.Observation {
		return rfAt(n, node, check.RaftApplied{Index: index, Term: term, Digest: index*10 + term, Command: cmd})
	}
	runRaftCases(t, check.StateMachineSafety(), []raftCase{
		{"same entries", []sim.Observation{
			applied(10, "raft-1", 1, 1, "put x a"), applied(11, "raft-2", 1, 1, "put x a"),
			applied(12, "raft-1", 2, 1, "put x b"), applied(13, "raft-1", 1, 1, "put x a"), // re-applied after a restart
		}, 0},
		{"different entries at index 1", []sim.Observation{
			applied(10, "raft-1", 1, 2, "put x a"), applied(20, "raft-5", 1, 3, "put x b"),
			applied(21, "raft-4", 1, 3, "put x b"), // one report per index
		}, 1},
	})
	v := check.StateMachineSafety().Check([]sim.Observation{applied(10, "raft-1", 1, 2, "put x a"), applied(20, "raft-5", 1, 3, "put x b")})
	want := `raft-1 applied "put x a" (term 2) at index 1, but raft-5 applied "put x b" (term 3) there.`
	if len(v) != 1 || v[0].Detail != want || v[0].At != 20*ms {
		t.Errorf("violation = %+v, want %q", v, want)
	}
}

func TestRaftLeaderTermAt(t *testing.T) {
	l := check.RaftLeader{LastIndex: 6, Log: []check.RaftRun{{From: 1, Term: 1}, {From: 4, Term: 3}, {From: 6, Term: 5}}}
	want := []uint64{0, 1, 1, 1, 3, 3, 5, 0}
	for i, w := range want {
		got, ok := l.TermAt(uint64(i))
		if got != w || ok != (w != 0) {
			t.Errorf("TermAt(%d) = %d, %v; want %d", i, got, ok, w)
		}
	}
}

// TestRaftObservationsFormat checks that the observations' own String
// methods write exactly what %+v writes for a plain struct, so the trace
// reads the same as for any other observation.
func TestRaftObservationsFormat(t *testing.T) {
	type appended check.RaftAppended
	type committed check.RaftCommitted
	type applied check.RaftApplied
	a := check.RaftAppended{Index: 12, Term: 3, Digest: 1<<64 - 1}
	c := check.RaftCommitted{Index: 12, Term: 3, LeaderTerm: 4}
	p := check.RaftApplied{Index: 12, Term: 3, Digest: 77, Command: "append x +c1-4"}
	for _, tc := range [][2]string{
		{a.String(), fmt.Sprintf("%+v", appended(a))},
		{c.String(), fmt.Sprintf("%+v", committed(c))},
		{p.String(), fmt.Sprintf("%+v", applied(p))},
	} {
		if tc[0] != tc[1] {
			t.Errorf("String() = %q, %%+v = %q", tc[0], tc[1])
		}
	}
}
