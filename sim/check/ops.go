package check

import "coordlab/sim"

// Op is one client operation on a replicated key-value store or register, as
// the client saw it. The client observes it once, when the operation
// completes or when it gives up. Raft, quorum and CRDT clients report their
// operations this way, and the linearizability, stale-read and lost-update
// checkers read them.
type Op struct {
	Client string
	Kind   string // "get", "put" or "append"
	Key    string
	Value  string   // the argument of a put or append
	Output string   // what a get returned
	Call   sim.Time // true time the client sent the request
	Return sim.Time // true time the client got the answer (or gave up)
	// Ok is false when the client gave up without an answer: the operation
	// may or may not have taken effect, and checkers must allow both.
	Ok bool
}
