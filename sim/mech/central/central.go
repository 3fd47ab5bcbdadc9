// Package central is the central session store mechanism: app servers keep
// no session of their own; every request loads the session from a store
// node, store-1, and saves it back when it changed. It follows Spring
// Session with Redis (docs.spring.io/spring-session: the
// SessionRepositoryFilter wraps each request, RedisSessionRepository keeps a
// session as a Redis hash, loaded with HGETALL and saved with HMSET), so any
// server can serve any user and a crashed app server loses nothing.
//
// It is unsafe on purpose where this design is: every request pays a store
// round trip (see latency-p50), and the store is a single point of failure:
// while store-1 is down every server fails every request, and because it
// keeps sessions in memory only (Redis without persistence) it comes back
// empty and every session is lost. An optional replica store-2 takes over
// after app servers see store-1 time out; with async replication store-1
// acknowledges a write before store-2 has it (it ships its stream every
// ReplFlush), so a failover loses the last writes (stale-session, or
// session-lost for a session created in that window); with sync replication
// it waits for store-2 and loses nothing, but stalls while store-2 is down
// (and app servers, unable to tell a stalled store from a dead one, then
// fail over to the dead replica).
// An optional local_cache lets each server reuse a loaded session for a TTL
// without asking the store, and so serve (and save over) a copy another
// server has since changed: stale-session.
package central

import (
	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/web"
)

// Mechanism is the catalog entry of the central session store.
var Mechanism = &mech.Mechanism{
	Name:  "central",
	Title: "Central session store (Spring Session with Redis)",
	Summary: "App servers keep no sessions: every request loads the session from store-1 and saves it back. Any server " +
		"serves any user and an app crash loses nothing, but every request pays a store round trip and the store is a " +
		"single point of failure; a replica (async or sync) and a local cache trade that for stale sessions.",
	Roles: "lb-1, app-1..N, store-1 (store-2 replica), user-N",
	Params: web.Params(
		mech.Param{Name: "replica", Kind: mech.Bool, Default: "false", Help: "store-2 replicates store-1 and app servers fail over to it"},
		mech.Param{Name: "replication", Kind: mech.Enum, Default: "async", Values: []string{"async", "sync"},
			Help: "async: store-1 answers before store-2 has the write; sync: it waits for store-2"},
		mech.Param{Name: "local_cache", Kind: mech.DurationOrEnum, Default: "none", Values: []string{"none"}, Min: 1e6, Max: 6e11,
			Help: "each app server reuses a loaded session for this TTL without asking the store"},
	),
	Invariants: []string{"session-lost", "stale-session"},
	Metrics:    append(append([]string(nil), web.Metrics...), "store-round-trips", "cache-hits", "failovers", "promotions", "full-resyncs"),
	Nodes:      func(p mech.Params) []string { return tier(p).Names() },
	Build:      func(w *sim.World, p mech.Params) error { return tier(p).Build(w) },
	Checkers: func(mech.Params) []check.Checker {
		return []check.Checker{check.SessionLost(), check.StaleSession()}
	},
	Finish: func(w *sim.World, _ mech.Params) map[string]float64 { return web.Finish(w) },
}

func init() { mech.Register(Mechanism) }

func tier(p mech.Params) *web.Tier {
	t := web.NewTier(p, web.LB)
	cfg := &config{replica: p.Bool("replica"), cache: p.Duration("local_cache")}
	t.App = func(string) sim.Node { return newApp(cfg) }
	replica, sync := "", p.String("replication") == "sync"
	if cfg.replica {
		replica = "store-2"
	}
	t.Extra = []web.Extra{{Name: "store-1", Node: func() sim.Node { return NewPrimary(replica, sync) }}}
	if cfg.replica {
		t.Extra = append(t.Extra, web.Extra{Name: "store-2", Node: func() sim.Node { return NewReplica() }})
	}
	return t
}
