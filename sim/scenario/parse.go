package scenario

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	yparser "github.com/goccy/go-yaml/parser"

	"coordlab/sim"
	"coordlab/sim/mech"
)

// ParseFile reads and parses a scenario file.
func ParseFile(path string) (*Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: err.Error()}}
	}
	return Parse(path, src)
}

// Parse parses and validates a scenario. file names the source in errors.
// The error, if any, is an ErrorList.
func Parse(file string, src []byte) (sc *Scenario, err error) {
	p := &parser{file: file}
	defer func() {
		// The YAML library is third-party code fed untrusted input: a panic
		// in it must become an error for the student, never a crash.
		if r := recover(); r != nil {
			sc, err = nil, ErrorList{{File: file, Msg: fmt.Sprintf("cannot read this YAML (%v)", r)}}
		}
	}()
	f, perr := yparser.ParseBytes(src, 0)
	if perr != nil {
		return nil, p.yamlError(perr)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: "expected one YAML document describing a scenario (name, mechanism, ...)"}}
	}
	s := p.scenario(f.Docs[0].Body)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return s, nil
}

type parser struct {
	file string
	errs ErrorList
}

func (p *parser) yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		pos := ye.GetToken().Position
		return ErrorList{{File: p.file, Line: pos.Line, Col: pos.Column, Msg: "invalid YAML: " + ye.GetMessage()}}
	}
	return ErrorList{{File: p.file, Msg: "invalid YAML: " + err.Error()}}
}

func (p *parser) errorf(n ast.Node, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		return
	}
	e := &Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil && n.GetToken() != nil {
		e.Line, e.Col = n.GetToken().Position.Line, n.GetToken().Position.Column
	}
	p.errs = append(p.errs, e)
}

// unwrap looks through tags and anchors to the value.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		default:
			return n
		}
	}
}

func describe(n ast.Node) string {
	switch unwrap(n).(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias (aliases are not supported)"
	}
	return fmt.Sprintf("%q", n.GetToken().Value)
}

// field is one key: value pair of a mapping.
type field struct {
	key   string
	keyN  ast.Node
	value ast.Node
}

// mapping returns the fields of a mapping node, reporting duplicates and
// anything that is not a mapping.
func (p *parser) mapping(n ast.Node, what string) []field {
	n = unwrap(n)
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	default:
		p.errorf(n, "expected %s as a mapping of key: value, got %s", what, describe(n))
		return nil
	}
	var fields []field
	seen := map[string]bool{}
	for _, mv := range values {
		key := mv.Key.GetToken().Value
		if seen[key] {
			p.errorf(mv.Key, "%q appears twice in %s", key, what)
			continue
		}
		seen[key] = true
		fields = append(fields, field{key: key, keyN: mv.Key, value: mv.Value})
	}
	return fields
}

// sequence returns the items of a list node.
func (p *parser) sequence(n ast.Node, what string) []ast.Node {
	n = unwrap(n)
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		p.errorf(n, "expected %s as a list, got %s", what, describe(n))
		return nil
	}
	return seq.Values
}

// scalar returns the text of a string, number or boolean.
func (p *parser) scalar(n ast.Node, expected string) (string, bool) {
	n = unwrap(n)
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	case *ast.LiteralNode:
		return strings.TrimSpace(v.Value.Value), true
	}
	p.errorf(n, "expected %s, got %s", expected, describe(n))
	return "", false
}

func (p *parser) duration(n ast.Node, what string, min, max time.Duration) (time.Duration, bool) {
	text, ok := p.scalar(n, "a duration such as 150ms or 10s")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		p.errorf(n, "%s: expected a duration such as 150ms or 10s, got %q", what, text)
		return 0, false
	}
	if d < min || d > max {
		p.errorf(n, "%s: expected a duration from %v to %v, got %v", what, min, max, d)
		return 0, false
	}
	return d, true
}

func (p *parser) probability(n ast.Node, what string) (float64, bool) {
	text, ok := p.scalar(n, "a probability from 0 to 1")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || !(f >= 0 && f <= 1) { // NaN fails every comparison
		p.errorf(n, "%s: expected a probability from 0 to 1, got %q", what, text)
		return 0, false
	}
	return f, true
}

func (p *parser) unknownKey(f field, where string, allowed string) {
	p.errorf(f.keyN, "unknown key %q in %s; expected one of: %s", f.key, where, allowed)
}

const topKeys = "name, title, mechanism, seed, duration, params, network, faults, sliders, expect"

