//go:build !(js && wasm)

package server

// End-to-end tests of the CAP explorer (/cap): the real app.wasm in
// headless Chromium, moving the explorer's controls the way a learner
// does (setting an input's value and firing its input and change events)
// and reading the numbers from the page's data- hooks.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const capRoot = `.cap-page`

// capSet moves controls: id to value ("1"/"0" for a checkbox), all in one
// go, as fast as a hand dragging a slider.
func capSet(t *testing.T, ctx context.Context, pairs ...string) {
	t.Helper()
	var js strings.Builder
	js.WriteString("(() => {")
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&js, `{ const e = document.querySelector('[data-control=%q]');
			if (e.type === "checkbox") e.checked = %q === "1"; else e.value = %q;
			e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); }`,
			pairs[i], pairs[i+1], pairs[i+1])
	}
	js.WriteString("return true })()")
	eval[bool](t, ctx, js.String())
}

// capWait waits until the explorer is done with inputs whose key contains
// every part, and returns its state (done or error).
func capWait(t *testing.T, ctx context.Context, parts ...string) string {
	t.Helper()
	var conds []string
	for _, p := range parts {
		conds = append(conds, fmt.Sprintf("(r.dataset.capSettings || '').includes(%q)", p))
	}
	js := fmt.Sprintf(`(() => { const r = document.querySelector('%s'); return !!r && (r.dataset.capState === "done" || r.dataset.capState === "error") && %s })()`,
		capRoot, strings.Join(append(conds, "true"), " && "))
	c, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("waiting for the explorer to finish %v: %v (settings shown: %s)", parts, err, eval[string](t, ctx, `document.querySelector('`+capRoot+`').dataset.capSettings || ""`))
	}
	return attr(t, ctx, capRoot, "data-cap-state")
}

// capMetric returns a figure's data-value, and false when it is absent
// (not measured).
func capMetric(t *testing.T, ctx context.Context, id string) (float64, bool) {
	t.Helper()
	v := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-metric=%q]').dataset.value || ""`, id))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("metric %s: data-value %q is not a number", id, v)
	}
	return f, true
}

func capNumber(t *testing.T, ctx context.Context, name string) float64 {
	t.Helper()
	v := attr(t, ctx, capRoot, name)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s = %q", name, v)
	}
	return f
}

