//go:build !(js && wasm)

package cli

import (
	"fmt"
	"os"

	"coordlab/sim/check"
	"coordlab/sim/scenario"
)

// writeLinearizability writes porcupine's visualization of the run's
// key-value client history to path. A mechanism without key-value clients
// (the locks, the sessions) has nothing to draw: that is a usage error, not
// an empty page.
func writeLinearizability(e *env, path string, s *scenario.Scenario, r *scenario.Run) int {
	h := r.World().History()
	if len(check.OpsOf(h)) == 0 {
		e.errorf("--linearizability-html: %s has no key-value client operations to check (mechanisms with them: raft, quorum)", s.Mechanism)
		return exitUsage
	}
	f, err := os.Create(path)
	if err != nil {
		e.errorf("--linearizability-html: %v", err)
		return exitUsage
	}
	err = check.LinearizabilityHTML(h, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		e.errorf("--linearizability-html: %v", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "coordlab: wrote the linearizability visualization to %s\n", path)
	return exitOK
}
