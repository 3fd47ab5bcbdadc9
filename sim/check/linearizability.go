package check

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"coordlab/sim"
)

// This file checks that a history of client operations (Op) on a key-value
// store or register is linearizable: that every operation appears to take
// effect at one instant between its call and its return, in an order that a
// single copy of the store would produce (Herlihy and Wing, 1990).
//
// Deciding linearizability is NP-complete, and porcupine
// (github.com/anishathalye/porcupine) is a well-kept, fast checker for it,
// used by the MIT 6.5840 labs and by etcd's robustness tests; it also draws
// a history and its longest linearizations as a web page. The model here is
// partitioned by key, as porcupine's documentation recommends: a history is
// linearizable exactly when the operations on each key are. Porcupine runs
// each check on a goroutine and bounds it with a wall-clock timeout; that
// wall clock decides only whether an answer is found in time, never what the
// answer is, and an undecided check is reported, never passed.
//
// Under WebAssembly there is one thread and no preemption: porcupine's
// search would never let its timeout fire and would hang the browser tab on
// a hard history. The model's Step therefore yields to the scheduler every
// few thousand steps (see yieldSometimes), which lets the timer run and stop the
// search. The yield changes nothing about what the search explores.

// LinearizabilityTimeout bounds the time spent checking one history; it is
// shared among the keys.
const LinearizabilityTimeout = 5 * time.Second

// Verdict is the outcome of a linearizability check.
type Verdict string

// The verdicts of a linearizability check.
const (
	Linearizable    Verdict = "linearizable"
	NotLinearizable Verdict = "not linearizable"
	Undecided       Verdict = "unknown" // the check ran out of time
)

// KeyVerdict is the verdict on the operations on one key.
type KeyVerdict struct {
	Key     string
	Verdict Verdict
	// At and Op locate a non-linearizable history: the operation, among
	// those that fit no linearization, that returned first.
	At sim.Time
	Op Op
}

// CheckLinearizability decides whether ops are linearizable, key by key,
// within timeout (0: no limit). A failed operation (Ok false) may or may not
// have taken effect: a failed write counts as still in flight at the end of
// the history, and a failed read, which changes nothing, is left out.
// The result lists the keys in order.
func CheckLinearizability(ops []Op, timeout time.Duration) []KeyVerdict {
	keys, byKey := partitionOps(ops)
	var out []KeyVerdict
	for _, k := range keys {
		budget := timeout / time.Duration(len(keys))
		if timeout > 0 && budget <= 0 {
			budget = 1
		}
		kv := KeyVerdict{Key: k}
		switch porcupine.CheckOperationsTimeout(kvModel, byKey[k], budget) {
		case porcupine.Ok:
			kv.Verdict = Linearizable
		case porcupine.Illegal:
			kv.Verdict = NotLinearizable
			kv.At, kv.Op = culprit(byKey[k], budget)
		default:
			kv.Verdict = Undecided
		}
		out = append(out, kv)
	}
	return out
}

// LinearizabilityChecker returns the linearizability checker over the Op
// values in a history (with Call times taken from Invoke observations, see
// StampOps). A key whose check runs out of time is reported as a violation
// that says the verdict is unknown: an undecided history is never passed as
// linearizable.
func LinearizabilityChecker() Checker { return LinearizabilityCheckerWithin(LinearizabilityTimeout) }

// LinearizabilityCheckerWithin is LinearizabilityChecker with another bound
// on the checking time.
func LinearizabilityCheckerWithin(timeout time.Duration) Checker {
	return Checker{
		Name:    "linearizability",
		Explain: "Every operation appears to take effect at one instant between its call and its return, as on a single copy of the data.",
		Check: func(h []sim.Observation) []Violation {
			ops := OpsOf(h)
			var out []Violation
			for _, kv := range CheckLinearizability(ops, timeout) {
				switch kv.Verdict {
				case NotLinearizable:
					out = append(out, Violation{
						Invariant: "linearizability",
						At:        kv.At,
						Nodes:     []string{kv.Op.Client},
						Detail:    explainIllegal(kv, ops),
					})
				case Undecided:
					end := sim.Time(0)
					if len(h) > 0 {
						end = h[len(h)-1].At
					}
					var clients []string
					for _, op := range ops {
						if op.Key == kv.Key && !slices.Contains(clients, op.Client) {
							clients = append(clients, op.Client)
						}
					}
					slices.Sort(clients)
					out = append(out, Violation{
						Invariant: "linearizability",
						At:        end,
						Nodes:     clients,
						Detail: fmt.Sprintf("The verdict is unknown: the checker gave up after %v without deciding whether the operations on %s are linearizable.",
							timeout, kv.Key),
					})
				}
			}
			slices.SortStableFunc(out, func(a, b Violation) int { return cmp.Compare(a.At, b.At) })
			return out
		},
	}
}

