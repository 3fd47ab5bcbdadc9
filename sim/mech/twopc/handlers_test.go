package twopc_test

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/twopc"
)

// timed is a message a script node sends at a moment of its clock.
type timed struct {
	at  time.Duration
	to  string
	msg sim.Message
}

// script is a stand-in node: it sends its messages on time and records
// what it receives as "from:kind"; answer, if set, replies to what it gets.
type script struct {
	sends  []timed
	got    *[]string
	answer func(from string, m sim.Message) sim.Message
}

func (s *script) Start(ctx *sim.Context) {
	for i, m := range s.sends {
		ctx.SetTimer(m.at, i)
	}
}

func (s *script) Timer(ctx *sim.Context, tag any) {
	m := s.sends[tag.(int)]
	ctx.Send(m.to, m.msg)
}

func (s *script) Receive(ctx *sim.Context, from string, msg sim.Message) {
	*s.got = append(*s.got, from+":"+msg.Kind())
	if s.answer != nil {
		if r := s.answer(from, msg); r != nil {
			ctx.Send(from, r)
		}
	}
}

func newWorld(d time.Duration) *sim.World {
	net := sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}
	return sim.New(sim.Config{Seed: 1, Duration: d, Network: net})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var three = []string{"participant-1", "participant-2", "participant-3"}

func prepare(tx int, key string) twopc.Prepare {
	return twopc.Prepare{Tx: tx, Key: key, Participants: three}
}

// decisions lists the history's TxDecided as "node:tx:commit|abort".
func decisions(h []sim.Observation) string {
	var out []string
	for _, o := range h {
		if d, ok := o.Value.(check.TxDecided); ok {
			word := "abort"
			if d.Commit {
				word = "commit"
			}
			out = append(out, d.Node+":"+word)
		}
	}
	return strings.Join(out, " ")
}

