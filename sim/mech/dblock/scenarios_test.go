package dblock_test

import (
	"path/filepath"
	"testing"

	"coordlab/sim/scenario"
	"coordlab/sim/scenario/scenariotest"
)

// TestScenarios runs the scenario library: each file must meet its
// expectation with its own seed and give its pinned trace hash.
func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }

// TestScenariosAcrossSeeds: a lesson must not depend on a lucky seed. Each
// library scenario meets its expectation with other seeds too.
func TestScenariosAcrossSeeds(t *testing.T) {
	n := uint64(20)
	if testing.Short() {
		n = 3
	}
	files, err := filepath.Glob("scenarios/*.scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		s, err := scenario.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= n; seed++ {
			res, err := s.Run(scenario.Options{Seed: seed, HasSeed: true})
			if err != nil {
				t.Fatal(err)
			}
			if !*res.ExpectationMet {
				t.Errorf("%s with seed %d: %v\n%s", file, seed, res.Failures, scenariotest.Summary(res))
			}
		}
	}
}
