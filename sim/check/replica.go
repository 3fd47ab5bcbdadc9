package check

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"coordlab/sim"
)

// This file holds the checkers of replicated data: stale-read, lost-update
// and convergence. They read client operations (Op) and two records that
// replicas observe: Discard, when a last-writer-wins replica throws a version
// away, and ReplicaState, when the state of a convergent replicated data type
// changes. They take Op.Call and Op.Return to be true times, so a history
// whose clients observe Invoke is read through StampOps first (the
// mechanisms' Checkers do it).

// SiblingSep separates the values of a get that returned several concurrent
// versions (siblings, as a Dynamo store with version vectors does) in
// Op.Output: "c1-3|c2-5".
const SiblingSep = "|"

// Discard is what a last-writer-wins replica observes when it throws away one
// version of a key because another one carries a later timestamp: an incoming
// write it rejects, or a stored one that a repair or a handoff replaced.
type Discard struct {
	Replica string
	Key     string
	Value   string // the value thrown away
	Kept    string // the value that won
}

// String writes the discard compactly: the trace formats every observation,
// and replicas may discard often.
func (d Discard) String() string {
	return "{Replica:" + d.Replica + " Key:" + d.Key + " Value:" + d.Value + " Kept:" + d.Kept + "}"
}

// ReplicaState is what a replica of a convergent data type (a CRDT) observes
// whenever its state changes, and when it starts.
type ReplicaState struct {
	Replica string
	Value   string // what a client reading it would see: "7" for a counter, "a,b" for a set
	State   string // the whole state, encoded so that equal states encode equally
}

// StaleRead returns the stale-read checker: a read must not return a value
// older than a write that completed before the read began. A value is older
// than a write when the write that produced it had been acknowledged before
// that write was sent; the initial empty value is older than every write.
func StaleRead() Checker {
	return Checker{
		Name:    "stale-read",
		Explain: "A read never returns a value older than a write that completed before the read began.",
		Check:   checkStaleRead,
	}
}

// regHistory holds one key's operations.
type regHistory struct {
	key     string
	ops     []Op
	writes  []int32 // acknowledged puts, by ascending Return
	reads   []int32 // acknowledged gets, by ascending Call
	byValue map[string]int32
}

// regHistories groups a history's get and put operations by key, keys sorted.
func regHistories(h []sim.Observation) []*regHistory {
	byKey := map[string]*regHistory{}
	var keys []string
	ops, puts := 0, 0
	for _, o := range h {
		if op, ok := o.Value.(Op); ok && (op.Kind == "put" || op.Kind == "get") {
			ops++
			if op.Kind == "put" {
				puts++
			}
		}
	}
	for _, o := range h {
		op, ok := o.Value.(Op)
		if !ok || (op.Kind != "get" && op.Kind != "put") {
			continue
		}
		r := byKey[op.Key]
		if r == nil {
			// The first key gets room for all: most histories have one.
			r = &regHistory{key: op.Key, ops: make([]Op, 0, ops), byValue: make(map[string]int32, puts)}
			ops, puts = 0, 0
			byKey[op.Key] = r
			keys = append(keys, op.Key)
		}
		i := int32(len(r.ops))
		r.ops = append(r.ops, op)
		switch {
		case op.Kind == "put":
			r.byValue[op.Value] = i
			if op.Ok {
				r.writes = append(r.writes, i)
			}
		case op.Ok:
			r.reads = append(r.reads, i)
		}
	}
	slices.Sort(keys)
	regs := make([]*regHistory, len(keys))
	for i, k := range keys {
		r := byKey[k]
		slices.SortStableFunc(r.writes, func(a, b int32) int { return cmp.Compare(r.ops[a].Return, r.ops[b].Return) })
		slices.SortStableFunc(r.reads, func(a, b int32) int { return cmp.Compare(r.ops[a].Call, r.ops[b].Call) })
		regs[i] = r
	}
	return regs
}

