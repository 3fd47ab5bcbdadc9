package dblock

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/lock"
	"coordlab/sim/mech/lock/replica"
)

// RequestTimeout is how long a client waits for the database's answer before
// it sends the statement again, to the next server when there is a replica.
const RequestTimeout = 200 * time.Millisecond

// config is a client's share of the parameters.
type config struct {
	Retry  time.Duration
	Expiry time.Duration // 0: the rows never expire
}

// step is the statement a waiting client has outstanding.
type step uint8

const (
	stepInsert step = iota
	stepSelect
	stepDeleteExpired
)

// client is the dblock half of a lock client. Its statements go over a lossy
// network, so it resends what goes unanswered; an INSERT whose answer was lost
// may have gone through, and one the network delivered twice did, so after
// every duplicate-key error it checks whether the row is its own.
type client struct {
	cfg     config
	target  replica.Target
	owner   string // this acquisition's owner column, "client-1#7"
	id      int64  // the id of the row it holds
	seq     int
	req     int  // the acquire statement outstanding
	step    step // and which one it is
	timeout sim.TimerID
	// The release is resent until the database answers it.
	releaseReq   int
	releaseOwner string
	releaseTimer sim.TimerID
}

// Timer tags.
type (
	retry          struct{ Owner string }
	timeout        struct{ Req int }
	releaseTimeout struct{ Req int }
)

func newClient(cfg config, servers []string) *client {
	return &client{cfg: cfg, target: replica.NewTarget(servers)}
}

// Acquire inserts the lock row.
func (p *client) Acquire(c *lock.Client) {
	p.owner = fmt.Sprintf("%s#%d", c.Ctx().Name(), c.Acq())
	p.request(c, stepInsert)
}

// request sends the statement of a step and arms its timeout.
func (p *client) request(c *lock.Client, st step) {
	p.req, p.step = p.nextReq(), st
	var m sim.Message
	switch st {
	case stepInsert:
		m = Insert{Req: p.req, Name: Name, Owner: p.owner, Expiry: p.cfg.Expiry}
	case stepSelect:
		m = Select{Req: p.req, Name: Name}
	case stepDeleteExpired:
		m = DeleteExpired{Req: p.req, Name: Name}
	}
	c.Ctx().CancelTimer(p.timeout)
	c.Ctx().Send(p.target.Server(), m)
	p.timeout = c.Ctx().SetTimer(RequestTimeout, timeout{Req: p.req})
}

// Start numbers this incarnation's statements from c.FirstRequest: answers
// to a crashed process's statements can reach the restarted one, which must
// not take them for answers to its own (over TCP they died with the old
// connection).
func (p *client) Start(c *lock.Client) { p.seq = int(c.FirstRequest()) }

// nextReq numbers a statement.
func (p *client) nextReq() int {
	p.seq++
	return p.seq
}

// taken handles a lock held by someone else: clear an expired row if rows
// expire, otherwise try again after retry.
func (p *client) taken(c *lock.Client) {
	if p.cfg.Expiry > 0 {
		p.request(c, stepDeleteExpired)
		return
	}
	c.Ctx().SetTimer(p.cfg.Retry, retry{Owner: p.owner})
}

func (p *client) granted(c *lock.Client, id int64) {
	p.id = id
	c.Granted(id) // the AUTO_INCREMENT id is the fencing token
}

// Release deletes the client's own row, resending until the database answers.
func (p *client) Release(c *lock.Client) {
	p.releaseOwner = p.owner
	p.sendRelease(c)
}

func (p *client) sendRelease(c *lock.Client) {
	p.releaseReq = p.nextReq()
	c.Ctx().CancelTimer(p.releaseTimer)
	c.Ctx().Send(p.target.Server(), Delete{Req: p.releaseReq, Name: Name, Owner: p.releaseOwner})
	p.releaseTimer = c.Ctx().SetTimer(RequestTimeout, releaseTimeout{Req: p.releaseReq})
}

// Receive handles the database's answers.
func (p *client) Receive(c *lock.Client, from string, msg sim.Message) {
	switch m := msg.(type) {
	case InsertReply:
		if !p.answers(c, m.Req) {
			return
		}
		if m.OK {
			p.granted(c, m.ID)
			return
		}
		// The row in the way may be this acquisition's own: an INSERT sent
		// again after its answer was lost, or delivered twice, went through.
		p.request(c, stepSelect)
	case SelectReply:
		if !p.answers(c, m.Req) {
			return
		}
		if m.Found && m.Owner == p.owner {
			p.granted(c, m.ID)
		} else {
			p.taken(c)
		}
	case DeleteReply:
		if m.Req == p.releaseReq {
			p.releaseReq = 0
			c.Ctx().CancelTimer(p.releaseTimer)
			return
		}
		if !p.answers(c, m.Req) {
			return
		}
		if m.Rows > 0 {
			p.request(c, stepInsert) // an expired row is gone: take the lock
		} else {
			c.Ctx().SetTimer(p.cfg.Retry, retry{Owner: p.owner})
		}
	case replica.ReadOnly:
		p.target.Follow(m.Primary)
		if p.releaseReq != 0 {
			p.sendRelease(c) // the DELETE is idempotent: send it where the primary is
		}
		if c.State() == lock.Waiting {
			p.req = 0
			c.Ctx().CancelTimer(p.timeout)
			c.Ctx().SetTimer(p.cfg.Retry, retry{Owner: p.owner})
		}
	}
}

// answers reports whether a reply answers the outstanding acquire statement.
func (p *client) answers(c *lock.Client, req int) bool {
	if req != p.req || c.State() != lock.Waiting {
		return false
	}
	p.req = 0
	c.Ctx().CancelTimer(p.timeout)
	return true
}

// Timer handles retries and timeouts.
func (p *client) Timer(c *lock.Client, tag any) {
	switch t := tag.(type) {
	case retry:
		if c.State() == lock.Waiting && t.Owner == p.owner {
			p.request(c, stepInsert)
		}
	case timeout:
		if t.Req != p.req || c.State() != lock.Waiting {
			return
		}
		p.target.Next() // no answer: the server may be down, try the next one
		p.request(c, p.step)
	case releaseTimeout:
		if t.Req == p.releaseReq {
			p.target.Next()
			p.sendRelease(c)
		}
	}
}

// ClientState is what the browser panel shows of a client's protocol.
type ClientState struct {
	Owner     string `json:"owner,omitempty"`
	Server    string `json:"server"`
	RowID     int64  `json:"row_id,omitempty"`
	Releasing bool   `json:"releasing,omitempty"`
}

// Inspect returns the client's owner value, its server and its row.
func (p *client) Inspect() any {
	return ClientState{Owner: p.owner, Server: p.target.Server(), RowID: p.id, Releasing: p.releaseReq != 0}
}
