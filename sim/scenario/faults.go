package scenario

import (
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"coordlab/sim"
	"coordlab/sim/mech"
)

// faultActions lists each fault's action key and the keys that may go with it.
var faultActions = []struct {
	key   string
	extra []string
}{
	{"crash", nil},
	{"restart", nil},
	{"pause", []string{"for"}},
	{"resume", nil},
	{"clock", []string{"jump", "drift"}},
	{"partition", nil},
	{"heal", nil},
	{"isolate", nil},
	{"cut", nil},
	{"loss", nil},
	{"duplicate", nil},
	{"latency", nil},
}

const faultKeys = "crash, restart, pause (with for), resume, clock (with jump or drift), partition, heal, isolate, cut, loss, duplicate, latency"

func (p *parser) faults(s *Scenario, n ast.Node) {
	known := s.knownNames()
	for _, item := range p.sequence(n, "faults") {
		if f, ok := p.fault(s, item, known); ok {
			s.Faults = append(s.Faults, f)
		}
	}
}

func (p *parser) fault(s *Scenario, n ast.Node, known map[string]bool) (sim.Fault, bool) {
	var f sim.Fault
	fields := p.mapping(n, "a fault")
	if fields == nil {
		return f, false
	}
	byKey := map[string]field{}
	var action string
	var actionField field
	for _, fl := range fields {
		byKey[fl.key] = fl
		for _, a := range faultActions {
			if fl.key == a.key {
				if action != "" {
					p.errorf(fl.keyN, "a fault does one thing: it has both %q and %q; write two faults", action, fl.key)
					return f, false
				}
				action, actionField = fl.key, fl
			}
		}
	}
	if action == "" {
		p.errorf(n, "a fault needs one of: %s", faultKeys)
		return f, false
	}
	atF, ok := byKey["at"]
	if !ok {
		p.errorf(n, "the %s fault needs \"at\": the virtual time it happens, such as 2s", action)
		return f, false
	}
	at, ok := p.duration(atF.value, "at", 0, s.Duration)
	if !ok {
		return f, false
	}
	f.At = at
	// Keys other than at, the action and the action's companions are unknown.
	for _, fl := range fields {
		if fl.key == "at" || fl.key == action {
			continue
		}
		allowed := false
		for _, a := range faultActions {
			if a.key == action {
				for _, x := range a.extra {
					allowed = allowed || x == fl.key
				}
			}
		}
		if !allowed {
			p.errorf(fl.keyN, "unknown key %q in a %s fault; expected at, %s%s", fl.key, action, action, companions(action))
			return f, false
		}
	}
	node := func() (string, bool) {
		name, ok := p.scalar(actionField.value, "a node name")
		if ok && !known[name] {
			p.errorf(actionField.value, "%s: no node %q in this %s scenario; expected one of: %s", action, name, s.Mechanism, knownList(known))
			return "", false
		}
		return name, ok
	}
	switch action {
	case "crash", "restart", "resume", "isolate":
		f.Kind = map[string]sim.FaultKind{"crash": sim.FaultCrash, "restart": sim.FaultRestart, "resume": sim.FaultResume, "isolate": sim.FaultIsolate}[action]
		f.Node, ok = node()
	case "pause":
		f.Kind = sim.FaultPause
		f.Node, ok = node()
		if d, has := byKey["for"]; has && ok {
			f.For, ok = p.duration(d.value, "for", time.Millisecond, sim.DefaultLimits.MaxDuration)
		}
	case "clock":
		f.Node, ok = node()
		if ok {
			ok = p.clockFault(&f, byKey, actionField)
		}
	case "partition":
		f.Kind = sim.FaultPartition
		f.Groups, ok = p.groups(actionField.value, s, known)
	case "heal":
		f.Kind = sim.FaultHeal
		if v, isScalar := p.scalar(actionField.value, "all"); isScalar && v != "all" {
			p.errorf(actionField.value, "heal: expected all, got %q", v)
			ok = false
		}
	case "cut":
		f.Kind = sim.FaultCut
		ok = p.cut(&f, actionField.value, s, known)
	case "loss", "duplicate":
		f.Kind = sim.FaultLoss
		if action == "duplicate" {
			f.Kind = sim.FaultDuplicate
		}
		f.Value, ok = p.probability(actionField.value, action)
	case "latency":
		f.Kind = sim.FaultLatency
		if text, isScalar := p.scalar(actionField.value, `a duration or a range such as "1ms..5ms"`); isScalar {
			r, err := mech.ParseRange(text)
			if err != nil {
				p.errorf(actionField.value, "latency: %v", err)
				ok = false
			}
			f.Latency = r
		}
	}
	return f, ok
}

