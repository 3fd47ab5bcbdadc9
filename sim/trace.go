package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"time"
)

// TraceKind names what a trace event records.
type TraceKind uint8

// The kinds of trace events.
const (
	TraceStart   TraceKind = iota + 1 // a node's start handler ran
	TraceSend                         // a node sent a message
	TraceDeliver                      // a message was handed to its destination
	TraceDrop                         // a message was dropped (Detail says why)
	TraceTimer                        // a timer fired
	TraceFault                        // a fault took effect
	TraceObserve                      // a node appended to the history
)

var traceKindNames = [...]string{"", "start", "send", "deliver", "drop", "timer", "fault", "observe"}

// String returns the kind's name as written in a JSON Lines trace.
func (k TraceKind) String() string { return traceKindNames[k] }

// MarshalText writes the kind's name.
func (k TraceKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// TraceEvent is one line of a run's trace. A send records when the message
// will arrive (Until), so a viewer can draw it in flight; delivery and drop
// events carry the same message ID.
type TraceEvent struct {
	Seq    uint64        `json:"seq"`
	At     Time          `json:"at"`
	Kind   TraceKind     `json:"kind"`
	Node   string        `json:"node"`
	Peer   string        `json:"peer,omitempty"`
	Msg    string        `json:"msg,omitempty"`
	ID     uint64        `json:"id,omitempty"`
	Until  Time          `json:"until,omitempty"`
	Detail string        `json:"detail,omitempty"`
	Local  time.Duration `json:"local"` // the node's own clock at the event
	// Body describes a message's or timer's content for viewers. It is kept
	// only when the trace is kept and is not part of the hash.
	Body string `json:"body,omitempty"`
}

// tracer feeds every event into a SHA-256 over a canonical binary encoding
// and, when asked, keeps the events for the UI and --trace.
type tracer struct {
	h      hash.Hash
	buf    []byte
	keep   bool
	events []TraceEvent
	count  uint64
}

func newTracer(keep bool) *tracer {
	return &tracer{h: sha256.New(), buf: make([]byte, 0, 256), keep: keep}
}

func (t *tracer) record(e TraceEvent) {
	t.count++
	e.Seq = t.count
	b := t.buf[:0]
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendVarint(b, int64(e.At))
	b = append(b, byte(e.Kind))
	b = appendString(b, e.Node)
	b = appendString(b, e.Peer)
	b = appendString(b, e.Msg)
	b = binary.AppendUvarint(b, e.ID)
	b = binary.AppendVarint(b, int64(e.Until))
	b = appendString(b, e.Detail)
	b = binary.AppendVarint(b, int64(e.Local))
	t.h.Write(b)
	t.buf = b
	if t.keep {
		t.events = append(t.events, e)
	}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (t *tracer) sum() string {
	var out [sha256.Size]byte
	return hex.EncodeToString(t.h.Sum(out[:0]))
}
