package quorum

import (
	"time"

	"coordlab/sim"
)

// A replica coordinates the gets and puts clients send it, as in Dynamo 4.5:
// it sends the request to the first n reachable replicas of the key's
// preference list and answers the client once r of them replied to a get, or
// w of them acknowledged a put. After answering it waits for the others, so
// that a get can repair the replicas that returned stale versions (4.7).
//
// A replica it gets no answer from within the timeout is suspected down for
// suspectFor timeouts (4.8.1). Deadlines are checked by one tick every half
// timeout while requests are open, rather than a timer per request: a
// request gives up between one and one and a half timeouts. With a strict quorum, a request that cannot find enough
// home replicas it does not suspect fails at once, as Cassandra's
// "unavailable" error does; with a sloppy quorum it uses the next replicas of
// the preference list as stand-ins, each with a hint naming the home replica
// it stands in for (4.6).

// request is one client request being coordinated.
type request struct {
	id       uint64
	client   string
	op       uint64
	key      string
	put      []Version // the version to write, nil for a get
	need     int       // r or w
	targets  []target
	tried    uint64 // bit per replica index: sent this request already
	replies  int
	answered bool
	done     bool
	// deadline (local time) is when a sloppy request calls in stand-ins
	// for the silent replicas, or, when final, when it fails unless answered.
	deadline time.Duration
	final    bool
	buf      [3]target
}

// target is one replica a request was sent to.
type target struct {
	node     int
	hint     string // the home replica a stand-in holds the data for
	replied  bool
	versions []Version // what it returned to a get
}

// coordTick is the coordinator's tick that checks the open requests'
// deadlines.
type coordTick struct{}

// suspectFor is how long a silent replica stays suspected, in timeouts.
const suspectFor = 5

// newVersion builds the version a put writes. Under last-writer-wins it
// carries the timestamp the writer read from its own clock. With version
// vectors the coordinator extends the client's context with a new event of
// its own (Dynamo 4.4), and keeps the context as the version's Seen.
func (n *replica) newVersion(ctx *sim.Context, client string, m Put) []Version {
	v := Version{Value: m.Value, TS: m.TS, Writer: client, Seq: m.Op}
	if n.cfg.vector {
		v.Clock, v.Seen = make(VClock, len(n.cfg.replicas)), m.Context
		copy(v.Clock, m.Context)
		n.counter = max(n.counter, v.Clock[n.self]) + 1
		v.Clock[n.self] = n.counter
		ctx.Durable().Put("counter", n.counter)
	}
	return []Version{v}
}

// startRequest coordinates a get (put == nil) or a put.
func (n *replica) startRequest(ctx *sim.Context, client string, op uint64, key string, put []Version) {
	req := n.newRequest()
	*req = request{client: client, op: op, key: key, put: put, need: n.cfg.r}
	if put != nil {
		req.need = n.cfg.w
	}
	n.chooseTargets(ctx, req)
	if len(req.targets) < req.need {
		n.answer(ctx, req, false) // unavailable: too few replicas it believes up
		n.recycle(req)
		return
	}
	n.nextReq++
	req.id = n.nextReq
	n.pending[req.id] = req
	n.open = append(n.open, req)
	req.deadline, req.final = ctx.Now()+n.cfg.timeout, !n.cfg.sloppy
	if n.cfg.sloppy {
		req.deadline = ctx.Now() + n.cfg.timeout/2
	}
	if !n.ticking {
		n.ticking = true
		ctx.SetTimer(n.cfg.timeout/2, coordTick{})
	}
	for i := range req.targets {
		n.send(ctx, req, i)
	}
	n.progress(ctx, req)
}

// newRequest returns a request to fill in, reusing a finished one: the
// coordinator starts one for every client operation.
func (n *replica) newRequest() *request {
	if k := len(n.free); k > 0 {
		req := n.free[k-1]
		n.free = n.free[:k-1]
		return req
	}
	return new(request)
}

// recycle keeps a finished request, which nothing refers to any more, for
// reuse.
func (n *replica) recycle(req *request) {
	*req = request{}
	n.free = append(n.free, req)
}

// onTick handles the requests past their deadline, oldest first, and ticks
// again while requests are open.
func (n *replica) onTick(ctx *sim.Context) {
	now := ctx.Now()
	open := n.open[:0]
	for _, req := range n.open {
		if !req.done && now >= req.deadline {
			n.onTimeout(ctx, req, now)
		}
		if req.done {
			n.recycle(req) // out of pending since complete, and now of open
		} else {
			open = append(open, req)
		}
	}
	clear(n.open[len(open):])
	n.open = open
	n.ticking = len(open) > 0
	if n.ticking {
		ctx.SetTimer(n.cfg.timeout/2, coordTick{})
	}
}

func (n *replica) suspected(now time.Duration, x int) bool { return now < n.suspect[x] }