// OpsOf returns the client operations in a history, their Call and Return
// set to true times by StampOps.
func OpsOf(h []sim.Observation) []Op {
	var ops []Op
	for _, o := range StampOps(h) {
		if op, ok := o.Value.(Op); ok {
			ops = append(ops, op)
		}
	}
	return ops
}

// LinearizabilityHTML writes porcupine's visualization of the client
// operations in h: each client's operations on a time line, partitioned by
// key, with the longest linearization found and, for a history that is not
// linearizable, where every attempt got stuck. Faults the world applied are
// drawn as annotations.
func LinearizabilityHTML(h []sim.Observation, w io.Writer) error {
	ops := OpsOf(h)
	_, byKey := partitionOps(ops)
	var all []porcupine.Operation
	for _, k := range sortedKeys(byKey) {
		all = append(all, byKey[k]...)
	}
	model := kvModel
	model.Partition = func(h []porcupine.Operation) [][]porcupine.Operation {
		_, parts := groupByKey(h)
		return parts
	}
	_, info := porcupine.CheckOperationsVerbose(model, all, LinearizabilityTimeout)
	var notes []porcupine.Annotation
	for _, o := range h {
		if f, ok := o.Value.(sim.FaultEvent); ok {
			desc := f.Kind.String()
			if f.Node != "" {
				desc += " " + f.Node
			}
			notes = append(notes, porcupine.Annotation{Tag: "faults", Start: int64(o.At), Description: desc, Details: "at " + Seconds(o.At)})
		}
	}
	info.AddAnnotations(notes)
	if err := porcupine.Visualize(model, info, w); err != nil {
		return fmt.Errorf("writing the linearizability visualization: %w", err)
	}
	return nil
}

// kvInput is an operation's input in the porcupine model.
type kvInput struct {
	Kind, Key, Value string
}

// kvOutput is an operation's output: what a get returned, or nothing known.
type kvOutput struct {
	Value   string
	Unknown bool // the client gave up: the operation's outcome is unknown
}

// opMeta names an operation's client for the visualization.
type opMeta struct {
	Client string
	Failed bool
}

// kvModel is the sequential specification of one key: its state is the
// key's value, "" before the first write.
var kvModel = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		yieldSometimes()
		s, in, out := state.(string), input.(kvInput), output.(kvOutput)
		switch in.Kind {
		case "put":
			return true, in.Value
		case "append":
			return true, s + in.Value
		}
		return out.Unknown || out.Value == s, s
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(kvInput), output.(kvOutput)
		if in.Kind == "get" {
			return "get " + in.Key + " → " + strconv.Quote(out.Value)
		}
		s := in.Kind + " " + in.Key + " " + strconv.Quote(in.Value)
		if out.Unknown {
			s += " (gave up)"
		}
		return s
	},
	DescribeState: func(state any) string { return strconv.Quote(state.(string)) },
	DescribeOperationMetadata: func(m any) string {
		if m == nil {
			return ""
		}
		meta := m.(opMeta)
		if meta.Failed {
			return meta.Client + " gave up without an answer"
		}
		return meta.Client
	},
}

