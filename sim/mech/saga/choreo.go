package saga

import (
	"fmt"
	"slices"

	"coordlab/sim/check"
)

// Choreography: each service reacts to the previous service's event and
// publishes its own (Richardson's "choreography-based saga"). Forward, an
// order runs order-1 → payment-1 → inventory-1 → shipping-1 → order-1, which
// approves it. A failure runs back the other way, each service compensating
// and telling the one before it, until order-1 cancels the order.
//
// Every event waits in its sender's outbox until the receiver acknowledges
// it, and is resent every StepTimeout. A forward event that stays
// unacknowledged after `retries` resends makes its sender give up: it
// compensates its own step, tells the service before it, and sends a cancel
// to the silent service, which compensates if it ran and passes the cancel
// on if it had already published its own event. Nobody holds the whole
// saga: each service only knows its neighbours.

// Pending is an event in a service's outbox.
type Pending struct {
	To       string
	Event    Event
	Attempts int // resends so far
}

// PendingState is an outbox entry as the browser panel shows it.
type PendingState struct {
	To       string `json:"to"`
	Event    string `json:"event"`
	Saga     int    `json:"saga"`
	Attempts int    `json:"resends"`
}

type resendTimer struct{ ID uint64 }

func outboxKey(id uint64) string { return fmt.Sprintf("outbox/%012d", id) }

// next and prev name the services after and before this one in the saga.
func (s *Service) next() string { return Steps[s.step%len(Steps)].Service }
func (s *Service) prev() string { return Steps[s.step-2].Service }

// placeOrder is order-1's handling of client-1's order: create the order
// (T1) and tell payment-1.
func (s *Service) placeOrder(client string, id int) {
	_, fresh := s.act(id)
	send(s.ctx, client, OrderAccepted{Saga: id})
	if fresh {
		s.publishDone(id)
	}
}

// react handles an event from a neighbour.
func (s *Service) react(e Event) {
	switch {
	case e.Outcome == Done && s.step == 1:
		s.end(e.Saga, "completed") // shipment scheduled: order-1 approves the order
	case e.Outcome == Done:
		if ok, fresh := s.act(e.Saga); fresh && ok {
			s.publishDone(e.Saga)
		} else if fresh {
			s.publish(s.prev(), Event{Saga: e.Saga, Step: s.step, Outcome: Failed})
		}
	case e.Outcome == Failed || e.Outcome == Undone:
		if s.compensate(e.Saga) {
			s.compensated(e.Saga)
		}
	case e.Outcome == Cancel:
		if s.compensate(e.Saga) {
			s.passCancel(e.Saga)
		}
	}
}

func (s *Service) publishDone(id int) {
	r := s.record(id)
	r.Forwarded = true
	s.save(r)
	s.publish(s.next(), Event{Saga: id, Step: s.step, Outcome: Done})
}

// compensated tells the previous service that this step was undone; at
// order-1 the saga is over.
func (s *Service) compensated(id int) {
	if s.step == 1 {
		s.end(id, "compensated")
		return
	}
	s.publish(s.prev(), Event{Saga: id, Step: s.step, Outcome: Undone})
}

// passCancel follows a cancel: an event this service has not delivered yet
// is withdrawn, and if it had published that its step took effect, the next
// service must compensate too. shipping-1 does not pass a cancel to order-1:
// order-1 hears of the compensation from payment-1.
func (s *Service) passCancel(id int) {
	if s.recs[id].Forwarded && s.step < len(Steps) {
		s.publish(s.next(), Event{Saga: id, Step: s.step + 1, Outcome: Cancel})
	}
	for _, p := range slices.Clone(s.outbox) {
		if p.Event.Saga == id && p.Event.Outcome == Done {
			s.acked(p.Event.ID)
		}
	}
}

// end records how the saga ended, at order-1. A saga it had approved can
// still be compensated afterwards, when a service upstream gave up on a
// neighbour that had in fact gone ahead: choreography has no single place
// that decides. The metrics then move from completed to compensated.
func (s *Service) end(id int, outcome string) {
	r := s.record(id)
	if r.Ended == outcome || (r.Ended == "compensated" && outcome == "completed") {
		return // a late approval of a cancelled order changes nothing
	}
	if r.Ended != "" {
		s.ctx.Count(r.Ended, -1)
		s.ctx.Count("reversed", 1)
	}
	r.Ended = outcome
	s.save(r)
	s.ctx.Count(outcome, 1)
	s.ctx.Observe(check.SagaEnded{Saga: id, Node: s.ctx.Name(), Outcome: outcome})
	send(s.ctx, ClientName, SagaResult{Saga: id, Outcome: outcome})
}

// publish puts an event in the outbox, in the same local transaction as the
// row it reports when the outbox is durable, and sends it.
func (s *Service) publish(to string, e Event) {
	s.nextID++
	e.ID = s.nextID
	s.ctx.Durable().Put("next-id", s.nextID) // ids stay unique across restarts
	p := Pending{To: to, Event: e}
	if !s.holds(e.Saga) {
		s.ctx.Observe(check.SagaDriver{Saga: e.Saga, Node: s.ctx.Name(), Held: true, Durable: s.cfg.DurableLog})
	}
	s.outbox = append(s.outbox, p)
	if s.cfg.DurableLog {
		s.ctx.Durable().Put(outboxKey(e.ID), p)
	}
	s.deliver(p)
}

func (s *Service) deliver(p Pending) {
	send(s.ctx, p.To, p.Event)
	s.resend[p.Event.ID] = s.ctx.SetTimer(StepTimeout, resendTimer{ID: p.Event.ID})
}

func (s *Service) holds(id int) bool {
	return slices.ContainsFunc(s.outbox, func(p Pending) bool { return p.Event.Saga == id })
}

// acked drops an event from the outbox.
func (s *Service) acked(id uint64) {
	i := slices.IndexFunc(s.outbox, func(p Pending) bool { return p.Event.ID == id })
	if i < 0 {
		return // a duplicate acknowledgement
	}
	saga := s.outbox[i].Event.Saga
	s.outbox = slices.Delete(s.outbox, i, i+1)
	s.ctx.Durable().Delete(outboxKey(id))
	s.ctx.CancelTimer(s.resend[id])
	delete(s.resend, id)
	if !s.holds(saga) {
		s.ctx.Observe(check.SagaDriver{Saga: saga, Node: s.ctx.Name()})
	}
}

// retry resends an unacknowledged event, or gives up on a forward one.
func (s *Service) retry(id uint64) {
	i := slices.IndexFunc(s.outbox, func(p Pending) bool { return p.Event.ID == id })
	if i < 0 {
		return
	}
	p := &s.outbox[i]
	// Only a forward event between services can be given up on: order-1 must
	// hear how the saga ended, and compensations must run in the end.
	if p.Event.Outcome == Done && s.step < len(Steps) && p.Attempts >= s.cfg.Retries {
		s.giveUp(*p)
		return
	}
	p.Attempts++
	s.ctx.Count("resends", 1)
	if s.cfg.DurableLog {
		s.ctx.Durable().Put(outboxKey(id), *p)
	}
	s.deliver(*p)
}

// giveUp treats a silent next service as failed: compensate this step, tell
// the previous service, and cancel whatever the silent one may have done.
// The new events are queued before the old one leaves the outbox, so the
// saga is never without a driver.
func (s *Service) giveUp(p Pending) {
	id := p.Event.Saga
	if s.compensate(id) {
		s.compensated(id)
	}
	s.publish(p.To, Event{Saga: id, Step: s.step + 1, Outcome: Cancel})
	s.acked(p.Event.ID)
}
