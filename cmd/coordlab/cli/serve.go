//go:build !(js && wasm)

package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"coordlab/app/server"
)

func cmdServe(e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", server.DefaultAddr, "the `address` to listen on (loopback by default)")
	dir := fs.String("lessons", "", "serve the course in `DIR` (one sub-folder per language) instead of the built-in one")
	wasm := fs.String("wasm", "", "serve the browser app from `FILE` (default web/app.wasm, as make build writes it)")
	rest, code, ok := parseFlags(e, fs, "serve", args)
	if !ok {
		return code
	}
	if code := noArguments(e, fs, "serve", rest); code != exitOK {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Serve(ctx, server.Options{Addr: *addr, LessonsDir: *dir, Wasm: *wasm}, e.stdout); err != nil {
		e.errorf("%v", err)
		return exitUsage
	}
	return exitOK
}

func cmdBuild(e *env, args []string) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	out := fs.String("out", "", "write the static site to `DIR`")
	dir := fs.String("lessons", "", "build the course in `DIR` instead of the built-in one")
	wasm := fs.String("wasm", "", "the browser app to include, `FILE` (default web/app.wasm, as make build writes it)")
	rest, code, ok := parseFlags(e, fs, "build", args)
	if !ok {
		return code
	}
	if code := noArguments(e, fs, "build", rest); code != exitOK {
		return code
	}
	if *out == "" {
		e.errorf("build: --out DIR is required (the folder to write the static site to)")
		return exitUsage
	}
	if err := server.Build(server.Options{Out: *out, LessonsDir: *dir, Wasm: *wasm}, e.stderr); err != nil {
		e.errorf("%v", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "coordlab: wrote the static site to %s; serve that folder from any static web host\n", *out)
	return exitOK
}
