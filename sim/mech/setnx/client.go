package setnx

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/lock"
	"coordlab/sim/mech/lock/replica"
)

// RequestTimeout is how long a client waits for an answer before it sends
// again, to the next server when there is a replica.
const RequestTimeout = 200 * time.Millisecond

// RetryDelay is how long a client waits after finding the lock taken. The
// Redis docs leave it to the client ("retry later"); 50ms is a common choice.
const RetryDelay = 50 * time.Millisecond

// config is a client's share of the parameters.
type config struct {
	TTL      time.Duration
	CAD      bool // release with compare-and-delete rather than DEL
	Watchdog bool
	Fencing  bool
}

// client is the setnx half of a lock client.
type client struct {
	cfg     config
	target  replica.Target
	value   string // this acquisition's random value
	seq     int    // numbers requests, so a timeout knows if it was answered
	timeout sim.TimerID
}

// Timer tags. Each carries what it belongs to, so a stale one does nothing.
type (
	retry     struct{ Value string }
	timeout   struct{ Seq int }
	renewTick struct{ Value string }
)

func newClient(cfg config, servers []string) *client {
	return &client{cfg: cfg, target: replica.NewTarget(servers)}
}

// Acquire draws a fresh random value, unique to this acquisition as the
// Redis docs require, and sends SET NX PX.
func (p *client) Acquire(c *lock.Client) {
	p.value = fmt.Sprintf("%016x", c.Ctx().Rand().Uint64())
	p.sendSet(c)
}

func (p *client) sendSet(c *lock.Client) {
	p.send(c, Set{Key: Key, Value: p.value, PX: p.cfg.TTL, Fence: p.cfg.Fencing})
}

func (p *client) send(c *lock.Client, m sim.Message) {
	p.seq++
	c.Ctx().CancelTimer(p.timeout)
	c.Ctx().Send(p.target.Server(), m)
	p.timeout = c.Ctx().SetTimer(RequestTimeout, timeout{Seq: p.seq})
}

// Release deletes the lock, by compare-and-delete or by plain DEL, without
// waiting for the answer. The watchdog stops with it.
func (p *client) Release(c *lock.Client) {
	c.Ctx().Send(p.target.Server(), Del{Key: Key, Value: p.value, CAD: p.cfg.CAD})
}

// Receive handles the server's answers.
func (p *client) Receive(c *lock.Client, from string, msg sim.Message) {
	switch m := msg.(type) {
	case SetReply:
		if c.State() != lock.Waiting || m.Value != p.value {
			return // a late answer to an earlier attempt
		}
		c.Ctx().CancelTimer(p.timeout)
		if !m.OK {
			c.Ctx().SetTimer(RetryDelay, retry{Value: p.value})
			return
		}
		c.Granted(m.Token)
		if p.cfg.Watchdog {
			c.Ctx().SetTimer(p.cfg.TTL/3, renewTick{Value: p.value})
		}
	case RenewReply:
		if m.Value != p.value {
			return
		}
		c.Ctx().CancelTimer(p.timeout)
		if !m.OK {
			c.Lost() // the key expired or is someone else's: stop working
		}
	case replica.ReadOnly:
		p.target.Follow(m.Primary)
		if c.State() == lock.Waiting {
			c.Ctx().CancelTimer(p.timeout)
			c.Ctx().SetTimer(RetryDelay, retry{Value: p.value})
		}
	}
}

// Timer handles retries, request timeouts and the watchdog.
func (p *client) Timer(c *lock.Client, tag any) {
	switch t := tag.(type) {
	case retry:
		if c.State() == lock.Waiting && t.Value == p.value {
			p.sendSet(c)
		}
	case timeout:
		if t.Seq != p.seq {
			return
		}
		p.target.Next() // no answer: the server may be down, try the next one
		if c.State() == lock.Waiting {
			p.sendSet(c)
		}
	case renewTick:
		// Redisson's watchdog: extend the time to live every third of it
		// while the lock is held. A paused client renews nothing.
		if c.State() != lock.Holding || t.Value != p.value {
			return
		}
		p.send(c, Renew{Key: Key, Value: p.value, PX: p.cfg.TTL})
		c.Ctx().SetTimer(p.cfg.TTL/3, renewTick{Value: p.value})
	}
}

// ClientState is what the browser panel shows of a client's protocol.
type ClientState struct {
	Value  string `json:"value,omitempty"`
	Server string `json:"server"`
}

// Inspect returns the client's current value and the server it talks to.
func (p *client) Inspect() any {
	return ClientState{Value: p.value, Server: p.target.Server()}
}
