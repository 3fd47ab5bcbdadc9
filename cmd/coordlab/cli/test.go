//go:build !(js && wasm)

package cli

import (
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"coordlab/lessons"
	"coordlab/sim/scenario"
)

// testCase is one scenario to run: a file, or a block of a lesson.
type testCase struct {
	name     string // "path" or "path:line"
	scenario *scenario.Scenario
	problems []string // why it could not be parsed
	// outcome
	failures []string
	elapsed  time.Duration
	result   *scenario.Result
}

func cmdTest(e *env, args []string) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	junit := fs.String("junit", "", "also write a JUnit XML report to `FILE`")
	paths, code, ok := parseFlags(e, fs, "test", args)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	cases, err := collect(paths)
	if err != nil {
		e.errorf("%v", err)
		return exitUsage
	}
	if len(cases) == 0 {
		e.errorf("no *.scenario.yaml files or lessons with ```scenario blocks under %s", strings.Join(paths, " "))
		return exitUsage
	}
	progress := isTerminal(e.stdout)
	passed, failed, broken := 0, 0, 0
	for i, c := range cases {
		if progress {
			fmt.Fprintf(e.stdout, "\r\033[K[%d/%d] %s", i+1, len(cases), c.name)
		}
		runCase(c)
		if progress {
			fmt.Fprint(e.stdout, "\r\033[K")
		}
		switch {
		case len(c.problems) > 0:
			broken++
			failed++
			fmt.Fprintf(e.stdout, "FAIL %s: does not parse\n", c.name)
			for _, p := range c.problems {
				fmt.Fprintf(e.stdout, "    %s\n", p)
			}
		case len(c.failures) > 0:
			failed++
			fmt.Fprintf(e.stdout, "FAIL %s (%s, seed %d)\n", c.name, c.scenario.Name, c.scenario.Seed)
			for _, f := range c.failures {
				fmt.Fprintf(e.stdout, "    %s\n", f)
			}
		default:
			passed++
			fmt.Fprintf(e.stdout, "ok   %s (%s) %v\n", c.name, c.scenario.Name, c.elapsed.Round(time.Millisecond))
		}
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	if *junit != "" {
		if err := writeJUnit(*junit, cases); err != nil {
			e.errorf("%v", err)
			return exitUsage
		}
	}
	switch {
	case broken > 0:
		return exitUsage
	case failed > 0:
		return exitFail
	}
	return exitOK
}

// runCase runs one scenario. A scenario without an expectation passes if it
// runs: it reports but never fails, as in `coordlab run`.
func runCase(c *testCase) {
	if len(c.problems) > 0 {
		return
	}
	start := time.Now()
	res, err := c.scenario.Run(scenario.Options{})
	c.elapsed = time.Since(start)
	if err != nil {
		c.failures = []string{err.Error()}
		return
	}
	c.result = res
	c.failures = res.Failures
}

// collect finds the test cases under the paths, in a stable order: every
// *.scenario.yaml file and every ```scenario block of every *.md file.
func collect(paths []string) ([]*testCase, error) {
	files, err := findFiles(paths)
	if err != nil {
		return nil, err
	}
	var cases []*testCase
	for _, f := range files {
		cs, err := casesOf(f)
		if err != nil {
			return nil, err
		}
		cases = append(cases, cs...)
	}
	return cases, nil
}

// findFiles lists, sorted, the paths that are files and every
// *.scenario.yaml and *.md file under the paths that are folders.
func findFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".scenario.yaml") || strings.HasSuffix(path, ".md")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

func casesOf(file string) ([]*testCase, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(file, ".md") {
		c := &testCase{name: file}
		s, err := scenario.Parse(file, src)
		if err != nil {
			c.problems = problemLines(err)
		}
		c.scenario = s
		return []*testCase{c}, nil
	}
	blocks, _ := lessons.ScenarioBlocks(filepath.ToSlash(file), src)
	var cases []*testCase
	for i := range blocks {
		b := &blocks[i]
		c := &testCase{name: fmt.Sprintf("%s:%d", file, b.Line), scenario: b.Scenario}
		for _, p := range b.Problems {
			c.problems = append(c.problems, p.String())
		}
		cases = append(cases, c)
	}
	return cases, nil
}

func problemLines(err error) []string {
	var list scenario.ErrorList
	if errors.As(err, &list) {
		out := make([]string, len(list))
		for i, e := range list {
			out[i] = e.Error()
		}
		return out
	}
	return []string{err.Error()}
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     float64     `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(path string, cases []*testCase) error {
	suite := junitSuite{Name: "coordlab", Tests: len(cases)}
	for _, c := range cases {
		jc := junitCase{Name: c.name, ClassName: "coordlab.scenario", Time: c.elapsed.Seconds()}
		if c.scenario != nil {
			jc.ClassName = "coordlab." + c.scenario.Mechanism
		}
		suite.Time += jc.Time
		why := append(append([]string(nil), c.problems...), c.failures...)
		if len(why) > 0 {
			suite.Failures++
			jc.Failure = &junitFailure{Message: why[0], Text: strings.Join(why, "\n")}
		}
		suite.Cases = append(suite.Cases, jc)
	}
	out, err := xml.MarshalIndent(suite, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(out, '\n')...), 0o644)
}
