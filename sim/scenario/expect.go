package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"coordlab/sim/check"
)

func (p *parser) sliders(s *Scenario, n ast.Node) {
	for _, item := range p.sequence(n, "sliders") {
		var sl Slider
		var at ast.Node = item
		for _, f := range p.mapping(item, "a slider {param, min, max, step}") {
			v, ok := p.scalar(f.value, "a value")
			if !ok {
				continue
			}
			switch f.key {
			case "param":
				sl.Param, at = v, f.value
			case "min":
				sl.Min = v
			case "max":
				sl.Max = v
			case "step":
				sl.Step = v
			default:
				p.unknownKey(f, "a slider", "param, min, max, step")
			}
		}
		if sl.Param == "" || sl.Min == "" || sl.Max == "" {
			p.errorf(item, "a slider needs param, min and max, such as {param: params.ttl, min: 1s, max: 30s}")
			continue
		}
		// Both ends must be values the parameter accepts.
		probe := s.Clone()
		valid := true
		for _, v := range []string{sl.Min, sl.Max} {
			if _, err := probe.set(sl.Param, v); err != nil {
				p.errorf(at, "slider: %v", err)
				valid = false
				break
			}
		}
		if valid && !sliderRange(sl.Min, sl.Max) {
			p.errorf(at, "slider: expected min below max, both numbers or both durations, got min %q and max %q", sl.Min, sl.Max)
		}
		if sl.Step != "" {
			if f, err := strconv.ParseFloat(sl.Step, 64); err != nil || !(f > 0) || math.IsInf(f, 1) {
				if _, derr := parseDurationPositive(sl.Step); derr != nil {
					p.errorf(at, "slider step: expected a positive number or duration, got %q", sl.Step)
				}
			}
		}
		s.Sliders = append(s.Sliders, sl)
	}
}

// sliderRange reports whether min and max span a range the browser can
// draw: two numbers, or else two durations, with min below max.
func sliderRange(min, max string) bool {
	lo, err1 := strconv.ParseFloat(min, 64)
	hi, err2 := strconv.ParseFloat(max, 64)
	if err1 == nil && err2 == nil {
		return lo < hi
	}
	dlo, err1 := time.ParseDuration(min)
	dhi, err2 := time.ParseDuration(max)
	return err1 == nil && err2 == nil && dlo < dhi
}

func (p *parser) expect(s *Scenario, n ast.Node) {
	e := &Expect{}
	invariant := func(item ast.Node, key string) (string, bool) {
		name, ok := p.scalar(item, "an invariant name")
		if ok && !s.mech.HasInvariant(name) {
			p.errorf(item, "expect.%s: %s checks no invariant %q; it checks: %s", key, s.Mechanism, name, strings.Join(s.mech.Invariants, ", "))
			return "", false
		}
		return name, ok
	}
	for _, f := range p.mapping(n, "expect") {
		switch f.key {
		case "violations", "holds":
			if f.key == "holds" {
				e.HoldsGiven = true
			}
			for _, item := range p.sequence(f.value, "a list of invariant names") {
				if name, ok := invariant(item, f.key); ok {
					if f.key == "violations" {
						e.Violations = append(e.Violations, name)
					} else {
						e.Holds = append(e.Holds, name)
					}
				}
			}
		case "metrics":
			for _, mf := range p.mapping(f.value, "expect.metrics") {
				p.metricExpect(s, e, mf)
			}
		default:
			p.unknownKey(f, "expect", "violations, holds, metrics")
		}
	}
	for _, v := range e.Violations {
		for _, h := range e.Holds {
			if v == h {
				p.errorf(n, "expect: %q cannot be both violated and held", v)
			}
		}
	}
	s.Expect = e
}

func (p *parser) metricExpect(s *Scenario, e *Expect, f field) {
	known := false
	for _, m := range s.mech.Metrics {
		known = known || m == f.key
	}
	if !known {
		p.errorf(f.keyN, "expect.metrics: %s reports no metric %q; it reports: %s", s.Mechanism, f.key, strings.Join(s.mech.Metrics, ", "))
		return
	}
	text, ok := p.scalar(f.value, `a comparison such as ">= 3"`)
	if !ok {
		return
	}
	me, err := parseComparison(text)
	if err != nil {
		p.errorf(f.value, "expect.metrics.%s: %v", f.key, err)
		return
	}
	me.Metric = f.key
	e.Metrics = append(e.Metrics, me)
}

func parseComparison(text string) (MetricExpect, error) {
	t := strings.TrimSpace(text)
	op := "=="
	for _, o := range []string{">=", "<=", "==", ">", "<"} {
		if strings.HasPrefix(t, o) {
			op, t = o, strings.TrimSpace(t[len(o):])
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return MetricExpect{}, fmt.Errorf(`expected a comparison such as ">= 3", "< 0.5" or "== 0", got %q`, text)
	}
	return MetricExpect{Op: op, Value: v, Text: text}, nil
}

func (m MetricExpect) holds(v float64) bool {
	switch m.Op {
	case ">=":
		return v >= m.Value
	case "<=":
		return v <= m.Value
	case ">":
		return v > m.Value
	case "<":
		return v < m.Value
	}
	return v == m.Value
}

// evaluate compares a run's violations and metrics with the expectation and
// returns one sentence for each way it falls short.
func (e *Expect) evaluate(invariants []string, found []check.Violation, metrics map[string]float64) []string {
	violated := map[string]int{}
	for _, v := range found {
		violated[v.Invariant]++
	}
	var failures []string
	for _, name := range e.Violations {
		if violated[name] == 0 {
			failures = append(failures, fmt.Sprintf("expected %s to be violated, but it held", name))
		}
	}
	mustHold := e.Holds
	if !e.HoldsGiven {
		mustHold = nil
		for _, name := range invariants {
			if !contains(e.Violations, name) {
				mustHold = append(mustHold, name)
			}
		}
	}
	for _, name := range mustHold {
		if n := violated[name]; n > 0 {
			first := ""
			for _, v := range found {
				if v.Invariant == name {
					first = fmt.Sprintf(" (first at %s: %s)", check.Seconds(v.At), v.Detail)
					break
				}
			}
			failures = append(failures, fmt.Sprintf("expected %s to hold, but it was violated %d times%s", name, n, first))
		}
	}
	for _, m := range e.Metrics {
		v, ok := metrics[m.Metric]
		switch {
		case !ok:
			failures = append(failures, fmt.Sprintf("expected metric %s %s, but the run did not report it", m.Metric, m.Text))
		case !m.holds(v):
			failures = append(failures, fmt.Sprintf("expected metric %s %s, got %s", m.Metric, m.Text, formatNumber(v)))
		}
	}
	return failures
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
