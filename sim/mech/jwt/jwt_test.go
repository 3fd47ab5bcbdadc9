package jwt_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/jwt"
	"coordlab/sim/mech/web/webtest"
)

var apps = []string{"app-1", "app-2", "app-3"}

// replayOutcome pairs each replay with its session's confirmed logout.
type replayOutcome struct {
	sinceLogout time.Duration // from the logout's confirmation to sending the replay
	accepted    bool
}

func replays(h []sim.Observation) []replayOutcome {
	loggedOut := map[string]sim.Time{}
	var out []replayOutcome
	for _, o := range h {
		op, ok := o.Value.(check.SessionOp)
		switch {
		case !ok:
		case op.Op == "logout" && op.Status == 200:
			loggedOut[op.Session] = o.At
		case op.Op == "replay" && op.Status != 0:
			if at, ok := loggedOut[op.Session]; ok {
				out = append(out, replayOutcome{sinceLogout: o.At - op.Took - at, accepted: op.Status == 200})
			}
		}
	}
	return out
}

// TestRevocationNoneAcceptsEveryReplay: without revocation a logged-out
// token stays valid until exp (15m), so every replay that reaches a server
// is served, and the checker reports each one.
func TestRevocationNoneAcceptsEveryReplay(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed})
		rs := replays(r.World.History())
		for _, x := range rs {
			if !x.accepted {
				t.Fatalf("seed %d: a replay %v after logout was refused without revocation", seed, x.sinceLogout)
			}
		}
		if len(rs) == 0 || r.Count("revoked-accepted") != len(rs) {
			t.Fatalf("seed %d: %d replays after logout, %d revoked-accepted violations", seed, len(rs), r.Count("revoked-accepted"))
		}
	}
}

// TestDenylistBoundsTheWindow: with a denylist pushed every denylist_sync,
// a replay is accepted only if it comes before the next push reached the
// servers, so within denylist_sync (plus a few network delays) of the
// logout, and every later replay is refused. Random app crashes (which
// forget the pushed list until the next push) do not widen it beyond that.
func TestDenylistBoundsTheWindow(t *testing.T) {
	const slack = 30 * time.Millisecond // the push's and the replay's trips
	accepted, refused := 0, 0
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		sync := time.Duration(1+rng.IntN(5)) * time.Second
		faults := webtest.Faults(rng, apps...)
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed, Faults: faults,
			Params: []string{"revocation", "denylist", "denylist_sync", sync.String()}})
		n := 0
		for _, x := range replays(r.World.History()) {
			if x.accepted {
				n++
				// An app restarted within the last sync lost the list: the
				// window is at most two syncs then.
				if x.sinceLogout >= 2*sync+slack {
					t.Fatalf("seed %d, sync %v: a replay %v after the logout was accepted", seed, sync, x.sinceLogout)
				}
			} else {
				refused++
			}
		}
		if r.Count("revoked-accepted") != n {
			t.Fatalf("seed %d: %d accepted replays, %d violations", seed, n, r.Count("revoked-accepted"))
		}
		accepted += n
	}
	if accepted == 0 || refused == 0 {
		t.Fatalf("%d replays accepted, %d refused: the window was not exercised", accepted, refused)
	}
}

// TestDenylistWithoutCrashesBoundsTheWindowToOneSync is the same without
// faults: the window is one denylist_sync.
func TestDenylistWithoutCrashesBoundsTheWindowToOneSync(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed, Params: []string{"revocation", "denylist", "denylist_sync", "2s"}})
		for _, x := range replays(r.World.History()) {
			if x.accepted && x.sinceLogout >= 2*time.Second+30*time.Millisecond {
				t.Fatalf("seed %d: a replay %v after the logout was accepted", seed, x.sinceLogout)
			}
		}
	}
}

// TestSafeVariantNeverRefusesALiveSession: with refresh tokens, old keys
// kept, and a leeway above every skew, random app crashes, random clock
// jumps of app servers and auth-1 within the leeway, and key rotation never
// make a server refuse a user's own token, and no session is lost.
func TestSafeVariantNeverRefusesALiveSession(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 6))
		faults := webtest.Faults(rng, apps...)
		for range 3 {
			node := append(apps, "auth-1")[rng.IntN(4)]
			jump := time.Duration(rng.IntN(3000)-1500) * time.Millisecond // |total skew| <= 4.5s between any two nodes
			faults = append(faults, webtest.Jump(time.Duration(rng.IntN(50))*time.Second, node, jump))
		}
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed, Faults: faults,
			Params: []string{"refresh", "true", "keep_old_keys", "true", "leeway", "5s", "key_rotation", "10s", "token_ttl", "30s"}})
		if n := r.Count("session-lost"); n > 0 {
			t.Fatalf("seed %d: %s", seed, r.Violations["session-lost"][0].Detail)
		}
		for _, o := range r.World.History() {
			if op, ok := o.Value.(check.SessionOp); ok && op.Op != "replay" && op.Status == 401 {
				t.Fatalf("seed %d faults %v: %s's %s was refused at %v: %q", seed, faults, op.User, op.Op, o.At, op.Reason)
			}
		}
	}
}

