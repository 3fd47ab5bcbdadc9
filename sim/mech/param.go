package mech

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"coordlab/sim"
)

// Kind is the type of a parameter.
type Kind uint8

// The kinds of parameters.
const (
	Int      Kind = iota + 1 // a whole number within [Min, Max]
	Float                    // a number within [Min, Max]
	Bool                     // true or false
	Duration                 // a Go duration ("150ms") within [Min, Max] nanoseconds
	Range                    // a duration or a range of durations ("150ms..300ms")
	Enum                     // one of Values
	// DurationOrEnum is one of Values (such as "none") or a duration: an
	// optional expiry, cache TTL or rotation interval.
	DurationOrEnum
)

var kindNames = [...]string{"", "integer", "number", "boolean", "duration", "duration range", "choice", "duration or choice"}

// String names the kind in catalog listings and errors.
func (k Kind) String() string { return kindNames[k] }

// Param declares one parameter of a mechanism.
type Param struct {
	Name     string
	Kind     Kind
	Default  string   // as written in a scenario
	Help     string   // one line for the catalog
	Min, Max float64  // bounds for Int, Float (as is) and Duration, Range (in nanoseconds); Max 0 means none
	Values   []string // Enum and DurationOrEnum choices
}

// Value is a parsed parameter value. Which field is set depends on the kind.
type Value struct {
	Kind  Kind
	Int   int
	Float float64
	Bool  bool
	Dur   time.Duration
	Range sim.Latency
	Str   string // Enum, or the choice of a DurationOrEnum ("" when a duration)
	Text  string // as written
}

// Expected describes what a value of this parameter must look like, for
// error messages.
func (p *Param) Expected() string {
	switch p.Kind {
	case Int:
		return "a whole number" + p.bounds(false)
	case Float:
		return "a number" + p.bounds(false)
	case Bool:
		return "true or false"
	case Duration:
		return "a duration such as 150ms or 2s" + p.bounds(true)
	case Range:
		return `a duration or a range such as "150ms..300ms"` + p.bounds(true)
	case Enum:
		return "one of " + strings.Join(p.Values, ", ")
	case DurationOrEnum:
		return strings.Join(p.Values, ", ") + " or a duration such as 10s" + p.bounds(true)
	}
	return "a value"
}

func (p *Param) bounds(dur bool) string {
	f := func(v float64) string {
		if dur {
			return time.Duration(v).String()
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	switch {
	case p.Max != 0:
		return fmt.Sprintf(" from %s to %s", f(p.Min), f(p.Max))
	case p.Min != 0:
		return " of at least " + f(p.Min)
	}
	return ""
}

// Parse parses the text of a value. Its error says what was expected.
func (p *Param) Parse(text string) (Value, error) {
	v := Value{Kind: p.Kind, Text: text}
	bad := fmt.Errorf("expected %s, got %q", p.Expected(), text)
	switch p.Kind {
	case Int:
		n, err := strconv.Atoi(text)
		if err != nil || !p.within(float64(n)) {
			return v, bad
		}
		v.Int = n
	case Float:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || !p.within(f) {
			return v, bad
		}
		v.Float = f
	case Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return v, bad
		}
		v.Bool = b
	case Duration:
		d, err := time.ParseDuration(text)
		if err != nil || !p.within(float64(d)) {
			return v, bad
		}
		v.Dur = d
	case Range:
		r, err := ParseRange(text)
		if err != nil || !p.within(float64(r.Min)) || !p.within(float64(r.Max)) {
			return v, bad
		}
		v.Range, v.Dur = r, r.Min
	case Enum:
		if !contains(p.Values, text) {
			return v, bad
		}
		v.Str = text
	case DurationOrEnum:
		if contains(p.Values, text) {
			v.Str = text
			break
		}
		d, err := time.ParseDuration(text)
		if err != nil || !p.within(float64(d)) {
			return v, bad
		}
		v.Dur = d
	}
	return v, nil
}

func (p *Param) within(x float64) bool {
	if x < p.Min {
		return false
	}
	return p.Max == 0 || x <= p.Max
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParseRange parses "5ms" or "1ms..5ms" into a latency range.
func ParseRange(text string) (sim.Latency, error) {
	lo, hi, isRange := strings.Cut(text, "..")
	min, err := time.ParseDuration(strings.TrimSpace(lo))
	if err != nil {
		return sim.Latency{}, fmt.Errorf("expected a duration or a range such as \"1ms..5ms\", got %q", text)
	}
	max := min
	if isRange {
		if max, err = time.ParseDuration(strings.TrimSpace(hi)); err != nil {
			return sim.Latency{}, fmt.Errorf("expected a duration or a range such as \"1ms..5ms\", got %q", text)
		}
	}
	if min < 0 || max < min {
		return sim.Latency{}, fmt.Errorf("expected a range from a low to a higher non-negative duration, got %q", text)
	}
	return sim.Latency{Min: min, Max: max}, nil
}

// Params holds a scenario's parameter values by name, defaults filled in.
type Params map[string]Value

// Int returns an Int parameter.
func (p Params) Int(name string) int { return p.get(name).Int }

// Float returns a Float parameter.
func (p Params) Float(name string) float64 { return p.get(name).Float }

// Bool returns a Bool parameter.
func (p Params) Bool(name string) bool { return p.get(name).Bool }

// Duration returns a Duration parameter, or the duration of a
// DurationOrEnum parameter (0 when it is a choice such as "none").
func (p Params) Duration(name string) time.Duration { return p.get(name).Dur }

// Range returns a Range parameter.
func (p Params) Range(name string) sim.Latency { return p.get(name).Range }

// String returns an Enum parameter, or the choice of a DurationOrEnum ("" when
// it is a duration).
func (p Params) String(name string) string { return p.get(name).Str }

func (p Params) get(name string) Value {
	v, ok := p[name]
	if !ok {
		panic("mech: unknown parameter " + name) // a mechanism asking for a parameter it did not declare
	}
	return v
}
