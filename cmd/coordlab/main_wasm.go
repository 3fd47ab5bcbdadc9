//go:build js && wasm

package main

import (
	"runtime/debug"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app"
)

// main runs the browser lab: the same binary as the CLI, compiled to
// WebAssembly (make build writes it to web/app.wasm).
//
// WebAssembly has one thread, so the collector cannot run beside the
// simulation: every cycle stops the page while it marks the whole heap,
// kept traces included. Collecting when the heap has grown ninefold rather
// than twofold brought the slowest seek in a busy 60-second scenario from
// 129 ms to 86 ms in Chromium; the soft memory limit collects sooner when
// the heap nears 256 MiB, so a long session does not take the machine's
// memory.
func main() {
	// A User Timing mark: the end-to-end performance test reads when the
	// Go program started, to tell compiling app.wasm from starting the app.
	goapp.Window().Get("performance").Call("mark", "coordlab:main")
	debug.SetGCPercent(800)
	debug.SetMemoryLimit(256 << 20)
	app.Routes()
	app.Prefetch()
	goapp.RunWhenOnBrowser()
}
