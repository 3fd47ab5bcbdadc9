package scenario_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"coordlab/sim/scenario"
)

const good = `name: toy-crash
title: "A toy: one crash"
mechanism: toy
seed: 7
duration: 10s
params: {workers: 3, interval: 50ms}
network: {latency: "1ms..3ms", loss: 0.1}
faults:
  - {at: 2s, crash: worker-1}
  - {at: 3s, restart: worker-1}
  - {at: 4s, partition: [[server-1, worker-2], [worker-3]]}
  - {at: 5s, heal: all}
  - {at: 6s, clock: worker-2, jump: +15s}
  - {at: 6s, clock: worker-3, drift: 1.5}
  - {at: 7s, cut: {from: worker-3, to: server-1}}
  - {at: 8s, pause: leader, for: 500ms}
  - {at: 8s, isolate: worker-2}
  - {at: 9s, loss: 0.2}
  - {at: 9s, duplicate: 0.1}
  - {at: 9s, latency: 2ms}
sliders:
  - {param: params.interval, min: 10ms, max: 1s}
  - {param: network.loss, min: 0, max: 0.5, step: 0.05}
expect:
  violations: [no-crash, quiet]
  metrics: {pings: ">= 100"}
`

func parse(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("good.yaml", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return s
}

func TestParseRunAndExpect(t *testing.T) {
	s := parse(t, good)
	if s.Seed != 7 || s.Params.Int("workers") != 3 || len(s.Faults) != 12 || len(s.Sliders) != 2 {
		t.Fatalf("parsed wrong: seed %d workers %d faults %d sliders %d", s.Seed, s.Params.Int("workers"), len(s.Faults), len(s.Sliders))
	}
	res, err := s.Run(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExpectationMet == nil || !*res.ExpectationMet {
		t.Fatalf("expectation not met: %v", res.Failures)
	}
	// The JSON result has exactly the keys of DESIGN section 3.
	b, _ := json.Marshal(res)
	var m map[string]any
	json.Unmarshal(b, &m)
	want := []string{"name", "mechanism", "seed", "events", "duration", "trace_hash", "violations", "metrics", "expectation_met"}
	if len(m) != len(want) {
		t.Errorf("result has keys %v, want exactly %v", keys(m), want)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("result lacks key %q", k)
		}
	}
	v := m["violations"].([]any)[0].(map[string]any)
	for _, k := range []string{"invariant", "at", "nodes", "detail"} {
		if _, ok := v[k]; !ok {
			t.Errorf("violation lacks key %q: %v", k, v)
		}
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestExpectationNotMet(t *testing.T) {
	src := strings.Replace(good, "violations: [no-crash, quiet]", "violations: [quiet]", 1)
	res, err := parse(t, src).Run(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if *res.ExpectationMet {
		t.Fatal("a crash happened, yet no-crash was expected to hold and the expectation was met")
	}
	if len(res.Failures) != 1 || !strings.Contains(res.Failures[0], "expected no-crash to hold") {
		t.Fatalf("failures = %q", res.Failures)
	}
	src = strings.Replace(good, `pings: ">= 100"`, `pings: "< 5"`, 1)
	res, _ = parse(t, src).Run(scenario.Options{})
	if *res.ExpectationMet || !strings.Contains(strings.Join(res.Failures, " "), "expected metric pings < 5") {
		t.Fatalf("metric expectation: met=%v failures=%q", *res.ExpectationMet, res.Failures)
	}
}

func TestNoExpectIsNull(t *testing.T) {
	src := good[:strings.Index(good, "expect:")]
	res, err := parse(t, src).Run(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExpectationMet != nil {
		t.Fatalf("expectation_met = %v without expect, want null", *res.ExpectationMet)
	}
}

func TestDeterministicHash(t *testing.T) {
	s := parse(t, good)
	a, _ := s.Run(scenario.Options{})
	b, _ := s.Run(scenario.Options{})
	c, _ := s.Run(scenario.Options{Seed: 8, HasSeed: true})
	if a.TraceHash != b.TraceHash {
		t.Fatalf("same seed, different hashes: %s %s", a.TraceHash, b.TraceHash)
	}
	if a.TraceHash == c.TraceHash {
		t.Fatalf("seeds 7 and 8 gave the same hash %s", a.TraceHash)
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	s := parse(t, good)
	out := s.YAML()
	again, err := scenario.Parse("export.yaml", out)
	if err != nil {
		t.Fatalf("exported YAML does not parse: %v\n%s", err, out)
	}
	if string(again.YAML()) != string(out) {
		t.Fatalf("export is not stable:\n%s\n---\n%s", out, again.YAML())
	}
	a, _ := s.Run(scenario.Options{})
	b, _ := again.Run(scenario.Options{})
	if a.TraceHash != b.TraceHash {
		t.Fatalf("the exported scenario runs differently: %s vs %s\n%s", a.TraceHash, b.TraceHash, out)
	}
}

func TestInjectIsRecorded(t *testing.T) {
	s := parse(t, good[:strings.Index(good, "faults:")])
	plain, _ := s.Run(scenario.Options{})
	r, err := s.Start(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.World().RunUntil(1500 * 1e6)
	if err := r.Inject(crashWorker2()); err != nil {
		t.Fatal(err)
	}
	res, _ := r.Result()
	if res.TraceHash == plain.TraceHash {
		t.Fatal("an injected crash did not change the run")
	}
	y := string(r.Scenario().YAML())
	if !strings.Contains(y, "{at: 1.5s, crash: worker-2}") {
		t.Fatalf("the injected fault is not in the exported YAML:\n%s", y)
	}
	replay, err := scenario.Parse("replay.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := replay.Run(scenario.Options{})
	if again.TraceHash != res.TraceHash {
		t.Fatalf("replaying the exported scenario gives %s, the live run gave %s", again.TraceHash, res.TraceHash)
	}
	if s.Faults != nil {
		t.Fatal("Inject changed the original scenario")
	}
}

func TestWith(t *testing.T) {
	s := parse(t, good)
	c, err := s.With("params.interval", "20ms")
	if err != nil {
		t.Fatal(err)
	}
	if c.Params.Duration("interval") == s.Params.Duration("interval") {
		t.Fatal("With did not change the copy, or changed the original too")
	}
	for _, bad := range [][2]string{{"params.nope", "1"}, {"params.interval", "fast"}, {"network.loss", "2"}, {"params.workers", "1"}, {"params.odd", "4"}, {"colour", "red"}} {
		if _, err := s.With(bad[0], bad[1]); err == nil {
			t.Errorf("With(%q, %q) gave no error", bad[0], bad[1])
		}
	}
}

func TestParseErrorsHavePositions(t *testing.T) {
	base := "name: t\nmechanism: toy\n"
	cases := []struct {
		name, src, want string
		line, col       int
	}{
		{"yaml syntax", "name: [unclosed\n", "invalid YAML", 1, 0},
		{"not a mapping", "- a\n- b\n", "expected the scenario as a mapping", 1, 1},
		{"unknown key", base + "colour: red\n", `unknown key "colour"`, 3, 1},
		{"unknown mechanism", "name: t\nmechanism: paxo\n", `unknown mechanism "paxo"`, 2, 12},
		{"missing mechanism", "name: t\n", `missing key "mechanism"`, 1, 0},
		{"missing name", "mechanism: toy\n", `missing key "name"`, 1, 0},
		{"bad name", "name: Big Name\nmechanism: toy\n", "lowercase letters", 1, 7},
		{"wrong type", base + "params: {workers: [1, 2]}\n", "expected a whole number", 3, 19},
		{"param out of range", base + "params: {workers: 11}\n", "from 1 to 10", 3, 19},
		{"unknown param", base + "params: {ttl: 1s}\n", `unknown key "ttl"`, 3, 10},
		{"negative duration", base + "params: {interval: -5ms}\n", "expected a duration", 3, 20},
		{"enum", base + "params: {mode: c}\n", "one of a, b", 3, 16},
		{"validate", base + "params: {odd: 4}\n", "must be odd", 3, 15},
		{"seed", base + "seed: -1\n", "seed: expected a whole number", 3, 7},
		{"duration", base + "duration: forever\n", "expected a duration", 3, 11},
		{"loss", base + "network: {loss: 1.5}\n", "probability from 0 to 1", 3, 17},
		{"latency", base + "network: {latency: 5ms..1ms}\n", "range", 3, 20},
		{"unknown node", base + "faults:\n  - {at: 1s, crash: worker-9}\n", `no node "worker-9"`, 4, 21},
		{"no action", base + "faults:\n  - {at: 1s}\n", "a fault needs one of", 4, 0},
		{"two actions", base + "faults:\n  - {at: 1s, crash: worker-1, pause: worker-2}\n", "does one thing", 4, 0},
		{"no at", base + "faults:\n  - {crash: worker-1}\n", `needs "at"`, 4, 0},
		{"after end", base + "duration: 5s\nfaults:\n  - {at: 6s, crash: worker-1}\n", "from 0s to 5s", 5, 10},
		{"fault extra key", base + "faults:\n  - {at: 1s, crash: worker-1, for: 2s}\n", `unknown key "for"`, 4, 0},
		{"clock without jump", base + "faults:\n  - {at: 1s, clock: worker-1}\n", "exactly one of jump", 4, 0},
		{"bad drift", base + "faults:\n  - {at: 1s, clock: worker-1, drift: 0}\n", "clock rate from 0.001 to 10", 4, 0},
		{"partition node", base + "faults:\n  - {at: 1s, partition: [[worker-1], [db-1]]}\n", `no node "db-1"`, 4, 0},
		{"cut missing to", base + "faults:\n  - {at: 1s, cut: {from: worker-1}}\n", "needs both from and to", 4, 0},
		{"heal what", base + "faults:\n  - {at: 1s, heal: some}\n", "expected all", 4, 0},
		{"unknown invariant", base + "expect: {violations: [mutual-exclusion]}\n", `no invariant "mutual-exclusion"`, 3, 0},
		{"unknown metric", base + "expect: {metrics: {rounds: 3}}\n", `no metric "rounds"`, 3, 0},
		{"bad comparison", base + "expect: {metrics: {pings: \"about 3\"}}\n", "comparison", 3, 0},
		{"both", base + "expect: {violations: [quiet], holds: [quiet]}\n", "both violated and held", 3, 0},
		{"slider param", base + "sliders:\n  - {param: params.nope, min: 1, max: 2}\n", "no parameter", 4, 0},
		{"slider range", base + "sliders:\n  - {param: params.workers, min: 1, max: 50}\n", "from 1 to 10", 4, 0},
		// NaN compares false with everything, so a bare range check lets it
		// through: as a drift it hung the run, as a probability it meant 0.
		{"NaN loss", base + "network: {loss: NaN}\n", "probability from 0 to 1", 3, 17},
		{"NaN duplicate fault", base + "faults:\n  - {at: 1s, duplicate: nan}\n", "probability from 0 to 1", 4, 25},
		{"NaN drift", base + "faults:\n  - {at: 1s, clock: worker-1, drift: NaN}\n", "clock rate from 0.001 to 10", 4, 38},
		{"tiny drift", base + "faults:\n  - {at: 1s, clock: worker-1, drift: 1e-300}\n", "clock rate from 0.001 to 10", 4, 38},
		{"slider NaN loss", base + "sliders:\n  - {param: network.loss, min: 0, max: NaN}\n", "probability from 0 to 1", 4, 0},
		{"slider NaN step", base + "sliders:\n  - {param: network.loss, min: 0, max: 1, step: NaN}\n", "slider step", 4, 0},
		{"slider trailing text", base + "sliders:\n  - {param: network.loss, min: 0, max: 0.5x}\n", `got "0.5x"`, 4, 0},
		{"slider min above max", base + "sliders:\n  - {param: params.interval, min: 1s, max: 10ms}\n", "min below max", 4, 0},
		{"slider not numeric", base + "sliders:\n  - {param: params.mode, min: a, max: b}\n", "min below max", 4, 0},
		{"duplicate key", base + "seed: 1\nseed: 2\n", "", 4, 0},
		{"alias", base + "params: &p {workers: 2}\nnetwork: *p\n", "", 4, 0},
		{"two documents", base + "---\nname: u\n", "one YAML document", 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenario.Parse("bad.yaml", []byte(c.src))
			var list scenario.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("err = %v, want an ErrorList", err)
			}
			e := list[0]
			if !strings.Contains(e.Error(), c.want) {
				t.Errorf("error %q does not contain %q", e.Error(), c.want)
			}
			if e.Line != c.line {
				t.Errorf("error %q at line %d, want line %d", e.Error(), e.Line, c.line)
			}
			if c.col != 0 && e.Col != c.col {
				t.Errorf("error %q at column %d, want column %d", e.Error(), e.Col, c.col)
			}
			if !strings.HasPrefix(e.Error(), "bad.yaml:") {
				t.Errorf("error %q does not start with the file name", e.Error())
			}
		})
	}
}

// A duration that does not parse is one problem: the faults are not then
// measured against a duration of 0 and reported as after the end.
func TestBadDurationIsOneProblem(t *testing.T) {
	src := "name: t\nmechanism: toy\nduration: forever\nfaults:\n  - {at: 1s, crash: worker-1}\n"
	_, err := scenario.Parse("bad.yaml", []byte(src))
	var list scenario.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Line != 3 {
		t.Fatalf("err = %v, want one problem, on line 3", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name: t\nmechanism: toy\nfaults:\n  - {at: 1s, partition: [[a]]}\n"))
	f.Add([]byte("{"))
	f.Add([]byte("name: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := scenario.Parse("fuzz.yaml", src)
		if err != nil {
			var list scenario.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error of type %T, want a non-empty ErrorList: %v", err, err)
			}
			return
		}
		// A scenario that parses must export to YAML that parses again.
		if _, err := scenario.Parse("again.yaml", s.YAML()); err != nil {
			t.Fatalf("export of a valid scenario does not parse: %v\n%s", err, s.YAML())
		}
	})
}
