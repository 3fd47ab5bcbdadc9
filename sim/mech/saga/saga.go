// Package saga is coordlab's order saga: one business transaction that spans
// four services, each with its own database, run as a sequence of local
// transactions T1..T4, each with a compensating transaction C1..C3 (and C4
// for a step whose outcome is unknown).
//
// It follows Garcia-Molina and Salem, "Sagas" (SIGMOD 1987): a saga either
// runs T1, T2, ..., Tn, or, when Tj fails, T1..Tj−1 followed by their
// compensations Cj−1..C1 (backward recovery); a saga execution component
// keeps a saga log, so that after a crash it can resume every saga it had
// started; compensating transactions are retried until they succeed. The
// microservices form is the Saga pattern (Chris Richardson,
// microservices.io/patterns/data/saga.html; Microsoft, "Saga distributed
// transactions pattern", Azure Architecture Center) with its two styles:
//
//   - orchestration: orchestrator-1 (the saga execution component) tells each
//     service what to do and keeps the saga log, in its durable store or only
//     in memory (durable_log);
//   - choreography: each service reacts to the previous service's event and
//     publishes its own; orchestrator-1 still exists but stays idle, so that
//     a scenario's node names do not depend on the style. Events wait in each
//     service's outbox until the next service acknowledges them, kept with
//     the local transaction (the transactional outbox pattern,
//     microservices.io/patterns/data/transactional-outbox.html) or only in
//     memory (durable_log).
//
// The saga is the order saga of the pattern's examples: order-1 creates the
// order (compensation: cancel it), payment-1 charges the customer (refund),
// inventory-1 reserves the goods (release), shipping-1 schedules the
// shipment (cancel it). client-1 places `sagas` orders, one every 250 ms.
// Each local transaction takes 20 to 100 ms. Payment, inventory and shipping
// fail with probability fail_rate (a declined card, goods out of stock, no
// courier): the failure is a business outcome, so it is not retried; it
// starts the compensation. A request or event that gets no answer within
// 300 ms is resent, at most `retries` times for a forward step — then its
// sender gives up on the step and compensates it too, since it may have
// taken effect — and without limit for a compensation.
//
// The invariants. double-effect: no step takes effect twice for one saga.
// saga-atomicity: every saga ends with all four steps in force or none. A
// saga is judged at the end of the run, against what the services applied:
// one still moving (orchestrator-1, or in choreography a service with an
// event about it in its outbox, holds it and is up, or is down with a
// durable record a restart will resume) is in flight, not a violation; one
// left partial with nobody holding it - finished on a wrong premise, or
// forgotten in a crash - is. The orchestrator always knows an order by its
// saga id, so a repeated place-order starts nothing twice; idempotency is
// about the services. client-1 resends an order only while it runs: a
// client that crashes forgets the orders not yet accepted.
//
// Where it is unsafe on purpose: with idempotency false a service does not
// remember which requests it has processed, so a duplicated or resent
// request charges the customer twice (double-effect), and a compensation that
// overtakes its late action cannot stop it. With durable_log false a crash
// of the orchestrator (or, in choreography, of a service with events in its
// outbox) forgets sagas half-done: nobody will finish or compensate them
// (saga-atomicity). A saga never locks anything across services: while it
// runs, others see its partial effects — sagas give up isolation to never
// block.
package saga

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Timing of the workload and the protocol, in the nodes' own clocks.
const (
	// SagaInterval is how often client-1 places a new order.
	SagaInterval = 250 * time.Millisecond
	// ClientRetry is how long client-1 waits for an order to be accepted
	// before it sends it again.
	ClientRetry = 500 * time.Millisecond
	// StepTimeout is how long a request or event waits for its answer before
	// it is resent.
	StepTimeout = 300 * time.Millisecond
	// MinWork and MaxWork bound how long a local transaction takes.
	MinWork = 20 * time.Millisecond
	MaxWork = 100 * time.Millisecond
)

// The node names.
const (
	OrchestratorName = "orchestrator-1"
	ClientName       = "client-1"
)

// Step is one step of the order saga: a local transaction at Service and the
// compensating transaction that undoes it, with the names of the events a
// service publishes about it in choreography.
type Step struct {
	Service      string
	Action       string // the local transaction Ti
	Compensation string // Ci
	Done         string // event: Ti took effect
	Failed       string // event: Ti failed and had no effect
	Undone       string // event: Ci ran
	CanFail      bool   // whether fail_rate applies
}

