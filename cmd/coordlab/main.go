//go:build !(js && wasm)

// Command coordlab is the coordlab lab: natively a CLI that runs, tests and
// serves scenarios and lessons; compiled to WebAssembly, the browser app
// (main_wasm.go).
package main

import (
	"os"

	"coordlab/cmd/coordlab/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
