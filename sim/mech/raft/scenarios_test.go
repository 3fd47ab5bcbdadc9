package raft_test

import (
	"testing"

	"coordlab/sim/scenario/scenariotest"
)

func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }

// TestScenariosAnySeed runs every scenario with many seeds. Who wins each
// election of the Figure 8 sequence is forced by the partitions and the logs,
// and the other scenarios leave wide margins, so what each one shows comes
// from the protocol, not from the luck of its seed.
func TestScenariosAnySeed(t *testing.T) {
	scenariotest.RunSeeds(t, scenariotest.Files(t, "scenarios"), 30)
}