func companions(action string) string {
	for _, a := range faultActions {
		if a.key == action && len(a.extra) > 0 {
			return " with " + strings.Join(a.extra, " or ")
		}
	}
	return ""
}

func (p *parser) clockFault(f *sim.Fault, byKey map[string]field, clock field) bool {
	jump, hasJump := byKey["jump"]
	drift, hasDrift := byKey["drift"]
	switch {
	case hasJump == hasDrift:
		p.errorf(clock.keyN, "a clock fault needs exactly one of jump (such as +15s or -2s) or drift (a rate such as 1.2)")
		return false
	case hasJump:
		f.Kind = sim.FaultClockJump
		text, ok := p.scalar(jump.value, "a signed duration such as +15s")
		if !ok {
			return false
		}
		d, err := time.ParseDuration(strings.TrimPrefix(text, "+"))
		if err != nil || d == 0 || d > sim.DefaultLimits.MaxDuration || d < -sim.DefaultLimits.MaxDuration {
			p.errorf(jump.value, "jump: expected a non-zero signed duration such as +15s or -2s, got %q", text)
			return false
		}
		f.Jump = d
	default:
		f.Kind = sim.FaultClockDrift
		text, ok := p.scalar(drift.value, "a clock rate such as 1.2")
		if !ok {
			return false
		}
		r, err := strconv.ParseFloat(text, 64)
		// NaN fails every comparison; a rate near 0 overflows the kernel's
		// conversion of a timer to true time: both hung the run.
		if err != nil || !(r >= sim.MinClockRate && r <= sim.MaxClockRate) {
			p.errorf(drift.value, "drift: expected a clock rate from 0.001 to 10 (1 is a perfect clock, 1.2 runs 20%% fast), got %q", text)
			return false
		}
		f.Rate = r
	}
	return true
}

func (p *parser) groups(n ast.Node, s *Scenario, known map[string]bool) ([][]string, bool) {
	items := p.sequence(n, "partition groups, such as [[a-1, a-2], [a-3]]")
	if items == nil {
		return nil, false
	}
	seen := map[string]bool{}
	var groups [][]string
	ok := true
	for _, g := range items {
		var group []string
		for _, m := range p.sequence(g, "a group of node names") {
			name, isScalar := p.scalar(m, "a node name")
			switch {
			case !isScalar:
				ok = false
			case !known[name]:
				p.errorf(m, "partition: no node %q in this %s scenario; expected one of: %s", name, s.Mechanism, knownList(known))
				ok = false
			case seen[name]:
				p.errorf(m, "partition: %q is in two groups", name)
				ok = false
			}
			seen[name] = true
			group = append(group, name)
		}
		groups = append(groups, group)
	}
	return groups, ok
}

func (p *parser) cut(f *sim.Fault, n ast.Node, s *Scenario, known map[string]bool) bool {
	ok := true
	for _, fl := range p.mapping(n, "a cut {from: NODE, to: NODE}") {
		name, isScalar := p.scalar(fl.value, "a node name")
		if !isScalar {
			ok = false
			continue
		}
		if !known[name] {
			p.errorf(fl.value, "cut: no node %q in this %s scenario; expected one of: %s", name, s.Mechanism, knownList(known))
			ok = false
		}
		switch fl.key {
		case "from":
			f.From = name
		case "to":
			f.To = name
		default:
			p.unknownKey(fl, "a cut", "from, to")
			ok = false
		}
	}
	if ok && (f.From == "" || f.To == "") {
		p.errorf(n, "a cut needs both from and to: {from: NODE, to: NODE}")
		ok = false
	}
	return ok
}

func knownList(known map[string]bool) string {
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sortNodeNames(names)
	return strings.Join(names, ", ")
}

// sortNodeNames sorts by role, then by number, so client-10 follows client-9.
func sortNodeNames(names []string) {
	key := func(s string) (string, int) {
		i := strings.LastIndexByte(s, '-')
		if i < 0 {
			return s, 0
		}
		n, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return s, 0
		}
		return s[:i], n
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0; j-- {
			ra, na := key(names[j-1])
			rb, nb := key(names[j])
			if ra < rb || (ra == rb && na <= nb) {
				break
			}
			names[j-1], names[j] = names[j], names[j-1]
		}
	}
}
