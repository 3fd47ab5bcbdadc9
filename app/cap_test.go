package app

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim"
	"coordlab/sim/mech/quorum"
	"coordlab/sim/scenario"
)

func control(t *testing.T, id string) capControl {
	t.Helper()
	c, ok := capControlByID(id)
	if !ok {
		t.Fatalf("no control %s", id)
	}
	return c
}

func TestCAPSettings(t *testing.T) {
	def := quorum.DefaultSettings()
	def.CheckLinearizability, def.Timeout = false, 100*time.Millisecond
	tests := []struct {
		name string
		in   func(*capInputs)
		want func(*quorum.Settings)
	}{
		{"the defaults are quorum's", func(*capInputs) {}, func(*quorum.Settings) {}},
		{"n caps r and w", func(in *capInputs) { in.N, in.R, in.W = 2, 3, 5 }, func(s *quorum.Settings) { s.N, s.R, s.W = 2, 2, 2 }},
		{"latency sets the slowest delay and the timeout", func(in *capInputs) { in.Latency = 50 * time.Millisecond },
			func(s *quorum.Settings) {
				s.Latency, s.Timeout = sim.Latency{Min: time.Millisecond, Max: 50 * time.Millisecond}, 500*time.Millisecond
			}},
		{"a constant 1ms network", func(in *capInputs) { in.Latency = time.Millisecond },
			func(s *quorum.Settings) { s.Latency = sim.Latency{Min: time.Millisecond, Max: time.Millisecond} }},
		{"partition, sloppy, vector, skew, no repair", func(in *capInputs) {
			in.Partition, in.Length, in.Sloppy, in.Vector, in.Skew, in.ReadRepair = true, 3*time.Second, true, true, 250*time.Millisecond, false
		}, func(s *quorum.Settings) {
			s.Partition, s.PartitionLength, s.Sloppy, s.Conflict, s.Skew, s.ReadRepair = true, 3*time.Second, true, "vector", 250*time.Millisecond, false
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := defaultInputs()
			tt.in(&in)
			want := def
			tt.want(&want)
			if got := in.settings(); got != want {
				t.Errorf("settings\n got %+v\nwant %+v", got, want)
			}
		})
	}
	if def.Ops != 10000 {
		t.Errorf("the workload has %d operations, want 10,000", def.Ops)
	}
}

func TestCAPControls(t *testing.T) {
	in := defaultInputs()
	tests := []struct {
		id     string
		move   float64
		value  float64 // what the control then shows
		format string
		check  func(capInputs) bool
	}{
		{"n", 1, 1, "1", func(in capInputs) bool { return in.N == 1 && in.R == 2 && in.W == 2 }}, // r and w kept as set
		{"n", 9, 7, "7", func(in capInputs) bool { return in.N == 7 }},
		{"r", 3, 3, "3", func(in capInputs) bool { return in.R == 3 }},
		{"r", 5, 3, "3", func(in capInputs) bool { return in.R == 3 }}, // n = 3 bounds r
		{"w", 0, 1, "1", func(in capInputs) bool { return in.W == 1 }},
		{"skew", 1234, 1250, "1.25s", func(in capInputs) bool { return in.Skew == 1250*time.Millisecond }},
		{"length", 500, 1000, "1s", func(in capInputs) bool { return in.Length == time.Second }},
		{"latency", 20, 20, "20ms", func(in capInputs) bool { return in.Latency == 20*time.Millisecond }},
		{"partition", 1, 1, "on", func(in capInputs) bool { return in.Partition }},
		{"conflict", 1, 1, "vector", func(in capInputs) bool { return in.Vector }},
		{"repair", 0, 0, "off", func(in capInputs) bool { return !in.ReadRepair }},
	}
	for _, tt := range tests {
		c := control(t, tt.id)
		got := c.with(in, tt.move)
		if v := c.value(got); v != tt.value || c.format(v) != tt.format || !tt.check(got) {
			t.Errorf("%s moved to %v: shows %v (%q), inputs %+v; want %v (%q)", tt.id, tt.move, v, c.format(v), got, tt.value, tt.format)
		}
	}
	// n moved below r: r shows n, and comes back when n does.
	n, r := control(t, "n"), control(t, "r")
	low := n.with(in, 1)
	if r.value(low) != 1 || r.hi(low) != 1 || r.value(n.with(low, 3)) != 2 {
		t.Errorf("r under n = 1 shows %v (max %v), and %v once n is back to 3; want 1, 1, 2", r.value(low), r.hi(low), r.value(n.with(low, 3)))
	}
}

