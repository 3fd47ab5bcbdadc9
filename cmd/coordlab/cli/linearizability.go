//go:build !(js && wasm)

package cli

import (
	"coordlab/sim/scenario"
)

// writeLinearizability is replaced once the linearizability checker lands.
func writeLinearizability(e *env, path string, s *scenario.Scenario, r *scenario.Run) int {
	e.errorf("--linearizability-html: not available yet")
	return exitUsage
}
