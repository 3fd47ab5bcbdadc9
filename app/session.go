package app

import (
	"fmt"
	"slices"
	"sort"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/scenario"
)

// session is the model behind one scenario player: the scenario as the
// student has changed it (slider values, faults clicked in), and a run of it
// stopped at some virtual time. It never touches the DOM, and the
// simulation never knows it is drawn (STYLE.md, after raftscope).
//
// Going back in time re-runs the scenario from the start: a run is a pure
// function of the scenario and its seed, so re-running to t gives exactly
// the state the run had at t. Every change to the scenario (a fault, a
// slider) is made to the scenario and replayed the same way, so what the
// player shows is always what the exported YAML reproduces.
//
// The whole run is computed once, with its trace kept (DESIGN section 8
// budgets the memory for it), the first time the student moves the run
// after the scenario was loaded or changed: the drawings read that trace up
// to now. The world that is stepped and re-run for node state keeps no
// trace and computes no hash; the run's hash is the whole run's.
type session struct {
	sc  *scenario.Scenario
	run *scenario.Run
	err error
	// full is the trace of the whole run and final its result, from the
	// run made when the scenario was loaded; result is set once the
	// stepped run reaches the end (it is then final).
	full     []sim.TraceEvent
	final    *scenario.Result
	computed bool // precompute ran (full and final are set unless it failed)
	// fresh is set until the student first moves the run: until then
	// nothing is drawn from the trace, and it is not computed.
	fresh  bool
	result *scenario.Result
	// viols caches the violations found up to violsAt.
	viols   []check.Violation
	violsAt int // events run when viols was computed; -1 when stale
	// parked holds runs of this scenario that a seek left behind, each
	// stopped where it was. A later seek resumes the nearest one at or
	// before its target rather than re-running from the start or stepping
	// the whole way, so scrubbing back and forth costs only the distance
	// from the nearest run. Cleared when the scenario changes.
	parked []*scenario.Run
}

// playerLimits bound a run in the browser, where its whole trace is kept
// and a long run would freeze the tab or exhaust its memory. 400,000 events
// is six times the biggest run offered in the browser (the CAP explorer's
// 10,000 operations: 64,578 events). A bigger scenario stops with an error
// that says which limit it hit; the CLI allows more (sim.DefaultLimits).
var playerLimits = sim.Limits{MaxNodes: sim.DefaultLimits.MaxNodes, MaxDuration: sim.DefaultLimits.MaxDuration, MaxEvents: 400_000}

// maxParked bounds the runs kept for seeking: each holds a whole world.
const maxParked = 3

// newSession starts a run of sc at time 0.
func newSession(sc *scenario.Scenario) *session {
	s := &session{sc: sc}
	s.restart()
	s.seek(0) // the nodes start at time 0: show them started
	s.fresh = true
	return s
}

// precompute runs the whole scenario once, keeping its trace, the first
// time the trace or the final result is needed: at time 0 nothing is drawn
// from it yet, so a lesson with many players opens without running them all.
func (s *session) precompute() {
	if s.computed {
		return
	}
	s.computed = true
	r, err := s.sc.Start(scenario.Options{KeepTrace: true, Limits: playerLimits})
	if err != nil {
		return // restart reports it
	}
	res, err := r.Result()
	if err != nil {
		return // the stepped run stops on the same error and shows it
	}
	s.full, s.final = r.World().Trace(), res
}

func (s *session) restart() {
	s.result, s.viols, s.violsAt = nil, nil, -1
	s.run, s.err = s.sc.Start(scenario.Options{Limits: playerLimits, NoTrace: true})
}

// trace returns the run's trace up to now: every event of the whole run
// that happened at or before the current time.
func (s *session) trace() []sim.TraceEvent {
	if s.fresh {
		return nil
	}
	now := s.now()
	s.precompute()
	n := sort.Search(len(s.full), func(i int) bool { return s.full[i].At > now })
	return s.full[:n]
}

// world returns the run's world, or nil if the scenario could not start.
func (s *session) world() *sim.World {
	if s.run == nil {
		return nil
	}
	return s.run.World()
}

// now returns the run's virtual time.
func (s *session) now() sim.Time {
	if w := s.world(); w != nil {
		return w.Now()
	}
	return 0
}

// done reports whether the run reached its end (or stopped on an error).
func (s *session) done() bool {
	w := s.world()
	return w == nil || s.err != nil || (w.Done() && w.Now() >= w.Duration()) || s.result != nil
}