func TestCAPKey(t *testing.T) {
	in := defaultInputs()
	want := "n=3 r=2 w=2 partition=off length=10s latency=5ms skew=0s sloppy=off conflict=lww repair=on"
	if k := in.key(""); k != want {
		t.Errorf("key %q, want %q", k, want)
	}
	if k := in.key("r"); strings.HasPrefix(k, "r=") || strings.Contains(k, " r=") {
		t.Errorf("key without r is %q", k)
	}
	n := control(t, "n")
	if in.key("n") != n.with(in, 1).key("n") {
		t.Error("moving n changed the key of n's series (r and w must be kept as set)")
	}
	if in.key("r") == n.with(in, 4).key("r") {
		t.Error("moving n kept the key of r's series")
	}
}

func TestCAPPositions(t *testing.T) {
	in := defaultInputs()
	tests := []struct {
		id   string
		want []float64
	}{
		{"n", []float64{1, 2, 3, 4, 5, 6, 7}},
		{"r", []float64{1, 2, 3}},
		{"partition", []float64{0, 1}},
		{"conflict", []float64{0, 1}},
		{"length", []float64{1000, 4000, 6000, 9000, 12000, 14000, 17000, 19000, 22000, 25000, 27000, 30000}},
	}
	for _, tt := range tests {
		if got := control(t, tt.id).positions(in, capSweepMost); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("positions of %s = %v, want %v", tt.id, got, tt.want)
		}
	}
	for _, c := range capControls {
		ps := c.positions(in, capSweepMost)
		if len(ps) < 2 || len(ps) > capSweepMost || ps[0] != c.min || ps[len(ps)-1] != c.hi(in) {
			t.Errorf("positions of %s = %v: want 2 to %d of them from %v to %v", c.id, ps, capSweepMost, c.min, c.hi(in))
		}
	}
}

func sumWith(stale int) quorum.Summary {
	var s quorum.Summary
	s.Ops, s.StaleReads = 10, stale
	return s
}

func TestCAPSeries(t *testing.T) {
	in := defaultInputs()
	r, w := control(t, "r"), control(t, "w")
	type add struct {
		control string
		in      capInputs
		stale   int
	}
	tests := []struct {
		name    string
		adds    []add
		control string
		xs      string // "x:stale ..."
	}{
		{"points in x order", []add{{"r", r.with(in, 2), 2}, {"r", r.with(in, 1), 1}, {"r", r.with(in, 3), 3}}, "r", "1:1 2:2 3:3"},
		{"a position again replaces it", []add{{"r", r.with(in, 2), 2}, {"r", r.with(in, 1), 1}, {"r", r.with(in, 2), 7}}, "r", "1:1 2:7"},
		{"another control starts again", []add{{"r", r.with(in, 1), 1}, {"r", r.with(in, 3), 3}, {"w", w.with(r.with(in, 3), 1), 5}}, "w", "1:5"},
		{"another setting starts again", []add{{"r", r.with(in, 1), 1}, {"r", control(t, "sloppy").with(r.with(in, 3), 1), 3}}, "r", "3:3"},
		{"n keeps its series while r is capped", []add{{"n", in, 0}, {"n", control(t, "n").with(in, 1), 4}, {"n", control(t, "n").with(in, 5), 9}}, "n", "1:4 3:0 5:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s capSeries
			for _, a := range tt.adds {
				s = s.with(a.control, a.in, sumWith(a.stale))
			}
			var got []string
			for _, p := range s.points {
				got = append(got, fmt.Sprintf("%v:%d", p.x, p.sum.StaleReads))
			}
			if s.control != tt.control || strings.Join(got, " ") != tt.xs {
				t.Errorf("series of %s: %v; want %s: %s", s.control, got, tt.control, tt.xs)
			}
		})
	}
}

