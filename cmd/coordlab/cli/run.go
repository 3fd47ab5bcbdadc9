//go:build !(js && wasm)

package cli

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"coordlab/sim/check"
	"coordlab/sim/scenario"
)

func cmdRun(e *env, args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	seed := fs.Uint64("seed", 0, "run with this seed instead of the scenario's")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	tracePath := fs.String("trace", "", "write every trace event to `FILE.jsonl`, one JSON object a line")
	linHTML := fs.String("linearizability-html", "", "write porcupine's visualization of the client history to `FILE` (mechanisms with linearizability)")
	files, code, ok := parseFlags(e, fs, "run", args)
	if !ok {
		return code
	}
	if len(files) != 1 {
		e.errorf("run takes one scenario file, got %d", len(files))
		fs.Usage()
		return exitUsage
	}
	s, err := scenario.ParseFile(files[0])
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	opts := scenario.Options{KeepTrace: *tracePath != ""}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			opts.Seed, opts.HasSeed = *seed, true
		}
	})
	r, err := s.Start(opts)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	res, err := r.Result()
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	if *tracePath != "" {
		if err := writeTrace(*tracePath, r); err != nil {
			e.errorf("%v", err)
			return exitUsage
		}
	}
	if *linHTML != "" {
		if code := writeLinearizability(e, *linHTML, s, r); code != exitOK {
			return code
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			e.errorf("%v", err)
			return exitUsage
		}
	} else {
		printResult(e.stdout, s, res)
	}
	if res.ExpectationMet != nil && !*res.ExpectationMet {
		return exitFail
	}
	return exitOK
}

func writeTrace(path string, r *scenario.Run) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, ev := range r.World().Trace() {
		if err := enc.Encode(ev); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printResult(w io.Writer, s *scenario.Scenario, res *scenario.Result) {
	title := ""
	if s.Title != "" {
		title = " — " + s.Title
	}
	fmt.Fprintf(w, "%s%s\n", res.Name, title)
	fmt.Fprintf(w, "  mechanism %s, seed %d, %s virtual, %d events\n", res.Mechanism, res.Seed, res.Duration, res.Events)
	fmt.Fprintf(w, "  trace %s\n", res.TraceHash)
	if len(res.Violations) == 0 {
		fmt.Fprintf(w, "violations: none\n")
	} else {
		fmt.Fprintf(w, "violations: %d\n", len(res.Violations))
		printViolations(w, res.Violations, 20)
	}
	if len(res.Metrics) > 0 {
		fmt.Fprintf(w, "metrics:\n")
		names := make([]string, 0, len(res.Metrics))
		width := 0
		for k := range res.Metrics {
			names = append(names, k)
			width = max(width, len(k))
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(w, "  %-*s  %s\n", width, k, formatMetric(res.Metrics[k]))
		}
	}
	switch {
	case res.ExpectationMet == nil:
		fmt.Fprintf(w, "expectation: none stated\n")
	case *res.ExpectationMet:
		fmt.Fprintf(w, "expectation: met\n")
	default:
		fmt.Fprintf(w, "expectation: NOT MET\n")
		for _, f := range res.Failures {
			fmt.Fprintf(w, "  - %s\n", f)
		}
	}
}

// printViolations lists violations, at most limit of them, grouped so that a
// long run does not bury the first.
func printViolations(w io.Writer, vs []check.Violation, limit int) {
	for i, v := range vs {
		if i == limit {
			fmt.Fprintf(w, "  ... and %d more\n", len(vs)-limit)
			return
		}
		fmt.Fprintf(w, "  %9s  %-18s %s\n", check.Seconds(v.At), v.Invariant, v.Detail)
	}
}

func formatMetric(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}
