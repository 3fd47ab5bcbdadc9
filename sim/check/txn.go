package check

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"coordlab/sim"
)

// The observations of the distributed-transaction mechanisms: the order saga
// (sim/mech/saga) and two-phase commit (sim/mech/twopc).

// SagaEffect is observed by a service each time one of its local
// transactions takes effect for a saga: the step's action (Compensation
// false, "charge payment") or its compensating action (true, "refund
// payment"). A failed or refused request is not an effect.
type SagaEffect struct {
	Saga         int
	Step         int // 1-based position of the step in the saga
	Service      string
	Action       string // what took effect, as a student reads it: "charge payment"
	Compensation bool
}

// SagaDriver is observed when a node takes charge of moving a saga forward
// (Held true: the orchestrator logged it, or a service queued an event about
// it for the next service) and when it no longer has anything to do for it
// (Held false). Durable says whether the node's record of the saga survives
// a crash: a node that crashes with only a volatile record drops the saga.
type SagaDriver struct {
	Saga    int
	Node    string
	Held    bool
	Durable bool
}

// SagaEnded is observed by the node that declares a saga's outcome:
// "completed" or "compensated".
type SagaEnded struct {
	Saga    int
	Node    string
	Outcome string
}

// sagaState is what the saga checkers know of one saga as the history
// unfolds.
type sagaState struct {
	net     map[int]int // step -> applications minus compensations
	lastAt  sim.Time    // latest effect
	drivers []sagaHold  // nodes that hold it now, in the order they took it
	lostAt  sim.Time    // when the last driver let it go
	lost    string      // how, for the violation sentence
	forgot  string      // the latest crash that lost a volatile record of it
}

type sagaHold struct {
	node    string
	durable bool
}

func (s *sagaState) drop(node string) {
	s.drivers = slices.DeleteFunc(s.drivers, func(h sagaHold) bool { return h.node == node })
}

// SagaAtomicity is the invariant of Garcia-Molina and Salem's sagas: every
// saga ends either fully committed (each step took effect) or fully
// compensated (no step's effect remains). services[i] names the service that
// runs step i+1, for the explanation.
//
// A saga is judged at the end of the run. One whose effects are partial then
// is a violation only if it has no way forward: no node holds it (see
// SagaDriver), or every node that held it crashed with only a volatile
// record. A saga still held by a running node, or by a crashed node whose
// record is durable (a restart resumes it), is merely in flight.
func SagaAtomicity(services []string) Checker {
	return Checker{
		Name:    "saga-atomicity",
		Explain: "Every saga must end fully committed (every step took effect) or fully compensated (no effect remains).",
		Check: func(h []sim.Observation) []Violation {
			return checkSagaAtomicity(h, services)
		},
	}
}

func checkSagaAtomicity(h []sim.Observation, services []string) []Violation {
	sagas := map[int]*sagaState{}
	var order []int
	get := func(id int) *sagaState {
		s, ok := sagas[id]
		if !ok {
			s = &sagaState{net: map[int]int{}}
			sagas[id] = s
			order = append(order, id)
		}
		return s
	}
	var out []Violation
	for _, o := range h {
		switch v := o.Value.(type) {
		case SagaEffect:
			s := get(v.Saga)
			if v.Compensation {
				s.net[v.Step]--
			} else {
				s.net[v.Step]++
			}
			s.lastAt = o.At
		case SagaDriver:
			s := get(v.Saga)
			s.drop(v.Node)
			if v.Held {
				s.drivers = append(s.drivers, sagaHold{v.Node, v.Durable})
				s.forgot = "" // somebody carries it on after any crash
			} else if len(s.drivers) == 0 {
				s.lostAt, s.lost = o.At, fmt.Sprintf("%s, the last node that held it, was done with it at %s", v.Node, Seconds(o.At))
			}
		case sim.End:
			for _, id := range order {
				if viol, bad := judgeSaga(id, sagas[id], services, o.At); bad {
					out = append(out, viol)
				}
			}
		default:
			node, ok := crashed(o.Value)
			if !ok {
				continue
			}
			for _, id := range order {
				s := sagas[id]
				i := slices.IndexFunc(s.drivers, func(d sagaHold) bool { return d.node == node })
				if i < 0 || s.drivers[i].durable {
					continue
				}
				s.drop(node)
				s.forgot = fmt.Sprintf("%s forgot it when it crashed at %s, because its record of the saga was not durable", node, Seconds(o.At))
				if len(s.drivers) == 0 {
					s.lostAt, s.lost = o.At, s.forgot
				}
			}
		}
	}
	return out
}

