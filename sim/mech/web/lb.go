package web

import (
	"time"

	"coordlab/sim"
)

// LB is the node name of the load balancer.
const LB = "lb-1"

// Health checking follows HAProxy's: a check every inter, a server is marked
// down after fall checks in a row went unanswered and up again after rise
// answered ones (HAProxy's defaults are inter 2s, fall 3, rise 2; a teaching
// run wants the crash to show sooner).
const (
	HealthInter = time.Second
	HealthFall  = 2
	HealthRise  = 2
)

// Router is a load balancer's routing policy: it picks the app server for a
// request among the live ones, listed in order. A Router is the balancer's
// volatile state.
type Router interface {
	Route(r Request, live []string) string
}

// RoundRobin hands requests to the live servers in turn, as HAProxy's
// "balance roundrobin" does.
type RoundRobin struct{ next int }

// Route picks the next live server.
func (rr *RoundRobin) Route(_ Request, live []string) string {
	s := live[rr.next%len(live)]
	rr.next++
	return s
}

// Hash routes a user by a hash of its name, modulo the number of live
// servers: HAProxy's "balance source" with its default map-based hash-type.
// When a server goes down or comes back the modulus changes and most users
// land on a different server, which does not have their session.
type Hash struct{}

// Route picks the server the user's hash points to.
func (Hash) Route(r Request, live []string) string {
	return live[fnv32a(r.User)%uint32(len(live))]
}

// fnv32a is the FNV-1a hash of s (hash/fnv's, without its allocation).
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Cookie routes by the affinity cookie the balancer inserted into an earlier
// response (HAProxy's "cookie SERVERID insert" with "option redispatch"): to
// the named server while it is live, otherwise round robin, and the answer
// then carries a new cookie. A server coming back moves nobody.
type Cookie struct{ RoundRobin }

// Route picks the server the request's cookie names, if it is live.
func (c *Cookie) Route(r Request, live []string) string {
	for _, s := range live {
		if s == r.Affinity {
			return s
		}
	}
	return c.RoundRobin.Route(r, live)
}

// Balancer is lb-1: it health-checks the app servers, forwards each request
// to a live one chosen by its Router, and relays the answer to the user.
type Balancer struct {
	servers []string
	index   map[string]int
	router  Router
	cookie  bool // insert an affinity cookie into answers
	up      []bool
	heard   []bool // answered the check in flight
	misses  []int
	oks     []int
	live    []string
}

// NewBalancer returns lb-1 for the given app servers. router is the routing
// policy (fresh at every start: a restarted balancer forgets its rotation);
// cookie makes it insert the affinity cookie into every answer.
func NewBalancer(servers []string, router Router, cookie bool) *Balancer {
	b := &Balancer{servers: servers, router: router, cookie: cookie, index: make(map[string]int, len(servers))}
	for i, s := range servers {
		b.index[s] = i
	}
	b.up = make([]bool, len(servers))
	b.heard = make([]bool, len(servers))
	b.misses = make([]int, len(servers))
	b.oks = make([]int, len(servers))
	for i := range b.up {
		b.up[i] = true
	}
	b.relist()
	return b
}

type healthTick struct{}

// Start sends the first round of health checks.
func (b *Balancer) Start(ctx *sim.Context) {
	ctx.SetMetric("live-servers", float64(len(b.live)))
	b.checkAll(ctx)
}

func (b *Balancer) checkAll(ctx *sim.Context) {
	for _, s := range b.servers {
		ctx.Send(s, Check{})
	}
	ctx.SetTimer(HealthInter, healthTick{})
}

// Timer counts the round of checks that just ended and starts the next.
func (b *Balancer) Timer(ctx *sim.Context, _ any) {
	changed := false
	for i := range b.servers {
		if b.heard[i] {
			b.oks[i]++
			b.misses[i] = 0
		} else {
			b.misses[i]++
			b.oks[i] = 0
		}
		b.heard[i] = false
		switch {
		case b.up[i] && b.misses[i] >= HealthFall:
			b.up[i], changed = false, true
		case !b.up[i] && b.oks[i] >= HealthRise:
			b.up[i], changed = true, true
		}
	}
	if changed {
		b.relist()
		ctx.SetMetric("live-servers", float64(len(b.live)))
	}
	b.checkAll(ctx)
}

func (b *Balancer) relist() {
	b.live = b.live[:0:0]
	for i, s := range b.servers {
		if b.up[i] {
			b.live = append(b.live, s)
		}
	}
}

// Receive forwards requests, relays answers and notes health.
func (b *Balancer) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Request:
		if len(b.live) == 0 {
			ctx.Send(m.User, Response{ID: m.ID, User: m.User, Server: ctx.Name(), Status: StatusBadGateway, Reason: "no live server"})
			return
		}
		ctx.Send(b.router.Route(m, b.live), msg) // msg, not m: forwarding reuses the sent value
	case Response:
		if b.cookie {
			m.Affinity = m.Server
			ctx.Send(m.User, m)
			return
		}
		ctx.Send(m.User, msg)
	case CheckOK:
		if i, ok := b.index[from]; ok {
			b.heard[i] = true
		}
	}
}

// BalancerState is what the panel shows of lb-1.
type BalancerState struct {
	Live   []string `json:"live"`
	Down   []string `json:"down,omitempty"`
	Policy string   `json:"policy"`
}

// Inspect shows which servers the balancer believes are live.
func (b *Balancer) Inspect() any {
	st := BalancerState{Live: append([]string(nil), b.live...), Policy: policyName(b.router, b.cookie)}
	for i, s := range b.servers {
		if !b.up[i] {
			st.Down = append(st.Down, s)
		}
	}
	return st
}

func policyName(r Router, cookie bool) string {
	switch r.(type) {
	case Hash:
		return "hash of the user (map-based)"
	case *Cookie:
		return "affinity cookie, else round robin"
	}
	if cookie {
		return "round robin with affinity cookie"
	}
	return "round robin"
}

// IsCheck answers a load balancer's health check; it reports whether msg was
// one, so that an app server's Receive can start with it.
func IsCheck(ctx *sim.Context, from string, msg sim.Message) bool {
	if _, ok := msg.(Check); ok {
		ctx.Send(from, CheckOK{})
		return true
	}
	return false
}

// Answer sends resp as the answer to req, which came from from (lb-1, or the
// user itself for auth-1).
func Answer(ctx *sim.Context, from string, req Request, resp Response) {
	resp.ID, resp.User, resp.Server = req.ID, req.User, ctx.Name()
	ctx.Send(from, resp)
}
