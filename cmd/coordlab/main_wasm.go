//go:build js && wasm

package main

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app"
)

// main runs the browser lab: the same binary as the CLI, compiled to
// WebAssembly (make build writes it to web/app.wasm).
func main() {
	app.Routes()
	goapp.RunWhenOnBrowser()
}