// judgeSaga decides at the end of the run whether saga id was left partial
// with no way forward.
func judgeSaga(id int, s *sagaState, services []string, end sim.Time) (Violation, bool) {
	var done, undone []string
	for step := 1; step <= len(services); step++ {
		if s.net[step] > 0 {
			done = append(done, services[step-1])
		} else {
			undone = append(undone, services[step-1])
		}
	}
	if len(done) == 0 || len(undone) == 0 || len(s.drivers) > 0 {
		return Violation{}, false // all or nothing, or still in flight
	}
	why := s.lost
	switch {
	case s.forgot != "":
		why = s.forgot // nobody took it up after the crash: that is the story
	case why == "":
		why = "no node ever took charge of it"
	}
	return Violation{
		Invariant: "saga-atomicity",
		At:        min(max(s.lostAt, s.lastAt), end),
		Nodes:     done,
		Detail: fmt.Sprintf("Saga %d was left half-done: its steps at %s took effect but those at %s did not, and nobody will finish or compensate it (%s).",
			id, joinAnd(done), joinAnd(undone), why),
	}, true
}

// joinAnd lists names as a sentence does: "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// DoubleEffect is the invariant that no step of a saga takes effect more than
// once: a duplicated or retried request must not charge a customer twice.
// Idempotency keys are how a service keeps it.
func DoubleEffect() Checker {
	return Checker{
		Name:    "double-effect",
		Explain: "A saga step must take effect at most once, however often its request is delivered.",
		Check: func(h []sim.Observation) []Violation {
			var out []Violation
			type key struct{ saga, step int }
			applied := map[key]int{}
			for _, o := range h {
				e, ok := o.Value.(SagaEffect)
				if !ok || e.Compensation {
					continue
				}
				k := key{e.Saga, e.Step}
				applied[k]++
				if applied[k] == 2 { // one report per step, at its second application
					out = append(out, Violation{
						Invariant: "double-effect", At: o.At, Nodes: []string{e.Service},
						Detail: fmt.Sprintf("%s applied %q of saga %d a second time at %s: a repeated request took effect again.",
							e.Service, e.Action, e.Saga, Seconds(o.At)),
					})
				}
			}
			return out
		},
	}
}

// TxVoted is observed by a two-phase-commit participant when it votes on a
// transaction. A Yes vote is sent only after the participant has forced its
// prepared record to stable storage: from then on it may not decide alone.
type TxVoted struct {
	Tx          int
	Participant string
	Yes         bool
}

// TxInDoubt is observed by a participant that restarts and finds a prepared
// transaction with no decision in its log: it is uncertain again.
type TxInDoubt struct {
	Tx          int
	Participant string
}

// TxDecided is observed by a coordinator or participant when it learns or
// makes the decision on a transaction.
type TxDecided struct {
	Tx     int
	Node   string
	Commit bool
}

func decisionWord(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}

