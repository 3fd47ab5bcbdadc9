package sticky_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/sticky"
	"coordlab/sim/mech/web/webtest"
)

var apps = []string{"app-1", "app-2", "app-3"}

// TestNoFaultNoLoss: with every server up, nobody ever loses a session,
// whatever the seed and affinity.
func TestNoFaultNoLoss(t *testing.T) {
	for _, aff := range []string{"hash", "cookie"} {
		for seed := uint64(1); seed <= 10; seed++ {
			r := webtest.Do(t, sticky.Mechanism, webtest.Spec{Seed: seed, Params: []string{"affinity", aff}})
			if n := r.Count("session-lost"); n > 0 || r.Metrics["relogins"] > 0 {
				t.Fatalf("affinity %s seed %d: %d sessions lost, %v relogins without any fault: %s",
					aff, seed, n, r.Metrics["relogins"], r.Violations["session-lost"][0].Detail)
			}
		}
	}
}

// TestEveryForcedReloginIsASessionLost: over random crash schedules of the
// app servers, the checker, reading only the history, finds exactly the
// sessions the users had to give up, no more, no fewer.
func TestEveryForcedReloginIsASessionLost(t *testing.T) {
	total := 0
	for _, aff := range []string{"hash", "cookie"} {
		for seed := uint64(1); seed <= 20; seed++ {
			faults := webtest.Faults(rand.New(rand.NewPCG(seed, 99)), apps...)
			r := webtest.Do(t, sticky.Mechanism, webtest.Spec{Seed: seed, Params: []string{"affinity", aff}, Faults: faults})
			lost := r.Count("session-lost")
			if pending := r.ReloginsInFlight(); float64(lost+pending) != r.Metrics["relogins"] {
				t.Fatalf("affinity %s seed %d faults %v: %d session-lost violations and %d relogins unfinished at the end, but %v forced relogins",
					aff, seed, faults, lost, pending, r.Metrics["relogins"])
			}
			total += lost
		}
	}
	if total == 0 {
		t.Fatal("no crash schedule lost a session: the property was never exercised")
	}
}

// TestCookieLosesOnlyTheCrashedServersSessions: with an affinity cookie, a
// crash costs exactly the sessions that lived on the crashed server; every
// other user stays where its session is.
func TestCookieLosesOnlyTheCrashedServersSessions(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		at := time.Duration(10+seed) * time.Second
		r := webtest.Do(t, sticky.Mechanism, webtest.Spec{Seed: seed, Params: []string{"affinity", "cookie"},
			Faults: []sim.Fault{webtest.Crash(at, "app-2")}})
		home := map[string]string{} // session -> the server that created it
		lost := 0
		for _, o := range r.World.History() {
			op, ok := o.Value.(check.SessionOp)
			if !ok {
				continue
			}
			if op.Op == "login" && op.Status == 200 {
				home[op.Session] = op.Server
			}
			if op.Status == 401 && op.Op != "replay" {
				lost++
				if home[op.Session] != "app-2" {
					t.Fatalf("seed %d: %s's session %s from %s was refused by %s (%q), but only app-2 crashed",
						seed, op.User, op.Session, home[op.Session], op.Server, op.Reason)
				}
			}
		}
		if lost == 0 || r.Count("session-lost") != lost {
			t.Fatalf("seed %d: %d refusals, %d session-lost violations; want the same, and some", seed, lost, r.Count("session-lost"))
		}
	}
}

func TestDeterministic(t *testing.T) {
	spec := webtest.Spec{Seed: 7, Faults: []sim.Fault{webtest.Crash(20*time.Second, "app-2"), webtest.Restart(30*time.Second, "app-2")}}
	a := webtest.Do(t, sticky.Mechanism, spec).World.TraceHash()
	b := webtest.Do(t, sticky.Mechanism, spec).World.TraceHash()
	spec.Seed = 8
	c := webtest.Do(t, sticky.Mechanism, spec).World.TraceHash()
	if a != b || a == c {
		t.Fatalf("hashes %s, %s (same seed) and %s (other seed)", a, b, c)
	}
}

// TestPanelShowsSessionsInMemory: mid-run, each app server's panel lists the
// sessions in its memory and lb-1's shows which servers it sends to.
func TestPanelShowsSessionsInMemory(t *testing.T) {
	r := webtest.Do(t, sticky.Mechanism, webtest.Spec{Seed: 1, Duration: 15 * time.Second,
		Faults: []sim.Fault{webtest.Crash(5*time.Second, "app-3")}})
	snap := webtest.Panels[struct {
		Nodes []struct {
			Name  string
			State struct {
				Sessions []struct{ ID, User string }
				Live     []string
				Down     []string
			}
		}
	}](t, r.World)
	sessions := 0
	for _, n := range snap.Nodes {
		switch {
		case n.Name == "lb-1" && (len(n.State.Live) != 2 || len(n.State.Down) != 1 || n.State.Down[0] != "app-3"):
			t.Fatalf("lb-1's panel shows live %v, down %v; want app-3 down", n.State.Live, n.State.Down)
		case n.Name == "app-1" || n.Name == "app-2":
			sessions += len(n.State.Sessions)
		}
	}
	if sessions == 0 {
		t.Fatalf("no app server's panel shows a session: %+v", snap)
	}
}
