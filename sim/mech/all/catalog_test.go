package all_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech"
	_ "coordlab/sim/mech/all"
	"coordlab/sim/scenario"
)

// TestCatalogEntries holds every registered mechanism to its catalog entry
// (DESIGN section 5) with its default parameters: Build adds exactly the
// nodes Nodes names, there is one checker per invariant, and a scenario
// run reports every metric the entry lists.
func TestCatalogEntries(t *testing.T) {
	names := mech.Names()
	if len(names) < 13 {
		t.Fatalf("%d mechanisms registered (%v), want the 13 of the catalog", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m, _ := mech.Lookup(name)
			// Its library's scenarios run in its own package, through
			// scenariotest.RunFile, which also rejects undeclared metrics.
			if files, _ := filepath.Glob(filepath.Join("..", name, "scenarios", "*.scenario.yaml")); len(files) == 0 {
				t.Errorf("no scenario library in sim/mech/%s/scenarios", name)
			}
			for _, p := range m.Params {
				if _, err := p.Parse(p.Default); err != nil {
					t.Errorf("parameter %s: its default %q does not parse: %v", p.Name, p.Default, err)
				}
			}
			p := m.Defaults()
			w := sim.New(sim.Config{Seed: 1, Duration: 10 * time.Second, Network: sim.DefaultNetwork})
			if err := m.Build(w, p); err != nil {
				t.Fatal(err)
			}
			if got, want := w.NodeNames(), m.Nodes(p); !slices.Equal(got, want) {
				t.Errorf("Build added %v, Nodes says %v", got, want)
			}
			var checkers []string
			for _, c := range m.Checkers(p) {
				checkers = append(checkers, c.Name)
			}
			if !slices.Equal(checkers, m.Invariants) {
				t.Errorf("checkers %v, invariants %v", checkers, m.Invariants)
			}
			// The metrics, as a scenario run reports them.
			s, err := scenario.Parse(name+".scenario.yaml", []byte("name: defaults\nmechanism: "+name+"\nduration: 20s\n"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.Start(scenario.Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, metric := range m.Metrics {
				if _, ok := res.Metrics[metric]; !ok {
					t.Errorf("metric %s missing from %v", metric, res.Metrics)
				}
			}
		})
	}
}
