package saga

import "strings"

// PlaceOrder is client-1's request to run saga Saga: sent to orchestrator-1
// in orchestration and to order-1 in choreography, again until accepted.
type PlaceOrder struct{ Saga int }

// Kind names the message.
func (PlaceOrder) Kind() string { return "place-order" }

// OrderAccepted tells client-1 that its saga has been taken in charge.
type OrderAccepted struct{ Saga int }

// Kind names the message.
func (OrderAccepted) Kind() string { return "order-accepted" }

// SagaResult tells client-1 how its saga ended.
type SagaResult struct {
	Saga    int
	Outcome string // "completed" or "compensated"
}

// Kind names the message.
func (r SagaResult) Kind() string { return "saga-" + r.Outcome }

// Command is the orchestrator's request to run a step's local transaction,
// or its compensation. The saga, step and direction are the idempotency key.
type Command struct {
	Saga       int
	Step       int
	Compensate bool
}

// Kind names the message after the transaction it asks for ("charge-payment").
func (c Command) Kind() string {
	s := Steps[c.Step-1]
	if c.Compensate {
		return kebab(s.Compensation)
	}
	return kebab(s.Action)
}

// Reply is a service's answer to a Command: OK false means the step failed
// (or, with idempotency, was refused because it had been compensated).
type Reply struct {
	Saga       int
	Step       int
	Compensate bool
	OK         bool
}

// Kind names the message after the event it reports ("payment-charged").
func (r Reply) Kind() string {
	s := Steps[r.Step-1]
	switch {
	case r.Compensate:
		return s.Undone
	case r.OK:
		return s.Done
	}
	return s.Failed
}

// Outcome is what a choreography event reports about a step.
type Outcome uint8

// The outcomes a choreography event reports.
const (
	Done   Outcome = iota + 1 // the step's local transaction took effect: the next service runs its own
	Failed                    // it failed: the previous service compensates
	Undone                    // it was compensated: the previous service compensates in turn
	Cancel                    // the previous service gave up on this step: compensate it if it ran
)

var outcomeNames = [...]string{"", "done", "failed", "undone", "cancel"}

// String names the outcome.
func (o Outcome) String() string { return outcomeNames[o] }

// MarshalText writes the outcome's name.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Event is a choreography event about step Step of saga Saga. ID, unique per
// sender, is what the receiver acknowledges; the saga, step and outcome are
// the idempotency key.
type Event struct {
	Saga    int
	Step    int
	Outcome Outcome
	ID      uint64
}

// Kind names the event as the services do ("payment-charged").
func (e Event) Kind() string {
	s := Steps[e.Step-1]
	switch e.Outcome {
	case Done:
		return s.Done
	case Failed:
		return s.Failed
	case Undone:
		return s.Undone
	}
	return "cancel-" + kebab(s.Action)
}

// Ack acknowledges an Event: the receiver has handled it, and its sender may
// drop it from its outbox.
type Ack struct {
	Saga int
	ID   uint64
}

// Kind names the message.
func (Ack) Kind() string { return "ack" }

func kebab(s string) string { return strings.ReplaceAll(s, " ", "-") }
