package raft_test

import (
	"path/filepath"
	"testing"

	"coordlab/sim/scenario"
	"coordlab/sim/scenario/scenariotest"
)

func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }

// TestScenariosAnySeed runs every scenario with many seeds. Who wins each
// election of the Figure 8 sequence is forced by the partitions and the logs,
// and the other scenarios leave wide margins, so what each one shows comes
// from the protocol, not from the luck of its seed.
func TestScenariosAnySeed(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 3
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
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
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
