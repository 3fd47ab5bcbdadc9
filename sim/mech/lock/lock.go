// Package lock is the workload every lock mechanism shares: clients that
// loop acquire → hold (writing to storage-1 inside the critical section) →
// release → think, and the storage node they protect, which checks fencing
// tokens when asked to.
//
// A mechanism (setnx, dblock, redlock, zklock) supplies only its own half of
// the client — a Protocol that knows how to acquire and release on its
// servers — and its servers. Everything a lock checker needs is observed
// here, once: when a client starts waiting, believes it holds the lock,
// stops believing it, and what storage accepted.
//
// The workload is unsafe on purpose in the way real clients are: a client
// that was granted the lock believes it until its hold time has passed on its
// own clock, however long it was paused, and then writes. Only a fencing
// token checked by storage can stop that write.
package lock

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// StorageName is the protected resource's node name.
const StorageName = "storage-1"

// Params returns the parameters every lock mechanism shares, with the given
// default number of clients: clients, hold, think, fencing, stuck_after.
// A mechanism without fencing tokens (RedLock) leaves out fencing.
func Params(clients string, fencing bool) []mech.Param {
	ps := []mech.Param{
		{Name: "clients", Kind: mech.Int, Default: clients, Min: 1, Max: 20, Help: "clients competing for the lock"},
		{Name: "hold", Kind: mech.Duration, Default: "200ms", Min: float64(time.Millisecond), Max: float64(time.Hour), Help: "how long a client works in the critical section before it writes and releases"},
		{Name: "think", Kind: mech.Duration, Default: "100ms", Min: 0, Max: float64(time.Hour), Help: "pause between a release and the next attempt"},
	}
	if fencing {
		ps = append(ps, mech.Param{Name: "fencing", Kind: mech.Bool, Default: "false", Help: "clients send the lock's token with each write and storage refuses a token lower than the highest it has seen"})
	}
	return append(ps, mech.Param{Name: "stuck_after", Kind: mech.Duration, Default: "10s", Min: float64(time.Millisecond), Max: float64(time.Hour), Help: "how long a client may wait for a crashed holder's lock before lock-stuck is reported"})
}

// ClientNames returns client-1 .. client-n.
func ClientNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("client-%d", i+1)
	}
	return names
}

// Checkers returns the lock checkers for the named invariants.
func Checkers(p mech.Params, invariants []string) []check.Checker {
	var cs []check.Checker
	for _, name := range invariants {
		switch name {
		case "mutual-exclusion":
			cs = append(cs, check.MutualExclusion())
		case "stale-write":
			cs = append(cs, check.StaleWrite())
		case "wrong-release":
			cs = append(cs, check.WrongRelease())
		case "lock-stuck":
			cs = append(cs, check.LockStuck(p.Duration("stuck_after")))
		}
	}
	return cs
}

// Config is the workload of one client.
type Config struct {
	Hold, Think time.Duration
	Fencing     bool // send the token with each write
}

// ConfigFrom reads the shared parameters.
func ConfigFrom(p mech.Params) Config {
	c := Config{Hold: p.Duration("hold"), Think: p.Duration("think")}
	if _, ok := p["fencing"]; ok {
		c.Fencing = p.Bool("fencing")
	}
	return c
}

// AddNodes adds client-1..N, each running the workload over the protocol
// newProtocol builds for it (again at every restart), and storage-1. It
// declares the symbolic name "holder".
func AddNodes(w *sim.World, p mech.Params, newProtocol func(client string) Protocol) error {
	cfg := ConfigFrom(p)
	for _, name := range ClientNames(p.Int("clients")) {
		name := name
		if err := w.AddNode(name, func() sim.Node { return &Client{cfg: cfg, proto: newProtocol(name)} }); err != nil {
			return err
		}
	}
	w.DeclareSymbol("holder")
	return w.AddNode(StorageName, func() sim.Node { return NewStorage(cfg.Fencing) })
}

// Finish returns a mechanism's Finish function that reports every named
// metric, 0 when nothing counted it, so that a scenario can expect
// `failovers: "== 0"` of a run without a failover.
func Finish(metrics []string) func(w *sim.World, p mech.Params) map[string]float64 {
	return func(w *sim.World, _ mech.Params) map[string]float64 {
		got := w.Metrics()
		out := make(map[string]float64, len(metrics))
		for _, name := range metrics {
			out[name] = got[name]
		}
		return out
	}
}