// Steps is the order saga, T1..T4. Creating the order cannot fail: it is the
// saga's own first record.
var Steps = []Step{
	{Service: "order-1", Action: "create order", Compensation: "cancel order",
		Done: "order-created", Failed: "order-rejected", Undone: "order-cancelled"},
	{Service: "payment-1", Action: "charge payment", Compensation: "refund payment",
		Done: "payment-charged", Failed: "payment-failed", Undone: "payment-refunded", CanFail: true},
	{Service: "inventory-1", Action: "reserve inventory", Compensation: "release inventory",
		Done: "inventory-reserved", Failed: "inventory-failed", Undone: "inventory-released", CanFail: true},
	{Service: "shipping-1", Action: "schedule shipment", Compensation: "cancel shipment",
		Done: "shipment-scheduled", Failed: "shipping-failed", Undone: "shipment-cancelled", CanFail: true},
}

// Services returns the service of each step, in order.
func Services() []string {
	names := make([]string, len(Steps))
	for i, s := range Steps {
		names[i] = s.Service
	}
	return names
}

// The styles.
const (
	Orchestration = "orchestration"
	Choreography  = "choreography"
)

// Config is what every node of a saga run shares.
type Config struct {
	Style       string
	Sagas       int
	FailRate    float64
	Idempotency bool
	Retries     int
	DurableLog  bool
}

// ConfigFrom reads the parameters.
func ConfigFrom(p mech.Params) Config {
	return Config{
		Style:       p.String("style"),
		Sagas:       p.Int("sagas"),
		FailRate:    p.Float("fail_rate"),
		Idempotency: p.Bool("idempotency"),
		Retries:     p.Int("retries"),
		DurableLog:  p.Bool("durable_log"),
	}
}

// Mechanism is the saga's catalog entry.
var Mechanism = &mech.Mechanism{
	Name:  "saga",
	Title: "Saga: an order across four services, with compensations",
	Summary: "An order saga over order-1, payment-1, inventory-1 and shipping-1: each step is a local transaction " +
		"with a compensating transaction that undoes it. An orchestrator with a saga log drives it, or the services " +
		"react to each other's events (choreography). Failed steps are compensated; duplicated requests charge twice " +
		"without idempotency keys; a crash forgets half-done sagas without a durable log.",
	Roles: "orchestrator-1 (idle in choreography), order-1, payment-1, inventory-1, shipping-1, client-1",
	Params: []mech.Param{
		{Name: "style", Kind: mech.Enum, Default: Orchestration, Values: []string{Orchestration, Choreography},
			Help: "orchestration: orchestrator-1 commands each step; choreography: each service reacts to the previous one's event"},
		{Name: "sagas", Kind: mech.Int, Default: "20", Min: 1, Max: 1000, Help: "orders client-1 places, one every 250ms"},
		{Name: "fail_rate", Kind: mech.Float, Default: "0.2", Min: 0, Max: 1,
			Help: "probability that payment, inventory or shipping fails its step, which starts the compensation"},
		{Name: "idempotency", Kind: mech.Bool, Default: "true",
			Help: "services remember each request's key and apply it once, however often it arrives"},
		{Name: "retries", Kind: mech.Int, Default: "3", Min: 0, Max: 20,
			Help: "resends of an unanswered step (every 300ms) before its sender gives up and compensates it"},
		{Name: "durable_log", Kind: mech.Bool, Default: "true",
			Help: "the orchestrator's saga log (choreography: each service's outbox) survives a crash"},
	},
	Invariants: []string{"saga-atomicity", "double-effect"},
	Metrics:    []string{"completed", "compensated", "resends", "resumed", "messages", "failed-steps", "reversed"},
	Nodes:      func(mech.Params) []string { return nodeNames() },
	Build:      build,
	Checkers: func(mech.Params) []check.Checker {
		return []check.Checker{check.SagaAtomicity(Services()), check.DoubleEffect()}
	},
}

func init() { mech.Register(Mechanism) }

func nodeNames() []string {
	return append(append([]string{OrchestratorName}, Services()...), ClientName)
}

func build(w *sim.World, p mech.Params) error {
	cfg := ConfigFrom(p)
	if err := w.AddNode(OrchestratorName, func() sim.Node { return NewOrchestrator(cfg) }); err != nil {
		return err
	}
	for i := range Steps {
		step := i + 1
		if err := w.AddNode(Steps[i].Service, func() sim.Node { return NewService(cfg, step) }); err != nil {
			return err
		}
	}
	return w.AddNode(ClientName, func() sim.Node { return NewClient(cfg) })
}

// sagaKey is the durable-store key of a saga's record, padded so that the
// store's sorted keys come in saga order.
func sagaKey(id int) string { return fmt.Sprintf("saga/%06d", id) }

// send sends a message and counts it, so that the styles can be compared.
func send(ctx *sim.Context, to string, m sim.Message) {
	ctx.Count("messages", 1)
	ctx.Send(to, m)
}
