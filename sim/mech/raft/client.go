package raft

import (
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// The client workload. Each client runs one operation at a time: it thinks
// for a while, then sends a get, put or append on one of a few keys to the
// server it believes leads (with read: local, gets to its own nearby
// server), follows redirects, moves on to the next server when a request
// times out, and gives up on the operation after giveUp.
const (
	thinkMin       = 50 * time.Millisecond
	thinkMax       = 150 * time.Millisecond
	requestTimeout = 100 * time.Millisecond
	retryDelay     = 20 * time.Millisecond // after a server that knows no leader
	giveUp         = time.Second
)

// keys are the keys clients work on.
var keys = [...]string{"x", "y", "z"}

// thinkTag and retryTag are the client's timers. A retryTag is stale when
// the client has moved on to another attempt.
type thinkTag struct{}

type retryTag struct {
	Seq, Attempt uint64
	Next         bool // try the next server (the request timed out)
}

// client is a Raft client node: client-N.
type client struct {
	cfg     *config
	name    string
	n       int    // its number, for its values' prefix
	prefix  string // of its values: "c1-", "c1r2-" after a restart
	life    uint64 // the serial number this incarnation counts from
	guess   int    // the server it believes leads
	home    int    // the server it reads from with read: local
	seq     uint64
	attempt uint64
	busy    bool
	cmd     Command
	call    time.Duration // its own clock when it invoked the operation
}

func newClient(cfg *config, name string, n int) *client {
	return &client{cfg: cfg, name: name, n: n, home: (n - 1) % len(cfg.servers)}
}

// Start begins the workload with a guess of the leader. The servers
// remember each client's latest serial number (§8), so a restarted client
// that counted from 1 again would have its new commands taken for old ones
// and skipped: it counts from mech.FirstRequest. An operation a crash cut
// short stays in the history as one whose outcome is unknown (check.StampOps).
func (c *client) Start(ctx *sim.Context) {
	inc := mech.Incarnation(ctx)
	c.prefix, c.life = mech.ValuePrefix(c.n, inc), mech.FirstRequest(inc)
	c.seq = c.life
	c.guess = ctx.Rand().IntN(len(c.cfg.servers))
	c.think(ctx)
}

func (c *client) think(ctx *sim.Context) {
	d := thinkMin + time.Duration(ctx.Rand().Int64N(int64(thinkMax-thinkMin)+1))
	ctx.SetTimer(d, thinkTag{})
}

// invoke starts the next operation: half gets, the rest puts and appends.
func (c *client) invoke(ctx *sim.Context) {
	c.seq++
	c.busy = true
	c.cmd = Command{Key: keys[ctx.Rand().IntN(len(keys))], Client: c.name, Seq: c.seq}
	value := c.prefix + strconv.FormatUint(c.seq-c.life, 10)
	switch p := ctx.Rand().IntN(10); {
	case p < 5:
		c.cmd.Op = "get"
	case p < 8:
		c.cmd.Op, c.cmd.Value = "put", value
	default:
		c.cmd.Op, c.cmd.Value = "append", "+"+value
	}
	c.call = ctx.Now()
	ctx.Observe(check.Invoke{Client: c.name, Kind: c.cmd.Op, Key: c.cmd.Key, Value: c.cmd.Value})
	c.send(ctx)
}

func (c *client) send(ctx *sim.Context) {
	c.attempt++
	to := c.cfg.servers[c.guess]
	if c.cmd.Op == "get" && c.cfg.read == "local" {
		// read: local — the client reads from its own nearby server,
		// client-N from raft-N, whatever that server's role.
		to = c.cfg.servers[c.home]
	}
	ctx.Send(to, ClientRequest{Seq: c.seq, Command: c.cmd})
	ctx.SetTimer(requestTimeout, retryTag{Seq: c.seq, Attempt: c.attempt, Next: true})
}

// Receive handles a server's reply.
func (c *client) Receive(ctx *sim.Context, from string, msg sim.Message) {
	m, ok := msg.(ClientReply)
	if !ok || !c.busy || m.Seq != c.seq {
		return // a late or duplicated reply
	}
	switch {
	case m.Ok:
		c.finish(ctx, true, m.Value)
	case ctx.Now()-c.call >= giveUp:
		c.finish(ctx, false, "") // redirected for too long
	case m.Leader != "" && m.Leader != from:
		c.guess = c.serverIndex(m.Leader)
		c.send(ctx)
	default:
		// The server knows no leader (an election is going on): try the
		// next one shortly.
		c.attempt++
		c.guess = (c.guess + 1) % len(c.cfg.servers)
		ctx.SetTimer(retryDelay, retryTag{Seq: c.seq, Attempt: c.attempt})
	}
}

// Timer handles the think time and request timeouts.
func (c *client) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case thinkTag:
		c.invoke(ctx)
	case retryTag:
		if !c.busy || t.Seq != c.seq || t.Attempt != c.attempt {
			return
		}
		if ctx.Now()-c.call >= giveUp {
			c.finish(ctx, false, "")
			return
		}
		if t.Next {
			c.guess = (c.guess + 1) % len(c.cfg.servers)
		}
		c.send(ctx)
	}
}

// finish observes the operation (its outcome unknown when ok is false) and
// thinks about the next one.
func (c *client) finish(ctx *sim.Context, ok bool, value string) {
	c.busy = false
	op := check.Op{Client: c.name, Kind: c.cmd.Op, Key: c.cmd.Key, Value: c.cmd.Value, Call: c.call, Return: ctx.Now(), Ok: ok}
	if ok && c.cmd.Op == "get" {
		op.Output = value
	}
	ctx.Observe(op)
	if ok {
		ctx.Count("ops", 1)
	} else {
		ctx.Count("failed-ops", 1)
	}
	c.think(ctx)
}

func (c *client) serverIndex(name string) int {
	for i, s := range c.cfg.servers {
		if s == name {
			return i
		}
	}
	return c.guess
}

// Inspect shows what the client is doing.
func (c *client) Inspect() any {
	type view struct {
		Leader  string `json:"leader"`
		Waiting string `json:"waiting,omitempty"`
	}
	v := view{Leader: c.cfg.servers[c.guess]}
	if c.busy {
		v.Waiting = c.cmd.String()
	}
	return v
}
