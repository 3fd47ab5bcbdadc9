// Package redlock is the Redlock algorithm, as the Redis documentation
// describes it in "Distributed Locks with Redis"
// (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/):
// N independent Redis masters redis-1..N, no replication between them. A
// client takes the current time, sends SET resource random_value NX PX ttl to
// every master, and holds the lock when a majority of them answered OK and the
// validity time — ttl minus the time the attempt took minus an allowance for
// clock drift (ttl × drift_factor + 2 ms) — is still positive. Otherwise it
// unlocks every master and tries again after a random delay. Releasing runs
// the documented compare-and-delete script on every master.
//
// It is unsafe on purpose exactly where Martin Kleppmann's "How to do
// distributed locking" (2016) says it is:
//   - Each master expires the key by its OWN clock (Context.Now). A clock
//     that jumps forward on one master frees the key early, and a second
//     client can gather a majority that overlaps the first holder's majority
//     in that one master: two clients hold the lock.
//   - Keys live in memory. With persistence none, a master that restarts
//     forgets the key, with the same result; persistence always (fsync on
//     every write) and delayed_restart (the master stays unavailable for one
//     ttl after a restart, as the documentation proposes) are the fixes.
//   - The lock carries no fencing token: the random value is not monotonic,
//     so storage-1 cannot refuse a write from a client that was paused past
//     the ttl (a GC pause). RedLock has no fix for that; this package offers
//     no fencing parameter because the algorithm has none to offer.
package redlock

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/lock"
)

// Resource is the name of the key every client locks.
const Resource = "lock"

// Mechanism is the catalog entry of redlock.
var Mechanism = &mech.Mechanism{
	Name:  "redlock",
	Title: "Redlock over independent Redis masters",
	Summary: "Clients lock a majority of N independent Redis masters with SET NX PX and a random value, " +
		"and trust the lock for its validity time. Each master expires keys by its own clock and may forget " +
		"them on restart, and the lock has no fencing token: a clock jump, a restart without persistence or " +
		"a long pause lets two clients hold it.",
	Roles:      "redis-1..N (independent masters), client-N, storage-1",
	Params:     params(),
	Invariants: []string{"mutual-exclusion", "stale-write"},
	Metrics:    []string{"acquisitions", "attempts", "retries", "expired-keys", "refused-requests", "lost-locks"},
	Symbols:    []string{"holder"},
	Nodes:      nodes,
	Validate:   validate,
	Build:      build,
	Checkers: func(p mech.Params) []check.Checker {
		return lock.Checkers(p, []string{"mutual-exclusion", "stale-write"})
	},
}

func init() { mech.Register(Mechanism) }

func params() []mech.Param {
	shared := map[string]mech.Param{}
	for _, p := range lock.Params("2", false) {
		shared[p.Name] = p
	}
	ms := float64(time.Millisecond)
	return []mech.Param{
		{Name: "masters", Kind: mech.Int, Default: "5", Min: 1, Max: 9, Help: "independent Redis masters; a client needs a majority of them (an odd number)"},
		shared["clients"],
		{Name: "ttl", Kind: mech.Duration, Default: "10s", Min: ms, Max: float64(time.Hour), Help: "the key's expiry (SET ... PX ttl) on every master: the longest a lock can outlive its holder"},
		{Name: "drift_factor", Kind: mech.Float, Default: "0.01", Min: 0, Max: 0.5, Help: "share of the ttl subtracted from the validity time for clock drift (plus 2 ms)"},
		{Name: "retry", Kind: mech.Duration, Default: "200ms", Min: ms, Max: float64(time.Minute), Help: "a failed attempt is retried after a random delay of up to this"},
		shared["hold"],
		shared["think"],
		{Name: "persistence", Kind: mech.Enum, Default: "none", Values: []string{"none", "always"}, Help: "none: a restarted master has forgotten every key; always: every write is fsynced and survives a restart"},
		{Name: "delayed_restart", Kind: mech.Bool, Default: "false", Help: "a restarted master refuses every request for one ttl, so that no lock it forgot can still be valid"},
	}
}

// MasterNames returns redis-1 .. redis-n.
func MasterNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("redis-%d", i+1)
	}
	return names
}

func nodes(p mech.Params) []string {
	names := MasterNames(p.Int("masters"))
	names = append(names, lock.ClientNames(p.Int("clients"))...)
	return append(names, lock.StorageName)
}

func validate(p mech.Params) error {
	if n := p.Int("masters"); n%2 == 0 {
		return &mech.ParamError{Param: "masters", Msg: fmt.Sprintf("expected an odd number of masters (3, 5, 7), got %d: with an even number a majority is no more fault tolerant than one master less", n)}
	}
	return nil
}

// Config is what masters and clients need of the parameters.
type Config struct {
	Masters     []string
	TTL         time.Duration
	DriftFactor float64
	Retry       time.Duration
	Persist     bool // persistence always
	Delayed     bool // delayed_restart
}

// ConfigFrom reads the parameters.
func ConfigFrom(p mech.Params) Config {
	return Config{
		Masters:     MasterNames(p.Int("masters")),
		TTL:         p.Duration("ttl"),
		DriftFactor: p.Float("drift_factor"),
		Retry:       p.Duration("retry"),
		Persist:     p.String("persistence") == "always",
		Delayed:     p.Bool("delayed_restart"),
	}
}

func build(w *sim.World, p mech.Params) error {
	cfg := ConfigFrom(p)
	for _, name := range cfg.Masters {
		if err := w.AddNode(name, func() sim.Node { return NewMaster(cfg) }); err != nil {
			return err
		}
	}
	return lock.AddNodes(w, p, func(string) lock.Protocol { return NewClient(cfg) })
}