// chooseTargets picks the first n replicas of the key's preference list that
// are not suspected: only home replicas for a strict quorum, stand-ins too for
// a sloppy one.
func (n *replica) chooseTargets(ctx *sim.Context, req *request) {
	now := ctx.Now()
	req.targets = req.buf[:0]
	var skipped []string // home replicas passed over, for the stand-ins' hints
	for i := 0; i < len(n.cfg.replicas) && len(req.targets) < n.cfg.n; i++ {
		x := n.cfg.preference(req.key, i)
		home := i < n.cfg.n
		if !home && !n.cfg.sloppy {
			break
		}
		if n.suspected(now, x) {
			if home {
				skipped = append(skipped, n.cfg.replicas[x])
			}
			continue
		}
		t := target{node: x}
		if !home {
			t.hint, skipped = skipped[0], skipped[1:]
		}
		req.targets = append(req.targets, t)
		req.tried |= 1 << x
	}
}

// send sends the request to target i, or serves it locally when the target is
// this replica.
func (n *replica) send(ctx *sim.Context, req *request, i int) {
	t := &req.targets[i]
	if t.node != n.self {
		to := n.cfg.replicas[t.node]
		if req.put != nil {
			ctx.Send(to, Write{Req: req.id, Key: req.key, Versions: req.put, Hint: t.hint})
		} else {
			ctx.Send(to, Read{Req: req.id, Key: req.key})
		}
		return
	}
	if req.put != nil {
		n.apply(ctx, req.key, req.put, "write")
		if t.hint != "" {
			n.addHint(ctx, t.hint, req.key)
		}
	} else {
		t.versions = n.data[req.key]
	}
	t.replied = true
	req.replies++
}

// onReply counts a replica's answer to a request still open.
func (n *replica) onReply(ctx *sim.Context, from string, id uint64, versions []Version) {
	req := n.pending[id]
	if req == nil {
		return
	}
	x := n.cfg.index(from)
	for i := range req.targets {
		t := &req.targets[i]
		if t.node == x && !t.replied {
			t.replied, t.versions = true, versions
			req.replies++
			n.progress(ctx, req)
			return
		}
	}
}

// progress answers the client once the quorum is reached, and completes the
// request once every target replied.
func (n *replica) progress(ctx *sim.Context, req *request) {
	if !req.answered && req.replies >= req.need {
		n.answer(ctx, req, true)
	}
	if req.replies == len(req.targets) {
		n.complete(ctx, req)
	}
}

func (n *replica) answer(ctx *sim.Context, req *request, ok bool) {
	req.answered = true
	if req.put != nil {
		ctx.Send(req.client, PutReply{Op: req.op, Ok: ok})
		return
	}
	var vs []Version
	if ok {
		vs = n.reconciled(req)
	}
	ctx.Send(req.client, GetReply{Op: req.op, Ok: ok, Versions: vs})
}

// reconciled merges what the replicas that replied returned.
func (n *replica) reconciled(req *request) []Version {
	var vs []Version
	for _, t := range req.targets {
		if t.replied {
			vs = reconcile(n.cfg.vector, vs, t.versions)
		}
	}
	return vs
}

// complete closes a request and, for a get with read repair, writes the
// reconciled versions back to every replica that returned something else.
func (n *replica) complete(ctx *sim.Context, req *request) {
	delete(n.pending, req.id)
	req.done = true
	if req.put != nil || !n.cfg.repair || req.replies == 0 {
		return
	}
	final := n.reconciled(req)
	for _, t := range req.targets {
		if !t.replied || sameVersions(t.versions, final) {
			continue
		}
		if t.node == n.self {
			n.apply(ctx, req.key, final, "repair")
			continue
		}
		ctx.Send(n.cfg.replicas[t.node], Write{Key: req.key, Versions: final, Hint: t.hint, Repair: true})
	}
}

// onTimeout suspects the replicas that stayed silent. Halfway through a
// sloppy request it sends the request to a stand-in for each of them; at the
// end it fails the request unless it was answered.
func (n *replica) onTimeout(ctx *sim.Context, req *request, now time.Duration) {
	for _, t := range req.targets {
		if !t.replied {
			n.suspect[t.node] = now + suspectFor*n.cfg.timeout
		}
	}
	if !req.final {
		// A put calls in stand-ins even once answered, so that n replicas
		// hold it (Dynamo's durability); a get only while it needs replies.
		if req.put != nil || !req.answered {
			n.callStandIns(ctx, req, now)
		}
		req.final, req.deadline = true, req.deadline+n.cfg.timeout-n.cfg.timeout/2
		n.progress(ctx, req)
		return
	}
	if !req.answered {
		n.answer(ctx, req, false)
	}
	n.complete(ctx, req)
}

// callStandIns sends the request to the next untried, unsuspected replica of
// the preference list for each silent target, with a hint for the home
// replica the data is meant for.
func (n *replica) callStandIns(ctx *sim.Context, req *request, now time.Duration) {
	silent := len(req.targets)
	for i := range silent {
		t := req.targets[i]
		if t.replied {
			continue
		}
		for j := range n.cfg.replicas {
			x := n.cfg.preference(req.key, j)
			if req.tried&(1<<x) != 0 || n.suspected(now, x) {
				continue
			}
			h := t.hint
			if h == "" {
				h = n.cfg.replicas[t.node]
			}
			req.targets = append(req.targets, target{node: x, hint: h})
			req.tried |= 1 << x
			n.send(ctx, req, len(req.targets)-1)
			break
		}
	}
}
