//go:build !(js && wasm)

package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/scenario"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunText(t *testing.T) {
	code, out, _ := run(t, "run", "testdata/good.scenario.yaml")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}
	for _, want := range []string{"good — A paused holder", "trace ", "mutual-exclusion", "expectation: met"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunJSONHasExactlyTheDesignKeys(t *testing.T) {
	// The flag comes after the file: flags may go anywhere.
	code, out, errs := run(t, "run", "testdata/good.scenario.yaml", "--json", "--seed", "5")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	want := "duration events expectation_met mechanism metrics name seed trace_hash violations"
	if got := strings.Join(sortedKeys(m), " "); got != want {
		t.Fatalf("keys %q, want %q", got, want)
	}
	if m["seed"].(float64) != 5 || m["expectation_met"] != true {
		t.Fatalf("seed %v expectation_met %v", m["seed"], m["expectation_met"])
	}
	v := m["violations"].([]any)[0].(map[string]any)
	if got := strings.Join(sortedKeys(v), " "); got != "at detail invariant nodes" {
		t.Fatalf("violation keys %q", got)
	}
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func TestRunSameHashTwiceAndSeedsDiffer(t *testing.T) {
	hash := func(seed string) string {
		_, out, _ := run(t, "run", "--json", "--seed", seed, "testdata/good.scenario.yaml")
		var r struct {
			TraceHash string `json:"trace_hash"`
		}
		json.Unmarshal([]byte(out), &r)
		return r.TraceHash
	}
	if a, b := hash("1"), hash("1"); a != b || a == "" {
		t.Fatalf("seed 1 twice: %q %q", a, b)
	}
	if hash("1") == hash("2") {
		t.Fatal("seeds 1 and 2 gave the same trace")
	}
}

func TestRunExitCodes(t *testing.T) {
	if code, _, _ := run(t, "run", "testdata/unmet.scenario.yaml"); code != exitFail {
		t.Errorf("unmet expectation: exit %d, want 1", code)
	}
	if code, out, _ := run(t, "run", "--json", "testdata/noexpect.scenario.yaml"); code != exitOK || !strings.Contains(out, `"expectation_met": null`) {
		t.Errorf("no expect: exit %d, want 0 with expectation_met null:\n%s", code, out)
	}
	if code, _, _ := run(t, "run"); code != exitUsage {
		t.Errorf("no file: exit %d, want 2", code)
	}
	if code, _, _ := run(t, "run", "missing.yaml"); code != exitUsage {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	if code, _, _ := run(t, "run", "--frobnicate", "testdata/good.scenario.yaml"); code != exitUsage {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if code, _, _ := run(t, "nope"); code != exitUsage {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// Every class of parse error exits 2 and names file:line:column.
func TestParseErrorsExit2WithPosition(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.scenario.yaml")
	if len(files) < 6 {
		t.Fatalf("only %d bad files", len(files))
	}
	pos := regexp.MustCompile(`^testdata/bad/[a-z-]+\.scenario\.yaml:\d+:\d+: `)
	for _, f := range files {
		code, _, errs := run(t, "run", f)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want 2", f, code)
		}
		if !pos.MatchString(errs) {
			t.Errorf("%s: error %q does not start with file:line:column", f, errs)
		}
	}
}

func TestTestCommand(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, out, _ := run(t, "test", "testdata/good.scenario.yaml", "testdata/lesson", "--junit", junit)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.HasSuffix(out, "3 passed, 0 failed\n") {
		t.Fatalf("output does not end with the summary line:\n%s", out)
	}
	if !strings.Contains(out, "testdata/lesson/locks.md:7 (lesson-pause)") {
		t.Fatalf("a lesson block is not named by file and line:\n%s", out)
	}
	raw, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suite junitSuite
	if err := xml.Unmarshal(raw, &suite); err != nil || suite.Tests != 3 || suite.Failures != 0 {
		t.Fatalf("junit: %v tests=%d failures=%d", err, suite.Tests, suite.Failures)
	}

	code, out, _ = run(t, "test", "testdata/good.scenario.yaml", "testdata/unmet.scenario.yaml", "--junit", junit)
	if code != exitFail || !strings.HasSuffix(out, "1 passed, 1 failed\n") || !strings.Contains(out, "FAIL testdata/unmet.scenario.yaml") {
		t.Fatalf("with a failing scenario: exit %d\n%s", code, out)
	}
	raw, _ = os.ReadFile(junit)
	if !bytes.Contains(raw, []byte("<failure")) {
		t.Fatal("junit report has no failure")
	}

	// A report that cannot be written is an error, after the summary line.
	code, out, errOut := run(t, "test", "testdata/good.scenario.yaml", "--junit", filepath.Join(t.TempDir(), "no", "such", "dir", "junit.xml"))
	if code != exitUsage || !strings.HasSuffix(out, "1 passed, 0 failed\n") || !strings.Contains(errOut, "junit.xml") {
		t.Fatalf("an unwritable report: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, _ = run(t, "test", "testdata/bad")
	if code != exitUsage || !strings.Contains(out, "does not parse") {
		t.Fatalf("unparsable scenarios: exit %d\n%s", code, out)
	}
}

func TestLint(t *testing.T) {
	if code, out, _ := run(t, "lint", "testdata/good.scenario.yaml"); code != exitOK {
		t.Fatalf("good file: exit %d\n%s", code, out)
	}
	code, out, _ := run(t, "lint", "testdata/bad")
	if code != exitUsage || !strings.Contains(out, "bad-node.scenario.yaml:4:") {
		t.Fatalf("bad files: exit %d\n%s", code, out)
	}
}

func TestMechanismsAndHelp(t *testing.T) {
	code, out, _ := run(t, "mechanisms")
	if code != exitOK || !strings.Contains(out, "setnx") {
		t.Fatalf("mechanisms: %d\n%s", code, out)
	}
	code, out, _ = run(t, "mechanisms", "setnx")
	for _, want := range []string{"ttl", "1s", "mutual-exclusion", "acquisitions", "holder"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("mechanisms setnx lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := run(t, "mechanisms", "nope"); code != exitUsage {
		t.Errorf("unknown mechanism: exit %d", code)
	}
	if code, out, _ := run(t, "--help"); code != exitOK || !strings.Contains(out, "explore") {
		t.Errorf("--help: %d\n%s", code, out)
	}
	if code, out, _ := run(t, "run", "--help"); code != exitOK || !strings.Contains(out, "--json") && !strings.Contains(out, "-json") {
		t.Errorf("run --help: %d\n%s", code, out)
	}
	if code, out, _ := run(t, "version"); code != exitOK || !strings.HasPrefix(out, "coordlab ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestTraceFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	if code, _, errs := run(t, "run", "testdata/noexpect.scenario.yaml", "--trace", path); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) < 10 {
		t.Fatalf("trace has %d lines", len(lines))
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil || ev["kind"] != "start" {
		t.Fatalf("first trace line %q: %v", lines[0], err)
	}
}

func TestExploreFindsAndShrinks(t *testing.T) {
	code, out, errs := run(t, "explore", "testdata/noexpect.scenario.yaml", "--target", "mutual-exclusion", "--runs", "300")
	if code != exitOK {
		t.Fatalf("explore found nothing (exit %d): %s", code, errs)
	}
	// What it prints is a scenario that reproduces the violation.
	dir := t.TempDir()
	path := filepath.Join(dir, "found.scenario.yaml")
	os.WriteFile(path, []byte(out), 0o644)
	if code, res, _ := run(t, "run", path); code != exitOK {
		t.Fatalf("the printed scenario does not reproduce (exit %d):\n%s\n%s", code, out, res)
	}
	if code, _, _ := run(t, "explore", "testdata/noexpect.scenario.yaml", "--target", "no-such"); code != exitUsage {
		t.Fatalf("unknown target: exit %d", code)
	}
}

// writeFiles writes files (path relative to a new folder: content) and
// returns the folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A lesson linted on its own, or with its language folder, is checked as a
// lesson: front matter and quizzes too, not only its scenario blocks.
func TestLintLessonOutsideACourse(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"en/broken.md": "---\ntitle: Broken\norder: 1\n\nNo closing line.\n",
		"en/quiz.md":   "---\ntitle: Quiz\norder: 2\n---\n\n```quiz\nquestion: Which?\nchoices: [a, b]\nanswer: c\n```\n",
	})
	for _, tc := range []struct{ path, want string }{
		{"en/broken.md", "broken.md:1: front matter: the opening --- on line 1 has no closing --- line"},
		{"en/quiz.md", `quiz.md:9:9: answer: "c" is not one of the choices`},
		{"en", "broken.md:1: front matter"},
	} {
		code, out, _ := run(t, "lint", filepath.Join(dir, filepath.FromSlash(tc.path)))
		if code != exitUsage || !strings.Contains(out, tc.want) {
			t.Errorf("lint %s: exit %d, want 2 with %q:\n%s", tc.path, code, tc.want, out)
		}
	}
}

// A course in any language, not only one with en/, is linted as a course,
// with the checks across its lessons.
func TestLintCourseWithoutEnglish(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"zh/a.md": "---\ntitle: A\norder: 1\n---\n\nText.\n",
		"zh/b.md": "---\ntitle: B\norder: 1\n---\n\nText.\n",
	})
	code, out, _ := run(t, "lint", dir)
	if code != exitUsage || !strings.Contains(out, "order 1 is also the order of") {
		t.Fatalf("lint of a zh course: exit %d, want 2 with the duplicate order:\n%s", code, out)
	}
}

// A run that cannot finish is an error, not a schedule without a violation.
func TestExploreReportsARunThatCannotFinish(t *testing.T) {
	defer func(o scenario.Options) { exploreOptions = o }(exploreOptions)
	exploreOptions.Limits = sim.Limits{MaxNodes: 64, MaxDuration: time.Hour, MaxEvents: 50}
	code, _, errs := run(t, "explore", "testdata/noexpect.scenario.yaml", "--runs", "3")
	if code != exitUsage || !strings.Contains(errs, "limit of 50 events") {
		t.Fatalf("exit %d, want 2 with the run's error: %s", code, errs)
	}
}

// Commands without positional arguments refuse them rather than ignore them:
// `coordlab serve mycourse` must not serve the built-in course.
func TestStrayArgumentsAreRefused(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--addr", "no-port", "mycourse"},
		{"build", "--out", t.TempDir(), "--wasm", fakeWasm(t), "mycourse"},
		{"version", "extra"},
		{"help", "nosuch"},
	} {
		code, out, errs := run(t, args...)
		if code != exitUsage || !strings.Contains(errs, args[len(args)-1]) {
			t.Errorf("%v: exit %d, want 2 naming %q\nstdout: %s\nstderr: %s", args, code, args[len(args)-1], out, errs)
		}
	}
}

// However the course folder is spelt, each lesson is linted once.
func TestLintCourseSpelling(t *testing.T) {
	dir := writeFiles(t, map[string]string{"en/a.md": "---\ntitle: A\n---\n\nNo order.\n"})
	t.Chdir(dir)
	for _, p := range []string{dir, dir + "/", ".", "./"} {
		code, out, _ := run(t, "lint", p)
		if code != exitUsage || !strings.HasSuffix(out, "\n1 problems\n") {
			t.Errorf("lint %s: exit %d, want 2 with one problem:\n%s", p, code, out)
		}
	}
}
