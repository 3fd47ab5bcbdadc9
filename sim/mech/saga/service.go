package saga

import (
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Record is a service's row for one saga, kept in its durable store: the
// local database that each step's transaction writes. Done, Failed and
// Undone record the outcome of each request key; the service consults them
// only with idempotency, which is what an idempotent consumer does
// (microservices.io/patterns/communication-style/idempotent-consumer.html).
type Record struct {
	Saga    int
	Applied int  // the step's effect in force: applications minus compensations
	Done    bool // the action took effect
	Failed  bool // the action failed, or was refused after a compensation
	Undone  bool // the compensation ran; with idempotency a late action is then refused
	// Forwarded is set in choreography once the service has published that
	// its step took effect: a cancel must then be passed on.
	Forwarded bool
	// Ended is how order-1 saw the saga end, in choreography.
	Ended string
}

// Service is order-1, payment-1, inventory-1 or shipping-1: the service that
// runs one step of the saga. In orchestration it answers orchestrator-1's
// commands; in choreography it reacts to events and publishes its own
// through an outbox.
type Service struct {
	cfg    Config
	step   int // 1-based
	ctx    *sim.Context
	recs   map[int]*Record
	sagas  []int // saga ids in the order first seen, for Inspect
	outbox []Pending
	nextID uint64
	resend map[uint64]sim.TimerID
}

// work is a request the service is processing: its local transaction takes
// a while, and a crash meanwhile loses it (it never committed).
type work struct {
	From string
	Msg  sim.Message
}

// NewService returns the service that runs step step (1-based).
func NewService(cfg Config, step int) *Service {
	return &Service{cfg: cfg, step: step, recs: map[int]*Record{}, resend: map[uint64]sim.TimerID{}}
}

// Start reloads the service's rows and, when the outbox is durable, resends
// every event still waiting for its acknowledgement.
func (s *Service) Start(ctx *sim.Context) {
	s.ctx = ctx
	st := ctx.Durable()
	if v, ok := st.Get("next-id"); ok {
		s.nextID = v.(uint64)
	}
	for _, k := range st.Keys() {
		v, _ := st.Get(k)
		switch {
		case strings.HasPrefix(k, "saga/"):
			r := v.(Record)
			s.recs[r.Saga] = &r
			s.sagas = append(s.sagas, r.Saga)
		case strings.HasPrefix(k, "outbox/"):
			s.outbox = append(s.outbox, v.(Pending))
		}
	}
	for _, p := range s.outbox {
		s.deliver(p)
	}
}

// Receive starts processing a request or event; acknowledgements are
// handled at once.
func (s *Service) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if a, ok := msg.(Ack); ok {
		s.acked(a.ID)
		return
	}
	d := MinWork + time.Duration(ctx.Rand().Int64N(int64(MaxWork-MinWork)+1))
	ctx.SetTimer(d, work{From: from, Msg: msg})
}

// Timer finishes a local transaction or resends an unacknowledged event.
func (s *Service) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case work:
		s.handle(t.From, t.Msg)
	case resendTimer:
		s.retry(t.ID)
	}
}

func (s *Service) handle(from string, msg sim.Message) {
	switch m := msg.(type) {
	case Command:
		ok := true
		if m.Compensate {
			s.compensate(m.Saga)
		} else {
			ok, _ = s.act(m.Saga)
		}
		send(s.ctx, from, Reply{Saga: m.Saga, Step: m.Step, Compensate: m.Compensate, OK: ok})
	case PlaceOrder:
		s.placeOrder(from, m.Saga)
	case Event:
		s.react(m)
		send(s.ctx, from, Ack{Saga: m.Saga, ID: m.ID})
	}
}

func (s *Service) record(id int) *Record {
	r, ok := s.recs[id]
	if !ok {
		r = &Record{Saga: id}
		s.recs[id] = r
		s.sagas = append(s.sagas, id)
	}
	return r
}

// save writes the row in the same local transaction that changed it.
func (s *Service) save(r *Record) { s.ctx.Durable().Put(sagaKey(r.Saga), *r) }

// act runs the step's local transaction Ti for saga id. fresh is false when
// idempotency recognised a request it had already processed and answered
// with the recorded outcome, applying nothing.
func (s *Service) act(id int) (ok, fresh bool) {
	r := s.record(id)
	if s.cfg.Idempotency {
		switch {
		case r.Done:
			return true, false
		case r.Failed || r.Undone:
			return false, false
		}
	}
	st := Steps[s.step-1]
	if st.CanFail && s.ctx.Rand().Float64() < s.cfg.FailRate {
		r.Failed = true
		s.save(r)
		s.ctx.Count("failed-steps", 1)
		return false, true
	}
	r.Applied++
	r.Done = true
	s.save(r)
	s.ctx.Observe(check.SagaEffect{Saga: id, Step: s.step, Service: s.ctx.Name(), Action: st.Action})
	return true, true
}

// compensate runs Ci for saga id: it undoes the step's effect if one is in
// force. With idempotency it runs once per saga and leaves a tombstone that
// refuses a late Ti; without, it runs every time it is asked, and a Ti that
// arrives after it takes effect anyway.
func (s *Service) compensate(id int) (fresh bool) {
	r := s.record(id)
	if s.cfg.Idempotency && r.Undone {
		return false
	}
	r.Undone = true
	if r.Applied > 0 {
		r.Applied--
		s.ctx.Observe(check.SagaEffect{Saga: id, Step: s.step, Service: s.ctx.Name(),
			Action: Steps[s.step-1].Compensation, Compensation: true})
	}
	s.save(r)
	return true
}

// RecordState is one row as the browser panel shows it.
type RecordState struct {
	Saga    int    `json:"saga"`
	Applied int    `json:"applied"`
	Status  string `json:"status"`
	Ended   string `json:"ended,omitempty"`
}

// ServiceState is what the browser panel shows of a service.
type ServiceState struct {
	Step         string         `json:"step"`
	Compensation string         `json:"compensation"`
	Idempotency  bool           `json:"idempotency"`
	Rows         []RecordState  `json:"rows"`
	Outbox       []PendingState `json:"outbox,omitempty"`
}

// Inspect returns the service's rows and outbox.
func (s *Service) Inspect() any {
	st := ServiceState{Step: Steps[s.step-1].Action, Compensation: Steps[s.step-1].Compensation, Idempotency: s.cfg.Idempotency}
	for _, id := range s.sagas {
		r := s.recs[id]
		status := "new"
		switch {
		case r.Undone:
			status = "compensated"
		case r.Failed:
			status = "failed"
		case r.Done:
			status = "done"
		}
		st.Rows = append(st.Rows, RecordState{Saga: id, Applied: r.Applied, Status: status, Ended: r.Ended})
	}
	for _, p := range s.outbox {
		st.Outbox = append(st.Outbox, PendingState{To: p.To, Event: p.Event.Kind(), Saga: p.Event.Saga, Attempts: p.Attempts})
	}
	return st
}
