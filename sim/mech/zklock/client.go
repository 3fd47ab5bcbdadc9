package zklock

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/lock"
)

// Phase is where a client is in the lock recipe.
type Phase uint8

// The steps of the recipe.
const (
	Idle       Phase = iota
	Creating         // step 1: create(/lock/_c_GUID-lock-, EPHEMERAL_SEQUENTIAL)
	Recovering       // the create's answer was lost: look for our GUID among the children
	Stat             // found our node by its GUID: read its czxid
	Listing          // step 2: getChildren(/lock)
	Watching         // steps 4-5: wait for the predecessor's (or, herd, /lock's) watch
	Holding          // step 3: our node is the lowest
)

type connState uint8

const (
	disconnected connState = iota
	connecting
	connected
)

// Client is the ZooKeeper half of a lock client (a lock.Protocol): a
// session with one server at a time, and the lock recipe over it.
type Client struct {
	cfg       Config
	cur       int // index of the server it uses
	conn      connState
	session   int64
	xid       Number
	lastHeard time.Duration
	lastSent  time.Duration
	out       *Request // the one outstanding request
	outSent   time.Duration
	queue     []Request
	ticking   bool
	gen       int    // connection attempts, to ignore stale reconnect timers
	attempt   Number // numbers Connect messages (see Connect.Attempt)

	phase      Phase
	guid       string
	guids      map[string]bool // every GUID used in this session: a node with one of them is ours
	node       string          // our znode's name under /lock
	czxid      int64
	createSent bool   // a create went out in this session without an answer
	prev       string // the predecessor we watch
	toDelete   string // a released node whose delete is not yet confirmed

	// In-order delivery on the connection (see Conn).
	next     int64                 // the Seq expected next
	early    map[int64]sim.Message // arrived ahead of a gap
	gapSince time.Duration
}

// The client's timers.
type (
	clientTick struct{}
	reconnect  struct{ Gen int }
)

// NewClient returns a client protocol that starts with a random server.
func NewClient(cfg Config) *Client { return &Client{cfg: cfg, cur: -1} }

func (z *Client) tick() time.Duration        { return z.cfg.SessionTimeout / 12 }
func (z *Client) readTimeout() time.Duration { return z.cfg.SessionTimeout * 2 / 3 }

// server is the server the client uses, "" before its first connection (a
// restarted client may hear from servers its previous life talked to).
func (z *Client) server() string {
	if z.cur < 0 {
		return ""
	}
	return z.cfg.Servers[z.cur]
}

// connectTimeout is how long a connection attempt may take before the
// client tries the next server: the session timeout shared among the
// servers, as the ZooKeeper client computes it.
func (z *Client) connectTimeout() time.Duration {
	return z.cfg.SessionTimeout / time.Duration(len(z.cfg.Servers))
}

// Start numbers the incarnation's connection attempts and requests from
// c.FirstRequest.
func (z *Client) Start(c *lock.Client) {
	first := Number(c.FirstRequest())
	z.attempt, z.xid = first, first
}

// Acquire starts the recipe with a fresh GUID. The first time in an
// incarnation it also starts the heartbeat.
func (z *Client) Acquire(c *lock.Client) {
	ctx := c.Ctx()
	if !z.ticking {
		z.ticking = true
		z.cur = ctx.Rand().IntN(len(z.cfg.Servers)) // the client library shuffles its server list
		ctx.SetTimer(z.tick(), clientTick{})
	}
	z.newAttempt(ctx)
	switch z.conn {
	case connected:
		z.create(ctx)
	case disconnected:
		z.connect(ctx) // resume creates once connected
	}
}

func (z *Client) newAttempt(ctx *sim.Context) {
	z.phase, z.node, z.czxid, z.prev, z.createSent = Creating, "", 0, "", false
	z.guid = fmt.Sprintf("%08x", ctx.Rand().Uint32())
	if z.guids == nil {
		z.guids = map[string]bool{}
	}
	z.guids[z.guid] = true
}

// Release deletes our node.
func (z *Client) Release(c *lock.Client) {
	if z.node != "" {
		z.toDelete = z.node
		if z.conn == connected {
			z.send(c.Ctx(), Request{Op: OpDelete, Path: LockPath + "/" + z.node})
		}
	}
	z.phase, z.node = Idle, ""
}

// Receive handles what servers send.
func (z *Client) Receive(c *lock.Client, from string, msg sim.Message) {
	switch m := msg.(type) {
	case ConnectReply:
		z.handleConnectReply(c, from, m)
	case Reply:
		z.inOrder(c, from, m.Conn, m)
	case WatchEvent:
		z.inOrder(c, from, m.Conn, m)
	case Closed:
		z.handleClosed(c, from, m)
	}
}

