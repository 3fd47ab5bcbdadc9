// Package quorum is a Dynamo-style replicated register: the key-value store of
// DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store" (SOSP
// 2007), sections 4.3 to 4.6, with the knobs the CAP / PACELC explorer turns.
//
// Nodes replica-1..replicas form a ring; each key lives on the first n
// replicas of its preference list. Clients send get and put to a coordinator
// replica, which sends the request to n replicas and answers once r (get) or
// w (put) of them replied. Conflicting versions are resolved by last writer
// wins, with timestamps read from the writer's own clock, or kept side by side
// as siblings under version vectors (conflict: vector). A get repairs replicas
// that returned stale versions (read repair). With a sloppy quorum a
// coordinator that cannot reach a home replica writes to the next healthy node
// of the preference list instead, with a hint, and that node hands the data
// off once the home replica is back (hinted handoff).
//
// It is unsafe on purpose where Dynamo is: with r + w <= n a get may miss the
// latest put (stale-read); last writer wins trusts the writers' clocks, so a
// clock running ahead makes a later write lose (lost-update, see
// replica.apply); a sloppy quorum stays available in a partition by letting
// the two sides accept writes the other side's reads cannot see. Version
// vectors with one entry per coordinator, as Dynamo's, lose writes too: two
// puts sent with the same context through one coordinator get its next two
// counters, so the second's vector descends from the first's and replaces it
// everywhere although its writer never saw it (lost-update, see
// Version.saw and BlindOverwrite; dotted version vectors, Preguiça et al.
// 2012, fix this). Even r + w > n without faults is not linearizable: a get
// that meets a put still in flight may return it while a later get does not.
package quorum

