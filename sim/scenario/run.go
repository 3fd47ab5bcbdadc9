package scenario

import (
	"fmt"
	"math"
	"sort"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Options change how a scenario runs.
type Options struct {
	Seed      uint64 // used when HasSeed; otherwise the scenario's seed
	HasSeed   bool
	KeepTrace bool       // keep every trace event (viewers, --trace)
	NoTrace   bool       // no trace and no hash: the result's TraceHash is ""
	Limits    sim.Limits // zero means sim.DefaultLimits
}

// Result is the outcome of a run, with exactly the keys of DESIGN section 3
// when encoded as JSON.
type Result struct {
	Name           string             `json:"name"`
	Mechanism      string             `json:"mechanism"`
	Seed           uint64             `json:"seed"`
	Events         int                `json:"events"`
	Duration       string             `json:"duration"`
	TraceHash      string             `json:"trace_hash"`
	Violations     []check.Violation  `json:"violations"`
	Metrics        map[string]float64 `json:"metrics"`
	ExpectationMet *bool              `json:"expectation_met"`
	// Failures says, one sentence each, how the run fell short of its
	// expectation (empty when it was met).
	Failures []string `json:"-"`
}

// Run is a scenario in progress: the browser steps it, the CLI runs it to the
// end.
type Run struct {
	s        *Scenario
	w        *sim.World
	seed     uint64
	checkers []check.Checker
	result   *Result
}

// Start builds the scenario's world, ready to step.
func (s *Scenario) Start(opts Options) (*Run, error) {
	seed := s.Seed
	if opts.HasSeed {
		seed = opts.Seed
	}
	w := sim.New(sim.Config{Seed: seed, Duration: s.Duration, Network: s.Network, Limits: opts.Limits, KeepTrace: opts.KeepTrace, NoTrace: opts.NoTrace})
	if err := s.mech.Build(w, s.Params); err != nil {
		return nil, fmt.Errorf("%s: building %s: %w", s.File, s.Mechanism, err)
	}
	for _, f := range s.Faults {
		if err := w.Schedule(f); err != nil {
			return nil, fmt.Errorf("%s: %w", s.File, err)
		}
	}
	r := &Run{s: s, w: w, seed: seed}
	if s.mech.Checkers != nil {
		r.checkers = s.mech.Checkers(s.Params)
	}
	return r, nil
}

// Run runs the scenario to the end and checks it.
func (s *Scenario) Run(opts Options) (*Result, error) {
	r, err := s.Start(opts)
	if err != nil {
		return nil, err
	}
	return r.Result()
}

// World returns the run's world, for stepping and snapshots.
func (r *Run) World() *sim.World { return r.w }

// Scenario returns the scenario being run, including faults injected so far.
func (r *Run) Scenario() *Scenario { return r.s }

// Seed returns the seed the run uses.
func (r *Run) Seed() uint64 { return r.seed }

// Inject applies a fault now and records it into the scenario, so that an
// exported or shared scenario replays it. The run's scenario becomes a copy.
func (r *Run) Inject(f sim.Fault) error {
	f.At = r.w.Now()
	if err := r.w.Inject(f); err != nil {
		return err
	}
	s := r.s.Clone()
	s.Faults = append(s.Faults, f)
	sort.SliceStable(s.Faults, func(i, j int) bool { return s.Faults[i].At < s.Faults[j].At })
	r.s = s
	r.result = nil
	return nil
}

// Violations runs every checker over the history so far.
func (r *Run) Violations() []check.Violation {
	var found []check.Violation
	h := r.w.History()
	for _, c := range r.checkers {
		found = append(found, c.Check(h)...)
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].At < found[j].At })
	return found
}

// Result runs the world to its end (if it is not there yet), checks the
// invariants and compares with the expectation.
func (r *Run) Result() (*Result, error) {
	if r.result != nil {
		return r.result, nil
	}
	if err := r.w.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w", r.s.File, err)
	}
	metrics := r.w.Metrics()
	if r.s.mech.Finish != nil {
		for k, v := range r.s.mech.Finish(r.w, r.s.Params) {
			metrics[k] = v
		}
	}
	// A count the run never moved is zero, not missing: an expectation
	// may ask for it.
	for _, k := range r.s.mech.Metrics {
		if _, ok := metrics[k]; !ok {
			metrics[k] = 0
		}
	}
	for k, v := range metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(metrics, k) // not a number a comparison or JSON can use
		}
	}
	res := &Result{
		Name:       r.s.Name,
		Mechanism:  r.s.Mechanism,
		Seed:       r.seed,
		Events:     r.w.Events(),
		Duration:   r.w.Now().String(),
		TraceHash:  r.w.TraceHash(),
		Violations: r.Violations(),
		Metrics:    metrics,
	}
	if res.Violations == nil {
		res.Violations = []check.Violation{}
	}
	if r.s.Expect != nil {
		res.Failures = r.s.Expect.evaluate(r.s.mech.Invariants, res.Violations, metrics)
		met := len(res.Failures) == 0
		res.ExpectationMet = &met
	}
	r.result = res
	return res, nil
}

func parseDurationPositive(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err == nil && d <= 0 {
		err = fmt.Errorf("not positive")
	}
	return d, err
}
