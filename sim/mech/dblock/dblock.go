// Package dblock is the database lock: a row in a lock table under a unique
// index, the pattern of Spring Integration's JdbcLockRegistry (its INT_LOCK
// table keyed by the lock's name, with an expiry column; "JDBC Lock Registry"
// in the Spring Integration reference) and of countless hand-written
// "INSERT the lock row" locks. Clients run the shared lock workload of
// sim/mech/lock and write to storage-1 inside the critical section.
//
// The protocol, as statements on db-1:
//   - acquire: INSERT INTO locks (name, owner, expires_at) VALUES (...). The
//     unique index lets one row per name exist; a duplicate-key error
//     (MySQL's ER_DUP_ENTRY) means the lock is taken, unless SELECT id, owner
//     FROM locks WHERE name = ? shows the row is the client's own (its INSERT
//     went through, but the answer was lost or the INSERT arrived twice), and
//     the client tries again every retry.
//   - release: DELETE FROM locks WHERE name = ? AND owner = ? — its own row
//     only; the owner value is unique to one acquisition.
//   - expiry (optional): expires_at = NOW() + expiry on db-1's clock; a
//     waiting client that finds the lock taken first runs DELETE FROM locks
//     WHERE name = ? AND expires_at < NOW(), as the Spring repository deletes
//     expired locks before it tries to insert.
//   - fencing: the row's AUTO_INCREMENT id is the token.
//
// Where it is unsafe on purpose:
//   - Without expiry a holder that crashes leaves its row forever: every other
//     client waits for good (lock-stuck). The database is durable, so not even
//     a database restart frees it.
//   - With expiry, the expiry is the unsafe step: a holder paused longer than
//     expiry has its row deleted by a waiter, which inserts its own while the
//     paused one still believes it holds the lock (mutual-exclusion), and the
//     paused one writes when it wakes (stale-write) unless fencing stops it.
//   - replica: db-2 receives row events asynchronously and is promoted when
//     db-1 goes silent (see sim/mech/lock/replica). A row db-1 committed but
//     had not shipped is lost, the lock is granted twice, and db-2's
//     AUTO_INCREMENT hands the lost row's id out again, so even fencing tokens
//     repeat.
package dblock

import (
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/lock"
)

// Mechanism is dblock in the catalog.
var Mechanism = &mech.Mechanism{
	Name:  "dblock",
	Title: "Database unique-index lock",
	Summary: "Clients take a lock by inserting a row under a unique index on db-1; a duplicate-key error " +
		"means it is taken. Without expiry a crashed holder's row stays forever; with an expires_at " +
		"column, waiting clients delete an expired row, even one whose holder is only paused.",
	Roles:      "db-1 (db-2 async replica), client-N, storage-1",
	Params:     params(),
	Invariants: invariants,
	Metrics:    metrics,
	Symbols:    []string{"holder", "leader"},
	Nodes:      nodes,
	Build:      build,
	Checkers:   func(p mech.Params) []check.Checker { return lock.Checkers(p, invariants) },
	Finish:     lock.Finish(metrics),
}

var (
	invariants = []string{"mutual-exclusion", "stale-write", "lock-stuck"}
	metrics    = []string{"acquisitions", "refused-writes", "expired-rows", "failovers"}
)

func init() { mech.Register(Mechanism) }

// params lists the parameters in the order of DESIGN section 5.
func params() []mech.Param {
	shared := map[string]mech.Param{}
	for _, p := range lock.Params("2", true) {
		shared[p.Name] = p
	}
	return []mech.Param{
		shared["clients"],
		shared["hold"],
		shared["think"],
		{Name: "retry", Kind: mech.Duration, Default: "50ms", Min: float64(time.Millisecond), Max: float64(time.Hour),
			Help: "how long a client waits after a duplicate-key error before it inserts again"},
		{Name: "expiry", Kind: mech.DurationOrEnum, Default: "none", Values: []string{"none"}, Min: float64(time.Millisecond), Max: float64(time.Hour),
			Help: "none: a lock row stays until its holder deletes it; a duration: rows get expires_at = NOW() + expiry on db-1's clock and waiting clients delete expired ones"},
		{Name: "replica", Kind: mech.Bool, Default: "false",
			Help: "add db-2, an asynchronous replica that takes over when db-1 goes silent for 1s"},
		shared["fencing"],
		shared["stuck_after"],
	}
}

func servers(p mech.Params) []string {
	if p.Bool("replica") {
		return []string{"db-1", "db-2"}
	}
	return []string{"db-1"}
}

func nodes(p mech.Params) []string {
	names := append(servers(p), lock.ClientNames(p.Int("clients"))...)
	return append(names, lock.StorageName)
}

func build(w *sim.World, p mech.Params) error {
	w.DeclareSymbol("leader")
	srv := servers(p)
	for _, name := range srv {
		if err := w.AddNode(name, func() sim.Node { return newServer(srv) }); err != nil {
			return err
		}
	}
	cfg := config{Retry: p.Duration("retry"), Expiry: p.Duration("expiry")}
	return lock.AddNodes(w, p, func(string) lock.Protocol { return newClient(cfg, srv) })
}
