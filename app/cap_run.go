package app

import (
	"fmt"

	"coordlab/sim/mech/quorum"
)

// This file decides what the CAP explorer runs, and when. It is the page's
// model, without the DOM and without goroutines: the page (cap.go) starts
// a run, takes its job, runs it off the UI goroutine and hands the outcome
// to finish. Tested natively.

// capJobKind says why a job runs.
type capJobKind int

const (
	// jobMeasure measures the learner's inputs, without the
	// linearizability search, so that the numbers show at once.
	jobMeasure capJobKind = iota
	// jobCheck runs the same inputs again with the search, once nothing
	// else waits, for the verdict.
	jobCheck
	// jobSweep measures one position of a sweep, for the charts only.
	jobSweep
)

// capJob is one call of quorum.Explore.
type capJob struct {
	in    capInputs
	kind  capJobKind
	moved string // the control whose series gets the point ("" for none)
	gen   int
}

// settings returns the Explore settings of the job.
func (j capJob) settings() quorum.Settings {
	s := j.in.settings()
	s.CheckLinearizability = j.kind == jobCheck
	return s
}

// capOutcome is what a job measured.
type capOutcome struct {
	sum quorum.Summary
	err error
	ms  float64 // wall-clock time of the Explore call, in milliseconds
}

// capShown is the run whose numbers the page shows.
type capShown struct {
	in    capInputs
	sum   quorum.Summary
	err   error
	runMs float64
	// checked is set once the run with the linearizability search came
	// back (its verdict may still be undecided: sum says), with its time
	// and its error.
	checked  bool
	checkMs  float64
	checkErr error
	// recalled is set once the run is shown again from the memo, after
	// the learner moved a control back to its inputs.
	recalled bool
}

// capRunner is the explorer's state: the inputs, the run shown, the series
// charted, and whether a run is going. Changes made while a run is going
// are coalesced: when it ends, the latest inputs run once, whatever number
// of changes led to them.
type capRunner struct {
	in     capInputs
	moved  string // the control the learner moved last
	shown  *capShown
	busy   bool
	gen    int     // bumped when the page is dismounted: late outcomes are dropped
	lastMs float64 // wall-clock time of the last run without the search
	runs   int     // Explore calls finished

	sweep      []capInputs // positions still to measure
	sweepOf    string      // the control swept
	sweepTotal int
	series     capSeries

	// memo keeps the runs measured, by inputs, oldest first in memoOrder.
	// The seed is fixed, so the same inputs always give the same run:
	// moving a control back to a position already measured (by the
	// learner or by a sweep) shows that run again at once.
	memo      map[capInputs]*capShown
	memoOrder []capInputs
}

// capMemoMost bounds the memo; the oldest runs are forgotten first.
const capMemoMost = 64

func newCAPRunner() *capRunner {
	return &capRunner{in: defaultInputs(), memo: map[capInputs]*capShown{}}
}

// change takes the learner's new inputs after moving a control. A sweep
// under way stops: its positions belong to the old inputs.
func (r *capRunner) change(in capInputs, moved string) {
	if in == r.in {
		return
	}
	r.in, r.moved = in, moved
	r.sweep, r.sweepTotal = nil, 0
	if m, ok := r.memo[in]; ok && m != r.shown {
		m.recalled = true
		r.show(m, moved)
	}
}

// show makes s the run shown, after a move of the control moved ("" for
// none), and charts it against that control. The run shown before is a
// point of the same series when only the moved control differs: it is
// kept.
func (r *capRunner) show(s *capShown, moved string) {
	old := r.shown
	r.shown = s
	if s.err != nil || moved == "" {
		return
	}
	if old != nil && old.err == nil && old.in.key(moved) == s.in.key(moved) {
		r.series = r.series.with(moved, old.in, old.sum)
	}
	r.series = r.series.with(moved, s.in, s.sum)
}

// remember keeps a run that measured without error in the memo.
func (r *capRunner) remember(s *capShown) {
	if s.err != nil {
		return
	}
	if _, ok := r.memo[s.in]; !ok {
		if len(r.memoOrder) == capMemoMost {
			delete(r.memo, r.memoOrder[0])
			r.memoOrder = append(r.memoOrder[:0], r.memoOrder[1:]...)
		}
		r.memoOrder = append(r.memoOrder, s.in)
	}
	r.memo[s.in] = s
}