// notOlder is a time later than any run: a value whose write may still take
// effect at any moment is never provably older than another write.
const notOlder = sim.Time(1<<63 - 1)

// newest returns the latest moment by which every value a read returned had
// certainly been written: the latest Return of their writes, -1 for the
// initial value, and notOlder for a value whose write was not acknowledged.
func (r *regHistory) newest(read *Op) sim.Time {
	m := sim.Time(-1)
	for v := range strings.SplitSeq(read.Output, SiblingSep) {
		if v == "" {
			continue
		}
		i, ok := r.byValue[v]
		if !ok || !r.ops[i].Ok {
			return notOlder
		}
		m = max(m, r.ops[i].Return)
	}
	return m
}

func checkStaleRead(h []sim.Observation) []Violation { return staleReads(regHistories(h)) }

// StaleReadsAndLostUpdates returns what StaleRead and LostUpdate find in h,
// indexing the history once for both: the CAP explorer checks a
// 10,000-operation history on every move of a slider.
func StaleReadsAndLostUpdates(h []sim.Observation) (stale, lost []Violation) {
	regs := regHistories(h)
	lost = append(discardedWritesIn(h, regs), lostInMerge(h)...)
	sortReplicaViolations(lost)
	return staleReads(regs), lost
}

func staleReads(regs []*regHistory) []Violation {
	var out []Violation
	for _, r := range regs {
		// Sweep the reads in order of Call, keeping the write with the
		// latest Call among those completed before the read began: if even
		// that write was sent after every value the read returned had been
		// acknowledged, the read missed it.
		j, best := 0, -1
		for _, ri := range r.reads {
			read := &r.ops[ri]
			for ; j < len(r.writes) && r.ops[r.writes[j]].Return < read.Call; j++ {
				if best < 0 || r.ops[r.writes[j]].Call > r.ops[r.writes[best]].Call {
					best = j
				}
			}
			if best < 0 || r.ops[r.writes[best]].Call <= r.newest(read) {
				continue
			}
			w := &r.ops[r.writes[best]]
			out = append(out, Violation{
				Invariant: "stale-read",
				At:        read.Return,
				Nodes:     replicaNodes(read.Client, w.Client),
				Detail: fmt.Sprintf("%s read %s at %s and got %s, although %s had finished writing %q at %s, after that value was written",
					read.Client, r.key, Seconds(read.Call), describeRead(read.Output), w.Client, w.Value, Seconds(w.Return)),
			})
		}
	}
	sortReplicaViolations(out)
	return out
}

// describeRead quotes what a get returned for a student.
func describeRead(output string) string {
	switch {
	case output == "":
		return "nothing (the initial empty value)"
	case strings.Contains(output, SiblingSep):
		return "the siblings " + strconv.Quote(output)
	}
	return strconv.Quote(output)
}

