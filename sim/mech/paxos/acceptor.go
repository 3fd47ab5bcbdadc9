package paxos

import (
	"coordlab/sim"
	"coordlab/sim/check"
)

// acceptorState is what "an acceptor must remember ... even if it fails and
// then restarts" (§2.2): the highest-numbered prepare request to which it has
// responded and the highest-numbered proposal it has accepted. It records
// them in stable storage before it answers (§2.5).
type acceptorState struct {
	Promised check.Ballot
	Accepted check.Ballot // zero until it accepts a proposal
	Value    string
}

const durableKey = "paxos"

// acceptor is an acceptor node, acceptor-N.
type acceptor struct {
	cfg *config
	st  acceptorState
}

// Start loads the acceptor's state from its durable store.
func (a *acceptor) Start(ctx *sim.Context) { a.start(ctx) }

// Receive handles prepare and accept requests.
func (a *acceptor) Receive(ctx *sim.Context, from string, msg sim.Message) { a.step(ctx, from, msg) }

// Timer: an acceptor sets none.
func (a *acceptor) Timer(*sim.Context, any) {}

func (a *acceptor) start(ctx host) {
	if v, ok := ctx.Durable().Get(durableKey); ok {
		a.st = v.(acceptorState)
	}
}

func (a *acceptor) step(ctx host, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Prepare:
		a.handlePrepare(ctx, from, m)
	case Accept:
		a.handleAccept(ctx, from, m)
	}
}

// handlePrepare is phase 1(b): "if an acceptor receives a prepare request
// with number n greater than that of any prepare request to which it has
// already responded, then it responds to the request with a promise not to
// accept any more proposals numbered less than n and with the
// highest-numbered proposal (if any) that it has accepted." A repeated
// request for the promised ballot (a duplicated message) gets the same answer.
func (a *acceptor) handlePrepare(ctx host, from string, m Prepare) {
	if m.Ballot.Less(a.st.Promised) {
		ctx.Send(from, Nack{Ballot: m.Ballot, Promised: a.st.Promised})
		return
	}
	a.st.Promised = m.Ballot
	ctx.Durable().Put(durableKey, a.st) // remembered before answering
	ctx.Send(from, Promise{Ballot: m.Ballot, Accepted: a.st.Accepted, Value: a.st.Value})
}

// handleAccept is phase 2(b): "if an acceptor receives an accept request for
// a proposal numbered n, it accepts the proposal unless it has already
// responded to a prepare request having a number greater than n."
func (a *acceptor) handleAccept(ctx host, from string, m Accept) {
	if m.Ballot.Less(a.st.Promised) {
		ctx.Send(from, Nack{Ballot: m.Ballot, Promised: a.st.Promised})
		return
	}
	a.st = acceptorState{Promised: m.Ballot, Accepted: m.Ballot, Value: m.Value}
	ctx.Durable().Put(durableKey, a.st)
	ctx.Observe(check.PaxosAccepted{Ballot: m.Ballot, Value: m.Value})
	for _, p := range a.cfg.proposers {
		ctx.Send(p, Accepted{Ballot: m.Ballot, Value: m.Value})
	}
}

// Inspect shows the acceptor's state.
func (a *acceptor) Inspect() any {
	type view struct {
		Promised string `json:"promised"`
		Accepted string `json:"accepted,omitempty"`
		Value    string `json:"value,omitempty"`
	}
	v := view{Promised: a.st.Promised.String()}
	if a.st.Accepted.Round > 0 {
		v.Accepted, v.Value = a.st.Accepted.String(), a.st.Value
	}
	return v
}
