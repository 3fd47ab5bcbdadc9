package check

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim"
)

func txAt(n int, node string, v any) sim.Observation {
	return sim.Observation{At: sim.Time(n) * sim.Time(time.Millisecond), Node: node, Value: v}
}

func txFault(n int, kind sim.FaultKind, node string) sim.Observation {
	return txAt(n, node, sim.FaultEvent{Kind: kind, Node: node})
}

func txEnd(n int) sim.Observation { return txAt(n, "", sim.End{}) }

var txServices = []string{"order-1", "payment-1", "inventory-1", "shipping-1"}

// sagaDo and sagaUndo are effects of step step (1-based) of saga id.
func sagaDo(n, id, step int) sim.Observation {
	s := txServices[step-1]
	return txAt(n, s, SagaEffect{Saga: id, Step: step, Service: s, Action: "do"})
}

func sagaUndo(n, id, step int) sim.Observation {
	s := txServices[step-1]
	return txAt(n, s, SagaEffect{Saga: id, Step: step, Service: s, Action: "undo", Compensation: true})
}

func sagaHeld(n, id int, node string, held, durable bool) sim.Observation {
	return txAt(n, node, SagaDriver{Saga: id, Node: node, Held: held, Durable: durable})
}

// txCase is one hand-made history, the number of violations a checker must
// find, and words the first one's detail must contain.
type txCase struct {
	name  string
	hist  []sim.Observation
	want  int
	words []string
}

func runTxCases(t *testing.T, c Checker, cases []txCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(tc.hist)
			if len(got) != tc.want {
				t.Fatalf("%s found %d violations, want %d: %+v", c.Name, len(got), tc.want, got)
			}
			for _, v := range got {
				if v.Invariant != c.Name || v.Detail == "" || len(v.Nodes) == 0 {
					t.Errorf("malformed violation %+v", v)
				}
			}
			for _, w := range tc.words {
				if !strings.Contains(got[0].Detail, w) {
					t.Errorf("detail %q does not mention %q", got[0].Detail, w)
				}
			}
		})
	}
}

func TestSagaAtomicity(t *testing.T) {
	const o = "orchestrator-1"
	committed := []sim.Observation{
		sagaHeld(0, 1, o, true, true), sagaDo(10, 1, 1), sagaDo(20, 1, 2), sagaDo(30, 1, 3), sagaDo(40, 1, 4),
		sagaHeld(41, 1, o, false, true),
	}
	compensated := []sim.Observation{
		sagaHeld(0, 2, o, true, false), sagaDo(10, 2, 1), sagaDo(20, 2, 2), sagaUndo(30, 2, 2), sagaUndo(40, 2, 1),
		sagaHeld(41, 2, o, false, false),
	}
	partial := []sim.Observation{sagaHeld(0, 3, o, true, false), sagaDo(10, 3, 1), sagaDo(20, 3, 2)}
	cases := []txCase{
		{name: "committed and compensated sagas", hist: txCat(committed, compensated, []sim.Observation{txEnd(100)})},
		{name: "in flight at the end, driver up", hist: txCat(partial, []sim.Observation{txEnd(100)})},
		{name: "no end yet: nothing judged", hist: txCat(partial, []sim.Observation{txFault(30, sim.FaultCrash, o)})},
		{name: "volatile log lost in a crash", want: 1, words: []string{"Saga 3", "order-1 and payment-1", "inventory-1 and shipping-1", "crashed at 30ms"},
			hist: txCat(partial, []sim.Observation{txFault(30, sim.FaultCrash, o), txFault(50, sim.FaultRestart, o), txEnd(100)})},
		{name: "durable log, driver down at the end: in flight", hist: []sim.Observation{
			sagaHeld(0, 4, o, true, true), sagaDo(10, 4, 1), txFault(30, sim.FaultCrash, o), txEnd(100)}},
		{name: "durable log, driver restarted", hist: []sim.Observation{
			sagaHeld(0, 4, o, true, true), sagaDo(10, 4, 1), txFault(30, sim.FaultRestart, o), txEnd(100)}},
		{name: "released with a charge left behind", want: 1, words: []string{"Saga 5", "payment-1", "was done with it"}, hist: []sim.Observation{
			sagaHeld(0, 5, o, true, true), sagaDo(10, 5, 1), sagaDo(20, 5, 2), sagaDo(21, 5, 2),
			sagaUndo(30, 5, 2), sagaUndo(40, 5, 1), sagaHeld(41, 5, o, false, true), txEnd(100)}},
		{name: "handed from service to service (choreography)", hist: []sim.Observation{
			sagaDo(10, 6, 1), sagaHeld(10, 6, "order-1", true, false),
			sagaDo(20, 6, 2), sagaHeld(20, 6, "payment-1", true, false), sagaHeld(21, 6, "order-1", false, false),
			txEnd(100)}},
		{name: "volatile outbox lost with the service", want: 1, words: []string{"payment-1 forgot it"}, hist: []sim.Observation{
			sagaDo(10, 6, 1), sagaHeld(10, 6, "order-1", true, false),
			sagaDo(20, 6, 2), sagaHeld(20, 6, "payment-1", true, false), sagaHeld(21, 6, "order-1", false, false),
			txFault(25, sim.FaultCrash, "payment-1"), txEnd(100)}},
		{name: "forgotten in a crash while its sender still waited for the ack", want: 1, words: []string{"payment-1 forgot it when it crashed at 25ms"}, hist: []sim.Observation{
			sagaDo(10, 7, 1), sagaHeld(10, 7, "order-1", true, false),
			sagaDo(20, 7, 2), sagaHeld(20, 7, "payment-1", true, false),
			txFault(25, sim.FaultCrash, "payment-1"), sagaHeld(40, 7, "order-1", false, false), txEnd(100)}},
	}
	runTxCases(t, SagaAtomicity(txServices), cases)
}

