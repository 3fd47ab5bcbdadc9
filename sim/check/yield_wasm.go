//go:build js && wasm

package check

import "runtime"

// yieldEvery is how many model steps porcupine's search takes between two
// yields to the scheduler; steps counts them. WebAssembly runs every
// goroutine on one thread, so a plain counter will do.
const yieldEvery = 4096

var steps uint64

// yieldSometimes lets other goroutines run every yieldEvery steps: without
// preemption, porcupine's timeout could never fire during a long search.
func yieldSometimes() {
	steps++
	if steps%yieldEvery == 0 {
		runtime.Gosched()
	}
}
