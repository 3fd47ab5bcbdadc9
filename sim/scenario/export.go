package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"coordlab/sim"
)

// YAML writes the scenario back in the scenario format, including faults
// injected by clicking, so it can be saved, shared and run by the CLI. Parsing
// the output gives the same scenario.
func (s *Scenario) YAML() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", s.Name)
	if s.Title != "" {
		fmt.Fprintf(&b, "title: %s\n", quote(s.Title))
	}
	fmt.Fprintf(&b, "mechanism: %s\n", s.Mechanism)
	fmt.Fprintf(&b, "seed: %d\n", s.Seed)
	fmt.Fprintf(&b, "duration: %s\n", formatDuration(s.Duration))
	if len(s.Given) > 0 {
		parts := make([]string, len(s.Given))
		for i, name := range s.Given {
			parts[i] = name + ": " + quote(s.Params[name].Text)
		}
		fmt.Fprintf(&b, "params: {%s}\n", strings.Join(parts, ", "))
	}
	if len(s.NetworkGiven) > 0 {
		var parts []string
		for _, k := range s.NetworkGiven {
			switch k {
			case "latency":
				parts = append(parts, "latency: "+quote(formatRange(s.Network.Latency)))
			case "loss":
				parts = append(parts, "loss: "+formatNumber(s.Network.Loss))
			case "duplicate":
				parts = append(parts, "duplicate: "+formatNumber(s.Network.Duplicate))
			}
		}
		fmt.Fprintf(&b, "network: {%s}\n", strings.Join(parts, ", "))
	}
	if len(s.Faults) > 0 {
		b.WriteString("faults:\n")
		for i := range s.Faults {
			fmt.Fprintf(&b, "  - %s\n", faultYAML(&s.Faults[i]))
		}
	}
	if len(s.Sliders) > 0 {
		b.WriteString("sliders:\n")
		for _, sl := range s.Sliders {
			step := ""
			if sl.Step != "" {
				step = ", step: " + quote(sl.Step)
			}
			fmt.Fprintf(&b, "  - {param: %s, min: %s, max: %s%s}\n", sl.Param, quote(sl.Min), quote(sl.Max), step)
		}
	}
	if e := s.Expect; e != nil {
		b.WriteString("expect:\n")
		fmt.Fprintf(&b, "  violations: [%s]\n", strings.Join(e.Violations, ", "))
		if e.HoldsGiven {
			fmt.Fprintf(&b, "  holds: [%s]\n", strings.Join(e.Holds, ", "))
		}
		if len(e.Metrics) > 0 {
			parts := make([]string, len(e.Metrics))
			for i, m := range e.Metrics {
				parts[i] = m.Metric + ": " + quote(m.Op+" "+formatNumber(m.Value))
			}
			fmt.Fprintf(&b, "  metrics: {%s}\n", strings.Join(parts, ", "))
		}
	}
	return []byte(b.String())
}

func faultYAML(f *sim.Fault) string {
	at := "at: " + formatDuration(f.At)
	switch f.Kind {
	case sim.FaultPause:
		if f.For > 0 {
			return fmt.Sprintf("{%s, pause: %s, for: %s}", at, f.Node, formatDuration(f.For))
		}
		return fmt.Sprintf("{%s, pause: %s}", at, f.Node)
	case sim.FaultClockJump:
		sign := "+"
		if f.Jump < 0 {
			sign = ""
		}
		return fmt.Sprintf("{%s, clock: %s, jump: %s%s}", at, f.Node, sign, formatDuration(f.Jump))
	case sim.FaultClockDrift:
		return fmt.Sprintf("{%s, clock: %s, drift: %s}", at, f.Node, formatNumber(f.Rate))
	case sim.FaultPartition:
		groups := make([]string, len(f.Groups))
		for i, g := range f.Groups {
			groups[i] = "[" + strings.Join(g, ", ") + "]"
		}
		return fmt.Sprintf("{%s, partition: [%s]}", at, strings.Join(groups, ", "))
	case sim.FaultHeal:
		return fmt.Sprintf("{%s, heal: all}", at)
	case sim.FaultCut:
		return fmt.Sprintf("{%s, cut: {from: %s, to: %s}}", at, f.From, f.To)
	case sim.FaultLoss, sim.FaultDuplicate:
		return fmt.Sprintf("{%s, %s: %s}", at, f.Kind, formatNumber(f.Value))
	case sim.FaultLatency:
		return fmt.Sprintf("{%s, latency: %s}", at, quote(formatRange(f.Latency)))
	}
	return fmt.Sprintf("{%s, %s: %s}", at, f.Kind, f.Node)
}

// formatDuration writes a duration the way people write them: 1s, 150ms.
func formatDuration(d time.Duration) string {
	s := d.String()
	// time.Duration writes 1m0s and 1h0m0s; trim the zero parts.
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func formatRange(l sim.Latency) string {
	if l.Min == l.Max {
		return formatDuration(l.Min)
	}
	return formatDuration(l.Min) + ".." + formatDuration(l.Max)
}

// quote writes a scalar plainly when YAML reads it back as the same text,
// and double-quoted otherwise.
func quote(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}) < 0 && !strings.HasPrefix(s, "-") && !strings.HasPrefix(s, ".")
	if plain {
		return s
	}
	return strconv.Quote(s)
}