// TestParticipant drives participant-1 from a scripted coordinator and a
// scripted peer, participant-2.
func TestParticipant(t *testing.T) {
	const c, peer = twopc.CoordinatorName, "participant-2"
	p1 := "participant-1"
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	cases := []struct {
		name      string
		pa        bool
		coord     []timed
		peer      []timed
		toCoord   string
		toPeer    string
		decisions string
	}{
		{name: "prepare, vote yes, commit, ack", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}, {ms(10), p1, twopc.Decision{Tx: 1, Commit: true}}},
			toCoord: "participant-1:vote-yes participant-1:ack", decisions: "participant-1:commit"},
		{name: "a repeated Prepare gets the same vote", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}, {ms(5), p1, prepare(1, "k1")}, {ms(10), p1, twopc.Decision{Tx: 1, Commit: true}}},
			toCoord: "participant-1:vote-yes participant-1:vote-yes participant-1:ack", decisions: "participant-1:commit"},
		{name: "key locked by an undecided transaction: vote no", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}, {ms(5), p1, prepare(2, "k1")}, {ms(10), p1, twopc.Decision{Tx: 1, Commit: true}}},
			toCoord: "participant-1:vote-yes participant-1:vote-no participant-1:ack", decisions: "participant-1:abort participant-1:commit"},
		{name: "presumed abort: aborts are not acknowledged", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}, {ms(10), p1, twopc.Decision{Tx: 1}}},
			toCoord: "participant-1:vote-yes", decisions: "participant-1:abort"},
		{name: "presumed nothing: aborts are acknowledged", pa: false,
			coord:   []timed{{0, p1, prepare(1, "k1")}, {ms(10), p1, twopc.Decision{Tx: 1}}},
			toCoord: "participant-1:vote-yes participant-1:ack", decisions: "participant-1:abort"},
		{name: "uncertain after the timeout: ask the coordinator and the peers", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}},
			toCoord: "participant-1:vote-yes participant-1:decision-request", toPeer: "participant-1:decision-request"},
		{name: "a peer's decision ends the doubt", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}},
			peer:    []timed{{ms(1500), p1, twopc.Decision{Tx: 1, Commit: true}}},
			toCoord: "participant-1:vote-yes", decisions: "participant-1:commit"},
		{name: "asked before voting: abort, and vote no later", pa: true,
			peer:    []timed{{0, p1, twopc.DecisionRequest{Tx: 1}}},
			coord:   []timed{{ms(10), p1, prepare(1, "k1")}},
			toCoord: "participant-1:vote-no", toPeer: "participant-1:abort", decisions: "participant-1:abort"},
		{name: "asked while prepared: no answer", pa: true,
			coord:   []timed{{0, p1, prepare(1, "k1")}, {ms(100), p1, twopc.Decision{Tx: 1, Commit: true}}},
			peer:    []timed{{ms(10), p1, twopc.DecisionRequest{Tx: 1}}, {ms(200), p1, twopc.DecisionRequest{Tx: 1}}},
			toCoord: "participant-1:vote-yes participant-1:ack", toPeer: "participant-1:commit", decisions: "participant-1:commit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(3 * time.Second)
			cfg := twopc.Config{Participants: three, Timeout: 2 * time.Second, PresumedAbort: tc.pa}
			toCoord, toPeer, toP3 := &[]string{}, &[]string{}, &[]string{}
			must(t, w.AddNode(c, func() sim.Node { return &script{sends: tc.coord, got: toCoord} }))
			must(t, w.AddNode(p1, func() sim.Node { return twopc.NewParticipant(cfg) }))
			must(t, w.AddNode(peer, func() sim.Node { return &script{sends: tc.peer, got: toPeer} }))
			must(t, w.AddNode("participant-3", func() sim.Node { return &script{got: toP3} }))
			must(t, w.Run())
			if got := strings.Join(*toCoord, " "); got != tc.toCoord {
				t.Errorf("coordinator got %q, want %q", got, tc.toCoord)
			}
			if got := strings.Join(*toPeer, " "); got != tc.toPeer {
				t.Errorf("participant-2 got %q, want %q", got, tc.toPeer)
			}
			if got := decisions(w.History()); got != tc.decisions {
				t.Errorf("decisions %q, want %q", got, tc.decisions)
			}
		})
	}
}

// txOf returns the transaction a message is about.
func txOf(m sim.Message) int {
	switch m := m.(type) {
	case twopc.Prepare:
		return m.Tx
	case twopc.Decision:
		return m.Tx
	}
	return 0
}

