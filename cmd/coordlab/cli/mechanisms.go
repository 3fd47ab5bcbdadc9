//go:build !(js && wasm)

package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"coordlab/sim/mech"
)

func cmdMechanisms(e *env, args []string) int {
	fs := flag.NewFlagSet("mechanisms", flag.ContinueOnError)
	names, code, ok := parseFlags(e, fs, "mechanisms", args)
	if !ok {
		return code
	}
	if len(names) == 0 {
		for _, n := range mech.Names() {
			m, _ := mech.Lookup(n)
			fmt.Fprintf(e.stdout, "%-10s %s\n", m.Name, m.Title)
		}
		fmt.Fprintf(e.stdout, "\nRun \"coordlab mechanisms NAME\" for a mechanism's roles, parameters, invariants and metrics.\n")
		return exitOK
	}
	for i, n := range names {
		m, ok := mech.Lookup(n)
		if !ok {
			e.errorf("unknown mechanism %q; expected one of: %s", n, strings.Join(mech.Names(), ", "))
			return exitUsage
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		describeMechanism(e.stdout, m)
	}
	return exitOK
}

func describeMechanism(w io.Writer, m *mech.Mechanism) {
	fmt.Fprintf(w, "%s — %s\n", m.Name, m.Title)
	if m.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", wrap(m.Summary, 78, ""))
	}
	fmt.Fprintf(w, "\nroles: %s\n", m.Roles)
	if len(m.Symbols) > 0 {
		fmt.Fprintf(w, "symbolic names for faults: %s\n", strings.Join(m.Symbols, ", "))
	}
	fmt.Fprintf(w, "\nparameters:\n")
	for _, p := range m.Params {
		fmt.Fprintf(w, "  %-16s %-10s %s\n", p.Name, p.Default, p.Help)
		fmt.Fprintf(w, "  %-16s %-10s (%s)\n", "", "", p.Expected())
	}
	fmt.Fprintf(w, "\ninvariants: %s\n", strings.Join(m.Invariants, ", "))
	fmt.Fprintf(w, "metrics: %s\n", strings.Join(m.Metrics, ", "))
}

// wrap breaks text into lines of at most width columns.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(text) {
		if col > 0 && col+1+len(word) > width {
			b.WriteString("\n")
			col = 0
		}
		if col == 0 {
			b.WriteString(indent)
			col = len(indent)
		} else {
			b.WriteString(" ")
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}
