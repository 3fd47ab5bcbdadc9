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
type event struct {
	at    Time
	seq   uint64
	kind  evKind
	late  bool  // a scheduled fault: after every other event of its instant
	node  int32 // target node (deliver, timer, start, resume)
	from  int32 // sender (deliver)
	epoch uint32
	gen   uint32 // timer generation: a rescheduled timer leaves a stale event behind
	id    uint64 // message or timer id
	msg   Message
	fault *Fault
}

func (a *event) before(b *event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	if a.late != b.late {
		return b.late
	}
	return a.seq < b.seq
}

// queue is a binary min-heap of events ordered by (at, seq). It is written out
// rather than built on container/heap to avoid an interface call per
// comparison: the kernel's throughput target is millions of events a second.
type queue struct{ items []event }

func (q *queue) len() int { return len(q.items) }

func (q *queue) push(e event) {
	q.items = append(q.items, e)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.items[i].before(&q.items[p]) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

func (q *queue) peek() *event { return &q.items[0] }

func (q *queue) pop() event {
	top := q.items[0]
	n := len(q.items) - 1
	q.items[0] = q.items[n]
	q.items[n] = event{} // drop references for the GC
	q.items = q.items[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.items[r].before(&q.items[l]) {
			m = r
		}
		if !q.items[m].before(&q.items[i]) {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return top
}