// inOrder hands messages of the current connection over in the order the
// server sent them, holding back any that overtook a predecessor.
func (z *Client) inOrder(c *lock.Client, from string, at Conn, msg sim.Message) {
	if z.conn != connected || from != z.server() || at.Attempt != z.attempt || at.Seq < z.next {
		return // another connection's, or a duplicate
	}
	if at.Seq > z.next {
		if len(z.early) == 0 {
			z.gapSince = c.Ctx().Now()
		}
		z.early[at.Seq] = msg
		return
	}
	attempt := z.attempt
	for z.conn == connected && z.attempt == attempt {
		z.next++
		switch m := msg.(type) {
		case Reply:
			z.handleReply(c, m)
		case WatchEvent:
			z.handleWatch(c, m)
		}
		var ok bool
		if msg, ok = z.early[z.next]; !ok {
			break
		}
		delete(z.early, z.next)
	}
	z.gapSince = c.Ctx().Now()
}

func (z *Client) connect(ctx *sim.Context) {
	z.conn = connecting
	z.early = map[int64]sim.Message{}
	z.lastSent = ctx.Now()
	z.attempt++
	ctx.Send(z.server(), Connect{Session: z.session, Timeout: z.cfg.SessionTimeout, Attempt: z.attempt})
}

func (z *Client) handleConnectReply(c *lock.Client, from string, m ConnectReply) {
	if z.conn != connecting || from != z.server() || m.Conn.Attempt != z.attempt {
		return
	}
	if m.Err == ErrSessionExpired {
		z.expired(c)
		return
	}
	z.session, z.conn, z.next = m.Session, connected, m.Conn.Seq+1
	z.lastHeard = c.Ctx().Now()
	z.resume(c.Ctx())
}

// resume redoes, on a new connection, whatever the lost one left unfinished.
func (z *Client) resume(ctx *sim.Context) {
	if z.toDelete != "" {
		z.send(ctx, Request{Op: OpDelete, Path: LockPath + "/" + z.toDelete})
	}
	switch z.phase {
	case Creating, Recovering:
		if z.createSent {
			// The recipe: "If a recoverable error occurs calling create() the
			// client should call getChildren() and check for a node
			// containing the guid used in the path name."
			z.phase = Recovering
			z.send(ctx, Request{Op: OpGetChildren, Path: LockPath})
		} else {
			z.create(ctx)
		}
	case Stat:
		z.send(ctx, Request{Op: OpExists, Path: LockPath + "/" + z.node})
	case Listing, Watching:
		z.list(ctx)
	}
}

func (z *Client) create(ctx *sim.Context) {
	z.phase, z.createSent = Creating, true
	z.send(ctx, Request{Op: OpCreate, Path: LockPath + "/_c_" + z.guid + "-lock-"})
}

func (z *Client) list(ctx *sim.Context) {
	z.phase = Listing
	z.send(ctx, Request{Op: OpGetChildren, Path: LockPath, Watch: z.cfg.Herd})
}

// send queues a request behind the outstanding one, so that a client's
// requests reach the server in order.
func (z *Client) send(ctx *sim.Context, r Request) {
	z.xid++
	r.Session, r.Xid, r.Attempt = z.session, z.xid, z.attempt
	if z.out != nil {
		z.queue = append(z.queue, r)
		return
	}
	z.transmit(ctx, r)
}

func (z *Client) transmit(ctx *sim.Context, r Request) {
	z.out = &r
	z.outSent, z.lastSent = ctx.Now(), ctx.Now()
	ctx.Send(z.server(), r)
}

func (z *Client) handleReply(c *lock.Client, r Reply) {
	ctx := c.Ctx()
	z.lastHeard = ctx.Now()
	if z.out == nil || r.Xid != z.out.Xid {
		return // a ping's answer, or a duplicate
	}
	req := *z.out
	z.out = nil
	if len(z.queue) > 0 {
		next := z.queue[0]
		z.queue = z.queue[1:]
		z.transmit(ctx, next)
	}
	switch r.Err {
	case ErrSessionExpired:
		z.expired(c)
		return
	case ErrSessionMoved:
		z.disconnect(ctx) // reconnect, which moves the session back here, and redo
		return
	}
	z.step(c, req, r)
}

// step is the recipe's reaction to one answer.
func (z *Client) step(c *lock.Client, req Request, r Reply) {
	ctx := c.Ctx()
	switch req.Op {
	case OpDelete:
		if req.Path == LockPath+"/"+z.toDelete {
			z.toDelete = ""
		}
	case OpCreate:
		if z.phase != Creating {
			return
		}
		z.createSent = false
		if r.Err != "" {
			z.create(ctx)
			return
		}
		z.node, z.czxid = r.Name, r.Czxid
		z.list(ctx)
	case OpGetChildren:
		z.children(c, r.Children)
	case OpExists:
		z.exists(ctx, req, r)
	}
}