// TestCoordinator runs the coordinator against scripted participants:
// participant-1 and -2 vote Yes and acknowledge, participant-3 behaves as
// each case says. It checks what participant-3 hears about transaction 1
// (and about transaction 999, which it asks about).
func TestCoordinator(t *testing.T) {
	voter := func(yes bool, ack bool) func(string, sim.Message) sim.Message {
		return func(_ string, m sim.Message) sim.Message {
			switch m := m.(type) {
			case twopc.Prepare:
				return twopc.Vote{Tx: m.Tx, Yes: yes}
			case twopc.Decision:
				if ack {
					return twopc.Ack{Tx: m.Tx}
				}
			}
			return nil
		}
	}
	silent := func(string, sim.Message) sim.Message { return nil }
	ask := []timed{{time.Second, twopc.CoordinatorName, twopc.DecisionRequest{Tx: 999}}}
	cases := []struct {
		name  string
		pa    bool
		p3    func(string, sim.Message) sim.Message
		sends []timed
		heard string
		coord string
	}{
		{name: "all yes: commit", pa: true, p3: voter(true, true),
			heard: "prepare commit", coord: "commit"},
		{name: "one no: abort at once, no acks under presumed abort", pa: true, p3: voter(false, false),
			heard: "prepare abort", coord: "abort"},
		{name: "a missing vote: abort after the timeout", pa: true, p3: silent,
			heard: "prepare abort", coord: "abort"},
		{name: "a missing ack: the commit is sent again", pa: true, p3: voter(true, false),
			heard: "prepare commit commit", coord: "commit"},
		{name: "presumed nothing: an abort waits for acks too", pa: false, p3: voter(false, false),
			heard: "prepare abort abort", coord: "abort"},
		{name: "presumed abort: an unknown transaction was aborted", pa: true, p3: voter(true, true), sends: ask,
			heard: "prepare commit abort", coord: "commit"},
		{name: "presumed nothing: no presumption", pa: false, p3: voter(true, true), sends: ask,
			heard: "prepare commit", coord: "commit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(1500 * time.Millisecond)
			cfg := twopc.Config{Participants: three, Timeout: time.Second, PresumedAbort: tc.pa}
			var heard []string
			p3 := func(from string, m sim.Message) sim.Message {
				if tx := txOf(m); tx == 1 || tx == 999 {
					heard = append(heard, m.Kind())
				}
				if txOf(m) == 1 {
					return tc.p3(from, m)
				}
				return voter(true, true)(from, m)
			}
			must(t, w.AddNode(twopc.CoordinatorName, func() sim.Node { return twopc.NewCoordinator(cfg) }))
			must(t, w.AddNode("participant-1", func() sim.Node { return &script{got: &[]string{}, answer: voter(true, true)} }))
			must(t, w.AddNode("participant-2", func() sim.Node { return &script{got: &[]string{}, answer: voter(true, true)} }))
			must(t, w.AddNode("participant-3", func() sim.Node { return &script{sends: tc.sends, got: &[]string{}, answer: p3} }))
			must(t, w.Run())
			if got := strings.Join(heard, " "); got != tc.heard {
				t.Errorf("participant-3 heard %q, want %q", got, tc.heard)
			}
			var coord string
			for _, o := range w.History() {
				if d, ok := o.Value.(check.TxDecided); ok && d.Tx == 1 {
					coord = map[bool]string{true: "commit", false: "abort"}[d.Commit]
				}
			}
			if coord != tc.coord {
				t.Errorf("the coordinator decided %q, want %q", coord, tc.coord)
			}
		})
	}
}

// TestCoordinatorRecovery crashes the coordinator while it forces its
// commit record (the symbolic name "deciding") and restarts it: under
// presumed abort it has no record and answers abort; under presumed nothing
// it finds the start record and aborts the transaction itself.
func TestCoordinatorRecovery(t *testing.T) {
	for _, pa := range []bool{true, false} {
		w := newWorld(10 * time.Second)
		cfg := twopc.Config{Participants: three, Timeout: time.Second, PresumedAbort: pa}
		must(t, w.AddNode(twopc.CoordinatorName, func() sim.Node { return twopc.NewCoordinator(cfg) }))
		for _, p := range three {
			must(t, w.AddNode(p, func() sim.Node { return twopc.NewParticipant(cfg) }))
		}
		w.DeclareSymbol(twopc.Deciding)
		must(t, w.Schedule(sim.Fault{At: 0, Kind: sim.FaultCrash, Node: twopc.Deciding}))
		must(t, w.Schedule(sim.Fault{At: 3 * time.Second, Kind: sim.FaultRestart, Node: twopc.CoordinatorName}))
		must(t, w.Run())
		var tx1 []string
		for _, o := range w.History() {
			if d, ok := o.Value.(check.TxDecided); ok && d.Tx == 1 {
				tx1 = append(tx1, d.Node+":"+map[bool]string{true: "commit", false: "abort"}[d.Commit])
			}
		}
		want := "participant-1:abort participant-2:abort participant-3:abort"
		if !pa {
			want = "coordinator-1:abort " + want
		}
		if got := strings.Join(tx1, " "); got != want {
			t.Errorf("presumed_abort %v: decisions on transaction 1: %q, want %q", pa, got, want)
		}
	}
}
