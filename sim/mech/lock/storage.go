package lock

import (
	"coordlab/sim"
	"coordlab/sim/check"
)

// Write is a client's write to storage at the end of its critical section.
// Token is the lock's fencing token, or 0 without fencing.
type Write struct {
	Client string
	Acq    int
	Token  int64
}

// Kind names the message.
func (Write) Kind() string { return "write" }

// WriteAck is storage's answer.
type WriteAck struct {
	Accepted bool
	Token    int64 // the highest token storage has seen
}

// Kind names the message.
func (WriteAck) Kind() string { return "write-ack" }

// Storage is the resource the lock protects. With fencing it refuses a write
// whose token is lower than the highest it has seen — the check of
// Kleppmann's "How to do distributed locking" (2016). Without fencing it
// accepts everything: it cannot tell a stale holder from a current one.
type Storage struct {
	fencing bool
	highest int64
	writes  int
	refused int
	last    string
}

// NewStorage returns the storage node.
func NewStorage(fencing bool) *Storage { return &Storage{fencing: fencing} }

// Start restores the highest token seen: a fencing check that forgot it on
// restart would accept a stale write.
func (s *Storage) Start(ctx *sim.Context) {
	if v, ok := ctx.Durable().Get("highest"); ok {
		s.highest = v.(int64)
	}
}

// Receive handles a write.
func (s *Storage) Receive(ctx *sim.Context, from string, msg sim.Message) {
	w, ok := msg.(Write)
	if !ok {
		return
	}
	accepted := !s.fencing || w.Token >= s.highest
	if accepted {
		s.writes++
		s.last = w.Client
		if w.Token > s.highest {
			s.highest = w.Token
			ctx.Durable().Put("highest", s.highest)
		}
	} else {
		s.refused++
		ctx.Count("refused-writes", 1)
	}
	ctx.Observe(check.StorageWrite{Client: w.Client, Acq: w.Acq, Token: w.Token, Accepted: accepted})
	ctx.Send(from, WriteAck{Accepted: accepted, Token: s.highest})
}

// Timer is unused: storage sets none.
func (s *Storage) Timer(*sim.Context, any) {}

// StorageState is what the browser panel shows of storage.
type StorageState struct {
	Fencing   bool   `json:"fencing"`
	Highest   int64  `json:"highest_token"`
	Writes    int    `json:"writes"`
	Refused   int    `json:"refused"`
	LastWrite string `json:"last_writer,omitempty"`
}

// Inspect returns storage's state.
func (s *Storage) Inspect() any {
	return StorageState{Fencing: s.fencing, Highest: s.highest, Writes: s.writes, Refused: s.refused, LastWrite: s.last}
}
