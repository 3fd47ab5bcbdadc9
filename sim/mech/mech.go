// Package mech is the catalog of coordlab's mechanisms: each mechanism
// package (sim/mech/setnx, sim/mech/raft, ...) registers a Mechanism here
// from its init function, and the scenario runner, the CLI's `mechanisms`
// command and the browser's reference page all read the same registry.
//
// A Mechanism declares its parameters with defaults and meaning, its node
// names, the symbolic names faults may use, its invariants and metrics, and
// builds its nodes into a sim.World.
package mech

import (
	"slices"
	"sort"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Mechanism describes one coordination mechanism and builds it.
type Mechanism struct {
	Name    string // "setnx"
	Title   string // "Redis SET NX PX lock"
	Summary string // one paragraph for the catalog
	// Roles describes the node roles for the catalog ("redis-1 (redis-2 replica)").
	Roles string
	// Params lists the parameters, each with its default; names are public API.
	Params []Param
	// Invariants names every invariant the mechanism can check.
	Invariants []string
	// Metrics names the metrics it reports.
	Metrics []string
	// Symbols lists the symbolic node names faults may use ("holder").
	Symbols []string
	// Nodes returns the names of the nodes these parameters create, in the
	// order they start. Names are ROLE-N counted from 1.
	Nodes func(p Params) []string
	// Validate checks combinations of parameters (r greater than n, say). It
	// returns a *ParamError naming the offending parameter. Optional.
	Validate func(p Params) error
	// Build adds the nodes to the world and declares the symbols.
	Build func(w *sim.World, p Params) error
	// Checkers returns the invariant checkers for these parameters. Every
	// name in Invariants must have a checker.
	Checkers func(p Params) []check.Checker
	// Finish computes metrics from the finished run (percentiles, say),
	// merged over the metrics the nodes counted. Optional.
	Finish func(w *sim.World, p Params) map[string]float64
}

// ParamError is a problem with one parameter's value.
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Msg }

var registry = map[string]*Mechanism{}

// Register adds a mechanism to the catalog. It panics on a duplicate name,
// a programming error found at init. That every default parses is checked
// by the catalog's tests (sim/mech/all), not here: at init it was work
// every start of the browser lab paid (about 20 ms of package
// initialisation under Node).
func Register(m *Mechanism) {
	if _, dup := registry[m.Name]; dup {
		panic("mech: mechanism registered twice: " + m.Name)
	}
	registry[m.Name] = m
}

// Lookup returns the mechanism with the given name.
func Lookup(name string) (*Mechanism, bool) {
	m, ok := registry[name]
	return m, ok
}

// Names returns the registered mechanism names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Param returns the parameter with the given name.
func (m *Mechanism) Param(name string) (*Param, bool) {
	for i := range m.Params {
		if m.Params[i].Name == name {
			return &m.Params[i], true
		}
	}
	return nil, false
}

// Defaults returns the parameters with every default filled in.
func (m *Mechanism) Defaults() Params {
	p := Params{}
	for _, spec := range m.Params {
		v, _ := spec.Parse(spec.Default)
		p[spec.Name] = v
	}
	return p
}

// HasInvariant reports whether the mechanism checks the named invariant.
func (m *Mechanism) HasInvariant(name string) bool { return slices.Contains(m.Invariants, name) }

// HasSymbol reports whether faults may use the symbolic name.
func (m *Mechanism) HasSymbol(name string) bool { return slices.Contains(m.Symbols, name) }

// With returns the defaults overridden by name/value pairs written as in a
// scenario: m.With("clients", "4", "ttl", "2s"). Tests use it.
func (m *Mechanism) With(kv ...string) (Params, error) {
	p := m.Defaults()
	for i := 0; i+1 < len(kv); i += 2 {
		spec, ok := m.Param(kv[i])
		if !ok {
			return nil, &ParamError{Param: kv[i], Msg: "no such parameter of " + m.Name}
		}
		v, err := spec.Parse(kv[i+1])
		if err != nil {
			return nil, &ParamError{Param: kv[i], Msg: err.Error()}
		}
		p[kv[i]] = v
	}
	if m.Validate != nil {
		if err := m.Validate(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Run builds a world of the mechanism with the parameters p, schedules the
// faults, runs it to cfg.Duration and returns it with the violations its
// checkers find in the history. Tests, benchmarks and explorers use it;
// scenarios go through sim/scenario, which adds expectations.
func (m *Mechanism) Run(cfg sim.Config, p Params, faults ...sim.Fault) (*sim.World, []check.Violation, error) {
	w := sim.New(cfg)
	if err := m.Build(w, p); err != nil {
		return nil, nil, err
	}
	for _, f := range faults {
		if err := w.Schedule(f); err != nil {
			return nil, nil, err
		}
	}
	if err := w.Run(); err != nil {
		return nil, nil, err
	}
	var vs []check.Violation
	for _, c := range m.Checkers(p) {
		vs = append(vs, c.Check(w.History())...)
	}
	return w, vs, nil
}
