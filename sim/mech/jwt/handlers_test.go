package jwt

import (
	"fmt"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/web"
	"coordlab/sim/mech/web/webtest"
)

func testConfig() *config {
	return &config{apps: []string{"app-1"}, key: k1, ttl: time.Minute, refresh: true, sync: 5 * sec}
}

// credential returns the nth credential (access token) got so far.
func credential(got []webtest.Got, n int) string {
	for _, g := range got {
		if r, ok := g.Msg.(web.Response); ok && r.Credential != "" {
			if n == 0 {
				return r.Credential
			}
			n--
		}
	}
	return ""
}

func refreshToken(got []webtest.Got) string {
	for _, g := range got {
		if r, ok := g.Msg.(web.Response); ok && r.Refresh != "" {
			return r.Refresh
		}
	}
	return ""
}

func send(ms int, op string, cred func([]webtest.Got) string) webtest.Send {
	return webtest.Send{At: time.Duration(ms) * time.Millisecond, To: Issuer, Make: func(got []webtest.Got) sim.Message {
		return web.Request{ID: uint64(ms), User: "user-1", Op: op, Credential: cred(got)}
	}}
}

func none([]webtest.Got) string { return "" }

// authRun runs auth-1 with cfg against a probe user-1 and a recording app-1.
func authRun(t *testing.T, cfg *config, d time.Duration, script ...webtest.Send) (user, app []webtest.Got) {
	t.Helper()
	w := webtest.World(t, d,
		webtest.Node{Name: Issuer, New: func() sim.Node { return &Auth{cfg: cfg} }},
		webtest.Node{Name: "app-1", New: func() sim.Node { return &webtest.Responder{Got: &app} }},
		webtest.Node{Name: "user-1", New: func() sim.Node { return &webtest.Probe{Script: script, Got: &user} }},
	)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return user, app
}

func TestAuthLoginRefreshLogout(t *testing.T) {
	cfg := testConfig()
	user, _ := authRun(t, cfg, time.Second,
		send(1, web.OpLogin, none),
		send(10, web.OpRefresh, refreshToken),
		send(20, web.OpLogout, func(g []webtest.Got) string { return credential(g, 1) }),
		send(30, web.OpRefresh, refreshToken),
	)
	if len(user) != 4 {
		t.Fatalf("user-1 got %d answers, want 4", len(user))
	}
	login, refreshed, logout, late := user[0].Msg.(web.Response), user[1].Msg.(web.Response), user[2].Msg.(web.Response), user[3].Msg.(web.Response)
	v := NewVerifier(k1, 0, 0)
	c1, why1 := v.Verify(login.Credential, 5*time.Millisecond)
	c2, why2 := v.Verify(refreshed.Credential, 15*time.Millisecond)
	switch {
	case login.Status != 200 || why1 != "" || c1.SID != login.Session || login.Refresh == "" || login.Lifetime != RefreshTTL:
		t.Fatalf("login answered %+v (token: %q)", login, why1)
	case refreshed.Status != 200 || why2 != "" || c2.SID != c1.SID || c2.ID == c1.ID:
		t.Fatalf("refresh answered %+v, claims %+v after %+v (token: %q)", refreshed, c2, c1, why2)
	case logout.Status != 200 || logout.Session != c1.SID:
		t.Fatalf("logout answered %+v", logout)
	case late.Status != 401 || late.Reason != "unknown or revoked refresh token":
		t.Fatalf("a refresh after logout answered %+v, want 401", late)
	}
}

func TestAuthWithoutRefresh(t *testing.T) {
	cfg := testConfig()
	cfg.refresh = false
	user, _ := authRun(t, cfg, time.Second, send(1, web.OpLogin, none))
	// The token's lifetime: exp is truncated to whole seconds.
	if r := user[0].Msg.(web.Response); r.Refresh != "" || r.Lifetime > cfg.ttl || r.Lifetime <= cfg.ttl-time.Second {
		t.Fatalf("login without refresh answered %+v: want no refresh token and the token's lifetime", r)
	}
}

func TestAuthPushesTheDenylist(t *testing.T) {
	cases := []struct {
		denylist bool
		want     string
	}{
		{false, "[]"},                       // revocation none: nothing is pushed
		{true, "[{[] } {[SID] } {[SID] }]"}, // pushed at 5s, 10s, 15s, listing the logged-out session
	}
	for _, c := range cases {
		t.Run(fmt.Sprint("denylist ", c.denylist), func(t *testing.T) {
			cfg := testConfig()
			cfg.denylist = c.denylist
			user, app := authRun(t, cfg, 16*sec,
				send(1, web.OpLogin, none),
				send(5500, web.OpLogout, func(g []webtest.Got) string { return credential(g, 0) }))
			sid := user[0].Msg.(web.Response).Session
			var pushes []string
			for _, g := range app {
				d := g.Msg.(Denylist)
				s := fmt.Sprint(d.SIDs)
				if len(d.SIDs) == 1 && d.SIDs[0] == sid {
					s = "[SID]"
				}
				pushes = append(pushes, "{"+s+" }")
			}
			if got := fmt.Sprint(pushes); got != c.want {
				t.Fatalf("app-1 got pushes %s, want %s", got, c.want)
			}
		})
	}
}

