// Package setnx is the single-instance Redis lock: SET key value NX PX ttl on
// redis-1, released with the compare-and-delete script, as the Redis
// documentation describes it (the SET command page, "Patterns", and
// "Distributed locks with Redis", section "Correct implementation with a
// single instance"). Clients run the shared lock workload of sim/mech/lock
// and write to storage-1 inside the critical section.
//
// What is modelled, and where it is unsafe on purpose:
//   - The key expires on redis-1's own clock (ctx.Now): lazily when a command
//     touches it and actively from an expire cycle every 100ms, as Redis does.
//     A clock jumped forward on redis-1 expires the lock early.
//   - The unsafe step is the time to live itself: a holder that pauses longer
//     than ttl (a GC pause) loses the key while it still believes it holds the
//     lock, another client takes it, and the paused one writes when it wakes
//     up — mutual-exclusion and stale-write, exactly the scenario of Martin
//     Kleppmann's "How to do distributed locking" (2016). Only fencing (a
//     token from an INCR counter, checked by storage-1) stops the stale write.
//   - release: del deletes whatever lock is there, including another client's
//     (wrong-release); release: cad is the docs' script and cannot.
//   - watchdog: Redisson's lock watchdog extends the time to live every ttl/3
//     while the client holds the lock; a renewal the server refuses makes the
//     client give up. It does not help a paused client, which renews nothing.
//   - replica: redis-2 receives the primary's writes asynchronously and is
//     promoted when the primary goes silent (see sim/mech/lock/replica for how
//     Sentinel is folded into it). A grant the primary acknowledged but had
//     not yet streamed is lost, and the lock is granted twice — the race the
//     Redis docs give as the reason RedLock exists.
//   - persistence: none keeps nothing across a restart (the lock and the
//     fencing counter are forgotten); everysec saves once a second (up to a
//     second of writes lost); always saves every write before answering.
package setnx

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/lock"
)

// Key is the Redis key of the lock; the fencing counter is a second key
// incremented by the fenced SET script.
const Key = "lock"

// Mechanism is setnx in the catalog.
var Mechanism = &mech.Mechanism{
	Name:  "setnx",
	Title: "Redis SET NX PX lock",
	Summary: "Clients take a lock with SET key value NX PX ttl on one Redis server and release it " +
		"with a compare-and-delete script. The key expires on the server's own clock, so a client " +
		"paused past the TTL keeps working after another client took the lock.",
	Roles:      "redis-1 (redis-2 replica with failover), client-N, storage-1",
	Params:     params(),
	Invariants: []string{"mutual-exclusion", "stale-write", "wrong-release", "lock-stuck"},
	Metrics:    metrics,
	Symbols:    []string{"holder", "leader"},
	Nodes:      nodes,
	Validate:   validate,
	Build:      build,
	Checkers: func(p mech.Params) []check.Checker {
		return lock.Checkers(p, []string{"mutual-exclusion", "stale-write", "wrong-release", "lock-stuck"})
	},
	Finish: lock.Finish(metrics),
}

var metrics = []string{"acquisitions", "refused-writes", "expirations", "failovers", "lost-locks"}

func init() { mech.Register(Mechanism) }

// params lists the parameters in the order of DESIGN section 5.
func params() []mech.Param {
	shared := map[string]mech.Param{}
	for _, p := range lock.Params("2", true) {
		shared[p.Name] = p
	}
	return []mech.Param{
		shared["clients"],
		{Name: "ttl", Kind: mech.Duration, Default: "1s", Min: float64(time.Millisecond), Max: float64(time.Hour),
			Help: "the lock key's time to live (PX), counted on the Redis server's clock"},
		shared["hold"],
		shared["think"],
		{Name: "release", Kind: mech.Enum, Default: "cad", Values: []string{"cad", "del"},
			Help: "cad: delete the key only if it holds the client's value (the docs' Lua script); del: plain DEL, which deletes anyone's lock"},
		{Name: "watchdog", Kind: mech.Bool, Default: "false",
			Help: "extend the TTL every ttl/3 while holding the lock (Redisson's lock watchdog)"},
		{Name: "replica", Kind: mech.Bool, Default: "false",
			Help: "add redis-2, an asynchronous replica that takes over when redis-1 goes silent for 1s"},
		{Name: "persistence", Kind: mech.Enum, Default: "none", Values: []string{"none", "everysec", "always"},
			Help: "what a restarted server remembers: nothing, the state of up to a second ago (appendfsync everysec), or every write (appendfsync always)"},
		shared["fencing"],
		shared["stuck_after"],
	}
}

func servers(p mech.Params) []string {
	if p.Bool("replica") {
		return []string{"redis-1", "redis-2"}
	}
	return []string{"redis-1"}
}

func nodes(p mech.Params) []string {
	names := append(servers(p), lock.ClientNames(p.Int("clients"))...)
	return append(names, lock.StorageName)
}

// validate rejects a time to live the parameter's bounds cannot, such as one
// in parameters built by hand: the watchdog renews every ttl/3.
func validate(p mech.Params) error {
	if ttl := p.Duration("ttl"); ttl < time.Millisecond {
		return &mech.ParamError{Param: "ttl", Msg: fmt.Sprintf("expected a duration of at least 1ms, got %v", ttl)}
	}
	return nil
}

func build(w *sim.World, p mech.Params) error {
	if err := validate(p); err != nil {
		return err
	}
	w.DeclareSymbol("leader")
	srv := servers(p)
	persistence := p.String("persistence")
	for _, name := range srv {
		if err := w.AddNode(name, func() sim.Node { return newServer(persistence, srv) }); err != nil {
			return err
		}
	}
	cfg := config{
		TTL:      p.Duration("ttl"),
		CAD:      p.String("release") == "cad",
		Watchdog: p.Bool("watchdog"),
		Fencing:  p.Bool("fencing"),
	}
	return lock.AddNodes(w, p, func(string) lock.Protocol { return newClient(cfg, srv) })
}
