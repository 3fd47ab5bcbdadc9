//go:build !(js && wasm)

// Package cli is the native coordlab command line: run, test, explore, lint,
// mechanisms, serve, build and version. Each command is a function from
// arguments to an exit code: 0 success, 1 an expectation not met or a test
// failed, 2 bad input or usage.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	_ "coordlab/sim/mech/all" // every mechanism in the catalog
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type command struct {
	name    string
	usage   string
	summary string
	run     func(env *env, args []string) int
}

// env is what a command writes to.
type env struct {
	stdout, stderr io.Writer
}

func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "coordlab: "+format+"\n", args...)
}

var commands []command

func init() {
	commands = []command{
		{"run", "run FILE [--seed N] [--json] [--trace FILE.jsonl] [--linearizability-html FILE]", "run one scenario and report violations, metrics and whether its expectation was met", cmdRun},
		{"test", "test [PATH...] [--junit FILE]", "run every scenario file and every ```scenario block of the lessons under PATH (default: .)", cmdTest},
		{"explore", "explore FILE [--runs N] [--target INVARIANT] [--seed N]", "search random fault schedules for a violation, shrink it and print the scenario", cmdExplore},
		{"lint", "lint [PATH...]", "check scenarios and lessons without running them", cmdLint},
		{"mechanisms", "mechanisms [NAME]", "the catalog: roles, parameters with defaults, invariants, metrics", cmdMechanisms},
		{"serve", "serve [--addr 127.0.0.1:8080] [--lessons DIR]", "serve the lab in the browser", cmdServe},
		{"build", "build --out DIR [--lessons DIR]", "write the lab as a static site for any web host", cmdBuild},
		{"version", "version", "print the version", cmdVersion},
	}
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			c, ok := lookup(args[1])
			if !ok {
				e.errorf("unknown command %q", args[1])
				usage(stderr)
				return exitUsage
			}
			fmt.Fprintf(stdout, "usage: coordlab %s\n\n%s\n", c.usage, c.summary)
			return exitOK
		}
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c, ok := lookup(name)
	if !ok {
		e.errorf("unknown command %q", name)
		usage(stderr)
		return exitUsage
	}
	return c.run(e, args[1:])
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `coordlab — a lab for distributed consistency and coordination

usage: coordlab COMMAND [ARGUMENTS]

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run "coordlab help COMMAND" or "coordlab COMMAND --help" for a command's flags.
Exit codes: 0 success, 1 an expectation not met or a test failed, 2 bad input or usage.
`)
}

// parseFlags parses flags that may come before or after positional
// arguments (coordlab run x.yaml --json). It returns the positional
// arguments, or an exit code when parsing stopped.
func parseFlags(e *env, fs *flag.FlagSet, c string, args []string) ([]string, int, bool) {
	fs.SetOutput(e.stderr)
	cmd, _ := lookup(c)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: coordlab %s\n\n%s\n", cmd.usage, cmd.summary)
		if hasFlags(fs) {
			fmt.Fprintf(fs.Output(), "\nflags:\n")
			fs.PrintDefaults()
		}
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(e.stdout)
				fs.Usage()
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, true
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// noArguments refuses the positional arguments of a command that takes
// none, so that a mistyped flag is not silently ignored.
func noArguments(e *env, fs *flag.FlagSet, c string, args []string) int {
	if len(args) == 0 {
		return exitOK
	}
	e.errorf("%s takes no arguments, got %q", c, strings.Join(args, " "))
	fs.Usage()
	return exitUsage
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func cmdVersion(e *env, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	rest, code, ok := parseFlags(e, fs, "version", args)
	if !ok {
		return code
	}
	if code := noArguments(e, fs, "version", rest); code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "coordlab %s\n", Version())
	return exitOK
}

// Version returns the module version and VCS revision the binary was built
// from, as far as the build recorded them.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	parts := []string{v}
	if rev != "" {
		parts = append(parts, rev+dirty)
	}
	parts = append(parts, info.GoVersion)
	return strings.Join(parts, " ")
}

// isTerminal reports whether w is an interactive terminal, where long work
// shows progress.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
