// Package scenariotest runs a mechanism's scenario library as Go tests: every
// scenario file must parse, be named after its file, state an expectation,
// and meet it.
package scenariotest

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"coordlab/sim/scenario"
)

var update = flag.Bool("update-hashes", false, "rewrite the scenarios' golden trace hashes (scenarios/hashes.golden)")

// GoldenFile is the file beside a scenario library that pins each
// scenario's trace hash. The same file is checked natively and under
// GOOS=js GOARCH=wasm, which proves a scenario runs identically in the
// browser and in the CLI.
const GoldenFile = "hashes.golden"

// RunDir runs every *.scenario.yaml file in dir as a subtest: each must meet
// its expectation, give the same trace twice, and give the trace hash pinned
// in dir/hashes.golden (rewrite it with -update-hashes after an intended
// change, and review the diff). A failure prints the seed and every way the
// run fell short, so it can be reproduced with `coordlab run FILE --seed N`.
func RunDir(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.scenario.yaml files in %s", dir)
	}
	golden, err := readGolden(filepath.Join(dir, GoldenFile))
	if err != nil && !*update {
		t.Fatalf("%v (run the test with -update-hashes to create it)", err)
	}
	var mu sync.Mutex
	got := map[string]string{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".scenario.yaml")
		t.Run(name, func(t *testing.T) {
			res := RunFile(t, file)
			if res == nil {
				return
			}
			mu.Lock()
			got[name] = res.TraceHash
			mu.Unlock()
			if *update {
				return
			}
			switch want, ok := golden[name]; {
			case !ok:
				t.Errorf("%s has no hash in %s (run with -update-hashes)", name, GoldenFile)
			case want != res.TraceHash:
				t.Errorf("%s: trace hash %s, golden %s: the run changed (or differs on this platform)", name, res.TraceHash, want)
			}
		})
	}
	if *update {
		if err := writeGolden(filepath.Join(dir, GoldenFile), got); err != nil {
			t.Fatal(err)
		}
	}
}

// RunSeeds runs each scenario file with the seeds 1..seeds (3 with -short)
// instead of its own: what a library scenario shows must come from the
// mechanism, not from the luck of one seed. Each run must meet the file's
// expectation.
func RunSeeds(t *testing.T, files []string, seeds int) {
	t.Helper()
	if testing.Short() {
		seeds = min(seeds, 3)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files to run")
	}
	for _, file := range files {
		s, err := scenario.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			res, err := s.Run(scenario.Options{Seed: seed, HasSeed: true})
			if err != nil {
				t.Fatal(err)
			}
			if !*res.ExpectationMet {
				t.Errorf("%s with seed %d: %v\n%s", file, seed, res.Failures, Summary(res))
			}
		}
	}
}

// Files returns dir's scenario files.
func Files(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readGolden(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, hash, ok := strings.Cut(strings.TrimSpace(sc.Text()), " "); ok {
			m[name] = strings.TrimSpace(hash)
		}
	}
	return m, sc.Err()
}

func writeGolden(path string, hashes map[string]string) error {
	names := make([]string, 0, len(hashes))
	for n := range hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", n, hashes[n])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
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
	if again, err := s.Run(scenario.Options{}); err != nil || again.TraceHash != res.TraceHash {
		t.Fatalf("%s: two runs with seed %d differ (%v): something in the mechanism is not deterministic", file, res.Seed, err)
	}
	if !*res.ExpectationMet {
		t.Errorf("%s (seed %d): expectation not met:\n  %s\n%s", file, res.Seed,
			strings.Join(res.Failures, "\n  "), Summary(res))
	}
	// An expectation may name only declared metrics, so a metric counted
	// but not declared could be printed and never checked.
	for k := range res.Metrics {
		if !slices.Contains(s.Mech().Metrics, k) {
			t.Errorf("%s reports metric %s, which the %s catalog entry does not declare", file, k, s.Mechanism)
		}
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