import (
	"fmt"
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

func init() { mech.Register(Mechanism) }

// Mechanism is the quorum entry of the catalog.
var Mechanism = &mech.Mechanism{
	Name:  "quorum",
	Title: "Dynamo-style quorum-replicated register",
	Summary: "Clients read and write keys through a coordinator that waits for r of n replicas on a read and w of n on " +
		"a write. Last writer wins by the writer's clock, or version vectors keep concurrent writes as siblings; read " +
		"repair and a sloppy quorum with hinted handoff trade consistency for availability, as Dynamo does.",
	Roles: "replica-1..replicas (each key on n of them), client-N",
	Params: []mech.Param{
		{Name: "n", Kind: mech.Int, Default: "3", Min: 1, Max: 16, Help: "replicas each key is stored on (N)"},
		{Name: "r", Kind: mech.Int, Default: "2", Min: 1, Max: 16, Help: "replies a read waits for (R)"},
		{Name: "w", Kind: mech.Int, Default: "2", Min: 1, Max: 16, Help: "acknowledgements a write waits for (W)"},
		{Name: "clients", Kind: mech.Int, Default: "3", Min: 1, Max: 16, Help: "clients issuing reads and writes"},
		{Name: "sloppy", Kind: mech.Bool, Default: "false", Help: "sloppy quorum: write to stand-in replicas with a hint when home replicas are unreachable"},
		{Name: "read_repair", Kind: mech.Bool, Default: "true", Help: "a read writes the reconciled version back to replicas that returned stale ones"},
		{Name: "conflict", Kind: mech.Enum, Default: "lww", Values: []string{"lww", "vector"}, Help: "last writer wins by the writer's clock, or version vectors with siblings"},
		{Name: "replicas", Kind: mech.Int, Default: "5", Min: 1, Max: 32, Help: "replicas on the ring; those beyond a key's n are its stand-ins for a sloppy quorum"},
		{Name: "keys", Kind: mech.Int, Default: "1", Min: 1, Max: 100, Help: "keys k1..kN the clients use; key kI's preference list starts at replica-I"},
		{Name: "reads", Kind: mech.Float, Default: "0.5", Min: 0, Max: 1, Help: "fraction of operations that are reads"},
		{Name: "ops", Kind: mech.Int, Default: "0", Min: 0, Max: 100000, Help: "operations in all, shared among the clients (0: until the run ends)"},
		{Name: "think", Kind: mech.Duration, Default: "100ms", Min: 0, Max: float64(time.Minute), Help: "pause of a client between two operations"},
		{Name: "timeout", Kind: mech.Duration, Default: "300ms", Min: float64(time.Millisecond), Max: float64(time.Minute), Help: "how long a coordinator waits for replicas (checked every half timeout); a client gives up after two to three"},
	},
	Invariants: []string{"linearizability", "stale-read", "lost-update"},
	Metrics:    []string{"availability", "latency-p50", "latency-p99", "stale-reads", "lost-updates", "ops"},
	Nodes:      nodeNames,
	Validate:   validate,
	Build:      build,
	Checkers:   checkers,
	Finish:     finish,
}

// config is what every node of a run knows: the parameters, read once. Nodes
// share it and never change it.
type config struct {
	n, r, w, keys  int
	sloppy, repair bool
	vector         bool
	reads          float64
	think, timeout time.Duration
	replicas       []string
}

func newConfig(p mech.Params) *config {
	c := &config{
		n: p.Int("n"), r: p.Int("r"), w: p.Int("w"), keys: p.Int("keys"),
		sloppy: p.Bool("sloppy"), repair: p.Bool("read_repair"), vector: p.String("conflict") == "vector",
		reads: p.Float("reads"), think: p.Duration("think"), timeout: p.Duration("timeout"),
	}
	for i := range p.Int("replicas") {
		c.replicas = append(c.replicas, "replica-"+strconv.Itoa(i+1))
	}
	return c
}

// index returns the index of a replica by name, or -1 for another node.
// A search of a few names costs less than a map lookup on every message.
func (c *config) index(name string) int {
	for i, r := range c.replicas {
		if r == name {
			return i
		}
	}
	return -1
}

// keyName returns the name of key i (from 0): "k1".
func keyName(i int) string {
	if i < len(keyNames) {
		return keyNames[i]
	}
	return "k" + strconv.Itoa(i+1)
}

// keyNames are the first key names, made once: clients name a key for
// every operation.
var keyNames = func() []string {
	names := make([]string, 64)
	for i := range names {
		names[i] = "k" + strconv.Itoa(i+1)
	}
	return names
}()

// preference returns the replica index at position i of key's preference
// list: the ring walked from replica-I for key kI.
func (c *config) preference(key string, i int) int {
	start, _ := strconv.Atoi(key[1:])
	return (start - 1 + i) % len(c.replicas)
}

// home reports whether replica index x is one of key's n home replicas.
func (c *config) home(key string, x int) bool {
	start, _ := strconv.Atoi(key[1:])
	return (x-(start-1)+len(c.replicas))%len(c.replicas) < c.n
}

func nodeNames(p mech.Params) []string {
	var names []string
	for i := range p.Int("replicas") {
		names = append(names, "replica-"+strconv.Itoa(i+1))
	}
	for i := range p.Int("clients") {
		names = append(names, "client-"+strconv.Itoa(i+1))
	}
	return names
}

func validate(p mech.Params) error {
	n := p.Int("n")
	switch {
	case p.Int("r") > n:
		return &mech.ParamError{Param: "r", Msg: fmt.Sprintf("a read cannot wait for %d replies from n = %d replicas", p.Int("r"), n)}
	case p.Int("w") > n:
		return &mech.ParamError{Param: "w", Msg: fmt.Sprintf("a write cannot wait for %d acknowledgements from n = %d replicas", p.Int("w"), n)}
	case n > p.Int("replicas"):
		return &mech.ParamError{Param: "n", Msg: fmt.Sprintf("each key cannot live on %d replicas when the ring has replicas = %d", n, p.Int("replicas"))}
	}
	return nil
}

func build(w *sim.World, p mech.Params) error {
	cfg := newConfig(p)
	for i, name := range cfg.replicas {
		if err := w.AddNode(name, func() sim.Node { return newReplica(cfg, i) }); err != nil {
			return err
		}
	}
	clients, ops := p.Int("clients"), p.Int("ops")
	for i := range clients {
		quota := -1 // no limit
		if ops > 0 {
			quota = ops / clients
			if i < ops%clients {
				quota++
			}
		}
		if err := w.AddNode("client-"+strconv.Itoa(i+1), func() sim.Node { return newClient(cfg, i, quota) }); err != nil {
			return err
		}
	}
	return nil
}

// checkers reads client operations with their true call times (see
// check.StampOps). lost-update also reads the blind overwrites of version
// vectors (lost.go).
func checkers(mech.Params) []check.Checker {
	cs := []check.Checker{check.LinearizabilityChecker(), check.StaleRead(), lostUpdate()}
	for i := range cs {
		inner := cs[i].Check
		cs[i].Check = func(h []sim.Observation) []check.Violation { return inner(check.StampOps(h)) }
	}
	return cs
}

func finish(w *sim.World, _ mech.Params) map[string]float64 {
	m := Measure(check.StampOps(w.History()))
	return map[string]float64{
		"availability": m.Availability,
		"latency-p50":  ms(m.P50),
		"latency-p99":  ms(m.P99),
		"stale-reads":  float64(m.StaleReads),
		"lost-updates": float64(m.LostUpdates),
		"ops":          float64(m.Ops),
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
