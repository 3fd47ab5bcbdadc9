package saga

import (
	"slices"

	"coordlab/sim"
)

// Client is client-1: it places orders 1..sagas, one every SagaInterval,
// each sent again every ClientRetry until it is accepted (by orchestrator-1
// in orchestration, by order-1 in choreography). Once accepted, an order is
// the saga's business: the client never asks again.
type Client struct {
	cfg      Config
	ctx      *sim.Context
	placed   int   // orders placed so far (durable)
	waiting  []int // placed, not yet accepted
	outcomes map[string]int
}

type placeTimer struct{}
type retryTimer struct{ Saga int }

// NewClient returns client-1.
func NewClient(cfg Config) *Client { return &Client{cfg: cfg, outcomes: map[string]int{}} }

// Start resumes placing orders after the last one placed.
func (c *Client) Start(ctx *sim.Context) {
	c.ctx = ctx
	if v, ok := ctx.Durable().Get("placed"); ok {
		c.placed = v.(int)
	}
	if c.placed < c.cfg.Sagas {
		ctx.SetTimer(SagaInterval, placeTimer{})
	}
}

// Receive notes acceptances and outcomes.
func (c *Client) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case OrderAccepted:
		c.waiting = slices.DeleteFunc(c.waiting, func(id int) bool { return id == m.Saga })
	case SagaResult:
		c.outcomes[m.Outcome]++
	}
}

// Timer places the next order or resends one not yet accepted.
func (c *Client) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case placeTimer:
		c.placed++
		ctx.Durable().Put("placed", c.placed)
		c.waiting = append(c.waiting, c.placed)
		c.place(c.placed)
		if c.placed < c.cfg.Sagas {
			ctx.SetTimer(SagaInterval, placeTimer{})
		}
	case retryTimer:
		if slices.Contains(c.waiting, t.Saga) {
			c.place(t.Saga)
		}
	}
}

func (c *Client) place(id int) {
	to := OrchestratorName
	if c.cfg.Style == Choreography {
		to = Steps[0].Service
	}
	send(c.ctx, to, PlaceOrder{Saga: id})
	c.ctx.SetTimer(ClientRetry, retryTimer{Saga: id})
}

// ClientState is what the browser panel shows of client-1.
type ClientState struct {
	Placed      int   `json:"placed"`
	Waiting     []int `json:"waiting_for_acceptance,omitempty"`
	Completed   int   `json:"completed"`
	Compensated int   `json:"compensated"`
}

// Inspect returns the client's progress.
func (c *Client) Inspect() any {
	return ClientState{Placed: c.placed, Waiting: slices.Clone(c.waiting),
		Completed: c.outcomes["completed"], Compensated: c.outcomes["compensated"]}
}
