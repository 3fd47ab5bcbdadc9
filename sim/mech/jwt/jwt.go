// Package jwt is the stateless-token session mechanism: auth-1 issues HS256
// JSON Web Tokens (RFC 7519; signed and verified with
// github.com/golang-jwt/jwt/v5, the maintained Go implementation, so the
// tokens are real ones a student can paste into any decoder) and every app
// server verifies them on its own, with no shared session state: any server
// serves any user and a crashed app server loses nothing. A token's iat,
// nbf and exp come from auth-1's simulated clock mapped onto a fixed Epoch,
// and each server checks them against its own simulated clock; ids come
// from the nodes' seeded streams, so every token is reproducible.
//
// Refresh tokens follow OAuth 2.0 (RFC 6749 section 1.5): opaque, kept by
// auth-1, revoked at logout; a user whose access token is refused trades
// its refresh token for a new one and retries once. Key rotation follows
// the JWKS practice: auth-1 announces the next key PublishAhead before it
// signs with it, and a server that starts fetches the key set.
//
// It is unsafe on purpose where stateless tokens are. A token is valid until
// its exp, so logging out cannot take it back: with revocation none a thief
// replaying a logged-out token is served (revoked-accepted); a denylist that
// auth-1 pushes every denylist_sync narrows that window but cannot close it
// (and a server that restarts has no list until the next push). Each server
// checks exp and nbf against its OWN clock, so a server whose clock runs
// ahead refuses tokens early and one that runs behind refuses fresh ones as
// "not valid yet", unless leeway covers the skew (without refresh:
// session-lost). When the signing key rotates, servers refuse every token
// signed with the retired key, unless they keep old keys until the tokens
// signed with them have expired (keep_old_keys).
package jwt

import (
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/web"
)

// Mechanism is the catalog entry of stateless JWT sessions.
var Mechanism = &mech.Mechanism{
	Name:  "jwt",
	Title: "Stateless sessions with JSON Web Tokens",
	Summary: "auth-1 issues signed HS256 tokens and every app server verifies them on its own, with no shared state. " +
		"Nothing is lost when a server crashes, but a logged-out token stays valid until it expires (a denylist only " +
		"narrows the window), expiry is judged by each server's own clock, and key rotation refuses tokens signed with a retired key.",
	Roles: "lb-1, app-1..N, auth-1, user-N",
	Params: web.Params(
		mech.Param{Name: "token_ttl", Kind: mech.Duration, Default: "15m", Min: float64(time.Second), Max: float64(24 * time.Hour),
			Help: "how long an access token is valid (its exp is iat plus this)"},
		mech.Param{Name: "refresh", Kind: mech.Bool, Default: "true", Help: "users get a refresh token and trade a refused access token for a new one"},
		mech.Param{Name: "revocation", Kind: mech.Enum, Default: "none", Values: []string{"none", "denylist"},
			Help: "what a logout does to the access token: nothing, or put its session on a denylist pushed to the servers"},
		mech.Param{Name: "denylist_sync", Kind: mech.Duration, Default: "5s", Min: float64(10 * time.Millisecond), Max: float64(10 * time.Minute),
			Help: "how often auth-1 pushes the denylist to every app server"},
		mech.Param{Name: "key_rotation", Kind: mech.DurationOrEnum, Default: "none", Values: []string{"none"}, Min: float64(time.Second), Max: float64(24 * time.Hour),
			Help: "how often auth-1 switches to a new signing key"},
		mech.Param{Name: "leeway", Kind: mech.Duration, Default: "0", Min: 0, Max: float64(time.Hour),
			Help: "clock skew a server tolerates when checking exp and nbf"},
		mech.Param{Name: "keep_old_keys", Kind: mech.Bool, Default: "false",
			Help: "servers keep a retired key until every token it signed has expired (both keys verify meanwhile)"},
	),
	Invariants: []string{"revoked-accepted", "session-lost"},
	Metrics:    append(append([]string(nil), web.Metrics...), "refreshes", "tokens-issued", "key-rotations"),
	Nodes:      func(p mech.Params) []string { t, _ := tier(p, 0); return t.Names() },
	Build: func(w *sim.World, p mech.Params) error {
		t, _ := tier(p, w.Seed())
		return t.Build(w)
	},
	Checkers: func(mech.Params) []check.Checker {
		return []check.Checker{check.RevokedAccepted(), check.SessionLost()}
	},
	Finish: func(w *sim.World, _ mech.Params) map[string]float64 { return web.Finish(w) },
}

func init() { mech.Register(Mechanism) }

func tier(p mech.Params, seed uint64) (*web.Tier, *config) {
	t := web.NewTier(p, Issuer)
	cfg := &config{
		apps:        t.AppNames(),
		key:         ConfiguredKey(seed),
		ttl:         p.Duration("token_ttl"),
		refresh:     p.Bool("refresh"),
		denylist:    p.String("revocation") == "denylist",
		sync:        p.Duration("denylist_sync"),
		rotation:    p.Duration("key_rotation"),
		leeway:      p.Duration("leeway"),
		keepOldKeys: p.Bool("keep_old_keys"),
	}
	t.User.Refresh = cfg.refresh
	t.User.Decode = Decode
	t.App = func(string) sim.Node { return newApp(cfg) }
	t.Extra = []web.Extra{{Name: Issuer, Node: func() sim.Node { return &Auth{cfg: cfg} }}}
	return t, cfg
}