// partitionOps turns ops into porcupine operations grouped by key, keys in
// order. Clients are numbered by name so the visualization draws one line
// per client.
func partitionOps(ops []Op) ([]string, map[string][]porcupine.Operation) {
	clients := map[string]int{}
	var names []string
	end := int64(0)
	for _, op := range ops {
		if _, ok := clients[op.Client]; !ok {
			clients[op.Client] = 0
			names = append(names, op.Client)
		}
		end = max(end, int64(op.Call), int64(op.Return))
	}
	slices.Sort(names)
	for i, n := range names {
		clients[n] = i
	}
	// read holds, per key, everything a completed get returned.
	read := map[string]*strings.Builder{}
	for _, op := range ops {
		if op.Ok && op.Kind == "get" {
			if read[op.Key] == nil {
				read[op.Key] = &strings.Builder{}
			}
			read[op.Key].WriteString(op.Output)
			read[op.Key].WriteByte(0)
		}
	}
	byKey := map[string][]porcupine.Operation{}
	for _, op := range ops {
		if !op.Ok && op.Kind == "get" {
			continue // a read that got no answer changed nothing
		}
		if !op.Ok && (read[op.Key] == nil || !strings.Contains(read[op.Key].String(), op.Value)) {
			// A write that may still be in flight can always be put last,
			// after every completed operation, where it is seen by none. If
			// no read ever returned its value, no read needs it anywhere
			// else either (a put is seen by every get until the next put,
			// and an append likewise), so leaving it out changes no
			// verdict, and spares the search its many possible places.
			continue
		}
		ret := int64(op.Return)
		if !op.Ok {
			ret = end + 1 // still in flight: it may take effect at any later moment, or never
		}
		byKey[op.Key] = append(byKey[op.Key], porcupine.Operation{
			ClientId: clients[op.Client],
			Input:    kvInput{Kind: op.Kind, Key: op.Key, Value: op.Value},
			Call:     int64(op.Call),
			Output:   kvOutput{Value: op.Output, Unknown: !op.Ok},
			Return:   ret,
			Metadata: opMeta{Client: op.Client, Failed: !op.Ok},
		})
	}
	return sortedKeys(byKey), byKey
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// groupByKey splits porcupine operations by key, keys in order.
func groupByKey(h []porcupine.Operation) ([]string, [][]porcupine.Operation) {
	byKey := map[string][]porcupine.Operation{}
	for _, op := range h {
		k := op.Input.(kvInput).Key
		byKey[k] = append(byKey[k], op)
	}
	keys := sortedKeys(byKey)
	parts := make([][]porcupine.Operation, len(keys))
	for i, k := range keys {
		parts[i] = byKey[k]
	}
	return keys, parts
}

// culprit finds, in a key's history that is not linearizable, the operation
// that returned first among those outside the longest linearizable prefix
// porcupine found: where every attempt to order the history got stuck.
func culprit(ops []porcupine.Operation, budget time.Duration) (sim.Time, Op) {
	_, info := porcupine.CheckOperationsVerbose(kvModel, ops, budget)
	in := make([]bool, len(ops))
	if parts := info.PartialLinearizations(); len(parts) > 0 {
		longest := []int{}
		for _, p := range parts[0] {
			if len(p) > len(longest) {
				longest = p
			}
		}
		for _, i := range longest {
			in[i] = true
		}
	}
	best := -1
	for i, op := range ops {
		if in[i] || op.Output.(kvOutput).Unknown {
			continue
		}
		if best < 0 || op.Return < ops[best].Return {
			best = i
		}
	}
	if best < 0 {
		return 0, Op{}
	}
	op := ops[best]
	in0, out := op.Input.(kvInput), op.Output.(kvOutput)
	return sim.Time(op.Return), Op{
		Client: op.Metadata.(opMeta).Client, Kind: in0.Kind, Key: in0.Key, Value: in0.Value,
		Output: out.Value, Call: sim.Time(op.Call), Return: sim.Time(op.Return), Ok: true,
	}
}

// explainIllegal says in one sentence why a key's history is not
// linearizable: a stale read when one can be named, otherwise the operation
// that fits no order.
func explainIllegal(kv KeyVerdict, ops []Op) string {
	op := kv.Op
	if op.Kind == "get" {
		if w, ok := staleWitness(op, ops); ok {
			verb := "writing"
			if w.Kind == "append" {
				verb = "appending"
			}
			return fmt.Sprintf("%s's get of %s at %s returned %s, although %s had finished %s %q at %s, after that value was written.",
				op.Client, op.Key, Seconds(op.Call), quoteValue(op.Output), w.Client, verb, w.Value, Seconds(w.Return))
		}
		return fmt.Sprintf("%s's get of %s at %s returned %s, which no order of the operations on %s that respects their timing allows.",
			op.Client, op.Key, Seconds(op.Call), quoteValue(op.Output), op.Key)
	}
	return fmt.Sprintf("%s's %s of %q to %s at %s fits no order of the operations on %s that respects their timing.",
		op.Client, op.Kind, op.Value, op.Key, Seconds(op.Call), op.Key)
}

func quoteValue(v string) string {
	if v == "" {
		return "nothing (the initial empty value)"
	}
	return strconv.Quote(v)
}

// staleWitness looks for a write that makes a get's answer provably old. The
// answer starts with the value of the put it was built on (its base; none
// when it was built on the initial empty value) followed by appends. A write
// that began after the base had completed, and completed before the get
// began, must show in the answer: a put would have replaced the base, and an
// append would be part of it.
func staleWitness(get Op, ops []Op) (Op, bool) {
	var base *Op
	for i := range ops {
		w := &ops[i]
		if w.Key == get.Key && w.Kind == "put" && w.Value != "" && strings.HasPrefix(get.Output, w.Value) &&
			(base == nil || len(w.Value) > len(base.Value)) {
			base = w
		}
	}
	if base != nil && !base.Ok {
		return Op{}, false // the base may have landed at any time
	}
	var found Op
	ok := false
	for i := range ops {
		w := &ops[i]
		if w == base || w.Key != get.Key || w.Kind == "get" || !w.Ok || w.Return >= get.Call {
			continue
		}
		if base != nil && w.Call <= base.Return {
			continue // it may have come before the base
		}
		if w.Kind == "append" && strings.Contains(get.Output, w.Value) {
			continue
		}
		if !ok || w.Return > found.Return {
			found, ok = *w, true
		}
	}
	return found, ok
}