func replicaNodes(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func sortReplicaViolations(v []Violation) {
	slices.SortStableFunc(v, func(a, b Violation) int { return cmp.Compare(a.At, b.At) })
}

// LostUpdate returns the lost-update checker: an acknowledged write or update
// is never thrown away in favour of older data. It reads two kinds of
// evidence. For a register, a replica's Discard of an acknowledged write in
// favour of a value whose write had completed before it was even sent (last
// writer wins with a clock that lies). For a convergent data type, the state
// the replicas converged to: it must contain every acknowledged increment,
// decrement, add and remove (updates that were not acknowledged may or may
// not count).
func LostUpdate() Checker {
	return Checker{
		Name:    "lost-update",
		Explain: "An acknowledged write or update is never thrown away in favour of older data.",
		Check: func(h []sim.Observation) []Violation {
			out := append(discardedWrites(h), lostInMerge(h)...)
			sortReplicaViolations(out)
			return out
		},
	}
}

func discardedWrites(h []sim.Observation) []Violation {
	for _, o := range h {
		if _, ok := o.Value.(Discard); ok {
			return discardedWritesIn(h, regHistories(h))
		}
	}
	return nil
}

// discardedWritesIn finds the acknowledged writes a replica discarded for
// an older one, looking the writes a Discard names up in regs.
func discardedWritesIn(h []sim.Observation, regs []*regHistory) []Violation {
	var out []Violation
	var reported map[[2]string]bool
	for _, o := range h {
		d, ok := o.Value.(Discard)
		if !ok {
			continue
		}
		i, found := slices.BinarySearchFunc(regs, d.Key, func(r *regHistory, key string) int { return strings.Compare(r.key, key) })
		if !found {
			continue
		}
		r := regs[i]
		li, ok1 := r.byValue[d.Value]
		ki, ok2 := r.byValue[d.Kept]
		if !ok1 || !ok2 {
			continue
		}
		lost, kept := &r.ops[li], &r.ops[ki]
		if !lost.Ok || !kept.Ok || kept.Return >= lost.Call || reported[[2]string{d.Key, d.Value}] {
			continue
		}
		if reported == nil {
			reported = map[[2]string]bool{}
		}
		reported[[2]string{d.Key, d.Value}] = true
		out = append(out, Violation{
			Invariant: "lost-update",
			At:        max(o.At, lost.Return),
			Nodes:     replicaNodes(lost.Client, d.Replica, kept.Client),
			Detail: fmt.Sprintf("%s threw away %s's acknowledged write of %q to %s and kept %q, which %s had finished writing at %s, before %q was even sent",
				d.Replica, lost.Client, lost.Value, d.Key, kept.Value, kept.Client, Seconds(kept.Return), lost.Value),
		})
	}
	return out
}

// finalStates returns each replica's last reported state, replicas sorted,
// leaving out replicas that were down at the end of the run.
func finalStates(h []sim.Observation) (names []string, states map[string]ReplicaState) {
	states = map[string]ReplicaState{}
	down := map[string]bool{}
	for _, o := range h {
		switch v := o.Value.(type) {
		case ReplicaState:
			if _, seen := states[v.Replica]; !seen {
				names = append(names, v.Replica)
			}
			states[v.Replica] = v
			down[v.Replica] = false
		case sim.FaultEvent:
			if v.Kind == sim.FaultCrash {
				down[v.Node] = true
			}
		}
	}
	slices.Sort(names)
	names = slices.DeleteFunc(names, func(n string) bool { return down[n] })
	return names, states
}

// lostInMerge compares the state all replicas converged to with the
// acknowledged updates. When the replicas did not converge it says nothing:
// that is the convergence checker's business.
func lostInMerge(h []sim.Observation) []Violation {
	names, states := finalStates(h)
	if len(names) == 0 {
		return nil
	}
	final := states[names[0]].Value
	for _, n := range names[1:] {
		if states[n].Value != final {
			return nil
		}
	}
	var updates []Op
	for _, o := range h {
		if op, ok := o.Value.(Op); ok && op.Kind != "get" && op.Kind != "put" {
			updates = append(updates, op)
		}
	}
	end := h[len(h)-1].At
	if len(updates) > 0 && (updates[0].Kind == "inc" || updates[0].Kind == "dec") {
		return lostCount(updates, final, names, end)
	}
	return lostElements(updates, final, end)
}

func lostCount(updates []Op, final string, replicas []string, end sim.Time) []Violation {
	value, err := strconv.ParseInt(final, 10, 64)
	if err != nil {
		return nil
	}
	var inc, dec, maybeInc, maybeDec int64
	for _, op := range updates {
		switch {
		case op.Kind == "inc" && op.Ok:
			inc++
		case op.Kind == "inc":
			maybeInc++
		case op.Kind == "dec" && op.Ok:
			dec++
		case op.Kind == "dec":
			maybeDec++
		}
	}
	lo, hi := inc-dec-maybeDec, inc+maybeInc-dec
	var detail string
	switch {
	case value < lo:
		detail = fmt.Sprintf("the replicas converged on %d, but %d increments and %d decrements were acknowledged, so at least %d increments were lost", value, inc, dec, lo-value)
	case value > hi:
		detail = fmt.Sprintf("the replicas converged on %d, but %d increments and %d decrements were acknowledged, so at least %d decrements were lost", value, inc, dec, value-hi)
	default:
		return nil
	}
	return []Violation{{Invariant: "lost-update", At: end, Nodes: replicas, Detail: detail}}
}

func lostElements(updates []Op, final string, end sim.Time) []Violation {
	present := map[string]bool{}
	for _, e := range strings.Split(final, ",") {
		present[e] = true
	}
	removes := map[string]Op{}
	for _, op := range updates {
		if op.Kind == "remove" {
			removes[op.Value] = op
		}
	}
	var out []Violation
	for _, add := range updates {
		if add.Kind != "add" || !add.Ok {
			continue
		}
		rm, removed := removes[add.Value]
		if removed && !rm.Ok {
			continue // the remove may or may not have happened
		}
		switch {
		case (!removed || rm.Output != "removed") && !present[add.Value]:
			out = append(out, Violation{
				Invariant: "lost-update", At: end, Nodes: replicaNodes(add.Client),
				Detail: fmt.Sprintf("the replicas converged on {%s} without %q, which %s added at %s and was acknowledged",
					final, add.Value, add.Client, Seconds(add.Call)),
			})
		case removed && rm.Output == "removed" && present[add.Value]:
			out = append(out, Violation{
				Invariant: "lost-update", At: end, Nodes: replicaNodes(rm.Client),
				Detail: fmt.Sprintf("the replicas converged on {%s}, which still holds %q although %s removed it at %s and was acknowledged",
					final, add.Value, rm.Client, Seconds(rm.Call)),
			})
		}
	}
	return out
}

// Convergence returns the convergence checker: once the network has healed
// and every replica had settle to gossip, all replicas that are up hold the
// same state. A run that ends split, with a node paused, or less than settle
// after its last fault or update makes no claim.
func Convergence(settle time.Duration) Checker {
	return Checker{
		Name:    "convergence",
		Explain: "Once the network has healed and the replicas had time to gossip, every replica holds the same state.",
		Check: func(h []sim.Observation) []Violation {
			return checkConvergence(h, settle)
		},
	}
}

func checkConvergence(h []sim.Observation, settle time.Duration) []Violation {
	if len(h) == 0 {
		return nil
	}
	var quiet sim.Time
	split, paused := false, map[string]bool{}
	for _, o := range h {
		switch v := o.Value.(type) {
		case sim.FaultEvent:
			quiet = max(quiet, o.At)
			switch v.Kind {
			case sim.FaultPartition, sim.FaultIsolate, sim.FaultCut:
				split = true
			case sim.FaultHeal:
				split = false
			case sim.FaultPause:
				paused[v.Node] = true
			case sim.FaultResume, sim.FaultCrash, sim.FaultRestart:
				paused[v.Node] = false
			}
		case Op:
			if v.Kind != "get" { // a read changes no state
				quiet = max(quiet, o.At)
			}
		}
	}
	end := h[len(h)-1].At
	for _, p := range paused {
		split = split || p
	}
	if split || end-quiet < settle {
		return nil
	}
	names, states := finalStates(h)
	for _, n := range names[min(1, len(names)):] {
		a, b := states[names[0]], states[n]
		if a.State == b.State {
			continue
		}
		return []Violation{{
			Invariant: "convergence",
			At:        end,
			Nodes:     []string{a.Replica, b.Replica},
			Detail: fmt.Sprintf("%s after the last fault or update, %s still holds %s but %s holds %s",
				Seconds(end-quiet), a.Replica, a.State, b.Replica, b.State),
		}}
	}
	return nil
}
