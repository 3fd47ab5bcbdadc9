//go:build !(js && wasm)

package check

// yieldSometimes does nothing natively, where the scheduler preempts a long
// search by itself (see yield_wasm.go).
func yieldSometimes() {}
