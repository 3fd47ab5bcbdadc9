package paxos

import "coordlab/sim/check"

// The messages of "Paxos Made Simple" §2.2 and §2.3. A Nack is the
// optimization the paper suggests in §2.2: "if an acceptor ignores a prepare or
// accept request because it has already received a prepare request with a
// higher number, then it should probably inform the proposer, who should then
// abandon its proposal".

// Prepare is phase 1(a): "a proposer selects a proposal number n and sends a
// prepare request with number n to a majority of acceptors".
type Prepare struct {
	Ballot check.Ballot
}

// Kind names the message in the trace.
func (Prepare) Kind() string { return "Prepare" }

// Promise is phase 1(b): the acceptor's promise "never again to accept a
// proposal numbered less than n", with "the highest-numbered proposal (if
// any) that it has accepted".
type Promise struct {
	Ballot   check.Ballot
	Accepted check.Ballot // zero if the acceptor has accepted nothing
	Value    string
}

// Kind names the message in the trace.
func (Promise) Kind() string { return "Promise" }

// Accept is phase 2(a): "an accept request to each of those acceptors for a
// proposal numbered n with a value v, where v is the value of the
// highest-numbered proposal among the responses, or is any value if the
// responses reported no proposals".
type Accept struct {
	Ballot check.Ballot
	Value  string
}

// Kind names the message in the trace.
func (Accept) Kind() string { return "Accept" }

// Accepted tells the learners that an acceptor accepted a proposal: "have
// each acceptor, whenever it accepts a proposal, respond to all learners"
// (§2.3). The proposers are the learners.
type Accepted struct {
	Ballot check.Ballot
	Value  string
}

// Kind names the message in the trace.
func (Accepted) Kind() string { return "Accepted" }

// Nack tells a proposer that its request for Ballot was ignored because the
// acceptor promised Promised, a higher ballot.
type Nack struct {
	Ballot   check.Ballot
	Promised check.Ballot
}

// Kind names the message in the trace.
func (Nack) Kind() string { return "Nack" }
