package sim

// evKind says what an event does when it fires.
type evKind uint8

const (
	evStart evKind = iota
	evDeliver
	evTimer
	evFault
	evResume
)

// event is one entry of the world's queue. It is a plain value (no per-event
// allocation for messages or timers) because the queue is the hot path.
// Its fields are ordered to pack into 64 bytes.
type event struct {
	at    Time
	msg   Message
	id    uint64 // message or timer serial
	fault *Fault
	node  int32 // target node (deliver, timer, start, resume)
	from  int32 // sender (deliver); the timer's slot (timer)
	epoch uint32
	gen   uint32 // timer generation: a rescheduled timer leaves a stale event behind
	kind  evKind
	late  bool // a scheduled fault: after every other event of its instant
	held  bool // a delivery that reached its paused destination: links no longer matter
}

// key orders events: by time, then scheduled faults after everything else of
// the same instant, then by sequence number. The heap moves only keys; the
// events themselves stay put in a slab. A key is two words, so that the
// heap moves and compares as little as it can (under WebAssembly, whose Go
// code keeps structs in memory, each word counts): ord holds the late bit,
// the sequence number (below 2^39: half a trillion events) and the event's
// slot in the slab. Sequence numbers are unique, so the slot never decides
// the order.
type key struct {
	at  Time
	ord uint64 // late bit | seq << keySlotBits | slot
}

const (
	lateBit     = 1 << 63
	keySlotBits = 24
	// maxQueued bounds the slots of the slab, and so the events waiting at
	// once (16.7 million), far beyond any scenario the limits let run.
	maxQueued   = 1 << keySlotBits
	keySlotMask = maxQueued - 1
)

func (a key) before(b key) bool {
	return a.at < b.at || a.at == b.at && a.ord < b.ord
}

func (k key) slot() int32 { return int32(k.ord & keySlotMask) }

// queue is a binary min-heap of event keys over a slab of events. It is
// written out rather than built on container/heap to avoid an interface call
// per comparison: the kernel's throughput target is millions of events a
// second.
type queue struct {
	keys []key
	slab []event
	free []int32
}

func (q *queue) len() int { return len(q.keys) }

// full reports whether every slot a key can name is taken (the event being
// handled holds one too), so that another push would not fit in a key.
func (q *queue) full() bool { return len(q.free) == 0 && len(q.slab) >= maxQueued }

func (q *queue) push(e event, seq uint64) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slab[slot] = e
	} else {
		slot = int32(len(q.slab))
		q.slab = append(q.slab, e)
	}
	k := key{at: e.at, ord: seq<<keySlotBits | uint64(slot)}
	if e.late {
		k.ord |= lateBit
	}
	q.keys = append(q.keys, k)
	i := len(q.keys) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !k.before(q.keys[p]) {
			break
		}
		q.keys[i] = q.keys[p]
		i = p
	}
	q.keys[i] = k
}

// peekAt returns the time of the earliest event.
func (q *queue) peekAt() Time { return q.keys[0].at }

// pop removes the earliest event from the heap and returns its slot in the
// slab, where it stays until release.
func (q *queue) pop() int32 {
	top := q.keys[0]
	n := len(q.keys) - 1
	last := q.keys[n]
	q.keys = q.keys[:n]
	if n > 0 {
		i := 0
		for {
			l := 2*i + 1
			if l >= n {
				break
			}
			m := l
			if r := l + 1; r < n && q.keys[r].before(q.keys[l]) {
				m = r
			}
			if !q.keys[m].before(last) {
				break
			}
			q.keys[i] = q.keys[m]
			i = m
		}
		q.keys[i] = last
	}
	return top.slot()
}

// release frees the slot of an event popped and handled.
func (q *queue) release(slot int32) {
	q.slab[slot] = event{} // drop references for the GC
	q.free = append(q.free, slot)
}