// startSweep queues every position of the control moved last (at most
// capSweepMost of them) not yet in its series.
func (r *capRunner) startSweep() {
	c, ok := capControlByID(r.moved)
	if !ok {
		return
	}
	r.sweep, r.sweepOf = nil, c.id
	for _, x := range c.positions(r.in, capSweepMost) {
		in := c.with(r.in, x)
		switch m, ok := r.memo[in]; {
		case in == r.in || r.charted(c.id, in):
		case ok:
			r.series = r.series.with(c.id, in, m.sum) // measured before
		default:
			r.sweep = append(r.sweep, in)
		}
	}
	r.sweepTotal = len(r.sweep)
}

// capSweepMost bounds a sweep: each position is a whole run.
const capSweepMost = 12

// charted reports whether the series of the control has in's position.
func (r *capRunner) charted(control string, in capInputs) bool {
	c, _ := capControlByID(control)
	if r.series.control != control || r.series.key != in.key(control) {
		return false
	}
	for _, p := range r.series.points {
		if p.x == c.value(in) {
			return true
		}
	}
	return false
}

// want returns the job to run next, if any: the learner's inputs first,
// then the linearizability verdict on them, then the sweep.
func (r *capRunner) want() (capJob, bool) {
	switch s := r.shown; {
	case s == nil || s.in != r.in:
		return capJob{in: r.in, kind: jobMeasure, moved: r.moved, gen: r.gen}, true
	case s.err == nil && !s.checked && !s.sum.LinearizabilityChecked:
		return capJob{in: r.in, kind: jobCheck, gen: r.gen}, true
	case len(r.sweep) > 0:
		return capJob{in: r.sweep[0], kind: jobSweep, moved: r.sweepOf, gen: r.gen}, true
	}
	return capJob{}, false
}

// start reports whether a run should start now: none is going and one is
// wanted. The page then takes the job at the last moment, so that the
// moves made while it waited for the browser to paint are in it.
func (r *capRunner) start() bool {
	if r.busy {
		return false
	}
	_, ok := r.want()
	r.busy = ok
	return ok
}

// take returns the job to run now, after start.
func (r *capRunner) take() (capJob, bool) {
	j, ok := r.want()
	if !ok || !r.busy {
		r.busy = false
		return capJob{}, false
	}
	if j.kind == jobSweep {
		r.sweep = r.sweep[1:]
	}
	return j, true
}

// next starts and takes a job at once (for tests).
func (r *capRunner) next() (capJob, bool) {
	if !r.start() {
		return capJob{}, false
	}
	return r.take()
}

// finish takes a job's outcome. It reports false for an outcome that
// arrives after the page was dismounted.
func (r *capRunner) finish(j capJob, out capOutcome) bool {
	if j.gen != r.gen {
		return false
	}
	r.busy = false
	r.runs++
	if j.kind != jobCheck {
		r.lastMs = out.ms
	}
	switch j.kind {
	case jobMeasure:
		s := &capShown{in: j.in, sum: out.sum, err: out.err, runMs: out.ms}
		r.remember(s)
		if r.shown != nil && r.shown.in == r.in && j.in != r.in {
			// The learner moved back to inputs the memo had, which are
			// shown already: this run only adds to the memo and chart.
			r.chart(j, s)
			break
		}
		r.show(s, j.moved)
	case jobCheck:
		s := r.memo[j.in]
		if s == nil {
			break // forgotten meanwhile
		}
		s.checked, s.checkMs, s.checkErr = true, out.ms, out.err
		switch {
		case out.err != nil:
		case out.sum.Measures != s.sum.Measures:
			// Both runs have the same settings and seed: a difference
			// is a determinism bug, not a result to show.
			s.checkErr = fmt.Errorf("two runs of the same settings measured differently (%+v, then %+v): the simulation is not deterministic; please report these settings", s.sum.Measures, out.sum.Measures)
		default:
			// The verdict, and the region, which takes it into account.
			s.sum = out.sum
		}
	case jobSweep:
		s := &capShown{in: j.in, sum: out.sum, err: out.err, runMs: out.ms}
		r.remember(s)
		r.chart(j, s)
	}
	return true
}

// chart adds the run of a job to the series shown, when it belongs there.
func (r *capRunner) chart(j capJob, s *capShown) {
	if s.err == nil && j.moved != "" && r.series.control == j.moved && r.series.key == j.in.key(j.moved) {
		r.series = r.series.with(j.moved, j.in, s.sum)
	}
}

// dismounted drops the run going, whose outcome will not be wanted.
func (r *capRunner) dismounted() { r.gen, r.busy = r.gen+1, false }

// state is the page's data-cap-state: running while a job runs or waits,
// error when Explore refused the learner's inputs, else done.
func (r *capRunner) state() string {
	if _, waiting := r.want(); r.busy || waiting {
		return "running"
	}
	if r.shown != nil && (r.shown.err != nil || r.shown.checkErr != nil) {
		return "error"
	}
	return "done"
}
