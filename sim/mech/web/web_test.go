package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/web"
	"coordlab/sim/mech/web/webtest"
)

func TestApply(t *testing.T) {
	start := web.Data{User: "user-1", Cart: 2, Role: "user", Version: 5}
	cases := []struct {
		op      string
		want    web.Data
		changed bool
	}{
		{web.OpView, start, false},
		{web.OpAdd, web.Data{User: "user-1", Cart: 3, Role: "user", Version: 6}, true},
		{web.OpRole, web.Data{User: "user-1", Cart: 2, Role: "admin", Version: 6}, true},
	}
	for _, c := range cases {
		got, changed := web.Apply(c.op, start)
		if got != c.want || changed != c.changed {
			t.Errorf("Apply(%q) = %+v, %v; want %+v, %v", c.op, got, changed, c.want, c.changed)
		}
	}
}

func TestHashRemapsMostUsersWhenTheLiveSetChanges(t *testing.T) {
	three, two := []string{"app-1", "app-2", "app-3"}, []string{"app-1", "app-3"}
	moved, onApp2 := 0, 0
	for i := 1; i <= 30; i++ {
		r := web.Request{User: fmt.Sprintf("user-%d", i)}
		a, b := web.Hash{}.Route(r, three), web.Hash{}.Route(r, two)
		if again := (web.Hash{}).Route(r, three); a != again {
			t.Fatalf("hash routing of %s is not stable", r.User)
		}
		if a == "app-2" {
			onApp2++
		}
		if a != b {
			moved++
		}
	}
	// Map-based hashing moves far more users than the third on app-2.
	if moved <= onApp2 {
		t.Fatalf("%d users moved when app-2 left, %d were on it: map-based hashing should move more", moved, onApp2)
	}
}

func TestCookieRouting(t *testing.T) {
	live := []string{"app-1", "app-2", "app-3"}
	c := &web.Cookie{}
	if got := c.Route(web.Request{Affinity: "app-3"}, live); got != "app-3" {
		t.Fatalf("cookie app-3 routed to %s", got)
	}
	got := []string{
		c.Route(web.Request{Affinity: "app-9"}, live),
		c.Route(web.Request{}, live),
		c.Route(web.Request{}, live),
	}
	if want := []string{"app-1", "app-2", "app-3"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("requests without a live cookie went to %v, want round robin %v", got, want)
	}
}

// fakeApp answers health checks (if healthy) and every request with 200.
func fakeApp(healthy bool, got *[]webtest.Got) func() sim.Node {
	return func() sim.Node {
		return &webtest.Responder{Got: got, Answer: func(_ string, m sim.Message) sim.Message {
			switch m := m.(type) {
			case web.Check:
				if healthy {
					return web.CheckOK{}
				}
			case web.Request:
				return web.Response{ID: m.ID, User: m.User, Server: "?", Status: web.StatusOK}
			}
			return nil
		}}
	}
}

func TestBalancer(t *testing.T) {
	req := func(id uint64) web.Request { return web.Request{ID: id, User: "user-1", Op: web.OpView} }
	cases := []struct {
		name    string
		healthy [2]bool
		cookie  bool
		at      time.Duration // when user-1 sends
		want    web.Response  // what user-1 gets (Server as the fake app sets it)
		served  [2]int        // requests app-1, app-2 saw
	}{
		{"round robin while both are up", [2]bool{true, true}, false, 500 * time.Millisecond,
			web.Response{ID: 1, User: "user-1", Server: "?", Status: 200}, [2]int{1, 0}},
		{"a server missing two checks is taken out", [2]bool{false, true}, false, 2500 * time.Millisecond,
			web.Response{ID: 1, User: "user-1", Server: "?", Status: 200}, [2]int{0, 1}},
		{"no live server: 502", [2]bool{false, false}, false, 2500 * time.Millisecond,
			web.Response{ID: 1, User: "user-1", Server: "lb-1", Status: 502, Reason: "no live server"}, [2]int{0, 0}},
		{"cookie affinity is inserted into the answer", [2]bool{true, true}, true, 500 * time.Millisecond,
			web.Response{ID: 1, User: "user-1", Server: "?", Status: 200, Affinity: "?"}, [2]int{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got, app1, app2 []webtest.Got
			router := web.Router(&web.RoundRobin{})
			w := webtest.World(t, 3*time.Second,
				webtest.Node{Name: "lb-1", New: func() sim.Node { return web.NewBalancer([]string{"app-1", "app-2"}, router, c.cookie) }},
				webtest.Node{Name: "app-1", New: fakeApp(c.healthy[0], &app1)},
				webtest.Node{Name: "app-2", New: fakeApp(c.healthy[1], &app2)},
				webtest.Node{Name: "user-1", New: func() sim.Node {
					return &webtest.Probe{Got: &got, Script: []webtest.Send{{At: c.at, To: "lb-1", Msg: req(1)}}}
				}},
			)
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Msg != c.want {
				t.Fatalf("user-1 got %+v, want one %+v", got, c.want)
			}
			if n := [2]int{requests(app1), requests(app2)}; n != c.served {
				t.Fatalf("app-1, app-2 served %v requests, want %v", n, c.served)
			}
		})
	}
}

