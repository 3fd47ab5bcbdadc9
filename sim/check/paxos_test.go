package check_test

import (
	"testing"

	"coordlab/sim"
	"coordlab/sim/check"
)

func pxAccepted(n int, acceptor string, round uint64, proposer int, value string) sim.Observation {
	return rfAt(n, acceptor, check.PaxosAccepted{Ballot: check.Ballot{Round: round, Proposer: proposer}, Value: value})
}

func pxLearned(n int, learner string, round uint64, proposer int, value string) sim.Observation {
	return rfAt(n, learner, check.PaxosLearned{Ballot: check.Ballot{Round: round, Proposer: proposer}, Value: value})
}

func pxProposed(n int, proposer, value string) sim.Observation {
	return rfAt(n, proposer, check.PaxosProposed{Value: value})
}

func TestAgreement(t *testing.T) {
	runRaftCases(t, check.Agreement(3), []raftCase{
		{"one value chosen twice", []sim.Observation{
			pxAccepted(10, "acceptor-1", 1, 1, "a"), pxAccepted(11, "acceptor-2", 1, 1, "a"),
			pxAccepted(20, "acceptor-2", 2, 2, "a"), pxAccepted(21, "acceptor-3", 2, 2, "a"),
			pxLearned(30, "proposer-1", 1, 1, "a"), pxLearned(31, "proposer-2", 2, 2, "a"),
		}, 0},
		{"a minority accepted another value", []sim.Observation{
			pxAccepted(10, "acceptor-1", 1, 1, "a"), pxAccepted(11, "acceptor-2", 1, 1, "a"),
			pxAccepted(12, "acceptor-3", 1, 2, "b"), pxAccepted(12, "acceptor-3", 1, 2, "b"),
		}, 0},
		{"two values chosen", []sim.Observation{
			pxAccepted(10, "acceptor-1", 1, 1, "a"), pxAccepted(11, "acceptor-2", 1, 1, "a"),
			pxAccepted(20, "acceptor-2", 2, 2, "b"), pxAccepted(21, "acceptor-3", 2, 2, "b"),
		}, 1},
		{"learners disagree", []sim.Observation{
			pxAccepted(10, "acceptor-1", 1, 1, "a"), pxAccepted(11, "acceptor-2", 1, 1, "a"),
			pxLearned(30, "proposer-1", 1, 1, "a"), pxLearned(31, "proposer-2", 1, 1, "b"),
		}, 1},
		{"learned before a majority accepted", []sim.Observation{
			pxAccepted(10, "acceptor-1", 1, 1, "a"), pxLearned(30, "proposer-1", 1, 1, "a"),
		}, 1},
	})
}

func TestValidity(t *testing.T) {
	runRaftCases(t, check.Validity(), []raftCase{
		{"proposed values only", []sim.Observation{
			pxProposed(0, "proposer-1", "a"), pxProposed(0, "proposer-2", "b"),
			pxAccepted(10, "acceptor-1", 1, 1, "a"), pxAccepted(20, "acceptor-1", 2, 2, "b"), pxLearned(30, "proposer-2", 2, 2, "b"),
		}, 0},
		{"an acceptor accepted a value nobody proposed", []sim.Observation{
			pxProposed(0, "proposer-1", "a"),
			pxAccepted(10, "acceptor-1", 1, 1, "z"), pxAccepted(11, "acceptor-2", 1, 1, "z"), pxLearned(30, "proposer-1", 1, 1, "z"),
		}, 1},
	})
}

func TestBallotOrder(t *testing.T) {
	b := func(r uint64, p int) check.Ballot { return check.Ballot{Round: r, Proposer: p} }
	for _, tc := range []struct {
		a, b check.Ballot
		less bool
	}{{b(1, 1), b(1, 2), true}, {b(1, 2), b(2, 1), true}, {b(2, 1), b(1, 2), false}, {b(1, 1), b(1, 1), false}} {
		if got := tc.a.Less(tc.b); got != tc.less {
			t.Errorf("%v.Less(%v) = %v, want %v", tc.a, tc.b, got, tc.less)
		}
	}
	if s := b(3, 1).String(); s != "3.1" {
		t.Errorf("String() = %q, want 3.1", s)
	}
}
