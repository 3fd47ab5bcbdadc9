package dblock_test

import (
	"testing"

	"coordlab/sim/scenario/scenariotest"
)

// TestScenarios runs the scenario library: each file must meet its
// expectation with its own seed and give its pinned trace hash.
func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }

// TestScenariosAcrossSeeds: a lesson must not depend on a lucky seed. Each
// library scenario meets its expectation with other seeds too.
func TestScenariosAcrossSeeds(t *testing.T) {
	scenariotest.RunSeeds(t, scenariotest.Files(t, "scenarios"), 20)
}
