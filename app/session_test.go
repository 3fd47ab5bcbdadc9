package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/scenario"
)

const pausedHolder = `name: paused-holder
mechanism: setnx
seed: 3
duration: 10s
params: {clients: 2, ttl: 1s}
faults:
  - {at: 2s, pause: holder, for: 3s}
sliders:
  - {param: params.ttl, min: 500ms, max: 5s}
expect:
  violations: [mutual-exclusion, stale-write]
`

func parse(t testing.TB, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// stateAt runs a fresh copy of sc to t and returns its state.
func stateAt(t testing.TB, sc *scenario.Scenario, at sim.Time) string {
	t.Helper()
	r, err := sc.Start(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.World().RunUntil(at); err != nil {
		t.Fatal(err)
	}
	return state(r.World())
}

// state is everything a run shows of itself at a moment: its time and
// events, history, metrics and every node's inspected state. (The player's
// stepped run keeps no trace, so its hash cannot serve.)
func state(w *sim.World) string {
	return fmt.Sprintf("%v %d %v %v %v", w.Now(), w.Events(), w.History(), w.Metrics(), w.Snapshot())
}

// TestSeekIsExact checks that seeking anywhere, forwards or back, leaves the
// run exactly where a fresh run to that time is.
func TestSeekIsExact(t *testing.T) {
	sc := parse(t, pausedHolder)
	s := newSession(sc)
	for _, at := range []time.Duration{7 * time.Second, 2 * time.Second, 2*time.Second + 1, 9 * time.Second, 0, 4 * time.Second, 4 * time.Second} {
		s.seek(at)
		if got, want := state(s.world()), stateAt(t, sc, at); got != want {
			t.Fatalf("after seeking to %v the run is at\n%.500s\na fresh run is at\n%.500s", at, got, want)
		}
	}
}

// TestSeekResumesAParkedRun checks that scrubbing back and forth resumes
// the run a seek back left behind, rather than re-running the distance, and
// that a changed scenario forgets the runs of the old one.
func TestSeekResumesAParkedRun(t *testing.T) {
	sc := parse(t, pausedHolder)
	s := newSession(sc)
	s.seek(8 * time.Second)
	late := s.run
	s.seek(1 * time.Second)
	early := s.run
	if early == late {
		t.Fatal("seeking back kept the run that was ahead")
	}
	s.seek(9 * time.Second)
	if s.run != late {
		t.Fatal("seeking forward past the parked run did not resume it")
	}
	s.seek(2 * time.Second)
	if s.run != early {
		t.Fatal("seeking back past the parked early run did not resume it")
	}
	if state(s.world()) != stateAt(t, sc, 2*time.Second) {
		t.Fatal("the resumed run is not where a fresh run to 2s is")
	}
	if err := s.set("seed", "2"); err != nil {
		t.Fatal(err)
	}
	if len(s.parked) != 0 {
		t.Fatalf("%d runs of the old scenario still parked", len(s.parked))
	}
}

func TestRunToEndMatchesTheCLI(t *testing.T) {
	sc := parse(t, pausedHolder)
	s := newSession(sc)
	s.seek(3 * time.Second)
	s.step()
	s.runToEnd()
	res, err := parse(t, pausedHolder).Run(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.result == nil || s.result.TraceHash != res.TraceHash {
		t.Fatalf("player result %+v; CLI hash %s", s.result, res.TraceHash)
	}
	if !s.done() || len(s.violations()) == 0 {
		t.Fatalf("done=%v violations=%d; want the run ended with violations", s.done(), len(s.violations()))
	}
}

func TestStepProcessesOneEvent(t *testing.T) {
	s := newSession(parse(t, pausedHolder))
	before := s.world().Events()
	s.step()
	if got := s.world().Events(); got != before+1 {
		t.Fatalf("step: %d events, then %d", before, got)
	}
}

// TestInjectKeepsWhatWasSeen steps to an event that is not on a whole
// millisecond and crashes the node it happened at. The replay must show
// every event up to that moment as the learner saw it, the crash after
// them: a fault rounded down to the millisecond would crash the node before
// the event just watched.
func TestInjectKeepsWhatWasSeen(t *testing.T) {
	trace := func(src []byte) []sim.TraceEvent {
		t.Helper()
		r, err := parse(t, string(src)).Start(scenario.Options{KeepTrace: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.World().Run(); err != nil {
			t.Fatal(err)
		}
		return r.World().Trace()
	}
	orig := trace([]byte(pausedHolder))
	s := newSession(parse(t, pausedHolder))
	var at sim.TraceEvent
	for at.Node == "" {
		s.step()
		now := s.now()
		if now%time.Millisecond == 0 {
			continue
		}
		for _, e := range orig {
			if e.At == now && e.Kind == sim.TraceDeliver {
				at = e
			}
		}
	}
	if err := s.inject(sim.Fault{Kind: sim.FaultCrash, Node: at.Node}); err != nil {
		t.Fatal(err)
	}
	replay := trace(s.sc.YAML())
	for i, e := range orig {
		if e.At > at.At {
			break
		}
		if r := replay[i]; r.At != e.At || r.Kind != e.Kind || r.Node != e.Node || r.ID != e.ID || r.Detail != e.Detail {
			t.Fatalf("crashing %s at %v changed what had been seen: event %d was %+v, is %+v", at.Node, at.At, i, e, r)
		}
	}
}

// TestInjectIsRecordedAndReplays checks that a clicked fault lands in the
// exported YAML and that the YAML, run from scratch, gives the player's run.
func TestInjectIsRecordedAndReplays(t *testing.T) {
	s := newSession(parse(t, pausedHolder))
	s.seek(1500*time.Millisecond + 123456)
	if err := s.inject(sim.Fault{Kind: sim.FaultCrash, Node: "redis-1"}); err != nil {
		t.Fatal(err)
	}
	if s.now() != 1500*time.Millisecond+123456 {
		t.Fatalf("after injecting, the run is at %v; want where it was", s.now())
	}
	y := string(s.sc.YAML())
	if !strings.Contains(y, "{at: 1.500123456s, crash: redis-1}") {
		t.Fatalf("exported YAML lacks the fault:\n%s", y)
	}
	s.runToEnd()
	res, err := parse(t, y).Run(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TraceHash != s.result.TraceHash {
		t.Fatalf("the exported YAML runs to %s; the player showed %s", res.TraceHash, s.result.TraceHash)
	}
	orig, _ := parse(t, pausedHolder).Run(scenario.Options{})
	if orig.TraceHash == res.TraceHash {
		t.Fatal("crashing redis-1 did not change the run")
	}
}

func TestSliderSetsAndRejects(t *testing.T) {
	s := newSession(parse(t, pausedHolder))
	s.runToEnd()
	if err := s.set("params.ttl", "5s"); err != nil {
		t.Fatal(err)
	}
	if s.sc.Params["ttl"].Dur != 5*time.Second || !s.done() {
		t.Fatalf("after the slider: ttl %v, done %v; want 5s and re-run to the end", s.sc.Params["ttl"].Dur, s.done())
	}
	if err := s.set("params.ttl", "-1s"); err == nil || s.sc.Params["ttl"].Dur != 5*time.Second {
		t.Fatalf("a bad value: err %v, ttl %v; want an error and ttl unchanged", err, s.sc.Params["ttl"].Dur)
	}
}

func TestParseSlider(t *testing.T) {
	sp, ok := parseSlider(scenario.Slider{Param: "params.ttl", Min: "500ms", Max: "5s", Step: "500ms"})
	if !ok || !sp.duration || sp.min != 500 || sp.max != 5000 || sp.step != 500 || sp.format(1500) != "1.5s" {
		t.Fatalf("duration slider = %+v, %v", sp, ok)
	}
	sp, ok = parseSlider(scenario.Slider{Param: "network.loss", Min: "0", Max: "0.5", Step: "0.05"})
	if !ok || sp.duration || sp.format(0.15) != "0.15" {
		t.Fatalf("number slider = %+v, %v", sp, ok)
	}
	if _, ok := parseSlider(scenario.Slider{Min: "1s", Max: "0.5"}); ok {
		t.Fatal("a slider mixing a duration and a number was accepted")
	}
}

// TestWholeNumberSliders checks that the seed and whole-number parameters
// move by whole numbers and are set to what the slider shows, even past a
// million, where a short float would be written 1e+06.
func TestWholeNumberSliders(t *testing.T) {
	s := newSession(parse(t, "name: seeds\nmechanism: setnx\nsliders:\n  - {param: seed, min: 1, max: 2000000}\n  - {param: params.clients, min: 1, max: 8}\n  - {param: network.loss, min: 0, max: 0.5}\n"))
	for _, tt := range []struct {
		param string
		step  float64
		move  float64
		want  string
	}{
		{"seed", 20000, 1000000.4, "1000000"},
		{"params.clients", 1, 3.2, "3"},
		{"network.loss", 0.005, 0.125, "0.125"},
	} {
		var sl scenario.Slider
		for _, x := range s.sc.Sliders {
			if x.Param == tt.param {
				sl = x
			}
		}
		sp, ok := sliderFor(s.sc, sl)
		if !ok || sp.step != tt.step || sp.format(tt.move) != tt.want {
			t.Errorf("slider %s: step %v, %v written %q; want step %v, %q", tt.param, sp.step, tt.move, sp.format(tt.move), tt.step, tt.want)
			continue
		}
		if err := s.set(tt.param, sp.format(tt.move)); err != nil {
			t.Errorf("slider %s at %s: %v", tt.param, sp.format(tt.move), err)
		}
	}
	if s.sc.Seed != 1000000 || s.sc.Params["clients"].Int != 3 {
		t.Errorf("after moving the sliders: seed %d, clients %d; want 1000000 and 3", s.sc.Seed, s.sc.Params["clients"].Int)
	}
	for _, bad := range []string{"1e+06", "2.5", "-1", ""} {
		if err := s.set("seed", bad); err == nil {
			t.Errorf("seed %q was taken (now %d)", bad, s.sc.Seed)
		}
	}
}

// TestBuiltInScenariosRun checks the scenarios the pages carry themselves:
// the playground's starting point and the CAP explorer, with every slider
// moved to both ends.
func TestBuiltInScenariosRun(t *testing.T) {
	for name, src := range map[string]string{"playground": defaultScenario(), "cap": capScenario} {
		s := newSession(parse(t, src))
		s.runToEnd()
		if s.err != nil || s.result == nil {
			t.Fatalf("%s: %v", name, s.err)
		}
		for _, sl := range s.sc.Sliders {
			sp, ok := sliderFor(s.sc, sl)
			if !ok {
				t.Fatalf("%s: slider %s does not parse", name, sl.Param)
			}
			for _, v := range []float64{sp.min, sp.max} {
				if err := s.set(sl.Param, sp.format(v)); err != nil {
					t.Errorf("%s: slider %s at %s: %v", name, sl.Param, sp.format(v), err)
				}
			}
		}
	}
}

// TestPlayerStopsAtItsLimits checks that a scenario too big for the browser
// stops with an error naming the limit, instead of freezing the tab.
func TestPlayerStopsAtItsLimits(t *testing.T) {
	s := newSession(parse(t, "name: huge\nmechanism: crdt\nduration: 1h\nparams: {gossip: 1ms, ops: 0}\n"))
	s.runToEnd()
	if s.err == nil || !strings.Contains(s.err.Error(), "limit of 400000 events") {
		t.Fatalf("err %v, want the event limit", s.err)
	}
	if !s.done() {
		t.Fatal("a run stopped at its limit is not done")
	}
}

// TestSessionRunsTheWholeScenarioOnlyWhenMoved checks that a player that is
// only shown does not run its scenario to the end (a lesson may hold a
// dozen), and that the first move computes what the drawings need.
func TestSessionRunsTheWholeScenarioOnlyWhenMoved(t *testing.T) {
	s := newSession(parse(t, pausedHolder))
	if s.computed || s.trace() != nil {
		t.Fatal("a player that was only shown ran its scenario to the end")
	}
	s.seek(3 * time.Second)
	if len(s.trace()) == 0 || !s.computed {
		t.Fatal("after a seek the trace is not there to draw")
	}
	s.runToEnd()
	if s.result == nil || s.result.TraceHash == "" || s.result.TraceHash != s.final.TraceHash {
		t.Fatalf("the ended run shows hash %q", s.result.TraceHash)
	}
}
