package web

import (
	"math/rand/v2"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// The shape of the workload. These are not parameters: the session
// mechanisms differ in where a session lives, not in how people browse.
var (
	// SessionLength is how long a user stays logged in before logging out.
	SessionLength = sim.Latency{Min: 10 * time.Second, Max: 30 * time.Second}
	// Think is how long a logged-out user waits before logging in again.
	Think = sim.Latency{Min: 1 * time.Second, Max: 4 * time.Second}
	// ReplayDelay is how long after a logout the thief replays the session.
	ReplayDelay = sim.Latency{Min: 100 * time.Millisecond, Max: 10 * time.Second}
)

// RequestTimeout is how long a user waits for an answer before giving up.
// Users notice it at their next tick.
const RequestTimeout = time.Second

// UserConfig is how a mechanism's users reach it.
type UserConfig struct {
	Interval time.Duration // request_interval: a user acts once per interval
	Auth     string        // where login, logout and refresh go: lb-1 or auth-1
	Refresh  bool          // a refused access token is first traded for a new one at Auth
	// Decode turns a credential into something the panel can show (the
	// jwt mechanism decodes its tokens); nil shows the credential as is.
	Decode func(cred string) any
}

// session is what a logged-in user holds.
type session struct {
	id      string // the session's name (its id, or a token's sid)
	cred    string // cookie or access token
	refresh string // refresh token, if any
	version int    // highest data version seen
	data    Data
	ends    time.Duration // local time the user logs out
}

// call is a request in flight.
type call struct {
	req     Request
	session string        // the session it carries
	sent    time.Duration // local time
	retried bool          // a retry after a refresh: a second refusal ends the session
	then    string        // a refresh: the operation to retry after it
}

type tick struct{}

// replay is the timer tag of a thief's replay of a logged-out session.
type replay struct {
	Session, Credential, Affinity string
}

// User is one user-N: it logs in, sends a request every interval (view the
// cart, add to it, switch role), logs out after a random session length,
// thinks, and logs in again. After each logout it later replays the old
// credential, as a thief who copied it would. It observes every step as a
// check.SessionOp.
type User struct {
	cfg       *UserConfig
	sess      *session
	main      *call  // the user's own request in flight
	replays   []call // thief replays in flight
	next      uint64
	nextLogin time.Duration
	affinity  string // the load balancer's affinity cookie
}

// NewUser returns a user reaching its mechanism as cfg says.
func NewUser(cfg *UserConfig) *User { return &User{cfg: cfg} }

// userMetrics are the metrics users count, reported as 0 until they do.
var userMetrics = []string{"requests", "failed-requests", "relogins", "logins", "logouts", "replays", "replays-accepted"}

// Start spreads the users' first ticks over one interval. It numbers its
// requests after its incarnation, so that an answer to a request its crashed
// predecessor sent matches none of its own.
func (u *User) Start(ctx *sim.Context) {
	for _, m := range userMetrics {
		ctx.Count(m, 0)
	}
	u.next = mech.FirstRequest(mech.Incarnation(ctx))
	ctx.SetTimer(time.Duration(ctx.Rand().Int64N(int64(u.cfg.Interval))), tick{})
}

// Timer runs the user's clock: a tick, or the moment to replay a session.
func (u *User) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case tick:
		u.step(ctx)
		ctx.SetTimer(u.cfg.Interval, tick{})
	case replay:
		u.replay(ctx, t)
	}
}

// step gives up on answers that are too late, then does the next thing.
func (u *User) step(ctx *sim.Context) {
	now := ctx.Now()
	u.expire(ctx, now)
	if u.main != nil {
		return
	}
	switch {
	case u.sess == nil:
		if now >= u.nextLogin {
			u.send(ctx, OpLogin, "", "")
		}
	case now >= u.sess.ends:
		u.send(ctx, OpLogout, u.sess.cred, u.sess.id)
	default:
		u.send(ctx, drawOp(ctx.Rand()), u.sess.cred, u.sess.id)
	}
}

func drawOp(r *rand.Rand) string {
	switch x := r.Float64(); {
	case x < 0.3:
		return OpAdd
	case x < 0.4:
		return OpRole
	}
	return OpView
}

func (u *User) send(ctx *sim.Context, op, cred, sessionID string) *call {
	u.next++
	req := Request{ID: u.next, User: ctx.Name(), Op: op, Credential: cred, Affinity: u.affinity}
	to := LB
	switch op {
	case OpLogin, OpLogout, OpRefresh:
		to = u.cfg.Auth
	}
	ctx.Count("requests", 1)
	u.main = &call{req: req, session: sessionID, sent: ctx.Now()}
	ctx.Send(to, req)
	return u.main
}

func (u *User) expire(ctx *sim.Context, now time.Duration) {
	if c := u.main; c != nil && now-c.sent >= RequestTimeout {
		u.main = nil
		u.done(ctx, *c, Response{Reason: "timeout"})
	}
	kept := u.replays[:0]
	for _, c := range u.replays {
		if now-c.sent >= RequestTimeout {
			u.observe(ctx, c, Response{Reason: "timeout"}, OpReplay)
			continue
		}
		kept = append(kept, c)
	}
	u.replays = kept
}