// TestRotationWithoutKeptKeysRefusesLiveTokens is the counterpart: the same
// rotation with servers dropping the old key refuses live tokens, and
// without refresh every such refusal loses a session.
func TestRotationWithoutKeptKeysRefusesLiveTokens(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed,
			Params: []string{"refresh", "false", "key_rotation", "10s"}})
		lost := r.Count("session-lost")
		if lost == 0 || float64(lost+r.ReloginsInFlight()) != r.Metrics["relogins"] {
			t.Fatalf("seed %d: %d session-lost violations, %v relogins (%d in flight)", seed, lost, r.Metrics["relogins"], r.ReloginsInFlight())
		}
	}
}

// TestTokensAreDeterministic: two runs of the same seed hand out the very
// same tokens (no wall clock, no crypto/rand), visible in the panels.
func TestTokensAreDeterministic(t *testing.T) {
	panel := func() string {
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: 3, Duration: 20 * time.Second, Params: []string{"key_rotation", "5s"}})
		b, err := json.Marshal(r.World.Snapshot().Nodes)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b := panel(), panel()
	if a != b {
		t.Fatal("two runs of the same seed show different tokens")
	}
	var nodes []struct {
		Name  string
		State struct {
			Credential string
			Token      struct{ Header map[string]any }
		}
	}
	if err := json.Unmarshal([]byte(a), &nodes); err != nil {
		t.Fatal(err)
	}
	tokens := 0
	for _, n := range nodes {
		if n.State.Credential != "" {
			tokens++
			if n.State.Token.Header["alg"] != "HS256" {
				t.Fatalf("%s's panel shows token %s decoded as %+v", n.Name, n.State.Credential, n.State.Token)
			}
		}
	}
	if tokens == 0 {
		t.Fatal("no user holds a token at the end")
	}
}

func ExampleDecode() {
	tok, _ := jwt.Issue(jwt.Key{ID: "k1", Secret: "secret"}, "user-1", "3fa91c2e", "0c1d2e3f", "user", 5*time.Second, 15*time.Minute)
	d := jwt.Decode(tok).(jwt.Decoded)
	fmt.Println(d.Header["alg"], d.Header["kid"], d.Claims["sub"], d.Claims["sid"], d.Times["iat"], d.Times["exp"])
	// Output: HS256 k1 user-1 3fa91c2e 5s 15m5s
}

// TestExpiredTokenIsNotSessionLost: with synced clocks and no refresh, a
// token that runs out its own exp is no lost session. golang-jwt truncates
// exp to whole seconds, so a token lives up to a second less than
// token_ttl; the lifetime promised at login must be the token's, or the
// checker blames a server for refusing a token that had expired.
func TestExpiredTokenIsNotSessionLost(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed, Params: []string{"refresh", "false", "token_ttl", "5s"}})
		if r.Metrics["relogins"] == 0 {
			t.Fatalf("seed %d: no token expired", seed)
		}
		if n := r.Count("session-lost"); n > 0 {
			t.Fatalf("seed %d: %d session-lost violations, first: %s", seed, n, r.Violations["session-lost"][0].Detail)
		}
	}
}

// TestDenylistOutlivesTheLeeway: a server accepts a token until its exp
// plus the leeway, so a revoked session must stay on the denylist that
// long; dropped at exp, a thief's replay inside the leeway is served.
func TestDenylistOutlivesTheLeeway(t *testing.T) {
	const sync = 200 * time.Millisecond
	refused := 0
	for seed := uint64(1); seed <= 5; seed++ {
		r := webtest.Do(t, jwt.Mechanism, webtest.Spec{Seed: seed,
			Params: []string{"revocation", "denylist", "denylist_sync", sync.String(), "token_ttl", "3s", "leeway", "10s"}})
		for _, x := range replays(r.World.History()) {
			if !x.accepted {
				refused++
			} else if x.sinceLogout >= 2*sync+30*time.Millisecond {
				t.Fatalf("seed %d: a replay %v after the logout was accepted", seed, x.sinceLogout)
			}
		}
	}
	if refused == 0 {
		t.Fatal("no replay was refused: the denylist was not exercised")
	}
}
