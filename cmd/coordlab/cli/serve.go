//go:build !(js && wasm)

package cli

import "flag"

func cmdServe(e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.String("addr", "127.0.0.1:8080", "the `address` to listen on (loopback by default)")
	fs.String("lessons", "", "serve the course in `DIR` (one sub-folder per language) instead of the built-in one")
	if _, code, ok := parseFlags(e, fs, "serve", args); !ok {
		return code
	}
	e.errorf("serve: the browser lab is not built into this binary yet")
	return exitUsage
}

func cmdBuild(e *env, args []string) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.String("out", "", "write the static site to `DIR`")
	fs.String("lessons", "", "build the course in `DIR` instead of the built-in one")
	if _, code, ok := parseFlags(e, fs, "build", args); !ok {
		return code
	}
	e.errorf("build: the browser lab is not built into this binary yet")
	return exitUsage
}
