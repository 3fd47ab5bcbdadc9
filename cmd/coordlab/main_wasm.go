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
// simulation: collecting half as often made a 10,000-operation quorum run
// about 15% faster under Node, for a heap of some tens of megabytes.
func main() {
	debug.SetGCPercent(200)
	app.Routes()
	goapp.RunWhenOnBrowser()
}
