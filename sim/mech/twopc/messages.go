package twopc

// Prepare is the coordinator's request of phase one: do the transaction's
// work on Key, make it durable, and vote. It names every participant, so
// that an uncertain participant knows whom to ask (the cooperative
// termination protocol).
type Prepare struct {
	Tx           int
	Key          string
	Participants []string // shared, never modified after sending
}

// Kind names the message.
func (Prepare) Kind() string { return "prepare" }

// Vote is a participant's answer to Prepare. Yes means it is prepared: its
// prepared record is on stable storage and it will do whatever the
// coordinator decides.
type Vote struct {
	Tx  int
	Yes bool
}

// Kind names the message.
func (v Vote) Kind() string {
	if v.Yes {
		return "vote-yes"
	}
	return "vote-no"
}

// Decision is the outcome of phase two, sent by the coordinator or, in the
// cooperative termination protocol, by a participant that knows it.
type Decision struct {
	Tx     int
	Commit bool
}

// Kind names the message.
func (d Decision) Kind() string {
	if d.Commit {
		return "commit"
	}
	return "abort"
}

// Ack tells the coordinator that a participant has recorded the decision:
// once every participant has, the coordinator may forget the transaction.
type Ack struct{ Tx int }

// Kind names the message.
func (Ack) Kind() string { return "ack" }

// DecisionRequest is an uncertain participant asking what was decided, of
// the coordinator and of the other participants.
type DecisionRequest struct{ Tx int }

// Kind names the message.
func (DecisionRequest) Kind() string { return "decision-request" }
