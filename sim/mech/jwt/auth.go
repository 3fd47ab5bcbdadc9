package jwt

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"coordlab/sim"
	"coordlab/sim/mech/web"
)

// RefreshTTL is how long a refresh token lives: longer than any run, so
// with refresh a session lasts until its user logs out.
const RefreshTTL = 24 * time.Hour

// NewKey announces the next signing key to the app servers (as a JWKS
// endpoint or a config push would). auth-1 starts signing with it
// PublishAhead later, so that no token signed with it can overtake the
// announcement; servers retire the key it replaces at that moment.
type NewKey struct {
	Key          Key
	PublishAhead time.Duration
}

// Kind names the message in the trace.
func (NewKey) Kind() string { return "new-key" }

// FetchKeys is an app server's request for auth-1's key set, sent when it
// starts (a service loading the JWKS at boot), so that a server that was
// down when a key was announced learns it.
type FetchKeys struct{}

// Kind names the message in the trace.
func (FetchKeys) Kind() string { return "fetch-keys" }

// KeySet answers FetchKeys: the key auth-1 signs with, and the next one if
// it has announced one (it signs with Next from PublishAhead after the
// announcement; Next.ID is "" when there is none).
type KeySet struct {
	Current, Next Key
	PublishAhead  time.Duration
}

// Kind names the message in the trace.
func (KeySet) Kind() string { return "key-set" }

// Denylist is the list of revoked sessions auth-1 pushes to every app server
// each denylist_sync.
type Denylist struct{ SIDs []string }

// Kind names the message in the trace.
func (Denylist) Kind() string { return "denylist" }

// config is what auth-1 and the app servers of a run share.
type config struct {
	apps        []string
	key         Key           // k1, configured everywhere at deploy time
	ttl         time.Duration // token_ttl
	refresh     bool
	denylist    bool
	sync        time.Duration // denylist_sync
	rotation    time.Duration // key_rotation; 0 for none
	leeway      time.Duration
	keepOldKeys bool
}

// refreshRecord is what auth-1 keeps per refresh token.
type refreshRecord struct {
	User, SID string
	Expires   time.Duration // auth-1's clock
}

type (
	rotateTick struct{}
	switchTick struct{}
	pushTick   struct{}
)

// publishAhead is how long before signing with a new key auth-1 announces
// it: a second, or half the rotation interval if that is shorter.
func (c *config) publishAhead() time.Duration { return min(time.Second, c.rotation/2) }

// Auth is auth-1, the only node that issues tokens. It keeps its signing
// key, the refresh tokens and the denylist in durable storage, so a restart
// loses nothing; the app servers never ask it anything.
type Auth struct {
	cfg   *config
	store *sim.Store // the durable store, kept for the panel
}

// Start arms key rotation and denylist pushes.
func (a *Auth) Start(ctx *sim.Context) {
	a.store = ctx.Durable()
	for _, m := range []string{"tokens-issued", "key-rotations", "refreshes"} {
		ctx.Count(m, 0)
	}
	if _, ok := ctx.Durable().Get("key"); !ok {
		ctx.Durable().Put("key", a.cfg.key)
	}
	if _, ok := ctx.Durable().Get("next"); ok {
		a.switchKey(ctx) // announced before a crash: the servers expect it now
	}
	if a.cfg.rotation > 0 {
		ctx.SetTimer(a.cfg.rotation, rotateTick{})
	}
	if a.cfg.denylist {
		ctx.SetTimer(a.cfg.sync, pushTick{})
	}
}

// Receive serves login, refresh and logout, straight from the users, and
// the app servers' key fetches.
func (a *Auth) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if _, ok := msg.(FetchKeys); ok {
		cur, _ := ctx.Durable().Get("key")
		ks := KeySet{Current: cur.(Key), PublishAhead: a.cfg.publishAhead()}
		if next, ok := ctx.Durable().Get("next"); ok {
			ks.Next = next.(Key)
		}
		ctx.Send(from, ks)
		return
	}
	req, ok := msg.(web.Request)
	if !ok {
		return
	}
	switch req.Op {
	case web.OpLogin:
		a.login(ctx, from, req)
	case web.OpRefresh:
		a.refresh(ctx, from, req)
	case web.OpLogout:
		a.logout(ctx, from, req)
	}
}

func (a *Auth) login(ctx *sim.Context, from string, req web.Request) {
	sid := web.NewSessionID(ctx.Rand())
	resp := web.Response{Status: web.StatusOK, Session: sid, Data: web.NewData(req.User), Lifetime: tokenLife(ctx.Now(), a.cfg.ttl)}
	if a.cfg.refresh {
		resp.Refresh = web.NewSessionID(ctx.Rand()) + web.NewSessionID(ctx.Rand())
		resp.Lifetime = RefreshTTL
		ctx.Durable().Put("refresh/"+resp.Refresh, refreshRecord{User: req.User, SID: sid, Expires: ctx.Now() + RefreshTTL})
		ctx.Durable().Put("session/"+sid, resp.Refresh)
	}
	resp.Credential = a.issue(ctx, req.User, sid)
	web.Answer(ctx, from, req, resp)
}

// tokenLife is how long a token issued at now (the issuer's clock) lives:
// golang-jwt truncates exp to whole seconds (TimePrecision), so up to a
// second less than ttl.
func tokenLife(now, ttl time.Duration) time.Duration {
	at := Epoch.Add(now)
	return gojwt.NewNumericDate(at.Add(ttl)).Sub(at)
}

