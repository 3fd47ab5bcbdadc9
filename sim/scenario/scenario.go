// Package scenario is coordlab's scenario format: a YAML description of one
// run — the mechanism and its parameters, the network, a fault schedule,
// sliders for the browser, and what the run is expected to show. It parses
// and validates a scenario with errors that name the file, line and column
// and what was expected, runs it on the sim kernel, checks its invariants
// and compares the outcome with the expectation.
//
// YAML is read with github.com/goccy/go-yaml because its AST keeps the
// position of every node: validation walks the AST itself, so an unknown key,
// a wrong type or an impossible value is reported where it is written.
package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech"
)

// Scenario is a parsed, validated scenario.
type Scenario struct {
	File      string // where it came from, for errors
	Name      string
	Title     string
	Mechanism string
	Seed      uint64
	Duration  time.Duration
	// Params holds every parameter, defaults filled in; Given lists the
	// names the scenario wrote, in order, for export.
	Params  mech.Params
	Given   []string
	Network sim.Network
	// NetworkGiven lists the network keys the scenario wrote, for export.
	NetworkGiven []string
	Faults       []sim.Fault
	Sliders      []Slider
	Expect       *Expect
	mech         *mech.Mechanism
}

// Slider is a control the browser renders: moving it re-runs the scenario
// with the parameter set to the slider's value.
type Slider struct {
	Param    string // "params.ttl", "network.loss", "network.latency", "seed", "duration"
	Min, Max string // as written
	Step     string // optional
}

// Expect is what a run must show.
type Expect struct {
	Violations []string // each must be violated at least once
	Holds      []string // each must hold
	// HoldsGiven is true when the scenario wrote `holds`; without it every
	// invariant not listed under Violations must hold.
	HoldsGiven bool
	Metrics    []MetricExpect
}

// MetricExpect compares one metric with a number.
type MetricExpect struct {
	Metric string
	Op     string // ">=", "<=", ">", "<", "=="
	Value  float64
	Text   string // as written
}

// Mech returns the scenario's mechanism.
func (s *Scenario) Mech() *mech.Mechanism { return s.mech }

// Nodes returns the names of the scenario's nodes.
func (s *Scenario) Nodes() []string { return s.mech.Nodes(s.Params) }

// Clone returns a copy that can be changed without touching s.
func (s *Scenario) Clone() *Scenario {
	c := *s
	c.Params = mech.Params{}
	for k, v := range s.Params {
		c.Params[k] = v
	}
	c.Given = append([]string(nil), s.Given...)
	c.NetworkGiven = append([]string(nil), s.NetworkGiven...)
	c.Faults = append([]sim.Fault(nil), s.Faults...)
	c.Sliders = append([]Slider(nil), s.Sliders...)
	return &c
}

// With returns a copy of the scenario with one setting changed, as a slider
// does: path is "params.NAME", "network.latency", "network.loss",
// "network.duplicate", "seed" or "duration"; value is written as in YAML.
func (s *Scenario) With(path, value string) (*Scenario, error) {
	c := s.Clone()
	v, err := c.set(path, value)
	if err != nil {
		return nil, err
	}
	_ = v
	if c.mech.Validate != nil {
		if err := c.mech.Validate(c.Params); err != nil {
			return nil, err
		}
	}
	if err := c.checkFaultNames(); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Scenario) set(path, value string) (string, error) {
	section, name, _ := strings.Cut(path, ".")
	switch {
	case section == "params":
		spec, ok := s.mech.Param(name)
		if !ok {
			return "", fmt.Errorf("%s has no parameter %q; it has %s", s.mech.Name, name, paramNames(s.mech))
		}
		v, err := spec.Parse(value)
		if err != nil {
			return "", fmt.Errorf("params.%s: %v", name, err)
		}
		s.Params[name] = v
		s.Given = addOnce(s.Given, name)
	case section == "network":
		if err := setNetwork(&s.Network, name, value); err != nil {
			return "", err
		}
		s.NetworkGiven = addOnce(s.NetworkGiven, name)
	case path == "seed":
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return "", fmt.Errorf("seed: expected a whole number of at least 0, got %q", value)
		}
		s.Seed = n
	case path == "duration":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 || d > sim.DefaultLimits.MaxDuration {
			return "", fmt.Errorf("duration: expected a duration from 1ms to %v, got %q", sim.DefaultLimits.MaxDuration, value)
		}
		s.Duration = d
	default:
		return "", fmt.Errorf("cannot set %q: expected params.NAME, network.latency, network.loss, network.duplicate, seed or duration", path)
	}
	return value, nil
}

func setNetwork(n *sim.Network, name, value string) error {
	switch name {
	case "latency":
		r, err := mech.ParseRange(value)
		if err != nil {
			return fmt.Errorf("network.latency: %v", err)
		}
		n.Latency = r
	case "loss", "duplicate":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || !(f >= 0 && f <= 1) { // NaN fails every comparison
			return fmt.Errorf("network.%s: expected a probability from 0 to 1, got %q", name, value)
		}
		if name == "loss" {
			n.Loss = f
		} else {
			n.Duplicate = f
		}
	default:
		return fmt.Errorf("network has no setting %q; expected latency, loss or duplicate", name)
	}
	return nil
}

// checkFaultNames makes sure every fault names a node the current
// parameters create (a slider that lowers `clients` may remove one).
func (s *Scenario) checkFaultNames() error {
	known := s.knownNames()
	for _, f := range s.Faults {
		for _, n := range faultNames(&f) {
			if !known[n] {
				return fmt.Errorf("fault at %v names %q, which these parameters do not create", f.At, n)
			}
		}
	}
	return nil
}

func (s *Scenario) knownNames() map[string]bool {
	known := map[string]bool{}
	for _, n := range s.mech.Nodes(s.Params) {
		known[n] = true
	}
	for _, sym := range s.mech.Symbols {
		known[sym] = true
	}
	return known
}

func faultNames(f *sim.Fault) []string {
	var names []string
	if f.Node != "" {
		names = append(names, f.Node)
	}
	if f.From != "" {
		names = append(names, f.From, f.To)
	}
	for _, g := range f.Groups {
		names = append(names, g...)
	}
	return names
}

func addOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func paramNames(m *mech.Mechanism) string {
	names := make([]string, len(m.Params))
	for i, p := range m.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// validName reports whether s is a scenario name, [a-z0-9-]+. It is checked
// by hand: a regular expression would be compiled at every start of the
// browser lab.
func validName(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' }) < 0
}
