package quorum

import "time"

// The client's requests to a coordinator, the Dynamo paper's get(key) and
// put(key, context, object).

// Get asks a coordinator for the value of Key.
type Get struct {
	Op  uint64 // the client's operation number
	Key string
}

// Put asks a coordinator to write Value to Key. TS is read from the writer's
// own clock (last-writer-wins); Context is the version vector of the client's
// last get of Key (version vectors).
type Put struct {
	Op      uint64
	Key     string
	Value   string
	TS      time.Duration
	Context VClock
}

// GetReply answers a Get: the reconciled versions R replicas returned, or Ok
// false when the coordinator could not reach R of them.
type GetReply struct {
	Op       uint64
	Ok       bool
	Versions []Version
}

// PutReply answers a Put: Ok once W replicas stored it.
type PutReply struct {
	Op uint64
	Ok bool
}

// Kind names the message in the trace.
func (Get) Kind() string { return "get" }

// Kind names the message in the trace.
func (Put) Kind() string { return "put" }

// Kind names the message in the trace.
func (GetReply) Kind() string { return "get-reply" }

// Kind names the message in the trace.
func (PutReply) Kind() string { return "put-reply" }

// The coordinator's messages to the replicas of a key.

// Read asks a replica for its versions of Key.
type Read struct {
	Req uint64 // the coordinator's request number
	Key string
}

// ReadReply carries a replica's versions of Key.
type ReadReply struct {
	Req      uint64
	Versions []Version
}

// Write asks a replica to store versions of Key. Hint names the replica the
// versions are meant for when a sloppy quorum sent them to a stand-in, which
// keeps them aside and hands them off later. A Repair is a read repair: it
// expects no acknowledgement.
type Write struct {
	Req      uint64
	Key      string
	Versions []Version
	Hint     string
	Repair   bool
}

// WriteAck acknowledges a Write.
type WriteAck struct {
	Req uint64
}

// Handoff delivers hinted versions of Key to the replica they were meant
// for; Seq identifies the hint so that the acknowledgement retires only it.
type Handoff struct {
	Key      string
	Versions []Version
	Seq      uint64
}

// HandoffAck acknowledges a Handoff.
type HandoffAck struct {
	Key string
	Seq uint64
}

// Kind names the message in the trace.
func (Read) Kind() string { return "read" }

// Kind names the message in the trace.
func (ReadReply) Kind() string { return "read-reply" }

// Kind names the message in the trace: "write", or "repair" for a read repair.
func (m Write) Kind() string {
	if m.Repair {
		return "repair"
	}
	return "write"
}

// Kind names the message in the trace.
func (WriteAck) Kind() string { return "write-ack" }

// Kind names the message in the trace.
func (Handoff) Kind() string { return "handoff" }

// Kind names the message in the trace.
func (HandoffAck) Kind() string { return "handoff-ack" }
