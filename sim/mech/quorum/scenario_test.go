package quorum_test

import (
	"testing"

	"coordlab/sim/scenario/scenariotest"
)

func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }
