// Package sticky is the sticky-session mechanism: each user's session lives
// in the memory of the app server that created it (a servlet container's
// HttpSession without replication), and the load balancer keeps sending the
// user to that server, either by a hash of the user (HAProxy's "balance
// source", map-based) or by an affinity cookie it inserts (HAProxy's "cookie
// SERVERID insert" with "option redispatch").
//
// It is unsafe on purpose where sticky sessions are: a session exists on one
// server only, so a server that crashes or is taken out takes its sessions
// with it, and with hash affinity any change in the set of live servers (one
// going down, or one joining) remaps most users onto servers that never saw
// their session. Each such user must log in again and loses its cart: the
// session-lost invariant.
package sticky

import (
	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/web"
)

// Mechanism is the catalog entry of sticky sessions.
var Mechanism = &mech.Mechanism{
	Name:  "sticky",
	Title: "Sticky sessions",
	Summary: "Sessions live in the memory of the app server that created them; the load balancer routes each user " +
		"back to it by a hash of the user or by an affinity cookie. A crashed server takes its sessions with it, and " +
		"with hash affinity a server going down or joining moves most users off their session.",
	Roles: "lb-1, app-1..N, user-N",
	Params: web.Params(mech.Param{Name: "affinity", Kind: mech.Enum, Default: "hash", Values: []string{"hash", "cookie"},
		Help: "how lb-1 keeps a user on its server: a hash of the user over the live servers, or an affinity cookie"}),
	Invariants: []string{"session-lost"},
	Metrics:    web.Metrics,
	Nodes:      func(p mech.Params) []string { return tier(p).Names() },
	Build:      func(w *sim.World, p mech.Params) error { return tier(p).Build(w) },
	Checkers:   func(mech.Params) []check.Checker { return []check.Checker{check.SessionLost()} },
	Finish:     func(w *sim.World, _ mech.Params) map[string]float64 { return web.Finish(w) },
}

func init() { mech.Register(Mechanism) }

func tier(p mech.Params) *web.Tier {
	t := web.NewTier(p, web.LB)
	if p.String("affinity") == "cookie" {
		t.Router = func() web.Router { return &web.Cookie{} }
		t.Cookie = true
	} else {
		t.Router = func() web.Router { return web.Hash{} }
	}
	t.App = func(string) sim.Node { return newApp() }
	return t
}

// App is an app server holding sessions in its own memory, which a crash
// loses.
type App struct {
	sessions map[string]web.Data
}

func newApp() *App { return &App{sessions: map[string]web.Data{}} }

// Start does nothing: a (re)started server has no sessions.
func (a *App) Start(*sim.Context) {}

// Timer is unused.
func (a *App) Timer(*sim.Context, any) {}

// Receive serves a request from the session in this server's memory.
func (a *App) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if web.IsCheck(ctx, from, msg) {
		return
	}
	req, ok := msg.(web.Request)
	if !ok {
		return
	}
	switch req.Op {
	case web.OpLogin:
		id := web.NewSessionID(ctx.Rand())
		d := web.NewData(req.User)
		a.sessions[id] = d
		web.Answer(ctx, from, req, web.Response{Status: web.StatusOK, Session: id, Credential: id, Data: d})
	case web.OpLogout:
		delete(a.sessions, req.Credential)
		web.Answer(ctx, from, req, web.Response{Status: web.StatusOK, Session: req.Credential})
	default:
		a.serve(ctx, from, req)
	}
}

func (a *App) serve(ctx *sim.Context, from string, req web.Request) {
	d, ok := a.sessions[req.Credential]
	if !ok {
		web.Answer(ctx, from, req, web.Response{Status: web.StatusUnauthorized, Session: req.Credential,
			Reason: "unknown session: not in " + ctx.Name() + "'s memory"})
		return
	}
	d, changed := web.Apply(req.Op, d)
	if changed {
		a.sessions[req.Credential] = d
	}
	web.Answer(ctx, from, req, web.Response{Status: web.StatusOK, Session: req.Credential, Data: d})
}

// AppState is what the panel shows of an app server.
type AppState struct {
	Sessions []web.SessionState `json:"sessions"`
}

// Inspect lists the sessions in this server's memory.
func (a *App) Inspect() any { return AppState{Sessions: web.Sessions(a.sessions)} }
