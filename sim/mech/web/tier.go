// Package web is the web tier the session mechanisms (sticky, central, jwt)
// share, written once: users user-N who log in, send a request every
// request_interval (view the cart, add to it, switch role), log out after a
// random session length and later replay their old session id or token as a
// thief would; a load balancer lb-1 that health-checks app-1..N and routes
// each request to a live one; and the metrics requests, failed-requests,
// relogins and request latency.
//
// A mechanism plugs in only what is its own: the balancer's routing policy
// (a Router), where session state lives and how an app server validates a
// request (its app server node), and extra nodes such as a session store or
// an auth server. The balancer follows HAProxy's documented behaviour
// (health checks with fall and rise, "balance roundrobin", "balance source"
// with map-based hashing, "cookie SERVERID insert" with redispatch).
//
// Nothing here is unsafe on purpose: the workload only does what browsers
// do, and every refusal a user meets comes from a mechanism's server.
package web

import (
	"fmt"
	"math"
	"slices"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// Params returns the parameters every session mechanism shares, servers,
// users and request_interval, with the mechanism's own in between.
func Params(own ...mech.Param) []mech.Param {
	ps := []mech.Param{
		{Name: "servers", Kind: mech.Int, Default: "3", Min: 1, Max: 8, Help: "app servers behind the load balancer (app-1..N)"},
		{Name: "users", Kind: mech.Int, Default: "20", Min: 1, Max: 50, Help: "users (user-1..N) logging in, browsing and logging out"},
	}
	ps = append(ps, own...)
	return append(ps, mech.Param{Name: "request_interval", Kind: mech.Duration, Default: "1s", Min: float64(10 * time.Millisecond), Max: float64(time.Minute),
		Help: "how often a logged-in user sends a request"})
}

// Tier is one mechanism's web tier: the shared nodes and what the mechanism
// plugs in.
type Tier struct {
	Servers int
	Users   int
	User    UserConfig
	// Router returns the balancer's routing policy, fresh at each start.
	Router func() Router
	// Cookie makes the balancer insert an affinity cookie into answers.
	Cookie bool
	// App returns an app server's volatile state, fresh at each start.
	App func(name string) sim.Node
	// Extra lists the mechanism's own nodes (store-1, auth-1), added after the
	// app servers and before the users.
	Extra []Extra
}

// Extra is one of a mechanism's own nodes.
type Extra struct {
	Name string
	Node func() sim.Node
}

// NewTier returns the tier for the shared parameters in p, with users that
// log in at auth ("lb-1" or "auth-1").
func NewTier(p mech.Params, auth string) *Tier {
	return &Tier{
		Servers: p.Int("servers"),
		Users:   p.Int("users"),
		User:    UserConfig{Interval: p.Duration("request_interval"), Auth: auth},
		Router:  func() Router { return &RoundRobin{} },
	}
}

// AppNames returns app-1..N.
func (t *Tier) AppNames() []string { return names("app", t.Servers) }

// Names returns every node name in start order: lb-1, the app servers, the
// mechanism's own nodes, the users.
func (t *Tier) Names() []string {
	out := append([]string{LB}, t.AppNames()...)
	for _, e := range t.Extra {
		out = append(out, e.Name)
	}
	return append(out, names("user", t.Users)...)
}

func names(role string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", role, i+1)
	}
	return out
}

// Build adds the tier's nodes to w.
func (t *Tier) Build(w *sim.World) error {
	apps := t.AppNames()
	if err := w.AddNode(LB, func() sim.Node { return NewBalancer(apps, t.Router(), t.Cookie) }); err != nil {
		return err
	}
	for _, a := range apps {
		if err := w.AddNode(a, func() sim.Node { return t.App(a) }); err != nil {
			return err
		}
	}
	for _, e := range t.Extra {
		if err := w.AddNode(e.Name, e.Node); err != nil {
			return err
		}
	}
	cfg := t.User
	for _, u := range names("user", t.Users) {
		if err := w.AddNode(u, func() sim.Node { return NewUser(&cfg) }); err != nil {
			return err
		}
	}
	return nil
}

// Metrics names the metrics every session mechanism reports.
var Metrics = []string{"requests", "failed-requests", "relogins", "logins", "logouts", "replays", "replays-accepted",
	"latency-p50", "latency-p99", "live-servers"}

// Finish computes the request latency percentiles, in milliseconds, from the
// users' observations of the requests that were served.
func Finish(w *sim.World) map[string]float64 {
	var took []time.Duration
	for _, o := range w.History() {
		if op, ok := o.Value.(check.SessionOp); ok && op.Status == StatusOK && isRequest(op.Op) {
			took = append(took, op.Took)
		}
	}
	slices.Sort(took)
	return map[string]float64{
		"latency-p50": percentile(took, 0.50),
		"latency-p99": percentile(took, 0.99),
	}
}

func isRequest(op string) bool { return op == OpView || op == OpAdd || op == OpRole }

// percentile returns the nearest-rank percentile of sorted durations in
// milliseconds (0 when there are none).
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}