// seek moves the run to virtual time t, re-running from the start when t
// lies in the past.
func (s *session) seek(t sim.Time) {
	s.fresh = false
	if s.run == nil {
		return
	}
	t = max(0, min(t, s.sc.Duration))
	now := s.now()
	if r := s.takeParked(now, t); r != nil {
		s.park()
		s.run, s.err, s.result, s.viols, s.violsAt = r, nil, nil, nil, -1
	} else if t < now {
		s.park()
		s.restart()
		if s.err != nil {
			return
		}
	}
	if err := s.world().RunUntil(t); err != nil {
		s.err = err
	}
	if s.world().Done() && s.now() >= s.sc.Duration {
		s.finish()
	}
}

// takeParked removes and returns the parked run to resume for a seek from
// now to t: the latest one at or before t, and ahead of now when t is.
func (s *session) takeParked(now, t sim.Time) *scenario.Run {
	best := -1
	for i, r := range s.parked {
		at := r.World().Now()
		if at > t || (t >= now && at <= now) {
			continue
		}
		if best < 0 || at > s.parked[best].World().Now() {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	r := s.parked[best]
	s.parked = slices.Delete(s.parked, best, best+1)
	return r
}

// park keeps the current run for later seeks, dropping the oldest parked
// one when there are too many.
func (s *session) park() {
	if s.run == nil || s.err != nil {
		return
	}
	if len(s.parked) == maxParked {
		s.parked = slices.Delete(s.parked, 0, 1)
	}
	s.parked = append(s.parked, s.run)
}

// differ names what two results of the same scenario disagree on, or "".
func differ(a, b *scenario.Result) string {
	switch {
	case a.Events != b.Events:
		return fmt.Sprintf("their number of events (%d, %d)", a.Events, b.Events)
	case fmt.Sprint(a.Metrics) != fmt.Sprint(b.Metrics):
		return fmt.Sprintf("their metrics (%v, %v)", a.Metrics, b.Metrics)
	case fmt.Sprint(a.Violations) != fmt.Sprint(b.Violations):
		return "their violations"
	}
	return ""
}

// step processes the next event.
func (s *session) step() {
	s.fresh = false
	if s.run == nil || s.done() {
		return
	}
	if _, err := s.world().Step(); err != nil {
		s.err = err
	}
	if s.world().Done() {
		s.seek(s.sc.Duration)
	}
}

// runToEnd runs to the end of the scenario and checks it.
func (s *session) runToEnd() {
	s.seek(s.sc.Duration)
	s.finish()
}

func (s *session) finish() {
	if s.run == nil || s.result != nil || s.err != nil {
		return
	}
	s.result, s.err = s.run.Result()
	s.precompute()
	if s.err != nil || s.final == nil {
		return
	}
	// The stepped run keeps no trace (seeking is faster without one); its
	// hash is that of the run made on loading, of the same scenario. Both
	// runs must agree on everything else: a difference is a determinism
	// bug, which the student must not be shown as a result.
	if d := differ(s.final, s.result); d != "" {
		s.err = fmt.Errorf("two runs of the same scenario differ in %s: the simulation is not deterministic; please report this scenario", d)
		return
	}
	s.result.TraceHash = s.final.TraceHash
}

// violations returns the invariant violations found so far. The checkers
// read the whole history, so the answer is cached until the run moves.
func (s *session) violations() []check.Violation {
	if s.result != nil {
		return s.result.Violations
	}
	if s.run == nil {
		return nil
	}
	if n := s.world().Events(); n != s.violsAt {
		s.viols, s.violsAt = s.run.Violations(), n
	}
	return s.viols
}

// inject adds a fault at the current moment and replays to where the run
// was. The moment is not rounded: a fault clicked after stepping to an
// event at 1.2345678s must fire after it, as the learner saw, not before it
// at 1.234s. (It fires after every other event of its instant; a moment
// reached with the scrubber is a whole millisecond, and reads so in YAML.)
func (s *session) inject(f sim.Fault) error {
	t := s.now()
	f.At = t
	c := s.sc.Clone()
	c.Faults = append(c.Faults, f)
	slices.SortStableFunc(c.Faults, func(a, b sim.Fault) int { return cmpTime(a.At, b.At) })
	return s.replace(c, t)
}

// set changes one setting, as a slider does, and replays to where the run
// was (to the end when it was at the end).
func (s *session) set(path, value string) error {
	c, err := s.sc.With(path, value)
	if err != nil {
		return err
	}
	return s.replace(c, s.now())
}

func (s *session) replace(c *scenario.Scenario, t sim.Time) error {
	old := s.sc
	s.sc, s.parked = c, nil
	s.restart()
	if s.err != nil {
		err := s.err
		s.sc = old
		s.restart()
		s.seek(t)
		return fmt.Errorf("the changed scenario does not start: %v", err)
	}
	s.full, s.final, s.computed = nil, nil, false
	s.seek(t)
	return nil
}

func cmpTime(a, b sim.Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
