package quorum

import (
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// client issues a workload of gets and puts, one at a time, each to its
// coordinator replica. A put writes a value no other put writes ("c2-17":
// client-2's 17th operation), so that a read tells which write it saw. Under
// last-writer-wins the put carries a timestamp read from the client's own
// clock: the writer's clock, as with Cassandra's client-side timestamps. With
// version vectors it carries the context of the client's last get of the key.
//
// A client that gets no answer within twice the coordinator's timeout gives
// up, counts the operation as unavailable and tries the next replica as its
// coordinator from then on. A watchdog ticking every timeout while it works
// checks this, rather than a timer per operation, so it gives up after two
// to three timeouts.
type client struct {
	cfg   *config
	index int
	name  string
	quota int // operations left; negative means no limit
	coord int // index of the coordinator replica

	op       uint64 // number of the current or last operation
	life     uint64 // the number operations of this life count from
	prefix   string // of the values it writes: "c2-", "c2r2-" after a restart
	busy     bool
	cur      check.Invoke
	call     time.Duration     // own clock when the operation was sent: a put's timestamp
	watching bool              // the watchdog is armed
	contexts map[string]VClock // version vectors: context of the last get, by key

	ok, failed int
	last       check.Op // the last outcome, for the mechanism panel
}

// nextOp starts the next operation; watchdog checks the current one.
type (
	nextOp   struct{}
	watchdog struct{}
)

func newClient(cfg *config, index, quota int) *client {
	return &client{
		cfg: cfg, index: index, name: "client-" + strconv.Itoa(index+1), quota: quota,
		coord: index % len(cfg.replicas), contexts: map[string]VClock{},
	}
}

// Start spreads the clients' first operations over one think time. A
// restarted client writes values with a new prefix, so they stay unique, and
// numbers its operations from mech.FirstRequest, so that it never takes a
// late answer to an operation of its previous life for one to its own.
func (c *client) Start(ctx *sim.Context) {
	inc := mech.Incarnation(ctx)
	c.prefix = mech.ValuePrefix(c.index+1, inc)
	c.life = mech.FirstRequest(inc)
	c.op = c.life
	if c.cfg.think > 0 {
		ctx.SetTimer(time.Duration(ctx.Rand().Int64N(int64(c.cfg.think)+1)), nextOp{})
		return
	}
	c.issue(ctx)
}

// Receive takes the coordinator's answer to the current operation; an answer
// to one the client already gave up is ignored.
func (c *client) Receive(ctx *sim.Context, _ string, msg sim.Message) {
	switch m := msg.(type) {
	case GetReply:
		if c.busy && m.Op == c.op {
			if m.Ok && c.cfg.vector {
				c.contexts[c.cur.Key] = context(m.Versions)
			}
			c.complete(ctx, m.Ok, output(m.Versions))
		}
	case PutReply:
		if c.busy && m.Op == c.op {
			c.complete(ctx, m.Ok, "")
		}
	}
}

// Timer starts the next operation or gives up the current one.
func (c *client) Timer(ctx *sim.Context, tag any) {
	switch tag.(type) {
	case nextOp:
		c.issue(ctx)
	case watchdog:
		c.watching = false
		if c.busy && ctx.Now()-c.call >= 2*c.cfg.timeout {
			c.coord = (c.coord + 1) % len(c.cfg.replicas)
			c.complete(ctx, false, "")
		}
		c.watch(ctx)
	}
}

// watch arms the watchdog while an operation is outstanding.
func (c *client) watch(ctx *sim.Context) {
	if c.busy && !c.watching {
		c.watching = true
		ctx.SetTimer(c.cfg.timeout, watchdog{})
	}
}

func (c *client) issue(ctx *sim.Context) {
	if c.quota == 0 {
		return
	}
	c.quota--
	c.op++
	key := keyName(0)
	if c.cfg.keys > 1 {
		key = keyName(ctx.Rand().IntN(c.cfg.keys))
	}
	c.cur = check.Invoke{Client: c.name, Kind: "get", Key: key}
	if ctx.Rand().Float64() >= c.cfg.reads {
		c.cur.Kind = "put"
		c.cur.Value = c.prefix + strconv.FormatUint(c.op-c.life, 10)
	}
	ctx.Observe(c.cur)
	c.busy, c.call = true, ctx.Now()
	to := c.cfg.replicas[c.coord]
	if c.cur.Kind == "get" {
		ctx.Send(to, Get{Op: c.op, Key: key})
	} else {
		ctx.Send(to, Put{Op: c.op, Key: key, Value: c.cur.Value, TS: c.call, Context: c.contexts[key]})
	}
	c.watch(ctx)
}

// complete observes the operation and schedules the next one. No node can
// read the true time, so Call and Return are left zero: check.StampOps sets
// them to the true times of the Invoke and of this observation.
func (c *client) complete(ctx *sim.Context, ok bool, out string) {
	c.busy = false
	c.last = check.Op{Client: c.name, Kind: c.cur.Kind, Key: c.cur.Key, Value: c.cur.Value, Output: out, Ok: ok}
	ctx.Observe(c.last)
	if ok {
		c.ok++
	} else {
		c.failed++
	}
	if c.quota == 0 {
		return
	}
	if c.cfg.think == 0 {
		c.issue(ctx)
		return
	}
	ctx.SetTimer(c.cfg.think, nextOp{})
}

// ClientView is what the mechanism panel shows of a client.
type ClientView struct {
	Coordinator string `json:"coordinator"`
	Current     string `json:"current,omitempty"`
	Last        string `json:"last,omitempty"`
	Ok          int    `json:"ok"`
	Failed      int    `json:"failed"`
}

// Inspect shows the client's coordinator, current operation and tallies.
func (c *client) Inspect() any {
	v := ClientView{Coordinator: c.cfg.replicas[c.coord], Ok: c.ok, Failed: c.failed}
	// Formatted here, not on every operation: only the panel reads it.
	switch l := c.last; {
	case l.Kind == "":
	case !l.Ok:
		v.Last = l.Kind + " " + l.Key + " failed"
	case l.Kind == "get":
		v.Last = "get " + l.Key + " = " + strconv.Quote(l.Output)
	default:
		v.Last = "put " + l.Key + " = " + strconv.Quote(l.Value)
	}
	if c.busy {
		v.Current = c.cur.Kind + " " + c.cur.Key
		if c.cur.Kind == "put" {
			v.Current += " = " + strconv.Quote(c.cur.Value)
		}
	}
	return v
}
