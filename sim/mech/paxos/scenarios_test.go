package paxos_test

import (
	"testing"

	"coordlab/sim/scenario"
	"coordlab/sim/scenario/scenariotest"
)

func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }

// TestScenariosAnySeed runs every scenario with many seeds: what each shows
// comes from the protocol, not from the luck of one seed.
func TestScenariosAnySeed(t *testing.T) {
	for _, name := range []string{"paxos-dueling", "paxos-livelock", "paxos-backoff", "paxos-acceptor-restart"} {
		s, err := scenario.ParseFile("scenarios/" + name + ".scenario.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 100; seed++ {
			res, err := s.Run(scenario.Options{Seed: seed, HasSeed: true})
			if err != nil {
				t.Fatal(err)
			}
			if !*res.ExpectationMet {
				t.Errorf("%s with seed %d: %v\n%s", name, seed, res.Failures, scenariotest.Summary(res))
			}
		}
	}
}