// children handles step 2's answer (or the recovery's).
func (z *Client) children(c *lock.Client, children []string) {
	ctx := c.Ctx()
	switch z.phase {
	case Recovering:
		z.createSent = false
		for _, name := range children {
			if strings.HasPrefix(name, "_c_"+z.guid+"-") {
				z.node, z.phase = name, Stat
				z.send(ctx, Request{Op: OpExists, Path: LockPath + "/" + name})
				return
			}
		}
		z.create(ctx)
	case Listing:
		for _, name := range children {
			if name != z.node && z.ours(name) {
				// A create of ours that took effect twice, or after we gave
				// up on it: delete it, or it would hold up everybody behind it.
				z.send(ctx, Request{Op: OpDelete, Path: LockPath + "/" + name})
				children = slices.DeleteFunc(slices.Clone(children), func(n string) bool { return n == name })
			}
		}
		lowest, prev, ok := Position(children, z.node)
		switch {
		case !ok: // our node is gone: start over
			z.newAttempt(ctx)
			z.create(ctx)
		case lowest:
			z.phase = Holding
			c.Granted(z.czxid)
		case z.cfg.Herd:
			z.phase = Watching // getChildren set the watch on /lock
		default:
			z.phase, z.prev = Watching, prev
			z.send(ctx, Request{Op: OpExists, Path: LockPath + "/" + prev, Watch: true})
		}
	}
}

// ours reports whether a child of /lock was created with one of this
// session's GUIDs.
func (z *Client) ours(name string) bool {
	guid, _, ok := strings.Cut(strings.TrimPrefix(name, "_c_"), "-")
	return ok && z.guids[guid]
}

// Position is steps 3 and 4 of the recipe: whether node has the lowest
// sequence number among children, and if not, the child with the next
// lower sequence number, the only one to watch. ok is false when node is
// not among the children.
func Position(children []string, node string) (lowest bool, prev string, ok bool) {
	mine := SeqOf(node)
	best := -1
	for _, name := range children {
		seq := SeqOf(name)
		if name == node {
			ok = true
		} else if seq < mine && seq > best {
			best, prev = seq, name
		}
	}
	if !ok {
		return false, "", false
	}
	return best < 0, prev, true
}

func (z *Client) exists(ctx *sim.Context, req Request, r Reply) {
	switch {
	case z.phase == Stat && r.Exists:
		z.czxid = r.Czxid
		z.list(ctx)
	case z.phase == Stat:
		z.newAttempt(ctx)
		z.create(ctx)
	case z.phase == Watching && req.Path == LockPath+"/"+z.prev && !r.Exists:
		z.list(ctx) // step 5: the predecessor is already gone
	}
}

// handleWatch is step 5: when the watched node goes (or, herd, /lock's
// children change), list the children again.
func (z *Client) handleWatch(c *lock.Client, ev WatchEvent) {
	z.lastHeard = c.Ctx().Now()
	if z.phase != Watching {
		return
	}
	if (z.cfg.Herd && ev.Type == "NodeChildrenChanged") || (!z.cfg.Herd && ev.Path == LockPath+"/"+z.prev) {
		z.list(c.Ctx())
	}
}

func (z *Client) handleClosed(c *lock.Client, from string, m Closed) {
	switch {
	case m.Expired && m.Session == z.session && z.session != 0:
		z.expired(c)
	case !m.Expired && from == z.server() && m.Conn.Attempt == z.attempt && z.conn != disconnected:
		z.disconnect(c.Ctx())
	}
}

// disconnect gives up on the current server and tries the next one soon,
// keeping the session.
func (z *Client) disconnect(ctx *sim.Context) {
	z.conn, z.out, z.queue = disconnected, nil, nil
	z.cur = (z.cur + 1) % len(z.cfg.Servers)
	z.gen++
	ctx.SetTimer(time.Duration(ctx.Rand().Int64N(int64(z.tick()/4)+1)), reconnect{Gen: z.gen})
}

// expired is the session's end: the ensemble has deleted our node. A holder
// learns that it has lost the lock; a waiter starts over in a new session.
func (z *Client) expired(c *lock.Client) {
	ctx := c.Ctx()
	z.session, z.out, z.queue, z.toDelete, z.guids = 0, nil, nil, "", nil
	z.gen++
	holding := z.phase == Holding
	z.phase, z.node, z.createSent = Idle, "", false
	z.conn = disconnected
	if holding {
		c.Lost()
		return
	}
	if c.State() == lock.Waiting {
		z.newAttempt(ctx)
		z.connect(ctx)
	}
}

// Timer runs the connection's heartbeat: ping when idle for a third of the
// session timeout, and give up on a server silent for two thirds of it
// (the ZooKeeper client's read timeout).
func (z *Client) Timer(c *lock.Client, tag any) {
	ctx := c.Ctx()
	switch t := tag.(type) {
	case clientTick:
		now := ctx.Now()
		switch z.conn {
		case connecting:
			if now-z.lastSent > z.connectTimeout() {
				z.disconnect(ctx)
			}
		case connected:
			switch {
			case now-z.lastHeard > z.readTimeout(), z.out != nil && now-z.outSent > z.readTimeout():
				z.disconnect(ctx)
			case len(z.early) > 0 && now-z.gapSince > z.tick():
				z.disconnect(ctx) // a message was lost: the connection is broken

			case now-z.lastSent >= z.cfg.SessionTimeout/3:
				z.lastSent = now
				ctx.Send(z.server(), Request{Attempt: z.attempt, Session: z.session, Op: OpPing})
			}
		}
		ctx.SetTimer(z.tick(), clientTick{})
	case reconnect:
		if t.Gen == z.gen && z.conn == disconnected {
			z.connect(ctx)
		}
	}
}