// issue signs a new access token of session sid with the current key.
func (a *Auth) issue(ctx *sim.Context, user, sid string) string {
	v, _ := ctx.Durable().Get("key")
	tok, err := Issue(v.(Key), user, sid, web.NewSessionID(ctx.Rand()), "user", ctx.Now(), a.cfg.ttl)
	if err != nil {
		panic("jwt: signing with HS256 cannot fail: " + err.Error())
	}
	ctx.Count("tokens-issued", 1)
	return tok
}

func (a *Auth) refresh(ctx *sim.Context, from string, req web.Request) {
	v, ok := ctx.Durable().Get("refresh/" + req.Credential)
	if !ok {
		web.Answer(ctx, from, req, web.Response{Status: web.StatusUnauthorized, Reason: "unknown or revoked refresh token"})
		return
	}
	r := v.(refreshRecord)
	if ctx.Now() >= r.Expires {
		web.Answer(ctx, from, req, web.Response{Status: web.StatusUnauthorized, Session: r.SID, Reason: "refresh token is expired"})
		return
	}
	web.Answer(ctx, from, req, web.Response{Status: web.StatusOK, Session: r.SID, Credential: a.issue(ctx, r.User, r.SID)})
}

// logout revokes what auth-1 can revoke: the session's refresh token and,
// with a denylist, the session itself. The access token it issued stays
// valid wherever the denylist has not reached.
func (a *Auth) logout(ctx *sim.Context, from string, req web.Request) {
	var c Claims
	if _, _, err := gojwt.NewParser().ParseUnverified(req.Credential, &c); err != nil || c.SID == "" {
		web.Answer(ctx, from, req, web.Response{Status: web.StatusUnauthorized, Reason: "malformed token"})
		return
	}
	d := ctx.Durable()
	if v, ok := d.Get("session/" + c.SID); ok {
		d.Delete("refresh/" + v.(string))
		d.Delete("session/" + c.SID)
	}
	if a.cfg.denylist {
		// Every token of the session has expired token_ttl from now, and
		// servers accept it leeway past its exp.
		d.Put("deny/"+c.SID, ctx.Now()+a.cfg.ttl+a.cfg.leeway)
	}
	web.Answer(ctx, from, req, web.Response{Status: web.StatusOK, Session: c.SID})
}

// Timer rotates the signing key or pushes the denylist.
func (a *Auth) Timer(ctx *sim.Context, tag any) {
	switch tag.(type) {
	case rotateTick:
		a.rotate(ctx)
		ctx.SetTimer(a.cfg.rotation, rotateTick{})
	case switchTick:
		a.switchKey(ctx)
	case pushTick:
		a.push(ctx)
		ctx.SetTimer(a.cfg.sync, pushTick{})
	}
}

// rotate draws the next key and announces it; auth-1 signs with it from
// PublishAhead on.
func (a *Auth) rotate(ctx *sim.Context) {
	if _, pending := ctx.Durable().Get("next"); pending {
		return
	}
	v, _ := ctx.Durable().Get("key")
	var secret [32]byte
	for i := range secret {
		secret[i] = byte(ctx.Rand().Uint32())
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(v.(Key).ID, "k"))
	k := Key{ID: "k" + strconv.Itoa(n+1), Secret: hex.EncodeToString(secret[:])}
	ctx.Durable().Put("next", k)
	for _, app := range a.cfg.apps {
		ctx.Send(app, NewKey{Key: k, PublishAhead: a.cfg.publishAhead()})
	}
	ctx.SetTimer(a.cfg.publishAhead(), switchTick{})
}

// switchKey starts signing with the announced key.
func (a *Auth) switchKey(ctx *sim.Context) {
	k, ok := ctx.Durable().Get("next")
	if !ok {
		return
	}
	ctx.Durable().Put("key", k)
	ctx.Durable().Delete("next")
	ctx.Count("key-rotations", 1)
}

// push sends every app server the sessions revoked and not yet expired.
func (a *Auth) push(ctx *sim.Context) {
	d := ctx.Durable()
	var sids []string
	for _, k := range d.Keys() {
		sid, ok := strings.CutPrefix(k, "deny/")
		if !ok {
			continue
		}
		if v, _ := d.Get(k); ctx.Now() >= v.(time.Duration) {
			d.Delete(k)
			continue
		}
		sids = append(sids, sid)
	}
	for _, app := range a.cfg.apps {
		ctx.Send(app, Denylist{SIDs: sids})
	}
}

// AuthState is what the panel shows of auth-1.
type AuthState struct {
	Key      string `json:"signing_key"`
	Sessions int    `json:"sessions_with_refresh_tokens"`
	// Denylist lists the revoked sessions and until when (auth-1's clock)
	// they stay on the list.
	Denylist []string `json:"denylist,omitempty"`
}

// Inspect shows the signing key, the live refresh tokens and the denylist.
func (a *Auth) Inspect() any {
	var st AuthState
	if a.store == nil {
		return st
	}
	for _, k := range a.store.Keys() {
		v, _ := a.store.Get(k)
		switch {
		case k == "key":
			st.Key = v.(Key).ID
		case strings.HasPrefix(k, "session/"):
			st.Sessions++
		case strings.HasPrefix(k, "deny/"):
			st.Denylist = append(st.Denylist, strings.TrimPrefix(k, "deny/")+" until "+v.(time.Duration).String())
		}
	}
	return st
}
