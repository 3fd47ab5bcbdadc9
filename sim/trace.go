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

// rec is what the world records for one trace event: node indexes rather
// than names, so that hashing it is cheap on the hot path.
type rec struct {
	kind   TraceKind
	node   int32 // -1 for none
	peer   int32 // -1 for none
	msg    string
	id     uint64
	until  Time
	detail string
	value  any // an observation's value, hashed in its canonical form
}

// tracer feeds every event into a SHA-256 over a canonical binary encoding
// and, when asked, keeps the events for the UI and --trace.
//
// The encoding of one event is: the time since the previous event, the kind,
// the node and peer as indexes (in the order nodes were added), the message
// kind (its text the first time, its number after), the message or timer id,
// the delivery time relative to now, the detail text, an observation's value
// in its canonical form (encode.go), and the node's clock
// relative to true time, all as varints. A delivery encodes only its node,
// message id and clock: the rest is the send's. It depends on nothing but
// the run.
type tracer struct {
	h      hash.Hash
	buf    []byte
	keep   bool
	events []TraceEvent
	count  uint64
	last   Time
	kinds  map[string]uint64
	values valueEncoder
	// lastKind and lastKindID cache the most recent message kind: a
	// mechanism sends few kinds, often the same several times in a row.
	lastKind   string
	lastKindID uint64
}

func newTracer(keep bool) *tracer {
	return &tracer{h: sha256.New(), buf: make([]byte, 0, 16<<10), keep: keep, kinds: map[string]uint64{}}
}

func (t *tracer) record(r *rec, at Time, local time.Duration) {
	t.count++
	b := t.buf
	b = binary.AppendUvarint(b, uint64(at-t.last))
	t.last = at
	b = append(b, byte(r.kind))
	b = binary.AppendVarint(b, int64(r.node))
	if r.kind == TraceDeliver {
		// A delivery is identified by the message id: its sender and kind
		// are those of the send with the same id, already hashed.
		b = binary.AppendUvarint(b, r.id)
		b = binary.AppendVarint(b, int64(local-at))
		t.flush(b)
		return
	}
	b = binary.AppendVarint(b, int64(r.peer))
	if r.msg == "" {
		b = append(b, 0)
	} else if r.msg == t.lastKind {
		b = binary.AppendUvarint(b, t.lastKindID)
	} else if k, ok := t.kinds[r.msg]; ok {
		t.lastKind, t.lastKindID = r.msg, k
		b = binary.AppendUvarint(b, k)
	} else {
		k = uint64(len(t.kinds) + 1)
		t.kinds[r.msg] = k
		b = binary.AppendUvarint(b, k)
		b = appendString(b, r.msg)
	}
	b = binary.AppendUvarint(b, r.id)
	b = binary.AppendVarint(b, int64(r.until-at))
	b = appendString(b, r.detail)
	if r.kind == TraceObserve {
		b = t.values.appendValue(b, r.value)
	}
	b = binary.AppendVarint(b, int64(local-at))
	t.flush(b)
}

// flush keeps the encoding buffered until there is enough to hash in one go.
func (t *tracer) flush(b []byte) {
	if len(b) >= 8<<10 {
		t.h.Write(b)
		b = b[:0]
	}
	t.buf = b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// sum flushes the buffered encoding into the hash (a stream hash, so where
// the flushes fall does not matter) and returns the digest as hex.
func (t *tracer) sum() string {
	t.h.Write(t.buf)
	t.buf = t.buf[:0]
	var out [sha256.Size]byte
	return hex.EncodeToString(t.h.Sum(out[:0]))
}
