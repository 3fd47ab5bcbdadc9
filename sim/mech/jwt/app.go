package jwt

import (
	"fmt"
	"slices"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/web"
)

// App is an app server that verifies each request's access token on its
// own: signature, exp and nbf against its own clock, and, with a denylist,
// the last list auth-1 pushed. It shares nothing with the other servers and
// asks auth-1 about a request; the keys it was announced survive a restart
// (they are configuration on disk), and at start it fetches auth-1's key
// set; the denylist is lost in a crash until the next push.
type App struct {
	cfg    *config
	v      *Verifier
	denied map[string]bool
	last   string // the last token it checked, for the panel
	lastOK string // and what it decided
}

func newApp(cfg *config) *App {
	keep := time.Duration(0)
	if cfg.keepOldKeys {
		keep = cfg.ttl + cfg.leeway
	}
	return &App{cfg: cfg, v: NewVerifier(cfg.key, cfg.leeway, keep)}
}

// Start reloads the keys announced before a crash and asks auth-1 for its
// key set, in case a key was announced while this server was down.
func (a *App) Start(ctx *sim.Context) {
	if v, ok := ctx.Durable().Get("keys"); ok {
		a.v.keys = append([]verifyKey(nil), v.([]verifyKey)...)
	}
	ctx.Send(Issuer, FetchKeys{})
}

// Timer is unused.
func (a *App) Timer(*sim.Context, any) {}

// Receive serves requests and takes auth-1's key and denylist pushes.
func (a *App) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if web.IsCheck(ctx, from, msg) {
		return
	}
	switch m := msg.(type) {
	case web.Request:
		a.serve(ctx, from, m)
	case NewKey:
		a.v.Rotate(m.Key, ctx.Now()+m.PublishAhead)
		ctx.Durable().Put("keys", append([]verifyKey(nil), a.v.keys...))
	case KeySet:
		a.v.Rotate(m.Current, ctx.Now()) // auth-1 signs with it already
		if m.Next.ID != "" {
			a.v.Rotate(m.Next, ctx.Now()+m.PublishAhead)
		}
		ctx.Durable().Put("keys", append([]verifyKey(nil), a.v.keys...))
	case Denylist:
		a.denied = make(map[string]bool, len(m.SIDs))
		for _, sid := range m.SIDs {
			a.denied[sid] = true
		}
	}
}

func (a *App) serve(ctx *sim.Context, from string, req web.Request) {
	c, reason := a.v.Verify(req.Credential, ctx.Now())
	a.last, a.lastOK = req.Credential, reason
	if reason != "" {
		// The claims of a token that failed verification are not to be
		// trusted, not even its sid.
		web.Answer(ctx, from, req, web.Response{Status: web.StatusUnauthorized, Reason: reason})
		return
	}
	if a.denied[c.SID] {
		a.lastOK = "session " + c.SID + " is on the denylist"
		web.Answer(ctx, from, req, web.Response{Status: web.StatusUnauthorized, Session: c.SID, Reason: a.lastOK})
		return
	}
	// The token carries who the user is and its role; what the user changes
	// (its cart) lives in the application's database, not in the session.
	web.Answer(ctx, from, req, web.Response{Status: web.StatusOK, Session: c.SID, Data: web.Data{User: c.Subject, Role: c.Role}})
}

// AppState is what the panel shows of an app server.
type AppState struct {
	// Keys lists the keys the server holds, on its own clock.
	Keys     []string `json:"keys"`
	Denylist []string `json:"denylist,omitempty"`
	// LastToken is the last token the server checked, decoded, and
	// LastVerdict why it refused it ("" when it accepted it).
	LastToken   any    `json:"last_token,omitempty"`
	LastVerdict string `json:"last_verdict,omitempty"`
}

// Inspect shows the keys the server holds, its denylist and the last token
// it checked, decoded.
func (a *App) Inspect() any {
	st := AppState{LastVerdict: a.lastOK}
	for _, k := range a.v.keys {
		switch {
		case k.retired < 0:
			st.Keys = append(st.Keys, k.id+" (current)")
		default:
			st.Keys = append(st.Keys, fmt.Sprintf("%s (retired at %v, kept %v)", k.id, k.retired, a.v.keepFor))
		}
	}
	for sid := range a.denied {
		st.Denylist = append(st.Denylist, sid)
	}
	slices.Sort(st.Denylist)
	if a.last != "" {
		st.LastToken = Decode(a.last)
	}
	return st
}