// Receive takes an answer to the request in flight or to a replay; late
// answers to requests the user gave up on are ignored.
func (u *User) Receive(ctx *sim.Context, _ string, msg sim.Message) {
	resp, ok := msg.(Response)
	if !ok {
		return
	}
	for i, c := range u.replays {
		if c.req.ID == resp.ID {
			u.replays = append(u.replays[:i], u.replays[i+1:]...)
			u.observe(ctx, c, resp, OpReplay)
			if resp.Status == StatusOK {
				ctx.Count("replays-accepted", 1)
			}
			return
		}
	}
	if c := u.main; c != nil && c.req.ID == resp.ID {
		if resp.Affinity != "" {
			u.affinity = resp.Affinity // the thief's replays keep theirs
		}
		u.main = nil
		u.done(ctx, *c, resp)
	}
}

// done handles the answer to the user's own request (Status 0: none came).
func (u *User) done(ctx *sim.Context, c call, resp Response) {
	if resp.Status != StatusOK {
		ctx.Count("failed-requests", 1)
	}
	switch c.req.Op {
	case OpLogin:
		u.loggedIn(ctx, c, resp)
	case OpLogout:
		u.loggedOut(ctx, c, resp)
	case OpRefresh:
		u.refreshed(ctx, c, resp)
	default:
		u.answered(ctx, c, resp)
	}
}

func (u *User) loggedIn(ctx *sim.Context, c call, resp Response) {
	u.observe(ctx, c, resp, OpLogin)
	if resp.Status != StatusOK {
		return // try again at the next tick
	}
	u.sess = &session{
		id: resp.Session, cred: resp.Credential, refresh: resp.Refresh, data: resp.Data, version: resp.Data.Version,
		ends: ctx.Now() + draw(ctx.Rand(), SessionLength),
	}
	ctx.Count("logins", 1)
}

func (u *User) loggedOut(ctx *sim.Context, c call, resp Response) {
	u.observe(ctx, c, resp, OpLogout)
	ctx.Count("logouts", 1)
	s := u.sess
	u.sess = nil
	u.nextLogin = ctx.Now() + draw(ctx.Rand(), Think)
	if s == nil {
		return
	}
	ctx.SetTimer(draw(ctx.Rand(), ReplayDelay), replay{Session: s.id, Credential: s.cred, Affinity: u.affinity})
}

// answered handles the answer to a view, add or role request.
func (u *User) answered(ctx *sim.Context, c call, resp Response) {
	u.observe(ctx, c, resp, c.req.Op)
	switch {
	case resp.Status == StatusOK:
		u.sess.data = resp.Data
		u.sess.version = max(u.sess.version, resp.Data.Version)
		return
	case resp.Status != StatusUnauthorized:
		return // the session lives on; the server could not serve it now
	}
	if u.cfg.Refresh && u.sess.refresh != "" && !c.retried {
		r := u.send(ctx, OpRefresh, u.sess.refresh, u.sess.id)
		r.then = c.req.Op
		return
	}
	u.relogin(ctx)
}

func (u *User) refreshed(ctx *sim.Context, c call, resp Response) {
	u.observe(ctx, c, resp, OpRefresh)
	switch resp.Status {
	case StatusOK:
		ctx.Count("refreshes", 1)
		u.sess.cred = resp.Credential
		u.send(ctx, c.then, u.sess.cred, u.sess.id).retried = true
	case StatusUnauthorized:
		u.relogin(ctx)
	}
}

// relogin drops a session a server refused and logs in again at once.
func (u *User) relogin(ctx *sim.Context) {
	u.sess = nil
	ctx.Count("relogins", 1)
	u.send(ctx, OpLogin, "", "")
}

func (u *User) replay(ctx *sim.Context, r replay) {
	u.next++
	req := Request{ID: u.next, User: ctx.Name(), Op: OpView, Credential: r.Credential, Affinity: r.Affinity}
	u.replays = append(u.replays, call{req: req, session: r.Session, sent: ctx.Now()})
	ctx.Count("replays", 1)
	ctx.Send(LB, req)
}

// observe records one step in the history.
func (u *User) observe(ctx *sim.Context, c call, resp Response, op string) {
	o := check.SessionOp{
		User: ctx.Name(), Op: op, Session: c.session, Server: resp.Server, Status: resp.Status,
		Reason: resp.Reason, Version: resp.Data.Version, Took: ctx.Now() - c.sent, Lifetime: resp.Lifetime,
	}
	if op == OpLogin {
		o.Session = resp.Session
	}
	ctx.Observe(o)
}

func draw(r *rand.Rand, l sim.Latency) time.Duration {
	if l.Max <= l.Min {
		return l.Min
	}
	return l.Min + time.Duration(r.Int64N(int64(l.Max-l.Min)+1))
}

// UserState is what the panel shows of a user.
type UserState struct {
	LoggedIn bool   `json:"logged_in"`
	Session  string `json:"session,omitempty"`
	Cart     int    `json:"cart"`
	Role     string `json:"role,omitempty"`
	Version  int    `json:"version"`
	Waiting  string `json:"waiting,omitempty"` // the operation in flight
	Affinity string `json:"affinity,omitempty"`
	// Credential is the cookie or token the user holds; Token decodes it
	// when the mechanism's credential is a JWT.
	Credential string `json:"credential,omitempty"`
	Token      any    `json:"token,omitempty"`
}

// Inspect shows the user's session and what it waits for.
func (u *User) Inspect() any {
	st := UserState{Affinity: u.affinity}
	if u.main != nil {
		st.Waiting = u.main.req.Op
	}
	if s := u.sess; s != nil {
		st.LoggedIn, st.Session, st.Cart, st.Role, st.Version, st.Credential = true, s.id, s.data.Cart, s.data.Role, s.version, s.cred
		if u.cfg.Decode != nil {
			st.Token = u.cfg.Decode(s.cred)
		}
	}
	return st
}
