package paxos

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// fakeHost records what a proposer or acceptor does.
type fakeHost struct {
	sent    []envelope
	timers  []any
	obs     []any
	store   sim.Store
	metrics map[string]float64
	rng     *rand.Rand
}

type envelope struct {
	to  string
	msg sim.Message
}

func newFakeHost() *fakeHost {
	return &fakeHost{metrics: map[string]float64{}, rng: rand.New(rand.NewPCG(1, 2))}
}

func (h *fakeHost) Send(to string, m sim.Message) { h.sent = append(h.sent, envelope{to, m}) }
func (h *fakeHost) SetTimer(_ time.Duration, tag any) sim.TimerID {
	h.timers = append(h.timers, tag)
	return sim.TimerID(len(h.timers))
}
func (h *fakeHost) Rand() *rand.Rand               { return h.rng }
func (h *fakeHost) Observe(v any)                  { h.obs = append(h.obs, v) }
func (h *fakeHost) Durable() *sim.Store            { return &h.store }
func (h *fakeHost) Count(metric string, d float64) { h.metrics[metric] += d }

func (h *fakeHost) take() []envelope {
	out := h.sent
	h.sent = nil
	return out
}

func testConfig() *config {
	return &config{proposers: []string{"proposer-1", "proposer-2"}, acceptors: []string{"acceptor-1", "acceptor-2", "acceptor-3"}}
}

func b(round uint64, proposer int) check.Ballot {
	return check.Ballot{Round: round, Proposer: proposer}
}

// TestAcceptorHandlers is a table of an acceptor's answers: phase 1(b) "if
// an acceptor receives a prepare request with number n greater than that of
// any prepare request to which it has already responded, then it responds to
// the request with a promise ... and with the highest-numbered proposal (if
// any) that it has accepted", and phase 2(b) "if an acceptor receives an
// accept request for a proposal numbered n, it accepts the proposal unless
// it has already responded to a prepare request having a number greater than
// n".
func TestAcceptorHandlers(t *testing.T) {
	tests := []struct {
		name  string
		state acceptorState
		msg   sim.Message
		want  []envelope
		after acceptorState
	}{
		{"first prepare", acceptorState{}, Prepare{b(1, 1)},
			[]envelope{{"proposer-1", Promise{Ballot: b(1, 1)}}}, acceptorState{Promised: b(1, 1)}},
		{"higher prepare reports the accepted proposal", acceptorState{Promised: b(1, 1), Accepted: b(1, 1), Value: "v1"}, Prepare{b(1, 2)},
			[]envelope{{"proposer-2", Promise{Ballot: b(1, 2), Accepted: b(1, 1), Value: "v1"}}},
			acceptorState{Promised: b(1, 2), Accepted: b(1, 1), Value: "v1"}},
		{"lower prepare", acceptorState{Promised: b(2, 1)}, Prepare{b(1, 2)},
			[]envelope{{"proposer-2", Nack{Ballot: b(1, 2), Promised: b(2, 1)}}}, acceptorState{Promised: b(2, 1)}},
		{"repeated prepare", acceptorState{Promised: b(2, 1)}, Prepare{b(2, 1)},
			[]envelope{{"proposer-1", Promise{Ballot: b(2, 1)}}}, acceptorState{Promised: b(2, 1)}},
		{"accept of the promised ballot", acceptorState{Promised: b(2, 1)}, Accept{b(2, 1), "v1"},
			[]envelope{{"proposer-1", Accepted{b(2, 1), "v1"}}, {"proposer-2", Accepted{b(2, 1), "v1"}}},
			acceptorState{Promised: b(2, 1), Accepted: b(2, 1), Value: "v1"}},
		{"accept of a higher ballot", acceptorState{Promised: b(1, 1)}, Accept{b(2, 2), "v2"},
			[]envelope{{"proposer-1", Accepted{b(2, 2), "v2"}}, {"proposer-2", Accepted{b(2, 2), "v2"}}},
			acceptorState{Promised: b(2, 2), Accepted: b(2, 2), Value: "v2"}},
		{"accept below the promise", acceptorState{Promised: b(2, 2), Accepted: b(1, 1), Value: "v1"}, Accept{b(2, 1), "v9"},
			[]envelope{{"proposer-1", Nack{Ballot: b(2, 1), Promised: b(2, 2)}}},
			acceptorState{Promised: b(2, 2), Accepted: b(1, 1), Value: "v1"}},
	}
	for _, tt := range tests {
		h := newFakeHost()
		a := &acceptor{cfg: testConfig(), st: tt.state}
		from := fmt.Sprintf("proposer-%d", ballotOf(tt.msg).Proposer)
		a.step(h, from, tt.msg)
		if fmt.Sprint(h.take()) != fmt.Sprint(tt.want) {
			t.Errorf("%s: sent %v, want %v", tt.name, h.sent, tt.want)
		}
		if a.st != tt.after {
			t.Errorf("%s: state %+v, want %+v", tt.name, a.st, tt.after)
		}
		// What it answered is durable: a restarted acceptor keeps its word.
		if stored, ok := h.store.Get(durableKey); a.st != tt.state && (!ok || stored.(acceptorState) != a.st) {
			t.Errorf("%s: durable state %+v, want %+v", tt.name, stored, a.st)
		}
		restarted := &acceptor{cfg: a.cfg}
		restarted.start(h)
		if a.st != tt.state && restarted.st != a.st {
			t.Errorf("%s: a restarted acceptor has %+v, want %+v", tt.name, restarted.st, a.st)
		}
	}
}

