// Package zklock is the ZooKeeper lock recipe ("Locks" in the ZooKeeper
// Recipes and Solutions, https://zookeeper.apache.org/doc/current/recipes.html)
// over a replicated ZooKeeper ensemble zk-1..N (Hunt, Konar, Junqueira and
// Reed, "ZooKeeper: Wait-free coordination for Internet-scale systems",
// USENIX ATC 2010).
//
// A client opens a session, creates an ephemeral sequential znode
// /lock/_c_GUID-lock-NNNNNNNNNN, lists /lock's children, and holds the lock
// when its node has the lowest sequence number. Otherwise, with recipe
// predecessor (the documented recipe), it sets an exists() watch on the next
// lower node only and lists again when that watch fires; with recipe herd it
// watches /lock's children instead, so every change wakes every waiter (the
// "herd effect" the recipe warns about; metric watch-events). Release deletes
// the node. A client whose server fails moves its session to another server;
// a client that learns its session expired gives the lock up (Client.Lost)
// and opens a new session. With fencing the client's token is its znode's
// czxid, which grows with every grant.
//
// The ensemble replicates writes through a leader that commits on a
// majority, after Zab (Junqueira, Reed and Serafini, DSN 2011), simplified
// as zab.go and election.go describe: fast leader election by epoch, zxid
// and id; no separate NEWEPOCH round; synchronisation always by a full copy
// of the state; the only znodes are /lock and its children. Reads are served
// by the server a client is connected to, as in ZooKeeper.
//
// ZooKeeper runs over TCP; the simulated network loses, duplicates and
// reorders. What TCP gives ZooKeeper is modelled where the recipe depends on
// it, and nowhere else: a client connection numbers its messages (Conn) so
// the client restores their order and treats a gap as a broken connection;
// a follower that leaves its leader says Goodbye (the closed socket); the
// leader's PING resends what a follower has not acknowledged; the leader
// drops a request whose number it has already seen from that session, and
// refuses one that reaches it through a server the session has left
// (ZooKeeper's SessionMovedException); a restarted client numbers its
// connection attempts and requests after its incarnation, so that answers
// meant for its predecessor, which died with the old connections, match
// none of its own.
//
// It is unsafe on purpose where the real recipe is: the leader expires a
// session it has not heard from for session_timeout and deletes its
// ephemeral node, but the client may only be paused (a GC pause) and still
// believe it holds the lock. When it wakes it writes to storage-1 — and only
// a fencing token (fencing: true) lets storage refuse that stale write.
package zklock

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/lock"
)

// Mechanism is the catalog entry of zklock.
var Mechanism = &mech.Mechanism{
	Name:  "zklock",
	Title: "ZooKeeper lock recipe with ephemeral sequential znodes",
	Summary: "Clients of a replicated ZooKeeper ensemble create ephemeral sequential znodes under /lock; the lowest " +
		"sequence number holds the lock and each waiter watches its predecessor (or, with the herd recipe, all of " +
		"/lock). The leader expires a silent session and deletes its znode, so a paused holder can wake up believing " +
		"it still holds the lock; the znode's zxid is a fencing token that lets storage refuse its write.",
	Roles:      "zk-1..N (replicated ensemble), client-N, storage-1",
	Params:     params(),
	Invariants: []string{"mutual-exclusion", "stale-write"},
	Metrics:    []string{"acquisitions", "watch-events", "sessions-expired", "leader-changes", "refused-writes", "lost-locks"},
	Symbols:    []string{"holder", "leader"},
	Nodes:      nodes,
	Build:      build,
	Checkers: func(p mech.Params) []check.Checker {
		return lock.Checkers(p, []string{"mutual-exclusion", "stale-write"})
	},
}

func init() { mech.Register(Mechanism) }

func params() []mech.Param {
	shared := map[string]mech.Param{}
	for _, p := range lock.Params("3", true) {
		shared[p.Name] = p
	}
	fencing := shared["fencing"]
	fencing.Help = "clients send their znode's czxid with each write and storage refuses a token lower than the highest it has seen"
	return []mech.Param{
		{Name: "ensemble", Kind: mech.Int, Default: "3", Min: 1, Max: 9, Help: "ZooKeeper servers; writes commit on a majority of them"},
		shared["clients"],
		{Name: "session_timeout", Kind: mech.Duration, Default: "4s", Min: float64(100 * time.Millisecond), Max: float64(time.Hour), Help: "how long the leader waits without hearing from a client before it expires the session and deletes its znodes"},
		{Name: "recipe", Kind: mech.Enum, Default: "predecessor", Values: []string{"predecessor", "herd"}, Help: "predecessor: each waiter watches the next lower znode; herd: every waiter watches all of /lock"},
		shared["hold"],
		shared["think"],
		fencing,
	}
}

// ServerNames returns zk-1 .. zk-n.
func ServerNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("zk-%d", i+1)
	}
	return names
}

func nodes(p mech.Params) []string {
	names := ServerNames(p.Int("ensemble"))
	names = append(names, lock.ClientNames(p.Int("clients"))...)
	return append(names, lock.StorageName)
}

// Config is what servers and clients need of the parameters.
type Config struct {
	Servers        []string
	SessionTimeout time.Duration
	Herd           bool // recipe herd
	// Tick is the servers' tickTime: the leader's heartbeat and the
	// granularity of session expiry. It is session_timeout/8, so that a
	// follower gives up on a dead leader (syncLimit, 4 ticks) well within a
	// session timeout, as ZooKeeper's configuration rules require.
	Tick time.Duration
}

// ConfigFrom reads the parameters.
func ConfigFrom(p mech.Params) Config {
	timeout := p.Duration("session_timeout")
	return Config{
		Servers:        ServerNames(p.Int("ensemble")),
		SessionTimeout: timeout,
		Herd:           p.String("recipe") == "herd",
		Tick:           timeout / 8,
	}
}

// syncLimit is how long a follower waits for its leader, and a leader for a
// quorum, before going back to the election.
func (c Config) syncLimit() time.Duration { return 4 * c.Tick }

// finalizeWait is how long an election waits for a better vote once a
// quorum agrees (FLE waits 200 ms).
func (c Config) finalizeWait() time.Duration { return min(200*time.Millisecond, c.Tick) }

func build(w *sim.World, p mech.Params) error {
	cfg := ConfigFrom(p)
	for i, name := range cfg.Servers {
		id := i + 1
		if err := w.AddNode(name, func() sim.Node { return NewServer(cfg, id) }); err != nil {
			return err
		}
	}
	w.DeclareSymbol("leader")
	return lock.AddNodes(w, p, func(string) lock.Protocol { return NewClient(cfg) })
}
