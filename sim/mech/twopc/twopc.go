// Package twopc is two-phase commit: coordinator-1 runs a stream of
// transactions over participant-1..N, each of which must commit everywhere
// or nowhere.
//
// It follows Gray, "Notes on Data Base Operating Systems" (1978), and
// Bernstein, Hadzilacos and Goodman, "Concurrency Control and Recovery in
// Database Systems" (1987), chapter 7. Phase one: the coordinator sends
// Prepare; a participant that can commit forces a prepared record to stable
// storage and votes Yes — from then on it is uncertain and may not decide on
// its own — or votes No and aborts at once. Phase two: on all Yes votes the
// coordinator forces a commit record and sends Commit; on a No vote or a
// timeout it sends Abort. Participants record the decision, release their
// locks and acknowledge; the coordinator then forgets the transaction. With
// presumed_abort (Mohan, Lindsay and Obermarck, "Transaction Management in
// the R* Distributed Database Management System", 1986) the coordinator
// logs nothing for an abort and answers "abort" about any transaction it has
// no record of; without it (presumed nothing) it logs the start of every
// transaction and its abort as well, and aborts the unfinished ones when it
// recovers. Timeouts follow the book: a coordinator missing votes aborts; an
// uncertain participant asks the coordinator and the other participants (the
// cooperative termination protocol) every timeout, and one that has not
// voted yet answers by aborting.
//
// The workload: every 100 ms the coordinator starts a transaction that
// writes one of four keys (k1..k4, drawn from its random stream) at every
// participant. A participant locks the key from Prepare to the decision and
// votes No when another undecided transaction holds it (no-wait locking).
// Forcing the coordinator's decision to its log takes 5 ms; the other
// forced writes (a participant's prepared record, the presumed-nothing start
// record) are counted in log-forces but take no simulated time.
//
// Where it is unsafe on purpose: two-phase commit is a blocking protocol. A
// coordinator that dies after collecting the votes, before its decision
// reaches anyone, leaves every participant prepared: none may commit (the
// coordinator might have decided abort) nor abort (it might have decided
// commit), and asking each other does not help, since all are equally
// uncertain. They hold their locks until the coordinator returns (blocked). The
// symbolic name `deciding` stands for the coordinator while it forces a
// decision, so `{at: 5s, crash: deciding}` hits exactly that window.
// Atomicity itself is never given up (atomic-commit holds).
package twopc

import (
	"fmt"
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Timing of the workload, in the coordinator's own clock.
const (
	// TxInterval is how often the coordinator starts a transaction.
	TxInterval = 100 * time.Millisecond
	// LogForce is how long forcing a record to stable storage takes.
	LogForce = 5 * time.Millisecond
	// Keys is how many keys the transactions write.
	Keys = 4
)

// CoordinatorName is the coordinator's node name.
const CoordinatorName = "coordinator-1"

// Deciding is the symbolic name of the coordinator while it forces its
// decision to its log: it has every vote and nobody knows the outcome yet.
const Deciding = "deciding"

// Config is what the nodes share.
type Config struct {
	Participants  []string
	Timeout       time.Duration
	PresumedAbort bool
}

// ConfigFrom reads the parameters.
func ConfigFrom(p mech.Params) Config {
	return Config{Participants: participantNames(p.Int("participants")), Timeout: p.Duration("timeout"), PresumedAbort: p.Bool("presumed_abort")}
}

// Mechanism is two-phase commit's catalog entry.
var Mechanism = &mech.Mechanism{
	Name:  "twopc",
	Title: "Two-phase commit",
	Summary: "coordinator-1 runs a stream of transactions over the participants: prepare, vote, then commit or abort, " +
		"with durable decisions, timeouts and presumed abort. If the coordinator dies after collecting the votes, " +
		"the prepared participants can neither commit nor abort: they block, holding their locks, until it returns.",
	Roles: "coordinator-1, participant-1..N",
	Params: []mech.Param{
		{Name: "participants", Kind: mech.Int, Default: "3", Min: 1, Max: 20, Help: "participants in every transaction"},
		{Name: "timeout", Kind: mech.Duration, Default: "2s", Min: float64(10 * time.Millisecond), Max: float64(time.Hour),
			Help: "how long the coordinator waits for votes and acknowledgements, and an uncertain participant before it asks again; blocked is 5 × timeout"},
		{Name: "presumed_abort", Kind: mech.Bool, Default: "true",
			Help: "the coordinator logs nothing for aborts and answers abort about a transaction it has no record of"},
	},
	Invariants: []string{"atomic-commit", "blocked"},
	Metrics:    []string{"committed", "aborted", "presumed-aborts", "log-forces", "inquiries", "longest-in-doubt-ms"},
	Symbols:    []string{Deciding},
	Nodes: func(p mech.Params) []string {
		return append([]string{CoordinatorName}, participantNames(p.Int("participants"))...)
	},
	Build: build,
	Checkers: func(p mech.Params) []check.Checker {
		return []check.Checker{check.AtomicCommit(), check.Blocked(5 * p.Duration("timeout"))}
	},
	Finish: finish,
}

func init() { mech.Register(Mechanism) }

func participantNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("participant-%d", i+1)
	}
	return names
}

func build(w *sim.World, p mech.Params) error {
	cfg := ConfigFrom(p)
	w.DeclareSymbol(Deciding)
	if err := w.AddNode(CoordinatorName, func() sim.Node { return NewCoordinator(cfg) }); err != nil {
		return err
	}
	for _, name := range cfg.Participants {
		if err := w.AddNode(name, func() sim.Node { return NewParticipant(cfg) }); err != nil {
			return err
		}
	}
	return nil
}

// finish counts each transaction once, by the first decision anybody made
// on it: a transaction the coordinator forgot in a crash and the
// participants then presumed aborted counts as aborted. It also reports the
// longest time a participant stayed prepared before it learned the decision.
func finish(w *sim.World, _ mech.Params) map[string]float64 {
	decided := map[int]bool{}
	var committed, aborted float64
	type wait struct {
		tx int
		p  string
	}
	since := map[wait]sim.Time{}
	var longest time.Duration
	for _, o := range w.History() {
		switch v := o.Value.(type) {
		case check.TxDecided:
			if w := (wait{v.Tx, v.Node}); since[w] != 0 {
				longest = max(longest, o.At-since[w])
				delete(since, w)
			}
			if decided[v.Tx] {
				continue
			}
			decided[v.Tx] = true
			if v.Commit {
				committed++
			} else {
				aborted++
			}
		case check.TxVoted:
			if v.Yes {
				since[wait{v.Tx, v.Participant}] = o.At
			}
		}
	}
	for _, at := range since { // still in doubt at the end
		longest = max(longest, w.Now()-at)
	}
	return map[string]float64{"committed": committed, "aborted": aborted,
		"longest-in-doubt-ms": float64(longest.Milliseconds())}
}

// txKey is the durable-store key of a transaction's record, zero-padded so
// that the store's sorted keys come in transaction order. It is built by
// hand because it is on the hot path of every vote and decision.
func txKey(tx int) string {
	digits := strconv.Itoa(tx)
	if len(digits) < 8 {
		digits = "00000000"[len(digits):] + digits
	}
	return "tx/" + digits
}