func ballotOf(m sim.Message) check.Ballot {
	switch m := m.(type) {
	case Prepare:
		return m.Ballot
	case Accept:
		return m.Ballot
	}
	return check.Ballot{}
}

// TestProposerAdoptsHighestAccepted: phase 2(a) sends "the value of the
// highest-numbered proposal among the responses, or ... any value if the
// responses reported no proposals".
func TestProposerAdoptsHighestAccepted(t *testing.T) {
	tests := []struct {
		promises []Promise
		want     string
	}{
		{[]Promise{{}, {}}, "v2"},
		{[]Promise{{Accepted: b(1, 1), Value: "v1"}, {}}, "v1"},
		{[]Promise{{Accepted: b(1, 1), Value: "v1"}, {Accepted: b(2, 3), Value: "v3"}}, "v3"},
		{[]Promise{{Accepted: b(2, 3), Value: "v3"}, {Accepted: b(2, 1), Value: "v1"}}, "v3"},
	}
	for i, tt := range tests {
		h := newFakeHost()
		p := newProposer(testConfig(), 2)
		p.start(h)
		h.take()
		for k, pr := range tt.promises {
			pr.Ballot = p.ballot
			p.step(h, fmt.Sprintf("acceptor-%d", k+1), pr)
		}
		sent := h.take()
		if len(sent) != 3 {
			t.Fatalf("#%d: sent %v, want accept requests to the three acceptors", i, sent)
		}
		if m := sent[0].msg.(Accept); m.Value != tt.want || m.Ballot != p.ballot {
			t.Errorf("#%d: accept request %+v, want value %s in ballot %v", i, m, tt.want, p.ballot)
		}
	}
}

// TestProposerBallots: ballots increase, are unique per proposer, jump past
// any ballot an acceptor reports, and survive a restart ("a proposer must be
// able to remember the highest-numbered proposal it has tried to issue").
func TestProposerBallots(t *testing.T) {
	h := newFakeHost()
	p := newProposer(testConfig(), 2)
	p.start(h)
	if p.ballot != b(1, 2) {
		t.Fatalf("first ballot %v, want 1.2", p.ballot)
	}
	p.step(h, "acceptor-1", Nack{Ballot: p.ballot, Promised: b(7, 1)})
	p.timer(h, retryTimer{Ballot: p.ballot})
	if p.ballot != b(8, 2) {
		t.Fatalf("ballot after a nack for 7.1: %v, want 8.2", p.ballot)
	}
	restarted := newProposer(testConfig(), 2)
	restarted.start(h)
	if restarted.ballot != b(9, 2) {
		t.Errorf("ballot after a restart %v, want 9.2", restarted.ballot)
	}
	if h.metrics["rounds"] != 3 {
		t.Errorf("rounds = %v, want 3", h.metrics["rounds"])
	}
}

// TestLearner: a learner learns a value once a majority of acceptors report
// accepting it in one ballot, and only then.
func TestLearner(t *testing.T) {
	h := newFakeHost()
	p := newProposer(testConfig(), 1)
	p.start(h)
	p.step(h, "acceptor-1", Accepted{b(3, 2), "v2"})
	p.step(h, "acceptor-1", Accepted{b(3, 2), "v2"}) // a duplicate counts once
	p.step(h, "acceptor-2", Accepted{b(4, 1), "v2"}) // another ballot
	if p.phase == learned {
		t.Fatal("learned without a majority in one ballot")
	}
	p.step(h, "acceptor-3", Accepted{b(3, 2), "v2"})
	if p.phase != learned || h.obs[len(h.obs)-1] != (check.PaxosLearned{Ballot: b(3, 2), Value: "v2"}) {
		t.Fatalf("phase %d, observed %v; want v2 learned in ballot 3.2", p.phase, h.obs)
	}
	h.take()
	p.timer(h, roundTimer{Ballot: p.ballot})
	if len(h.take()) != 0 || len(h.timers) != 1 {
		t.Error("a proposer that learned the value went on proposing")
	}
}