func TestNiceCeilAndScale(t *testing.T) {
	for _, tt := range []struct{ v, want float64 }{
		{0, 1}, {-3, 1}, {1, 1}, {1.2, 2}, {2, 2}, {3, 5}, {7, 10}, {10, 10}, {11, 20}, {0.03, 0.05}, {118, 200}, {4.9, 5},
	} {
		if got := niceCeil(tt.v); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
	for _, tt := range []struct{ v, a0, a1, b0, b1, want float64 }{
		{5, 0, 10, 0, 100, 50}, {0, 0, 10, 100, 0, 100}, {20, 0, 10, 0, 100, 100}, {-1, 0, 10, 0, 100, 0}, {3, 3, 3, 0, 100, 50},
	} {
		if got := scale(tt.v, tt.a0, tt.a1, tt.b0, tt.b1); got != tt.want {
			t.Errorf("scale(%v, [%v,%v] -> [%v,%v]) = %v, want %v", tt.v, tt.a0, tt.a1, tt.b0, tt.b1, got, tt.want)
		}
	}
	avail, _ := capMetricByID("availability")
	stale, _ := capMetricByID("stale-reads")
	for _, tt := range []struct {
		m      capMetric
		values []float64
		lo, hi float64
	}{
		{avail, []float64{1, 0.995}, 0.9, 1}, {avail, []float64{1, 0.5}, 0, 1}, {avail, nil, 0.9, 1},
		{stale, []float64{0, 0}, 0, 1}, {stale, []float64{0, 118}, 0, 200},
	} {
		if lo, hi := tt.m.yRange(tt.values); lo != tt.lo || hi != tt.hi {
			t.Errorf("%s axis for %v = [%v, %v], want [%v, %v]", tt.m.id, tt.values, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 64578: "64,578", 1234567: "1,234,567", -10000: "-10,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func capMetricByID(id string) (capMetric, bool) {
	for _, m := range capMetrics {
		if m.id == id {
			return m, true
		}
	}
	return capMetric{}, false
}

func TestCAPChart(t *testing.T) {
	in := defaultInputs()
	r := control(t, "r")
	var s capSeries
	for _, x := range []float64{1, 3, 2} {
		s = s.with("r", r.with(in, x), sumWith(int(3-x)))
	}
	stale, _ := capMetricByID("stale-reads")
	html := app.HTMLString(capChart(stale, s, 2))
	for _, want := range []string{`data-chart="stale-reads"`, `data-points="3"`, `<polyline`, `class="dot current"`, ">stale reads<"} {
		if !strings.Contains(html, want) {
			t.Errorf("chart lacks %s:\n%s", want, html)
		}
	}
	if !regexp.MustCompile(`<text [^>]*class="x-title"[^>]*>r</text>`).MatchString(html) {
		t.Errorf("the x axis is not titled r:\n%s", html)
	}
	if n := strings.Count(html, "<circle"); n != 3 {
		t.Errorf("%d points drawn, want 3", n)
	}
	// r = 1 had 2 stale reads, the axis top: its dot is at the top left;
	// r = 3 had none: bottom right.
	for _, tt := range []struct{ x, cx, cy string }{{"1", "52.0", "8.0"}, {"3", "186.0", "90.0"}} {
		cx, _ := attrOf(html, "data-x", tt.x, "cx")
		cy, _ := attrOf(html, "data-x", tt.x, "cy")
		if cx != tt.cx || cy != tt.cy {
			t.Errorf("the dot of r = %s is at (%s, %s), want (%s, %s)", tt.x, cx, cy, tt.cx, tt.cy)
		}
	}
}

func TestCAPRunnerCoalesces(t *testing.T) {
	r := newCAPRunner()
	first, ok := r.next()
	if !ok || first.kind != jobMeasure || first.in != defaultInputs() || r.state() != "running" {
		t.Fatalf("first job %+v, %v, state %s", first, ok, r.state())
	}
	// Twenty moves of r and w while the first run is going.
	rc, wc := control(t, "r"), control(t, "w")
	for i := range 20 {
		c := rc
		if i%2 == 1 {
			c = wc
		}
		r.change(c.with(r.in, float64(1+i%3)), c.id)
		if _, ok := r.next(); ok {
			t.Fatal("a second run started while one was going")
		}
	}
	latest := r.in
	if !r.finish(first, capOutcome{sum: sumWith(0), ms: 5}) {
		t.Fatal("the outcome was dropped")
	}
	j, ok := r.next()
	if !ok || j.in != latest || j.kind != jobMeasure || j.moved != "w" {
		t.Fatalf("after the run, job %+v; want one run of the latest inputs %+v", j, latest)
	}
	r.finish(j, capOutcome{sum: sumWith(0), ms: 6})
	j, ok = r.next()
	if !ok || j.kind != jobCheck || j.in != latest || !j.settings().CheckLinearizability {
		t.Fatalf("after the numbers, job %+v; want the linearizability run", j)
	}
	checked := sumWith(0)
	checked.Linearizable, checked.LinearizabilityChecked, checked.LinearizabilityDetail = true, true, "linearizable: yes"
	checked.Region = "EC" // the region takes the verdict into account
	r.finish(j, capOutcome{sum: checked, ms: 9})
	if _, ok := r.next(); ok || r.state() != "done" || !r.shown.sum.Linearizable || r.shown.sum.Region != "EC" || r.lastMs != 6 || r.shown.checkMs != 9 || r.runs != 3 {
		t.Fatalf("at the end: state %s, shown %+v, lastMs %v, %d runs", r.state(), r.shown, r.lastMs, r.runs)
	}

	// Moves made between the start of a run and the moment its job is
	// taken (the browser painting) are in the job.
	n := control(t, "n")
	r.change(n.with(r.in, 4), "n")
	if !r.start() || r.start() {
		t.Fatal("start: want one run started, not two")
	}
	r.change(n.with(r.in, 5), "n")
	r.change(n.with(r.in, 6), "n")
	if j, ok := r.take(); !ok || j.in.N != 6 {
		t.Fatalf("took %+v, want n = 6", j)
	}
}

func TestCAPRunnerSweepAndErrors(t *testing.T) {
	r := newCAPRunner()
	done := func(j capJob, stale int) {
		t.Helper()
		s := sumWith(stale)
		s.LinearizabilityChecked = true
		if !r.finish(j, capOutcome{sum: s}) {
			t.Fatal("outcome dropped")
		}
	}
	j, _ := r.next()
	done(j, 0)
	r.change(control(t, "r").with(r.in, 1), "r")
	j, _ = r.next()
	done(j, 4)
	if got := len(r.series.points); r.series.control != "r" || got != 2 {
		t.Fatalf("after moving r from 2 to 1: series of %q with %d points, want r with 2 (the run before the move is kept)", r.series.control, got)
	}
	r.startSweep()
	if r.sweepTotal != 1 || r.sweep[0].R != 3 {
		t.Fatalf("sweep of r queues %+v; want only r = 3 (1 and 2 are charted)", r.sweep)
	}
	j, _ = r.next()
	if j.kind != jobSweep || j.moved != "r" {
		t.Fatalf("job %+v, want the sweep", j)
	}
	done(j, 0)
	if len(r.series.points) != 3 || r.shown.in.R != 1 || r.state() != "done" {
		t.Fatalf("after the sweep: %d points, shown r = %d, state %s", len(r.series.points), r.shown.in.R, r.state())
	}

	// A move stops a sweep; a dismount drops the outcome in flight.
	r.change(control(t, "n").with(r.in, 7), "n")
	r.startSweep()
	r.change(control(t, "n").with(r.in, 6), "n")
	if len(r.sweep) != 0 {
		t.Fatalf("a move left %d sweep positions queued", len(r.sweep))
	}
	j, _ = r.next()
	r.dismounted()
	if r.finish(j, capOutcome{sum: sumWith(0)}) {
		t.Fatal("an outcome from before the dismount was taken")
	}

	// An error is shown, and nothing more runs for those inputs.
	j, _ = r.next()
	r.finish(j, capOutcome{err: errors.New("quorum explorer: r: no")})
	if _, ok := r.next(); ok || r.state() != "error" {
		t.Fatalf("after an error: state %s", r.state())
	}
}

func TestCAPRunnerRecallsMeasuredRuns(t *testing.T) {
	r := newCAPRunner()
	rc := control(t, "r")
	j, _ := r.next()
	r.finish(j, capOutcome{sum: sumWith(0), ms: 5})
	j, _ = r.next()
	checked := sumWith(0)
	checked.Linearizable, checked.LinearizabilityChecked = true, true
	r.finish(j, capOutcome{sum: checked, ms: 9})
	r.change(rc.with(r.in, 1), "r")
	j, _ = r.next()
	r.finish(j, capOutcome{sum: sumWith(4), ms: 7})
	j, _ = r.next() // the linearizability run of r = 1
	r.finish(j, capOutcome{sum: sumWith(4), ms: 8})
	runs := r.runs

	// Back to r = 2: the first run is shown again, verdict included,
	// without running anything.
	r.change(rc.with(r.in, 2), "r")
	if j, ok := r.next(); ok {
		t.Fatalf("moving back to measured inputs started %+v", j)
	}
	if s := r.shown; s.in != defaultInputs() || !s.recalled || !s.sum.Linearizable || s.runMs != 5 || r.runs != runs || r.state() != "done" {
		t.Fatalf("after moving back: shown %+v, %d runs (was %d), state %s", s, r.runs, runs, r.state())
	}
	if got := len(r.series.points); r.series.control != "r" || got != 2 {
		t.Fatalf("after moving back: series of %q with %d points, want r with 2", r.series.control, got)
	}

	// A run that ends after the learner moved back to measured inputs
	// goes into the memo and the chart, and the inputs shown stay.
	r.change(rc.with(r.in, 3), "r")
	j, _ = r.next()
	r.change(rc.with(r.in, 1), "r")
	if !r.shown.recalled || r.shown.in.R != 1 {
		t.Fatalf("moving back to r = 1 during a run shows %+v", r.shown)
	}
	r.finish(j, capOutcome{sum: sumWith(1), ms: 6})
	if r.shown.in.R != 1 || len(r.series.points) != 3 || r.memo[rc.with(r.in, 3)] == nil {
		t.Fatalf("the run of r = 3 that ended late: shown r = %d, %d points charted, memo %v", r.shown.in.R, len(r.series.points), r.memo)
	}
	if j, ok := r.next(); ok {
		t.Fatalf("nothing is left to run, but %+v started", j)
	}

	// A sweep charts positions the memo has without running them, and
	// its own runs can be recalled.
	n, lat := control(t, "n"), control(t, "latency")
	measure := func(c capControl, x float64) {
		t.Helper()
		r.change(c.with(r.in, x), c.id)
		for {
			j, ok := r.next()
			if !ok {
				return
			}
			r.finish(j, capOutcome{sum: checked, ms: 5})
		}
	}
	measure(n, 5)
	measure(lat, 20)
	measure(lat, lat.value(defaultInputs())) // recalls n = 5
	measure(n, 4)                            // charts n = 5 and 4; the memo has n = 3 (r = 1 above)
	if r.charted("n", n.with(r.in, 3)) {
		t.Fatal("n = 3 is charted before the sweep")
	}
	r.startSweep()
	if !r.charted("n", n.with(r.in, 3)) || r.sweepTotal != len(n.positions(r.in, capSweepMost))-3 {
		t.Fatalf("the sweep of n queues %d positions (%+v); want all but 3, 4 and 5, with 3 charted from the memo", r.sweepTotal, r.sweep)
	}
	for {
		j, ok := r.next()
		if !ok {
			break
		}
		r.finish(j, capOutcome{sum: sumWith(j.in.N), ms: 5})
	}
	r.change(n.with(r.in, 6), "n")
	if j, ok := r.next(); !ok || j.kind != jobCheck || !r.shown.recalled || r.shown.sum.StaleReads != 6 {
		t.Fatalf("moving to a swept position shows %+v and wants %+v; want it recalled, then its linearizability run", r.shown, j)
	}

	// The memo forgets its oldest runs.
	for i := range capMemoMost + 5 {
		in := defaultInputs()
		in.Latency = time.Duration(i+100) * time.Millisecond
		r.remember(&capShown{in: in})
	}
	if len(r.memo) != capMemoMost || len(r.memoOrder) != capMemoMost || r.memo[defaultInputs()] != nil {
		t.Fatalf("memo of %d runs (%d in order), first inputs kept: %v", len(r.memo), len(r.memoOrder), r.memo[defaultInputs()] != nil)
	}
}

func TestCAPPageSaysWhenARunIsRecalled(t *testing.T) {
	calls := 0
	p, _ := mountCAP(t, func(s quorum.Settings) (quorum.Summary, error) { calls++; return quorum.Explore(s) })
	rc := control(t, "r")
	p.run.change(rc.with(p.run.in, 1), "r")
	j, _ := p.run.next()
	p.run.finish(j, timedExplore(p.explore, j.settings()))
	if html := app.HTMLString(p.renderStatus()); !strings.Contains(html, "run in ") || strings.Contains(html, "without a new run") {
		t.Errorf("after a run of r = 1: %s", html)
	}
	p.run.change(rc.with(p.run.in, 2), "r")
	if html := app.HTMLString(p.renderStatus()); !strings.Contains(html, "shown again without a new run") || calls != 3 {
		t.Errorf("after moving r back to 2 (%d runs): %s", calls, html)
	}
}

// mountCAP renders the page through go-app's test engine with runs
// enabled, running every job to the end.
func mountCAP(t *testing.T, explore func(quorum.Settings) (quorum.Summary, error)) (*capPage, string) {
	t.Helper()
	p := newCAPPage()
	p.live, p.explore = true, explore
	html := mount(t, p)
	return p, html
}

// attrOf returns the attribute name of the element whose hook attribute
// has the value, and whether there is such an element (go-app writes
// attributes in any order, and drops empty ones).
func attrOf(html, hook, value, name string) (string, bool) {
	tag := tagOf(html, hook, value)
	if tag == "" {
		return "", false
	}
	if m := regexp.MustCompile(" " + name + `="([^"]*)"`).FindStringSubmatch(tag); m != nil {
		return m[1], true
	}
	return "", true
}

// tagOf returns the first start tag whose hook attribute has the value.
func tagOf(html, hook, value string) string {
	for _, tag := range regexp.MustCompile(`<[a-z]+ [^>]*>`).FindAllString(html, -1) {
		if strings.Contains(tag, " "+hook+`="`+value+`"`) {
			return tag
		}
	}
	return ""
}

func TestCAPPageHooks(t *testing.T) {
	html := mount(t, newCAPPage()) // as the server renders it: no run
	for _, c := range capControls {
		if !strings.Contains(html, `data-control="`+c.id+`"`) || !strings.Contains(html, `data-value-of="`+c.id+`"`) || !strings.Contains(html, `<label for="cap-`+c.id+`">`) {
			t.Errorf("the page lacks the labelled control %s with its value", c.id)
		}
	}
	for _, m := range append(capMetrics, capMetric{id: "linearizable"}) {
		if _, ok := attrOf(html, "data-metric", m.id, "data-value"); !ok {
			t.Errorf("the page lacks the metric %s", m.id)
		}
	}
	// A false boolean attribute is absent: written ="false", a browser
	// reads the server's HTML as checked or disabled.
	if regexp.MustCompile(`(checked|disabled|selected)="false"`).MatchString(html) {
		t.Error(`the page writes a boolean attribute as ="false"`)
	}
	isChecked := regexp.MustCompile(` checked[ >]`)
	if tag := tagOf(html, "data-control", "repair"); !isChecked.MatchString(tag) {
		t.Errorf("read repair (on by default) is not checked: %s", tag)
	}
	if tag := tagOf(html, "data-control", "partition"); isChecked.MatchString(tag) {
		t.Errorf("partition (off by default) is checked: %s", tag)
	}
	for _, tt := range []struct{ hook, value, name, want string }{
		{"class", "page cap-page", "data-cap-state", "running"},
		{"class", "cap-region", "data-region", ""},
		{"data-control", "r", "max", "3"},
		{"data-control", "r", "type", "range"},
		{"data-control", "partition", "type", "checkbox"},
		{"data-control", "length", "min", "1000"},
		{"data-control", "length", "value", "10000"},
	} {
		if got, ok := attrOf(html, tt.hook, tt.value, tt.name); !ok || got != tt.want {
			t.Errorf("%s of the element with %s=%q is %q, want %q", tt.name, tt.hook, tt.value, got, tt.want)
		}
	}
}

func TestCAPPageRunsTheDefaults(t *testing.T) {
	calls := 0
	p, html := mountCAP(t, func(s quorum.Settings) (quorum.Summary, error) { calls++; return quorum.Explore(s) })
	for _, tt := range []struct{ hook, value, name, want string }{
		{"class", "page cap-page", "data-cap-state", "done"},
		{"class", "page cap-page", "data-cap-settings", defaultInputs().key("")},
		{"data-metric", "availability", "data-value", "1"},
		{"data-metric", "availability-during", "data-value", ""},
		{"data-metric", "stale-reads", "data-value", "0"},
		{"data-metric", "lost-updates", "data-value", "0"},
		{"data-metric", "linearizable", "data-value", "1"},
		{"class", "cap-region", "data-region", "EC"},
	} {
		if got, ok := attrOf(html, tt.hook, tt.value, tt.name); !ok || got != tt.want {
			t.Errorf("after the default run, %s of the element with %s=%q is %q, want %q", tt.name, tt.hook, tt.value, got, tt.want)
		}
	}
	for _, want := range []string{`href="/play#s=`, "paid latency for consistency", "EC — else"} {
		if !strings.Contains(html, want) {
			t.Errorf("after the default run the page lacks %s", want)
		}
	}
	if calls != 2 {
		t.Errorf("%d runs for the defaults, want 2 (numbers, then linearizability)", calls)
	}
	if ms, _ := attrOf(html, "class", "page cap-page", "data-run-ms"); ms == "" || ms == "0.0" || p.run.lastMs <= 0 {
		t.Errorf("no run time: data-run-ms %q", ms)
	}
}

func TestCAPPageShowsErrors(t *testing.T) {
	for name, explore := range map[string]func(quorum.Settings) (quorum.Summary, error){
		"an error": func(quorum.Settings) (quorum.Summary, error) {
			return quorum.Summary{}, errors.New("quorum explorer: r: a read cannot wait for 4 replies")
		},
		"a panic": func(quorum.Settings) (quorum.Summary, error) { panic("index out of range") },
	} {
		_, html := mountCAP(t, explore)
		if st, _ := attrOf(html, "class", "page cap-page", "data-cap-state"); st != "error" || !strings.Contains(html, `data-cap-error="shown"`) || !strings.Contains(html, "could not run") {
			t.Errorf("%s: the page does not show it:\n%s", name, html)
		}
	}
}

// TestCAPScenarioMatchesExplore runs the playground scenario of some inputs
// and checks that it measures what the explorer measured: the link shows
// the very run the numbers came from.
func TestCAPScenarioMatchesExplore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 10,000 operations six times")
	}
	base := defaultInputs()
	for _, edit := range []func(*capInputs){
		func(*capInputs) {},
		func(in *capInputs) { in.R, in.W, in.Partition = 1, 1, true },
		func(in *capInputs) {
			in.Partition, in.Sloppy, in.Vector, in.Latency = true, true, true, 12*time.Millisecond
		},
	} {
		in := base
		edit(&in)
		sum, err := quorum.Explore(in.settings())
		if err != nil {
			t.Fatal(err)
		}
		src := capScenarioFor(in, sum.Duration.Truncate(time.Second)+2*time.Second)
		sc, err := scenario.Parse("cap.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		res, err := sc.Run(scenario.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := res.Metrics
		if m["ops"] != float64(sum.Ops) || m["availability"] != sum.Availability || m["stale-reads"] != float64(sum.StaleReads) ||
			m["lost-updates"] != float64(sum.LostUpdates) || m["latency-p99"] != durMs(sum.P99) {
			t.Errorf("%s: the scenario measured %v; the explorer %+v\n%s", in.key(""), m, sum.Measures, src)
		}
	}
	if _, err := scenario.Parse("cap.yaml", []byte(capScenario)); err != nil {
		t.Fatal(err)
	}
}

// capScenario is the explorer's starting configuration as a scenario: its
// workload ends well within the minute.
var capScenario = capScenarioFor(defaultInputs(), time.Minute)
