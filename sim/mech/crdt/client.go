package crdt

import (
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// client sends a run of operations, one at a time, to its home replica:
// increments (and decrements) of a counter, or adds of elements no other
// client adds ("c1-4": client-1's 4th operation) and removes of elements it
// added before, for a set; a share of them are reads. A client that gets no
// answer within the timeout gives the operation up and moves to the next
// replica: any replica will do.
type client struct {
	cfg   *config
	index int
	name  string
	quota int // operations left; negative means no limit
	home  int // index of the replica it sends to

	op     uint64 // number of the current or last operation
	life   uint64 // the number operations of this life count from
	prefix string // of the elements it adds: "c1-", "c1r2-" after a restart
	busy   bool
	cur    check.Invoke
	timer  sim.TimerID
	added  []string // elements it added and has not tried to remove
	last   string
}

type (
	nextOp    struct{}
	opTimeout struct{}
)

func newClient(cfg *config, index, quota int) *client {
	return &client{cfg: cfg, index: index, name: "client-" + strconv.Itoa(index+1), quota: quota,
		home: index % len(cfg.replicas)}
}

// Start spreads the clients' first operations over one think time. A
// restarted client adds elements with a new prefix, so they stay unique, and
// numbers its operations from mech.FirstRequest: a replica takes an
// operation number it has already seen for a duplicate.
func (c *client) Start(ctx *sim.Context) {
	inc := mech.Incarnation(ctx)
	c.prefix = mech.ValuePrefix(c.index+1, inc)
	c.life = mech.FirstRequest(inc)
	c.op = c.life
	ctx.SetTimer(time.Duration(ctx.Rand().Int64N(int64(c.cfg.think)+1)), nextOp{})
}

// Receive takes the answer to the current operation.
func (c *client) Receive(ctx *sim.Context, _ string, msg sim.Message) {
	if m, ok := msg.(UpdateAck); ok && c.busy && m.Op == c.op {
		out := m.Output
		if c.cur.Kind == "get" {
			out = m.Value
		}
		c.complete(ctx, true, out)
	}
}

// Timer starts the next operation or gives up the current one.
func (c *client) Timer(ctx *sim.Context, tag any) {
	switch tag.(type) {
	case nextOp:
		c.issue(ctx)
	case opTimeout:
		if c.busy {
			c.home = (c.home + 1) % len(c.cfg.replicas)
			c.complete(ctx, false, "")
		}
	}
}

func (c *client) issue(ctx *sim.Context) {
	if c.quota == 0 {
		return
	}
	c.quota--
	c.op++
	c.cur = check.Invoke{Client: c.name, Kind: c.choose(ctx), Key: c.cfg.kind}
	switch c.cur.Kind {
	case "add":
		c.cur.Value = c.prefix + strconv.FormatUint(c.op-c.life, 10)
		c.added = append(c.added, c.cur.Value)
	case "remove":
		i := ctx.Rand().IntN(len(c.added))
		c.cur.Value = c.added[i]
		c.added = append(c.added[:i:i], c.added[i+1:]...)
	}
	ctx.Observe(c.cur)
	c.busy = true
	ctx.Send(c.cfg.replicas[c.home], Update{Op: c.op, Action: c.cur.Kind, Elem: c.cur.Value})
	c.timer = ctx.SetTimer(c.cfg.timeout, opTimeout{})
}

// choose picks the next operation for the data type.
func (c *client) choose(ctx *sim.Context) string {
	if ctx.Rand().Float64() < c.cfg.reads {
		return "get"
	}
	switch c.cfg.kind {
	case "gcounter":
		return "inc"
	case "pncounter":
		if ctx.Rand().IntN(2) == 0 {
			return "dec"
		}
		return "inc"
	}
	if len(c.added) > 0 && ctx.Rand().IntN(10) < 3 {
		return "remove"
	}
	return "add"
}

// complete observes the operation (check.StampOps gives it its true call
// time) and schedules the next one.
func (c *client) complete(ctx *sim.Context, ok bool, out string) {
	ctx.CancelTimer(c.timer)
	c.busy = false
	ctx.Observe(check.Op{Client: c.name, Kind: c.cur.Kind, Key: c.cur.Key, Value: c.cur.Value, Output: out, Ok: ok})
	c.last = c.cur.Kind + " " + c.cur.Value
	switch {
	case !ok:
		c.last += " failed"
	case out != "":
		c.last += " → " + out
	}
	if c.quota != 0 {
		ctx.SetTimer(c.cfg.think, nextOp{})
	}
}

// ClientView is what the mechanism panel shows of a client.
type ClientView struct {
	Replica string `json:"replica"`
	Last    string `json:"last,omitempty"`
}

// Inspect shows the client's replica and last operation.
func (c *client) Inspect() any {
	return ClientView{Replica: c.cfg.replicas[c.home], Last: c.last}
}