func TestDoubleEffect(t *testing.T) {
	runTxCases(t, DoubleEffect(), []txCase{
		{name: "each step once, compensations too", hist: []sim.Observation{
			sagaDo(10, 1, 1), sagaDo(20, 1, 2), sagaUndo(30, 1, 2), sagaUndo(40, 1, 1), sagaDo(50, 2, 2)}},
		{name: "charged twice", want: 1, words: []string{"payment-1", "saga 1", "second time"}, hist: []sim.Observation{
			sagaDo(10, 1, 1), sagaDo(20, 1, 2), sagaDo(25, 1, 2), sagaDo(26, 1, 2)}},
		{name: "applied again after its compensation", want: 1, hist: []sim.Observation{
			sagaDo(20, 1, 2), sagaUndo(30, 1, 2), sagaDo(40, 1, 2)}},
	})
}

func txVoted(n, tx int, p string, yes bool) sim.Observation {
	return txAt(n, p, TxVoted{Tx: tx, Participant: p, Yes: yes})
}

func txDecided(n, tx int, node string, commit bool) sim.Observation {
	return txAt(n, node, TxDecided{Tx: tx, Node: node, Commit: commit})
}

func TestAtomicCommit(t *testing.T) {
	const c, p1, p2 = "coordinator-1", "participant-1", "participant-2"
	runTxCases(t, AtomicCommit(), []txCase{
		{name: "commit and abort, consistently", hist: []sim.Observation{
			txVoted(1, 1, p1, true), txVoted(1, 1, p2, true), txDecided(5, 1, c, true), txDecided(7, 1, p1, true), txDecided(8, 1, p2, true),
			txVoted(11, 2, p1, true), txVoted(11, 2, p2, false), txDecided(11, 2, p2, false), txDecided(15, 2, c, false), txDecided(17, 2, p1, false)}},
		{name: "participants decide differently", want: 1, words: []string{"participant-2", "abort", "participant-1", "commit"}, hist: []sim.Observation{
			txVoted(1, 1, p1, true), txVoted(1, 1, p2, true), txDecided(7, 1, p1, true), txDecided(8, 1, p2, false), txDecided(9, 1, c, false)}},
		{name: "commit despite a No vote", want: 1, words: []string{"voted no"}, hist: []sim.Observation{
			txVoted(1, 3, p1, true), txVoted(2, 3, p2, false), txDecided(5, 3, c, true)}},
	})
}

func TestBlocked(t *testing.T) {
	const c, p1, p2 = "coordinator-1", "participant-1", "participant-2"
	runTxCases(t, Blocked(10*time.Second), []txCase{
		{name: "decided within the limit", hist: []sim.Observation{
			txVoted(1000, 1, p1, true), txFault(1001, sim.FaultCrash, c), txFault(9000, sim.FaultRestart, c),
			txDecided(10_999, 1, p1, false), txEnd(60_000)}},
		{name: "coordinator down: blocked", want: 2, words: []string{"participant-1", "transaction 1", "coordinator-1 has been down since 1.001s"}, hist: []sim.Observation{
			txVoted(1000, 1, p1, true), txVoted(1000, 1, p2, true), txFault(1001, sim.FaultCrash, c), txEnd(60_000)}},
		{name: "detected before the end, once", want: 1, hist: []sim.Observation{
			txVoted(1000, 1, p1, true), txVoted(12_000, 2, p2, false), txDecided(20_000, 1, p1, false), txEnd(60_000)}},
		{name: "time spent crashed does not count", hist: []sim.Observation{
			txVoted(1000, 1, p1, true), txFault(2000, sim.FaultCrash, p1), txFault(30_000, sim.FaultRestart, p1),
			txAt(30_000, p1, TxInDoubt{Tx: 1, Participant: p1}), txDecided(35_000, 1, p1, true), txEnd(60_000)}},
		{name: "in doubt again after a restart, too long", want: 1, words: []string{"since 30s"}, hist: []sim.Observation{
			txVoted(1000, 1, p1, true), txFault(2000, sim.FaultCrash, p1), txFault(30_000, sim.FaultRestart, p1),
			txAt(30_000, p1, TxInDoubt{Tx: 1, Participant: p1}), txEnd(60_000)}},
	})
}

func txCat(hs ...[]sim.Observation) []sim.Observation {
	var out []sim.Observation
	for _, h := range hs {
		out = append(out, h...)
	}
	return out
}
