package lock

import (
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Protocol is a mechanism's half of a lock client: how to take and give up
// the lock on its servers. The Client calls Acquire when it wants the lock
// and Release when it is done; the protocol calls Client.Granted once the
// lock is held (and Client.Lost if it learns it lost it). Replies from the
// servers and the protocol's own timers are handed to Receive and Timer.
type Protocol interface {
	Acquire(c *Client)
	Release(c *Client)
	Receive(c *Client, from string, msg sim.Message)
	Timer(c *Client, tag any)
}

// Starter is a Protocol with work to do each time its node starts: numbering
// its requests from Client.FirstRequest, say.
type Starter interface {
	Start(c *Client)
}

// State is where a client is in its loop.
type State uint8

// The states of a lock client.
const (
	Thinking State = iota
	Waiting
	Holding
)

var stateNames = [...]string{"thinking", "waiting", "holding"}

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) { return []byte(stateNames[s]), nil }

// String returns the state's name.
func (s State) String() string { return stateNames[s] }

// Client is a lock client node: it loops acquire → hold → write → release →
// think, and reports every step to the history.
type Client struct {
	ctx   *sim.Context
	cfg   Config
	proto Protocol
	state State
	acq   int    // number of the current (or next) acquisition
	token int64  // fencing token of the current acquisition
	first uint64 // mech.FirstRequest of this incarnation
}

// workload timers, distinct from any protocol's tags.
type holdDone struct{ Acq int }
type thinkDone struct{}

// Ctx returns the client's context, for the protocol to send and set timers.
func (c *Client) Ctx() *sim.Context { return c.ctx }

// State returns where the client is in its loop.
func (c *Client) State() State { return c.state }

// Acq returns the number of the client's current or next acquisition.
func (c *Client) Acq() int { return c.acq }

// FirstRequest returns the number the protocol's requests count from in
// this incarnation of the node (mech.FirstRequest): answers to requests of
// an earlier incarnation then match none of this one's.
func (c *Client) FirstRequest() uint64 { return c.first }

// Start begins the loop after a short random delay, so that clients do not
// all ask at the same instant. The acquisition counter is durable: a
// restarted client does not reuse the numbers of its earlier grants. A client
// that crashed while holding the lock still stood for "holder"; restarted, it
// holds nothing, so it clears the name.
func (c *Client) Start(ctx *sim.Context) {
	c.ctx = ctx
	if v, ok := ctx.Durable().Get("acq"); ok {
		c.acq = v.(int)
	}
	ctx.Unpublish("holder")
	c.first = mech.FirstRequest(mech.Incarnation(ctx))
	if s, ok := c.proto.(Starter); ok {
		s.Start(c)
	}
	c.state = Thinking
	ctx.SetTimer(time.Duration(ctx.Rand().Int64N(int64(c.cfg.Think)+int64(time.Millisecond))), thinkDone{})
}

// Receive hands server replies to the protocol.
func (c *Client) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if _, ok := msg.(WriteAck); ok {
		return // the workload does not wait for storage
	}
	c.proto.Receive(c, from, msg)
}

// Timer runs the workload's own timers and hands the rest to the protocol.
func (c *Client) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case thinkDone:
		c.acquire()
	case holdDone:
		if c.state == Holding && t.Acq == c.acq {
			c.finish()
		}
	default:
		c.proto.Timer(c, tag)
	}
}

func (c *Client) acquire() {
	c.state = Waiting
	c.acq++
	c.ctx.Durable().Put("acq", c.acq)
	c.ctx.Observe(check.LockRequested{Client: c.ctx.Name(), Acq: c.acq})
	c.proto.Acquire(c)
}

// Granted tells the client it holds the lock, with a fencing token (0 if the
// mechanism has none). It works for its hold time, measured on its own clock.
// It does nothing unless the client is waiting: a protocol must match a grant
// to the current acquisition, or the lock it took is never released.
func (c *Client) Granted(token int64) {
	if c.state != Waiting {
		return
	}
	c.state = Holding
	c.token = token
	c.ctx.Observe(check.LockAcquired{Client: c.ctx.Name(), Acq: c.acq, Token: token})
	c.ctx.Publish("holder")
	c.ctx.Count("acquisitions", 1)
	c.ctx.SetTimer(c.cfg.Hold, holdDone{Acq: c.acq})
}

// Lost tells the client it no longer holds the lock (its session expired,
// its renewal failed). It gives up the critical section without writing and
// counts the metric lost-locks.
func (c *Client) Lost() {
	if c.state != Holding {
		return
	}
	c.ctx.Observe(check.LockReleased{Client: c.ctx.Name(), Acq: c.acq, Lost: true})
	c.ctx.Count("lost-locks", 1)
	c.ctx.Unpublish("holder")
	c.think()
}

// finish ends the critical section: write the result to storage, release.
func (c *Client) finish() {
	name := c.ctx.Name()
	w := Write{Client: name, Acq: c.acq}
	if c.cfg.Fencing {
		w.Token = c.token
	}
	c.ctx.Send(StorageName, w)
	c.ctx.Observe(check.LockReleased{Client: name, Acq: c.acq})
	c.ctx.Unpublish("holder")
	c.proto.Release(c)
	c.think()
}

func (c *Client) think() {
	c.state = Thinking
	c.ctx.SetTimer(c.cfg.Think, thinkDone{})
}

// ClientState is what the browser panel shows of a client.
type ClientState struct {
	State State `json:"state"`
	Acq   int   `json:"acquisition"`
	Token int64 `json:"token,omitempty"`
	// Protocol is the mechanism's own part (the lock value, the server it
	// talks to), when its Protocol implements sim.Inspector.
	Protocol any `json:"protocol,omitempty"`
}

// Inspect returns the client's state.
func (c *Client) Inspect() any {
	st := ClientState{State: c.state, Acq: c.acq, Token: c.token}
	if in, ok := c.proto.(sim.Inspector); ok {
		st.Protocol = in.Inspect()
	}
	return st
}
