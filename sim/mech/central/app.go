package central

import (
	"time"

	"coordlab/sim"
	"coordlab/sim/mech"
	"coordlab/sim/mech/web"
)

// StoreTimeout is how long an app server waits for the store before it
// answers 503 (a Redis client's command timeout).
const StoreTimeout = 500 * time.Millisecond

// FailoverAfter is how many store timeouts in a row make an app server
// switch to the replica, when there is one (the role Redis Sentinel plays,
// done here by each app server on its own).
const FailoverAfter = 2

// config is what every app server of a run shares.
type config struct {
	replica bool
	cache   time.Duration // local_cache TTL; 0 for none
}

// pending is a request waiting for the store.
type pending struct {
	id       uint64
	from     string
	req      web.Request
	key      string
	step     string   // the command it waits for: "get", "put" or "del"
	data     web.Data // what a Put is saving
	deadline time.Duration
}

type cached struct {
	data web.Data
	at   time.Duration // local time it was loaded or saved
}

type sweep struct{}

// App is an app server that keeps no session of its own: it loads the
// session from the store for every request and saves it back when the
// request changed it, as Spring Session's SessionRepositoryFilter does. With
// a local cache it reuses a loaded session for the cache's TTL without asking
// the store, and so may serve a copy another server has since changed.
type App struct {
	cfg     *config
	store   string // the store this server believes is the primary
	misses  int    // store timeouts in a row
	nextOp  uint64
	pending []*pending
	armed   bool
	cache   map[string]cached
}

func newApp(cfg *config) *App {
	return &App{cfg: cfg, store: "store-1", cache: map[string]cached{}}
}

// Start reports the server's metrics as 0 until it counts them: it holds no
// state worth keeping. It numbers its store commands after its incarnation,
// so that a reply to a command its crashed predecessor sent (over a
// connection this process never had) matches none of its own.
func (a *App) Start(ctx *sim.Context) {
	for _, m := range []string{"store-round-trips", "cache-hits", "failovers"} {
		ctx.Count(m, 0)
	}
	a.nextOp = mech.FirstRequest(mech.Incarnation(ctx))
}

// Receive serves requests and takes the store's replies.
func (a *App) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if web.IsCheck(ctx, from, msg) {
		return
	}
	switch m := msg.(type) {
	case web.Request:
		a.handle(ctx, from, m)
	case Reply:
		a.replied(ctx, m)
	}
}

func (a *App) handle(ctx *sim.Context, from string, req web.Request) {
	p := &pending{from: from, req: req, key: req.Credential}
	switch req.Op {
	case web.OpLogin:
		p.key, p.data = web.NewSessionID(ctx.Rand()), web.NewData(req.User)
		a.send(ctx, p, Put{Key: p.key, Data: p.data})
	case web.OpLogout:
		delete(a.cache, p.key)
		a.send(ctx, p, Del{Key: p.key})
	default:
		if c, ok := a.cache[p.key]; ok && a.cfg.cache > 0 && ctx.Now()-c.at < a.cfg.cache {
			ctx.Count("cache-hits", 1)
			a.loaded(ctx, p, c.data)
			return
		}
		a.send(ctx, p, Get{Key: p.key})
	}
}

// send sends one store command for p and waits for its reply.
func (a *App) send(ctx *sim.Context, p *pending, cmd sim.Message) {
	a.nextOp++
	p.id, p.deadline = a.nextOp, ctx.Now()+StoreTimeout
	switch c := cmd.(type) {
	case Get:
		c.Op, p.step = p.id, "get"
		cmd = c
	case Put:
		c.Op, p.step = p.id, "put"
		cmd = c
	case Del:
		c.Op, p.step = p.id, "del"
		cmd = c
	}
	a.pending = append(a.pending, p)
	ctx.Count("store-round-trips", 1)
	ctx.Send(a.store, cmd)
	if !a.armed {
		a.armed = true
		ctx.SetTimer(StoreTimeout, sweep{})
	}
}

// replied continues the request a store reply answers.
func (a *App) replied(ctx *sim.Context, r Reply) {
	var p *pending
	for i, q := range a.pending {
		if q.id == r.Op {
			p = q
			a.pending = append(a.pending[:i], a.pending[i+1:]...)
			break
		}
	}
	if p == nil {
		return // answered after we gave up, or a duplicate
	}
	a.misses = 0
	switch {
	case p.step == "del":
		a.answer(ctx, p, web.Response{Status: web.StatusOK})
	case p.step == "put":
		a.remember(ctx, p.key, p.data)
		a.answer(ctx, p, web.Response{Status: web.StatusOK, Credential: p.key, Data: p.data})
	case !r.Found:
		delete(a.cache, p.key)
		a.answer(ctx, p, web.Response{Status: web.StatusUnauthorized, Reason: "unknown session: not in " + a.store})
	default:
		a.remember(ctx, p.key, r.Data)
		a.loaded(ctx, p, r.Data)
	}
}

// remember keeps a session the store just confirmed in the local cache.
func (a *App) remember(ctx *sim.Context, key string, d web.Data) {
	if a.cfg.cache > 0 {
		a.cache[key] = cached{data: d, at: ctx.Now()}
	}
}

// loaded applies the request to the loaded (or cached) session and saves
// it back if it changed.
func (a *App) loaded(ctx *sim.Context, p *pending, d web.Data) {
	d, changed := web.Apply(p.req.Op, d)
	if !changed {
		a.answer(ctx, p, web.Response{Status: web.StatusOK, Data: d})
		return
	}
	p.data = d
	a.send(ctx, p, Put{Key: p.key, Data: d})
}

func (a *App) answer(ctx *sim.Context, p *pending, resp web.Response) {
	resp.Session = p.key
	web.Answer(ctx, p.from, p.req, resp)
}

// Timer fails the requests the store left unanswered, and fails over to the
// replica after FailoverAfter timeouts in a row.
func (a *App) Timer(ctx *sim.Context, _ any) {
	a.armed = false
	now := ctx.Now()
	kept := a.pending[:0]
	for _, p := range a.pending {
		if now < p.deadline {
			kept = append(kept, p)
			continue
		}
		a.misses++
		a.answer(ctx, p, web.Response{Status: web.StatusUnavailable, Reason: a.store + " did not answer"})
	}
	a.pending = kept
	if a.misses >= FailoverAfter && a.cfg.replica && a.store == "store-1" {
		a.store = "store-2"
		ctx.Count("failovers", 1)
	}
	if len(a.pending) > 0 {
		next := a.pending[0].deadline
		for _, p := range a.pending {
			next = min(next, p.deadline)
		}
		a.armed = true
		ctx.SetTimer(next-now, sweep{})
	}
}

// CacheEntry is one session in an app server's local cache, for the panel.
type CacheEntry struct {
	web.SessionState
	LoadedAt time.Duration `json:"loaded_at"` // on this server's clock
}

// AppState is what the panel shows of an app server.
type AppState struct {
	Store   string       `json:"store"`
	Waiting int          `json:"waiting_for_store"`
	Cache   []CacheEntry `json:"cache,omitempty"`
}

// Inspect shows the store in use and the local cache.
func (a *App) Inspect() any {
	st := AppState{Store: a.store, Waiting: len(a.pending)}
	m := make(map[string]web.Data, len(a.cache))
	for k, c := range a.cache {
		m[k] = c.data
	}
	for _, s := range web.Sessions(m) {
		st.Cache = append(st.Cache, CacheEntry{SessionState: s, LoadedAt: a.cache[s.ID].at})
	}
	return st
}
