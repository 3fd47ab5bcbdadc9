package check

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim"
)

func sessionObs(at time.Duration, op SessionOp) sim.Observation {
	return sim.Observation{At: at, Node: op.User, Value: op}
}

func TestSessionLost(t *testing.T) {
	const ms = time.Millisecond
	login := func(at time.Duration, s string, lifetime time.Duration) sim.Observation {
		return sessionObs(at, SessionOp{User: "user-1", Op: "login", Session: s, Server: "app-1", Status: 200, Took: 10 * ms, Lifetime: lifetime})
	}
	req := func(at time.Duration, s string, status int, reason string) sim.Observation {
		return sessionObs(at, SessionOp{User: "user-1", Op: "view", Session: s, Server: "app-2", Status: status, Reason: reason, Took: 10 * ms})
	}
	cases := []struct {
		name string
		h    []sim.Observation
		want int
		says string
	}{
		{"refused then logged in again", []sim.Observation{
			login(1000*ms, "s1", 0), req(2000*ms, "s1", 200, ""), req(3000*ms, "s1", 401, "unknown session"), login(3020*ms, "s2", 0),
		}, 1, `user-1 had to log in again at 3.02s because app-2 refused its session s1 ("unknown session")`},
		{"logged out then in again", []sim.Observation{
			login(1000*ms, "s1", 0), sessionObs(5000*ms, SessionOp{User: "user-1", Op: "logout", Session: "s1", Status: 200}), login(7000*ms, "s2", 0),
		}, 0, ""},
		{"a failed logout still ends the session for its user", []sim.Observation{
			login(1000*ms, "s1", 0), sessionObs(5000*ms, SessionOp{User: "user-1", Op: "logout", Session: "s1"}), login(7000*ms, "s2", 0),
		}, 0, ""},
		{"unavailable is not lost", []sim.Observation{
			login(1000*ms, "s1", 0), req(2000*ms, "s1", 503, "store-1 did not answer"), req(3000*ms, "s1", 200, ""),
		}, 0, ""},
		{"expired after its promised lifetime", []sim.Observation{
			login(1000*ms, "s1", 30*time.Second), req(31500*ms, "s1", 401, "token is expired"), login(31520*ms, "s2", 0),
		}, 0, ""},
		{"expired before its promised lifetime", []sim.Observation{
			login(1000*ms, "s1", 30*time.Second), req(21000*ms, "s1", 401, "token is expired"), login(21020*ms, "s2", 0),
		}, 1, "20s after login, before its promised 30s ran out"},
		{"a refusal the session survived (refresh) does not count", []sim.Observation{
			login(1000*ms, "s1", 0), req(2000*ms, "s1", 401, "token is expired"),
			sessionObs(2010*ms, SessionOp{User: "user-1", Op: "refresh", Session: "s1", Status: 200}), req(2020*ms, "s1", 200, ""),
			sessionObs(9000*ms, SessionOp{User: "user-1", Op: "logout", Session: "s1", Status: 200}), login(9500*ms, "s2", 0),
		}, 0, ""},
		{"a crashed user forgot its own session", []sim.Observation{
			login(1000*ms, "s1", 0), {At: 2 * time.Second, Node: "user-1", Value: sim.FaultEvent{Kind: sim.FaultCrash, Node: "user-1"}}, login(3000*ms, "s2", 0),
		}, 0, ""},
		{"a replay of an old session is not the user's session", []sim.Observation{
			login(1000*ms, "s2", 0), sessionObs(2000*ms, SessionOp{User: "user-1", Op: "replay", Session: "s1", Status: 401}), req(3000*ms, "s2", 200, ""),
		}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := SessionLost().Check(c.h)
			if len(vs) != c.want {
				t.Fatalf("got %d violations %v, want %d", len(vs), vs, c.want)
			}
			if c.want > 0 && !strings.Contains(vs[0].Detail, c.says) {
				t.Fatalf("detail %q does not say %q", vs[0].Detail, c.says)
			}
		})
	}
}

