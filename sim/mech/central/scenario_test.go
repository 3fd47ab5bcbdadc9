package central_test

import (
	"testing"

	"coordlab/sim/scenario/scenariotest"
)

// TestScenarios runs the scenario library: every file must meet its
// expectation.
func TestScenarios(t *testing.T) { scenariotest.RunDir(t, "scenarios") }