func capState(t *testing.T, ctx context.Context) string {
	t.Helper()
	return fmt.Sprintf("region %s, availability %s, during %s, stale %s, lost %s: %s",
		attr(t, ctx, `.cap-region`, "data-region"),
		eval[string](t, ctx, `document.querySelector('[data-metric=availability]').dataset.value || "-"`),
		eval[string](t, ctx, `document.querySelector('[data-metric=availability-during]').dataset.value || "-"`),
		eval[string](t, ctx, `document.querySelector('[data-metric=stale-reads]').dataset.value || "-"`),
		eval[string](t, ctx, `document.querySelector('[data-metric=lost-updates]').dataset.value || "-"`),
		eval[string](t, ctx, `document.querySelector('.cap-explanation') ? document.querySelector('.cap-explanation').textContent : ""`))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func TestBrowserCAP(t *testing.T) {
	srv := serveLab(t, "testdata/course")
	ctx, consoleErrors := browser(t)

	var runMs, checkMs []float64
	lastRuns := 0.0
	record := func() {
		// Only a new run has a new time: a move back to inputs measured
		// before shows that run again.
		runs := capNumber(t, ctx, "data-runs")
		if runs == lastRuns {
			return
		}
		lastRuns = runs
		runMs = append(runMs, capNumber(t, ctx, "data-run-ms"))
		if c := capNumber(t, ctx, "data-check-ms"); c > 0 {
			checkMs = append(checkMs, c)
		}
	}

	t.Run("the defaults: available, fresh, linearizable", func(t *testing.T) {
		step(t, ctx, "open /cap", chromedp.Navigate(srv.URL+"/cap"), chromedp.WaitReady(chromedp.CSS(ready)))
		if st := capWait(t, ctx, "n=3 r=2 w=2 partition=off"); st != "done" {
			t.Fatalf("state %s", st)
		}
		record()
		if a, ok := capMetric(t, ctx, "availability"); !ok || a != 1 {
			t.Errorf("availability %v without a partition, want 1 (%s)", a, capState(t, ctx))
		}
		if _, ok := capMetric(t, ctx, "availability-during"); ok {
			t.Errorf("availability during a partition is shown without a partition")
		}
		for _, id := range []string{"stale-reads", "lost-updates"} {
			if v, ok := capMetric(t, ctx, id); !ok || v != 0 {
				t.Errorf("%s = %v with r + w > n and no fault, want 0", id, v)
			}
		}
		for _, id := range []string{"latency-p50", "latency-p99"} {
			if v, ok := capMetric(t, ctx, id); !ok || v <= 0 || v > 100 {
				t.Errorf("%s = %v ms on a 1-5ms network", id, v)
			}
		}
		if v, _ := capMetric(t, ctx, "linearizable"); v != 1 {
			t.Errorf("the default run is not shown linearizable: %s", eval[string](t, ctx, `document.querySelector('[data-metric=linearizable]').textContent`))
		}
		if r := attr(t, ctx, `.cap-region`, "data-region"); r != "EC" {
			t.Errorf("region %s, want EC", r)
		}
	})

	t.Run("a partition with strict quorums refuses", func(t *testing.T) {
		capSet(t, ctx, "partition", "1")
		capWait(t, ctx, "r=2 w=2 partition=on")
		record()
		if d, ok := capMetric(t, ctx, "availability-during"); !ok || d >= 0.99 || !strings.HasPrefix(attr(t, ctx, `.cap-region`, "data-region"), "PC") {
			t.Errorf("strict quorums under a partition: %s; want refusals during it (PC)", capState(t, ctx))
		}
	})

	t.Run("r = 1, w = 1 under a partition: stale or available", func(t *testing.T) {
		capSet(t, ctx, "r", "1", "w", "1")
		if st := capWait(t, ctx, "r=1 w=1 partition=on"); st != "done" {
			t.Fatalf("state %s", st)
		}
		record()
		stale, _ := capMetric(t, ctx, "stale-reads")
		region := attr(t, ctx, `.cap-region`, "data-region")
		if stale == 0 && !strings.HasPrefix(region, "PA") {
			t.Errorf("r = w = 1 under a partition: %s; want stale reads or PA", capState(t, ctx))
		}
		t.Logf("r = w = 1 under a partition: %s", capState(t, ctx))
		if n := eval[int](t, ctx, `document.querySelectorAll('.cap-chart').length`); n < 5 {
			t.Errorf("%d charts after moving w, want one per figure", n)
		}
	})

	t.Run("a sloppy quorum stays available during the partition", func(t *testing.T) {
		capSet(t, ctx, "r", "2", "w", "2")
		capWait(t, ctx, "r=2 w=2 partition=on", "sloppy=off")
		capSet(t, ctx, "sloppy", "1")
		if st := capWait(t, ctx, "r=2 w=2 partition=on", "sloppy=on"); st != "done" {
			t.Fatalf("state %s", st)
		}
		record()
		if d, ok := capMetric(t, ctx, "availability-during"); !ok || d < 0.99 || !strings.HasPrefix(attr(t, ctx, `.cap-region`, "data-region"), "PA") {
			t.Errorf("sloppy quorum under a partition: %s; want availability >= 0.99 during it (PA)", capState(t, ctx))
		}
		// The sloppy chart has both positions: off (the run before the
		// move) and on.
		if p := attr(t, ctx, `[data-chart="availability-during"]`, "data-points"); p != "2" {
			t.Errorf("the availability-during chart of sloppy has %s points, want 2", p)
		}
	})

	t.Run("quick moves are coalesced", func(t *testing.T) {
		before := capNumber(t, ctx, "data-runs")
		// Seven moves in one task, as a fast drag delivers them, then
		// three more while the run they started is going.
		capSet(t, ctx, "latency", "2", "latency", "3", "latency", "4", "latency", "6", "latency", "8", "latency", "10", "latency", "12")
		for _, v := range []string{"13", "14", "15"} {
			capSet(t, ctx, "latency", v)
		}
		capWait(t, ctx, "latency=15ms")
		record()
		runs := capNumber(t, ctx, "data-runs") - before
		// One run of latency 12ms (or of whatever the later moves had
		// reached when it started), one of 15ms, and the
		// linearizability verdict when the numbers leave it open.
		if runs > 4 {
			t.Errorf("ten quick moves made %v runs; want them coalesced (at most 4 runs)", runs)
		}
		t.Logf("ten quick moves of the latency made %v runs", runs)
		if got := eval[string](t, ctx, `document.querySelector('[data-value-of=latency]').textContent`); got != "15ms" {
			t.Errorf("the latency control shows %q, want 15ms", got)
		}
	})

	t.Run("more runs, for the timing", func(t *testing.T) {
		capSet(t, ctx, "partition", "0", "sloppy", "0")
		capWait(t, ctx, "partition=off", "sloppy=off")
		for _, v := range []string{"3", "5", "8", "20"} {
			capSet(t, ctx, "latency", v)
			capWait(t, ctx, "latency="+v+"ms")
			record()
		}
	})

	t.Run("moving back shows the run measured before", func(t *testing.T) {
		runs := capNumber(t, ctx, "data-runs")
		capSet(t, ctx, "latency", "8")
		capWait(t, ctx, "latency=8ms")
		status := eval[string](t, ctx, `document.querySelector('.cap-status').textContent`)
		if got := capNumber(t, ctx, "data-runs"); got != runs || !strings.Contains(status, "without a new run") {
			t.Errorf("moving the latency back to 8ms made %v runs (was %v) and says %q; want the earlier run shown again", got, runs, status)
		}
	})

	t.Run("n bounds r and w, which come back with it", func(t *testing.T) {
		rc := func() string {
			return eval[string](t, ctx, `(() => { const e = document.querySelector('[data-control=r]'); return e.value + "/" + e.max + " " + document.querySelector('[data-value-of=r]').textContent })()`)
		}
		capSet(t, ctx, "n", "1")
		capWait(t, ctx, "n=1 r=2 w=2")
		if got := rc(); got != "1/1 1" {
			t.Errorf("with n = 1 the r slider is %q (value/max label), want 1/1 1", got)
		}
		capSet(t, ctx, "n", "3")
		capWait(t, ctx, "n=3 r=2 w=2")
		if got := rc(); got != "2/3 2" {
			t.Errorf("with n back at 3 the r slider is %q (value/max label), want 2/3 2", got)
		}
	})

	t.Run("a sweep measures every position", func(t *testing.T) {
		capSet(t, ctx, "partition", "1", "latency", "5", "r", "1")
		capWait(t, ctx, "n=3 r=1 w=2 partition=on", "latency=5ms")
		capSet(t, ctx, "n", "4")
		capWait(t, ctx, "n=4 r=1 w=2 partition=on")
		step(t, ctx, "sweep n", chromedp.Click(chromedp.CSS(`[data-action="sweep"]`)))
		js := `(() => { const c = document.querySelector('[data-chart="stale-reads"]'); return !!c && c.dataset.points === "7" && document.querySelector('` + capRoot + `').dataset.capState === "done" })()`
		c, cancel := context.WithTimeout(ctx, 180*time.Second)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("the sweep of n did not chart 7 positions: %v (%s points)", err, attr(t, ctx, `[data-chart="stale-reads"]`, "data-points"))
		}
		t.Logf("stale reads against n (r = 1, w = 2, partition): %s", eval[string](t, ctx, `[...document.querySelectorAll('[data-chart="stale-reads"] circle')].map(c => "n=" + c.dataset.x + ":" + c.dataset.y).join(" ")`))
		screenshot(t, ctx, "cap.png", "")
	})

	t.Run("the playground link opens the configuration", func(t *testing.T) {
		href := attr(t, ctx, `[data-action="watch"]`, "href")
		if !strings.HasPrefix(href, "/play#s=") {
			t.Fatalf("watch link %q", href)
		}
		step(t, ctx, "open the playground", chromedp.Navigate(srv.URL+href),
			chromedp.WaitReady(chromedp.CSS(`[data-scenario="cap-explorer"]`)))
		if p := attr(t, ctx, `[data-problems]`, "data-problems"); p != "0" {
			t.Errorf("the playground lists %s problems in the explorer's scenario", p)
		}
	})

	t.Logf("PERF /cap, 10,000-operation quorum workload in headless Chromium (app.wasm), %d runs without the linearizability search: median %.0f ms, min %.0f, max %.0f (all: %v)",
		len(runMs), median(runMs), minOf(runMs), maxOf(runMs), runMs)
	if len(checkMs) > 0 {
		t.Logf("PERF /cap, the same with the linearizability search (runs whose numbers left the verdict open), %d runs: median %.0f ms (all: %v)", len(checkMs), median(checkMs), checkMs)
	}
	for _, e := range consoleErrors() {
		t.Logf("console error: %s", e)
		if strings.Contains(e, "panic") || strings.Contains(e, "Content Security Policy") {
			t.Errorf("console: %s", e)
		}
	}
}

func minOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