func TestStaleSession(t *testing.T) {
	op := func(at time.Duration, kind string, version int) sim.Observation {
		return sessionObs(at, SessionOp{User: "user-1", Op: kind, Session: "s1", Server: "app-2", Status: 200, Version: version})
	}
	cases := []struct {
		name string
		h    []sim.Observation
		want int
		says string
	}{
		{"versions grow", []sim.Observation{op(1*time.Second, "login", 0), op(2*time.Second, "add", 1), op(3*time.Second, "view", 1), op(4*time.Second, "role", 2)}, 0, ""},
		{"a lost answer leaves the server ahead", []sim.Observation{op(1*time.Second, "login", 0), op(2*time.Second, "add", 1), op(4*time.Second, "add", 3)}, 0, ""},
		{"a view shows an older version", []sim.Observation{op(1*time.Second, "login", 0), op(2*time.Second, "add", 1), op(3*time.Second, "add", 2), op(4*time.Second, "view", 1)}, 1,
			"app-2 showed user-1 session s1 at version 1 at 4s although user-1 had already seen version 2 confirmed"},
		{"a change applied to an older copy", []sim.Observation{op(1*time.Second, "login", 0), op(2*time.Second, "add", 1), op(3*time.Second, "add", 1)}, 1,
			"app-2 applied user-1's \"add\" to an old copy of session s1"},
		{"refusals are not answers", []sim.Observation{op(1*time.Second, "login", 0), op(2*time.Second, "add", 1),
			sessionObs(3*time.Second, SessionOp{User: "user-1", Op: "view", Session: "s1", Status: 503})}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := StaleSession().Check(c.h)
			if len(vs) != c.want {
				t.Fatalf("got %d violations %v, want %d", len(vs), vs, c.want)
			}
			if c.want > 0 && !strings.Contains(vs[0].Detail, c.says) {
				t.Fatalf("detail %q does not say %q", vs[0].Detail, c.says)
			}
		})
	}
}

func TestRevokedAccepted(t *testing.T) {
	const ms = time.Millisecond
	logout := func(at time.Duration, status int) sim.Observation {
		return sessionObs(at, SessionOp{User: "user-1", Op: "logout", Session: "s1", Server: "auth-1", Status: status, Took: 5 * ms})
	}
	replay := func(at time.Duration, status int, took time.Duration) sim.Observation {
		return sessionObs(at, SessionOp{User: "user-1", Op: "replay", Session: "s1", Server: "app-3", Status: status, Took: took})
	}
	cases := []struct {
		name string
		h    []sim.Observation
		want int
	}{
		{"replay accepted after logout", []sim.Observation{logout(10*time.Second, 200), replay(14*time.Second, 200, 10*ms)}, 1},
		{"replay refused after logout", []sim.Observation{logout(10*time.Second, 200), replay(14*time.Second, 401, 10*ms)}, 0},
		{"logout never confirmed", []sim.Observation{logout(10*time.Second, 0), replay(14*time.Second, 200, 10*ms)}, 0},
		{"request sent before the logout was confirmed", []sim.Observation{logout(10*time.Second, 200), replay(10*time.Second+5*ms, 200, 10*ms)}, 0},
		{"another session's logout", []sim.Observation{
			sessionObs(10*time.Second, SessionOp{User: "user-2", Op: "logout", Session: "s2", Status: 200}), replay(14*time.Second, 200, 10*ms)}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := RevokedAccepted().Check(c.h)
			if len(vs) != c.want {
				t.Fatalf("got %d violations %v, want %d", len(vs), vs, c.want)
			}
			if c.want > 0 {
				want := "app-3 accepted a request with user-1's session s1 at 14s, 3.99s after user-1 had logged out of it"
				if vs[0].Detail != want {
					t.Fatalf("detail %q, want %q", vs[0].Detail, want)
				}
			}
		})
	}
}
