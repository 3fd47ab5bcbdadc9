package saga

import (
	"strings"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Entry is one saga's record in the saga log of Garcia-Molina and Salem's
// saga execution component: where the saga stands, so that after a crash
// the orchestrator can carry on from there.
type Entry struct {
	Saga         int
	Step         int  // the step being run or, when Compensating, compensated
	Compensating bool // backward recovery has begun
	Attempts     int  // resends of the current command
	Outcome      string
}

// Orchestrator is orchestrator-1. In orchestration it runs each saga one
// command at a time: T1..T4 while they succeed, then on a failure the
// compensations of the steps that ran, last first. In choreography it is
// idle.
type Orchestrator struct {
	cfg    Config
	ctx    *sim.Context
	log    map[int]*Entry
	sagas  []int // saga ids in the order they arrived
	timers map[int]sim.TimerID
}

type stepTimer struct{ Saga int }

// NewOrchestrator returns orchestrator-1 with an empty volatile log.
func NewOrchestrator(cfg Config) *Orchestrator {
	return &Orchestrator{cfg: cfg, log: map[int]*Entry{}, timers: map[int]sim.TimerID{}}
}

// Start reloads the saga log, when it is durable, and resumes every saga
// that had not ended by resending its current command. With idempotency the
// resend is harmless if the command had already run; without it the step
// may run twice.
func (o *Orchestrator) Start(ctx *sim.Context) {
	o.ctx = ctx
	if o.cfg.Style != Orchestration || !o.cfg.DurableLog {
		return
	}
	for _, k := range ctx.Durable().Keys() {
		if !strings.HasPrefix(k, "saga/") {
			continue
		}
		v, _ := ctx.Durable().Get(k)
		e := v.(Entry)
		o.log[e.Saga] = &e
		o.sagas = append(o.sagas, e.Saga)
		if e.Outcome == "" {
			ctx.Count("resumed", 1)
			o.command(&e)
		}
	}
}

// Receive handles orders from client-1 and replies from the services.
func (o *Orchestrator) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if o.cfg.Style != Orchestration {
		return
	}
	switch m := msg.(type) {
	case PlaceOrder:
		o.begin(from, m.Saga)
	case Reply:
		o.reply(m)
	}
}

// Timer resends an unanswered command, or gives up on a forward step.
func (o *Orchestrator) Timer(ctx *sim.Context, tag any) {
	if t, ok := tag.(stepTimer); ok {
		o.timeout(t.Saga)
	}
}

// begin logs a new saga before accepting it, then runs T1. An order it
// already knows is only acknowledged again.
func (o *Orchestrator) begin(client string, id int) {
	if _, known := o.log[id]; !known {
		e := &Entry{Saga: id, Step: 1}
		o.log[id] = e
		o.sagas = append(o.sagas, id)
		o.save(e)
		o.ctx.Observe(check.SagaDriver{Saga: id, Node: o.ctx.Name(), Held: true, Durable: o.cfg.DurableLog})
		o.command(e)
	}
	send(o.ctx, client, OrderAccepted{Saga: id})
}

func (o *Orchestrator) reply(r Reply) {
	e := o.log[r.Saga]
	if e == nil || e.Outcome != "" || r.Step != e.Step || r.Compensate != e.Compensating {
		return // a saga this log forgot, a duplicate, or the answer to a command given up on
	}
	switch {
	case e.Compensating:
		o.backward(e, e.Step-1)
	case !r.OK:
		o.backward(e, e.Step-1) // Ti failed and took no effect: undo the steps before it
	case e.Step == len(Steps):
		o.finish(e, "completed")
	default:
		e.Step, e.Attempts = e.Step+1, 0
		o.save(e)
		o.command(e)
	}
}

func (o *Orchestrator) timeout(id int) {
	e := o.log[id]
	if e == nil || e.Outcome != "" {
		return
	}
	if !e.Compensating && e.Attempts >= o.cfg.Retries {
		// No answer: Ti may or may not have run. Compensate it too; with
		// idempotency the service refuses a Ti that arrives after its Ci.
		o.backward(e, e.Step)
		return
	}
	e.Attempts++
	o.ctx.Count("resends", 1)
	o.save(e)
	o.command(e)
}

// backward continues backward recovery at step (0: nothing left to undo).
func (o *Orchestrator) backward(e *Entry, step int) {
	if step == 0 {
		o.finish(e, "compensated")
		return
	}
	e.Compensating, e.Step, e.Attempts = true, step, 0
	o.save(e)
	o.command(e)
}

func (o *Orchestrator) command(e *Entry) {
	send(o.ctx, Steps[e.Step-1].Service, Command{Saga: e.Saga, Step: e.Step, Compensate: e.Compensating})
	o.ctx.CancelTimer(o.timers[e.Saga])
	o.timers[e.Saga] = o.ctx.SetTimer(StepTimeout, stepTimer{Saga: e.Saga})
}

func (o *Orchestrator) finish(e *Entry, outcome string) {
	e.Outcome = outcome
	o.save(e)
	o.ctx.CancelTimer(o.timers[e.Saga])
	delete(o.timers, e.Saga)
	o.ctx.Count(outcome, 1)
	o.ctx.Observe(check.SagaEnded{Saga: e.Saga, Node: o.ctx.Name(), Outcome: outcome})
	o.ctx.Observe(check.SagaDriver{Saga: e.Saga, Node: o.ctx.Name()})
	send(o.ctx, ClientName, SagaResult{Saga: e.Saga, Outcome: outcome})
}

// save writes the log record to the durable store, or keeps it only in
// memory, where a crash loses it.
func (o *Orchestrator) save(e *Entry) {
	if o.cfg.DurableLog {
		o.ctx.Durable().Put(sagaKey(e.Saga), *e)
	}
}

// EntryState is a saga log record as the browser panel shows it.
type EntryState struct {
	Saga     int    `json:"saga"`
	Step     string `json:"step"`
	Attempts int    `json:"resends,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
}

// OrchestratorState is what the browser panel shows of orchestrator-1.
type OrchestratorState struct {
	Style      string       `json:"style"`
	DurableLog bool         `json:"durable_log"`
	Log        []EntryState `json:"saga_log"`
}

// Inspect returns the saga log.
func (o *Orchestrator) Inspect() any {
	st := OrchestratorState{Style: o.cfg.Style, DurableLog: o.cfg.DurableLog}
	if o.cfg.Style != Orchestration {
		st.Style += " (idle)"
	}
	for _, id := range o.sagas {
		e := o.log[id]
		step := Steps[e.Step-1].Action
		if e.Compensating {
			step = Steps[e.Step-1].Compensation
		}
		st.Log = append(st.Log, EntryState{Saga: id, Step: step, Attempts: e.Attempts, Outcome: e.Outcome})
	}
	return st
}
