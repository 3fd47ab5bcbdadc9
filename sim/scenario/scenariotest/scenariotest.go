// Package scenariotest runs a mechanism's scenario library as Go tests: every
// scenario file must parse, be named after its file, state an expectation,
// and meet it.
package scenariotest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"coordlab/sim/scenario"
)

// RunDir runs every *.scenario.yaml file in dir as a subtest. A failure
// prints the seed and every way the run fell short, so it can be reproduced
// with `coordlab run FILE --seed N`.
func RunDir(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.scenario.yaml files in %s", dir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".scenario.yaml"), func(t *testing.T) {
			RunFile(t, file)
		})
	}
}

// RunFile runs one scenario file and fails the test unless it meets its
// expectation.
func RunFile(t *testing.T, file string) *scenario.Result {
	t.Helper()
	s, err := scenario.ParseFile(file)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if want := strings.TrimSuffix(filepath.Base(file), ".scenario.yaml"); s.Name != want {
		t.Errorf("%s: name is %q; a library scenario is named after its file (%q)", file, s.Name, want)
	}
	if s.Expect == nil {
		t.Fatalf("%s: no expect: a library scenario must state what it shows", file)
	}
	res, err := s.Run(scenario.Options{})
	if err != nil {
		t.Fatalf("%v", err)
	}
	if !*res.ExpectationMet {
		t.Errorf("%s (seed %d): expectation not met:\n  %s\n%s", file, res.Seed,
			strings.Join(res.Failures, "\n  "), Summary(res))
	}
	return res
}

// Summary describes a result in a few lines for a failure message.
func Summary(res *scenario.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %d events, trace %s\n", res.Events, res.TraceHash[:12])
	for i, v := range res.Violations {
		if i == 5 {
			fmt.Fprintf(&b, "  ... %d more violations\n", len(res.Violations)-5)
			break
		}
		fmt.Fprintf(&b, "  violation %s at %v: %s\n", v.Invariant, v.At, v.Detail)
	}
	fmt.Fprintf(&b, "  metrics: %v", res.Metrics)
	return b.String()
}
