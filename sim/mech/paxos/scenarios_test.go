package paxos_test

import (
	"testing"

	"coordlab/sim/scenario/scenariotest"
)

func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }

// TestScenariosAnySeed runs every scenario with many seeds: what each shows
// comes from the protocol, not from the luck of one seed.
func TestScenariosAnySeed(t *testing.T) {
	var files []string
	for _, name := range []string{"paxos-dueling", "paxos-livelock", "paxos-backoff", "paxos-acceptor-restart"} {
		files = append(files, "scenarios/"+name+".scenario.yaml")
	}
	scenariotest.RunSeeds(t, files, 100)
}