func requests(got []webtest.Got) int {
	n := 0
	for _, g := range got {
		if _, ok := g.Msg.(web.Request); ok {
			n++
		}
	}
	return n
}

// userRun runs user-1 for d against a fake lb-1 (and auth-1) answering with
// answer, and returns what the fakes received and what user-1 observed.
func userRun(t *testing.T, d time.Duration, cfg web.UserConfig, answer func(r web.Request) web.Response) ([]webtest.Got, []check.SessionOp) {
	t.Helper()
	var got []webtest.Got
	fake := func() sim.Node {
		return &webtest.Responder{Got: &got, Answer: func(_ string, m sim.Message) sim.Message {
			r := m.(web.Request)
			resp := answer(r)
			resp.ID, resp.User = r.ID, r.User
			return resp
		}}
	}
	w := webtest.World(t, d,
		webtest.Node{Name: "lb-1", New: fake},
		webtest.Node{Name: "auth-1", New: fake},
		webtest.Node{Name: "user-1", New: func() sim.Node { return web.NewUser(&cfg) }},
	)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var ops []check.SessionOp
	for _, o := range w.History() {
		if op, ok := o.Value.(check.SessionOp); ok {
			ops = append(ops, op)
		}
	}
	return got, ops
}

func ok(r web.Request) web.Response {
	if r.Op == web.OpLogin {
		return web.Response{Status: 200, Server: "app-1", Session: "s1", Credential: "cookie-1"}
	}
	return web.Response{Status: 200, Server: "app-1", Session: "s1"}
}

func opsOf(ops []check.SessionOp) string {
	s := ""
	for _, o := range ops {
		s += fmt.Sprintf("%s:%d ", o.Op, o.Status)
	}
	return s
}

func TestUserLogsInAgainWhenItsSessionIsRefused(t *testing.T) {
	n := 0
	got, ops := userRun(t, 5*time.Second, web.UserConfig{Interval: time.Second, Auth: "lb-1"}, func(r web.Request) web.Response {
		n++
		if n == 3 { // the second request after login
			return web.Response{Status: 401, Server: "app-2", Reason: "unknown session"}
		}
		return ok(r)
	})
	if want := "login:200 view:200 view:401 login:200 view:200 "; !strings.HasPrefix(opsOfKinds(ops), want) {
		t.Fatalf("user-1 did %q, want %q", opsOfKinds(ops), want)
	}
	// The new login goes out at once, not at the next tick.
	if d := got[3].At - got[2].At; d > 10*time.Millisecond {
		t.Fatalf("the new login went out %v after the refusal", d)
	}
	for _, g := range got[1:] {
		if r := g.Msg.(web.Request); r.Op != web.OpLogin && r.Credential != "cookie-1" {
			t.Fatalf("request %+v does not carry the session cookie", r)
		}
	}
}

// opsOfKinds maps request operations to "view" so that the random mix of
// view, add and role does not matter.
func opsOfKinds(ops []check.SessionOp) string {
	for i := range ops {
		if ops[i].Op == web.OpAdd || ops[i].Op == web.OpRole {
			ops[i].Op = web.OpView
		}
	}
	return opsOf(ops)
}

func TestUserRefreshesThenRetries(t *testing.T) {
	cases := []struct {
		name    string
		retried int // status of the retry
		want    string
	}{
		{"the retry is served", 200, "login:200 view:401 refresh:200 view:200 "},
		{"the retry is refused too: log in again", 401, "login:200 view:401 refresh:200 view:401 login:200 "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			got, ops := userRun(t, 2900*time.Millisecond, web.UserConfig{Interval: time.Second, Auth: "auth-1", Refresh: true}, func(r web.Request) web.Response {
				n++
				switch {
				case r.Op == web.OpLogin:
					return web.Response{Status: 200, Session: "s1", Credential: "t1", Refresh: "r1"}
				case r.Op == web.OpRefresh && r.Credential == "r1":
					return web.Response{Status: 200, Session: "s1", Credential: "t2"}
				case n == 2:
					return web.Response{Status: 401, Reason: "token is expired"}
				case n == 4:
					return web.Response{Status: c.retried}
				}
				return ok(r)
			})
			if s := opsOfKinds(ops); !strings.HasPrefix(s, c.want) {
				t.Fatalf("user-1 did %q, want %q", s, c.want)
			}
			if r := got[3].Msg.(web.Request); r.Credential != "t2" || got[2].From != "user-1" {
				t.Fatalf("the retry carried %q, want the refreshed token t2", r.Credential)
			}
		})
	}
}