func (p *parser) scenario(body ast.Node) *Scenario {
	s := &Scenario{File: p.file, Seed: 1, Duration: 30 * time.Second, Network: sim.DefaultNetwork}
	fields := p.mapping(body, "the scenario")
	if fields == nil {
		return nil
	}
	byKey := map[string]field{}
	for _, f := range fields {
		byKey[f.key] = f
		switch f.key {
		case "name", "title", "mechanism", "seed", "duration", "params", "network", "faults", "sliders", "expect":
		default:
			p.unknownKey(f, "the scenario", topKeys)
		}
	}
	// The mechanism comes first: parameters, node names, invariants and
	// metrics are all checked against it.
	mf, ok := byKey["mechanism"]
	if !ok {
		p.errorf(body, "missing key \"mechanism\"; expected one of: %s", strings.Join(mech.Names(), ", "))
		return nil
	}
	name, _ := p.scalar(mf.value, "a mechanism name")
	m, ok := mech.Lookup(name)
	if !ok {
		p.errorf(mf.value, "unknown mechanism %q; expected one of: %s", name, strings.Join(mech.Names(), ", "))
		return nil
	}
	s.Mechanism, s.mech = name, m
	s.Params = m.Defaults()

	if f, ok := byKey["name"]; ok {
		if v, ok := p.scalar(f.value, "a name of lowercase letters, digits and dashes"); ok {
			if !validName(v) {
				p.errorf(f.value, "name: expected lowercase letters, digits and dashes (such as redlock-clock-jump), got %q", v)
			}
			s.Name = v
		}
	} else {
		p.errorf(body, "missing key \"name\": every scenario needs a name of lowercase letters, digits and dashes")
	}
	if f, ok := byKey["title"]; ok {
		s.Title, _ = p.scalar(f.value, "a title")
	}
	if f, ok := byKey["seed"]; ok {
		if v, ok := p.scalar(f.value, "a whole number"); ok {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				p.errorf(f.value, "seed: expected a whole number of at least 0, got %q", v)
			}
			s.Seed = n
		}
	}
	if f, ok := byKey["duration"]; ok {
		var parsed bool
		if s.Duration, parsed = p.duration(f.value, "duration", time.Millisecond, sim.DefaultLimits.MaxDuration); !parsed {
			// Reported; measure the faults against the longest run
			// instead of reporting them all as after the end.
			s.Duration = sim.DefaultLimits.MaxDuration
		}
	}
	if f, ok := byKey["params"]; ok {
		p.params(s, f)
	}
	if f, ok := byKey["network"]; ok {
		p.network(s, f.value)
	}
	if f, ok := byKey["faults"]; ok {
		p.faults(s, f.value)
	}
	if f, ok := byKey["sliders"]; ok {
		p.sliders(s, f.value)
	}
	if f, ok := byKey["expect"]; ok {
		p.expect(s, f.value)
	}
	return s
}

func (p *parser) params(s *Scenario, pf field) {
	for _, f := range p.mapping(pf.value, "params") {
		spec, ok := s.mech.Param(f.key)
		if !ok {
			p.unknownKey(f, "the params of "+s.Mechanism, paramNames(s.mech))
			continue
		}
		text, ok := p.scalar(f.value, spec.Expected())
		if !ok {
			continue
		}
		v, err := spec.Parse(text)
		if err != nil {
			p.errorf(f.value, "params.%s: %v", f.key, err)
			continue
		}
		s.Params[f.key] = v
		s.Given = append(s.Given, f.key)
	}
	if len(p.errs) == 0 && s.mech.Validate != nil {
		if err := s.mech.Validate(s.Params); err != nil {
			var pe *mech.ParamError
			at := pf.keyN
			if errors.As(err, &pe) {
				for _, f := range p.mapping(pf.value, "params") {
					if f.key == pe.Param {
						at = f.value
					}
				}
			}
			p.errorf(at, "params: %v", err)
		}
	}
}

func (p *parser) network(s *Scenario, n ast.Node) {
	for _, f := range p.mapping(n, "network") {
		switch f.key {
		case "latency":
			text, ok := p.scalar(f.value, `a duration or a range such as "1ms..5ms"`)
			if !ok {
				continue
			}
			r, err := mech.ParseRange(text)
			if err != nil {
				p.errorf(f.value, "network.latency: %v", err)
				continue
			}
			s.Network.Latency = r
		case "loss":
			s.Network.Loss, _ = p.probability(f.value, "network.loss")
		case "duplicate":
			s.Network.Duplicate, _ = p.probability(f.value, "network.duplicate")
		default:
			p.unknownKey(f, "network", "latency, loss, duplicate")
			continue
		}
		s.NetworkGiven = append(s.NetworkGiven, f.key)
	}
}