func TestAuthRotatesKeys(t *testing.T) {
	cfg := testConfig()
	cfg.rotation = 10 * sec
	// Announced at 10s, signing with it from 11s.
	user, app := authRun(t, cfg, 12*sec, send(1, web.OpLogin, none), send(10500, web.OpLogin, none), send(11500, web.OpLogin, none))
	if len(app) != 1 {
		t.Fatalf("app-1 got %d messages, want one new key", len(app))
	}
	nk := app[0].Msg.(NewKey)
	kid := func(n int) any { return Decode(credential(user, n)).(Decoded).Header["kid"] }
	if nk.Key.ID != "k2" || nk.Key.Secret == k1.Secret || nk.PublishAhead != time.Second || kid(0) != "k1" || kid(1) != "k1" || kid(2) != "k2" {
		t.Fatalf("new key %+v; tokens signed with %v, %v, %v", nk, kid(0), kid(1), kid(2))
	}
}

func TestAppHandlers(t *testing.T) {
	tok := issue(t, k1, 0, time.Hour) // sid s1
	tokK2 := issue(t, k2, 0, time.Hour)
	view := func(ms int, token string) webtest.Send {
		return webtest.Send{At: time.Duration(ms) * time.Millisecond, To: "app-1", Msg: web.Request{ID: uint64(ms), User: "user-1", Op: web.OpView, Credential: token}}
	}
	push := func(ms int, m sim.Message) webtest.Send {
		return webtest.Send{At: time.Duration(ms) * time.Millisecond, To: "app-1", Msg: m}
	}
	cases := []struct {
		name    string
		keep    bool
		crashAt time.Duration
		script  []webtest.Send // from auth-1 (pushes) and lb-1 (requests)
		want    []string
	}{
		{"a valid token is served", false, 0, []webtest.Send{view(1, tok)}, []string{"200 s1 "}},
		{"a tampered token is refused", false, 0, []webtest.Send{view(1, tamper(t, tok))}, []string{"401  bad signature"}},
		{"the denylist refuses a revoked session", false, 0,
			[]webtest.Send{view(1, tok), push(5, Denylist{SIDs: []string{"s1"}}), view(10, tok)},
			[]string{"200 s1 ", "401 s1 session s1 is on the denylist"}},
		{"a rotation retires the old key when the new one takes over", false, 0,
			[]webtest.Send{push(1, NewKey{Key: k2, PublishAhead: 100 * time.Millisecond}), view(5, tok), view(6, tokK2), view(200, tok)},
			[]string{"200 s1 ", "200 s1 ", "401  signed with retired key k1"}},
		{"kept old keys still verify", true, 0,
			[]webtest.Send{push(1, NewKey{Key: k2, PublishAhead: 100 * time.Millisecond}), view(200, tok), view(201, tokK2)},
			[]string{"200 s1 ", "200 s1 "}},
		{"announced keys survive a restart", false, 100 * time.Millisecond,
			[]webtest.Send{push(1, NewKey{Key: k2}), view(200, tokK2)},
			[]string{"200 s1 "}},
		{"the denylist does not survive a restart", false, 100 * time.Millisecond,
			[]webtest.Send{push(1, Denylist{SIDs: []string{"s1"}}), view(200, tok)},
			[]string{"200 s1 "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.ttl, cfg.keepOldKeys = time.Hour, c.keep
			var fromAuth, fromLB []webtest.Send
			for _, s := range c.script {
				if _, ok := s.Msg.(web.Request); ok {
					fromLB = append(fromLB, s)
				} else {
					fromAuth = append(fromAuth, s)
				}
			}
			var lb, auth []webtest.Got
			w := webtest.World(t, time.Second,
				webtest.Node{Name: "app-1", New: func() sim.Node { return newApp(cfg) }},
				webtest.Node{Name: Issuer, New: func() sim.Node { return &webtest.Probe{Script: fromAuth, Got: &auth} }},
				webtest.Node{Name: "lb-1", New: func() sim.Node { return &webtest.Probe{Script: fromLB, Got: &lb} }},
			)
			if c.crashAt > 0 {
				if err := w.Schedule(webtest.Restart(c.crashAt, "app-1")); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range lb {
				r := g.Msg.(web.Response)
				got = append(got, fmt.Sprintf("%d %s %s", r.Status, r.Session, r.Reason))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("lb-1 got %q, want %q", got, c.want)
			}
		})
	}
}