func TestUserKeepsItsSessionWhenTheServerIsUnavailable(t *testing.T) {
	n := 0
	_, ops := userRun(t, 5*time.Second, web.UserConfig{Interval: time.Second, Auth: "lb-1"}, func(r web.Request) web.Response {
		n++
		if n == 2 {
			return web.Response{Status: 503, Reason: "store-1 did not answer"}
		}
		return ok(r)
	})
	if want := "login:200 view:503 view:200 view:200 "; !strings.HasPrefix(opsOfKinds(ops), want) {
		t.Fatalf("user-1 did %q, want %q", opsOfKinds(ops), want)
	}
}

func TestUserGivesUpAfterTheTimeout(t *testing.T) {
	var got []webtest.Got
	cfg := web.UserConfig{Interval: time.Second, Auth: "lb-1"}
	w := webtest.World(t, 3*time.Second,
		webtest.Node{Name: "lb-1", New: func() sim.Node { return &webtest.Responder{Got: &got} }}, // never answers
		webtest.Node{Name: "user-1", New: func() sim.Node { return web.NewUser(&cfg) }},
	)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var ops []check.SessionOp
	for _, o := range w.History() {
		if op, ok := o.Value.(check.SessionOp); ok {
			ops = append(ops, op)
		}
	}
	// Ticks come every second from a random offset below 1s: at least two
	// logins timed out by 3s, each noticed at the tick that sends the next.
	if len(ops) < 2 {
		t.Fatalf("user-1 observed %+v, want at least two login timeouts", ops)
	}
	for _, op := range ops {
		if op.Op != "login" || op.Status != 0 || op.Reason != "timeout" || op.Took != web.RequestTimeout {
			t.Fatalf("user-1 observed %+v, want a login timed out after %v", op, web.RequestTimeout)
		}
	}
	if m := w.Metrics(); m["requests"] != float64(len(ops)+1) || m["failed-requests"] != float64(len(ops)) {
		t.Fatalf("metrics %v, want %d requests and %d failed", m, len(ops)+1, len(ops))
	}
}

func TestUserReplaysItsOldSessionAfterLogout(t *testing.T) {
	got, ops := userRun(t, web.SessionLength.Max+web.ReplayDelay.Max+2*time.Second, web.UserConfig{Interval: time.Second, Auth: "lb-1"}, ok)
	logout, replay := -1, -1
	for i, o := range ops {
		switch o.Op {
		case web.OpLogout:
			logout = i
		case web.OpReplay:
			replay = i
		}
	}
	if logout < 0 || replay < logout || ops[replay].Session != "s1" || ops[replay].Status != 200 {
		t.Fatalf("user-1 did %s; want a replay of s1 after its logout", opsOf(ops))
	}
	replays := 0
	for _, g := range got {
		if r := g.Msg.(web.Request); r.Credential == "cookie-1" && r.Op == web.OpView && g.At > web.SessionLength.Min {
			replays++
		}
	}
	if replays == 0 {
		t.Fatal("no request carried the old cookie after the logout")
	}
}

// laggingLB answers each request only when the next one arrives (an answer
// held up on the way), then that one too.
type laggingLB struct {
	held   []web.Request
	logins int
}

func (l *laggingLB) Start(*sim.Context)      {}
func (l *laggingLB) Timer(*sim.Context, any) {}
func (l *laggingLB) Receive(ctx *sim.Context, from string, m sim.Message) {
	r, ok := m.(web.Request)
	if !ok {
		return
	}
	if len(l.held) == 0 {
		l.held = append(l.held, r)
		return
	}
	for _, h := range append(l.held, r) {
		l.logins++
		id := fmt.Sprintf("s%d", l.logins)
		ctx.Send(h.User, web.Response{ID: h.ID, User: h.User, Server: "app-1", Status: 200, Session: id, Credential: "cookie-" + id})
	}
	l.held = nil
}

// TestRestartedUserIgnoresAnswersToItsPredecessor: user-1 crashes and
// restarts while the answer to its first login is on its way. The new
// process (a restarted browser, with new connections) never sent that
// login, so it must not take the answer as the one to its own first login.
func TestRestartedUserIgnoresAnswersToItsPredecessor(t *testing.T) {
	cfg := web.UserConfig{Interval: time.Second, Auth: "lb-1"}
	w := webtest.World(t, 3*time.Second,
		webtest.Node{Name: "lb-1", New: func() sim.Node { return &laggingLB{} }},
		webtest.Node{Name: "user-1", New: func() sim.Node { return web.NewUser(&cfg) }},
	)
	// The first login goes out within the first interval, its retry a
	// second after it: a restart at 1s falls between them.
	if err := w.Schedule(sim.Fault{At: time.Second, Kind: sim.FaultRestart, Node: "user-1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, o := range w.History() {
		if op, ok := o.Value.(check.SessionOp); ok && op.Op == web.OpLogin && op.Status == 200 {
			logins = append(logins, op.Session)
		}
	}
	// s1 answers the crashed process's login, s2 the restarted one's.
	if fmt.Sprint(logins) != "[s2]" {
		t.Fatalf("the restarted user-1 logged in with %v, want [s2]", logins)
	}
}
