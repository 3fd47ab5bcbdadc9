package central_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/central"
	"coordlab/sim/mech/sticky"
	"coordlab/sim/mech/web/webtest"
)

var apps = []string{"app-1", "app-2", "app-3"}

func noViolations(t *testing.T, what string, r *webtest.Run) {
	t.Helper()
	for inv, vs := range r.Violations {
		if len(vs) > 0 {
			t.Fatalf("%s: %d %s violations, first: %s", what, len(vs), inv, vs[0].Detail)
		}
	}
}

// TestAppCrashesLoseNothing: sessions live in store-1, so app servers may
// crash and restart at random and no session is lost or stale.
func TestAppCrashesLoseNothing(t *testing.T) {
	for seed := uint64(1); seed <= 15; seed++ {
		faults := webtest.Faults(rand.New(rand.NewPCG(seed, 1)), apps...)
		r := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: seed, Faults: faults})
		noViolations(t, faultsText(seed, faults), r)
		if r.Metrics["relogins"] != 0 {
			t.Fatalf("seed %d: %v relogins", seed, r.Metrics["relogins"])
		}
	}
}

// TestSyncReplicaSurvivesTheStoreCrash: with synchronous replication,
// store-1 crashing for good at a random moment, while app servers crash at
// random too, loses nothing: every acknowledged write is on store-2.
func TestSyncReplicaSurvivesTheStoreCrash(t *testing.T) {
	for seed := uint64(1); seed <= 15; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2))
		faults := append(webtest.Faults(rng, apps...), webtest.Crash(time.Duration(5+rng.IntN(50))*time.Second, "store-1"))
		r := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: seed, Params: []string{"replica", "true", "replication", "sync"}, Faults: faults})
		noViolations(t, faultsText(seed, faults), r)
		if r.Metrics["failovers"] == 0 {
			t.Fatalf("seed %d: store-1 crashed and nobody failed over", seed)
		}
	}
}

// TestEveryForcedReloginIsASessionLost: store-1 crashing and coming back
// empty, at random, forces users to log in again; the checker finds
// exactly those sessions.
func TestEveryForcedReloginIsASessionLost(t *testing.T) {
	total := 0
	for seed := uint64(1); seed <= 15; seed++ {
		faults := webtest.Faults(rand.New(rand.NewPCG(seed, 3)), "store-1", "app-2")
		r := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: seed, Faults: faults})
		lost := r.Count("session-lost")
		if float64(lost+r.ReloginsInFlight()) != r.Metrics["relogins"] {
			t.Fatalf("%s: %d session-lost violations, %d relogins in flight, %v relogins",
				faultsText(seed, faults), lost, r.ReloginsInFlight(), r.Metrics["relogins"])
		}
		total += lost
	}
	if total == 0 {
		t.Fatal("no schedule lost a session: the property was never exercised")
	}
}

// TestStoreRoundTripShowsInLatency: the same workload on the same network
// is slower with a central store than with sticky sessions by about one
// store round trip (two hops of 1..5ms).
func TestStoreRoundTripShowsInLatency(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: seed})
		s := webtest.Do(t, sticky.Mechanism, webtest.Spec{Seed: seed})
		if d := c.Metrics["latency-p50"] - s.Metrics["latency-p50"]; d < 4 {
			t.Fatalf("seed %d: central p50 %.1fms, sticky %.1fms: the store round trip does not show",
				seed, c.Metrics["latency-p50"], s.Metrics["latency-p50"])
		}
	}
}

// TestLocalCacheTradesStalenessForRoundTrips: a local cache saves store
// round trips and makes sessions stale.
func TestLocalCacheTradesStalenessForRoundTrips(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		plain := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: seed})
		cached := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: seed, Params: []string{"local_cache", "3s"}})
		if cached.Metrics["store-round-trips"] >= plain.Metrics["store-round-trips"] || cached.Count("stale-session") == 0 || plain.Count("stale-session") != 0 {
			t.Fatalf("seed %d: round trips %v with a cache vs %v without, stale sessions %d vs %d",
				seed, cached.Metrics["store-round-trips"], plain.Metrics["store-round-trips"], cached.Count("stale-session"), plain.Count("stale-session"))
		}
	}
}

func faultsText(seed uint64, fs []sim.Fault) string {
	s := fmt.Sprintf("seed %d", seed)
	for _, f := range fs {
		s += fmt.Sprintf(", %s at %v", f.String(), f.At)
	}
	return s
}

// TestPanelsShowTheStore: mid-run, store-1's panel lists the sessions and
// store-2's shows it is a replica holding the same ones (sync), and the app
// servers' panels show their local caches.
func TestPanelsShowTheStore(t *testing.T) {
	r := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: 1, Duration: 15 * time.Second,
		Params: []string{"replica", "true", "replication", "sync", "local_cache", "5s"}})
	snap := webtest.Panels[struct {
		Nodes []struct {
			Name  string
			State struct {
				Role     string
				Sessions []struct{ ID string }
				Store    string
				Cache    []struct{ ID string }
			}
		}
	}](t, r.World)
	st := map[string]int{}
	for _, n := range snap.Nodes {
		st[n.Name+" "+n.State.Role] = len(n.State.Sessions)
		if n.Name == "app-1" && (n.State.Store != "store-1" || len(n.State.Cache) == 0) {
			t.Fatalf("app-1's panel shows store %q and %d cached sessions", n.State.Store, len(n.State.Cache))
		}
	}
	if st["store-1 primary"] == 0 || st["store-2 replica"] == 0 {
		t.Fatalf("store panels show %v", st)
	}
}

// TestRestartedReplicaResyncs: store-2 restarts empty (memory only). Like a
// Redis replica that reconnects without the primary's history, it must get
// a full resync and follow store-1 again; otherwise the stream it rejoins
// has a gap it never fills, it stays empty for good, and (sync) store-1
// holds every write forever.
func TestRestartedReplicaResyncs(t *testing.T) {
	for _, repl := range []string{"async", "sync"} {
		r := webtest.Do(t, central.Mechanism, webtest.Spec{Seed: 1, Duration: 30 * time.Second,
			Params: []string{"replica", "true", "replication", repl},
			Faults: []sim.Fault{webtest.Crash(10*time.Second, "store-2"), webtest.Restart(10200*time.Millisecond, "store-2")}})
		snap := webtest.Panels[struct {
			Nodes []struct {
				Name  string
				State struct {
					Role         string
					Sessions     []struct{ ID string }
					Unreplicated int
				}
			}
		}](t, r.World)
		sessions, behind := map[string]string{}, 0
		for _, n := range snap.Nodes {
			if n.Name == "store-1" || n.Name == "store-2" {
				sessions[n.Name] = fmt.Sprint(n.State.Sessions)
			}
			if n.Name == "store-1" {
				behind = n.State.Unreplicated // writes of the last moments may be in flight
			}
		}
		if s1 := sessions["store-1"]; len(s1) < 20 || sessions["store-2"] != s1 || behind > 10 {
			t.Fatalf("%s: after store-2's restart, store-1 holds %s (%d writes unreplicated), store-2 %s", repl, s1, behind, sessions["store-2"])
		}
	}
}