// AtomicCommit is the atomic commitment property of Bernstein, Hadzilacos
// and Goodman (AC1 and AC3): all processes that decide reach the same
// decision, and a transaction commits only if no participant voted No.
func AtomicCommit() Checker {
	return Checker{
		Name:    "atomic-commit",
		Explain: "No two nodes may decide a transaction differently, and it may commit only if no participant voted no.",
		Check: func(h []sim.Observation) []Violation {
			var out []Violation
			type first struct {
				node   string
				commit bool
			}
			decided := map[int]first{}
			votedNo := map[int]string{}
			reported := map[int]bool{}
			for _, o := range h {
				switch v := o.Value.(type) {
				case TxVoted:
					if !v.Yes && votedNo[v.Tx] == "" {
						votedNo[v.Tx] = v.Participant
					}
				case TxDecided:
					if reported[v.Tx] {
						continue
					}
					f, seen := decided[v.Tx]
					switch {
					case seen && f.commit != v.Commit:
						reported[v.Tx] = true
						out = append(out, Violation{
							Invariant: "atomic-commit", At: o.At, Nodes: []string{v.Node, f.node},
							Detail: fmt.Sprintf("%s decided to %s transaction %d at %s, but %s had decided to %s it.",
								v.Node, decisionWord(v.Commit), v.Tx, Seconds(o.At), f.node, decisionWord(f.commit)),
						})
					case v.Commit && votedNo[v.Tx] != "":
						reported[v.Tx] = true
						out = append(out, Violation{
							Invariant: "atomic-commit", At: o.At, Nodes: []string{v.Node, votedNo[v.Tx]},
							Detail: fmt.Sprintf("%s committed transaction %d at %s although %s had voted no.",
								v.Node, v.Tx, Seconds(o.At), votedNo[v.Tx]),
						})
					case !seen:
						decided[v.Tx] = first{v.Node, v.Commit}
					}
				}
			}
			return out
		},
	}
}

// Blocked is the invariant that no participant stays prepared and undecided
// for longer than limit (DESIGN: 5 × timeout) while it is up. A prepared
// participant may neither commit nor abort on its own: it holds its locks
// and waits, which is why two-phase commit is called a blocking protocol.
// Time spent crashed does not count; a restarted participant that is still
// in doubt (TxInDoubt) starts waiting again.
func Blocked(limit time.Duration) Checker {
	return Checker{
		Name:    "blocked",
		Explain: fmt.Sprintf("No participant may stay prepared without learning the decision for longer than %v.", limit),
		Check: func(h []sim.Observation) []Violation {
			return checkBlocked(h, limit)
		},
	}
}

type txWait struct {
	tx          int
	participant string
	since       sim.Time
}

func checkBlocked(h []sim.Observation, limit time.Duration) []Violation {
	var out []Violation
	var waits []txWait // in the order they began
	coordDown := map[string]sim.Time{}
	var coords []string
	flag := func(now sim.Time) {
		waits = slices.DeleteFunc(waits, func(w txWait) bool {
			at := w.since + limit
			if at >= now { // not yet longer than the limit
				return false
			}
			why := ""
			for _, c := range coords {
				if down, ok := coordDown[c]; ok && down <= at {
					why = fmt.Sprintf(" (%s has been down since %s)", c, Seconds(down))
				}
			}
			out = append(out, Violation{
				Invariant: "blocked", At: at, Nodes: []string{w.participant},
				Detail: fmt.Sprintf("%s has been prepared on transaction %d since %s without learning the decision: it can neither commit nor abort and keeps its locks%s.",
					w.participant, w.tx, Seconds(w.since), why),
			})
			return true // one report per wait
		})
	}
	stop := func(p string, tx int, all bool) {
		waits = slices.DeleteFunc(waits, func(w txWait) bool { return w.participant == p && (all || w.tx == tx) })
	}
	for _, o := range h {
		flag(o.At)
		switch v := o.Value.(type) {
		case TxVoted:
			if v.Yes {
				stop(v.Participant, v.Tx, false)
				waits = append(waits, txWait{v.Tx, v.Participant, o.At})
			}
		case TxInDoubt:
			stop(v.Participant, v.Tx, false)
			waits = append(waits, txWait{v.Tx, v.Participant, o.At})
		case TxDecided:
			stop(v.Node, v.Tx, false)
		case sim.FaultEvent:
			if sim.Role(v.Node) == "coordinator" {
				switch v.Kind {
				case sim.FaultCrash:
					if _, ok := coordDown[v.Node]; !ok {
						coordDown[v.Node] = o.At
						coords = append(coords, v.Node)
					}
				case sim.FaultRestart:
					delete(coordDown, v.Node)
					coords = slices.DeleteFunc(coords, func(c string) bool { return c == v.Node })
				}
			}
			if v.Kind == sim.FaultCrash || v.Kind == sim.FaultRestart {
				stop(v.Node, 0, true) // a crashed participant waits for nothing; it reports TxInDoubt when back
			}
		}
	}
	return out
}
