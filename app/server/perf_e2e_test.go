//go:build !(js && wasm)

package server

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func shareFragment(yaml string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write([]byte(yaml))
	w.Close()
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// TestBrowserPerformance measures (and logs, never asserts: speed is for
// benchmarks and reports) navigation to an interactive lesson, the player's
// frame rate with 200 messages in flight, and seeking in a 60-second run.
func TestBrowserPerformance(t *testing.T) {
	srv := serveLab(t, "testdata/course")
	ctx, _ := browser(t)

	const button = `[data-scenario="paused-holder"] [data-action="run-to-end"]`
	whenThere := `new Promise(r => { const f = () => document.querySelector('` + button + `') ? r(performance.now()) : requestAnimationFrame(f); f(); })`
	visit := func(ctx context.Context, label string) float64 {
		step(t, ctx, "open the lesson", chromedp.Navigate(srv.URL+"/lesson/en/locks"))
		ms := eval[float64](t, ctx, whenThere)
		// Where the time went: app.wasm's download (compiled as it streams
		// in), then the Go runtime and the app starting, then the page.
		parts := eval[[]float64](t, ctx, `(() => {
			const w = performance.getEntriesByType("resource").find(e => e.name.endsWith("/web/app.wasm"));
			const n = performance.getEntriesByType("navigation")[0];
			const mark = name => { const m = performance.getEntriesByName(name); return m.length ? m[m.length - 1].startTime : -1; };
			return [n ? n.domContentLoadedEventEnd : -1, w ? w.startTime : -1, w ? w.responseEnd : -1, w ? w.transferSize : -1,
				mark("coordlab:main"), mark("coordlab:ready"), mark("coordlab:lesson")];
		})()`)
		t.Logf("PERF navigation to an interactive lesson, %s: %.0f ms (from navigation start; DOM ready %.0f ms, app.wasm fetched %.0f–%.0f ms, %.0f bytes over the wire, Go main at %.0f ms, app mounted at %.0f ms, lesson fetched and parsed at %.0f ms)",
			label, ms, parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6])
		return ms
	}
	// First visits vary by a few hundred milliseconds on a shared machine:
	// three of them, each in a fresh browser with an empty cache.
	first := []float64{visit(ctx, "first visit")}
	for i := range 2 {
		fresh, _ := browser(t)
		first = append(first, visit(fresh, fmt.Sprintf("first visit in fresh browser %d", i+2)))
	}
	sort.Float64s(first)
	t.Logf("PERF navigation to an interactive lesson, first visits: median %.0f ms (all: %.0f, %.0f, %.0f ms)", first[1], first[0], first[1], first[2])
	visit(ctx, "second visit (cached)")
	visit(ctx, "third visit (cached)")
	// Within the running app: from the course map, a click on the lesson.
	step(t, ctx, "open the course map", chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-lesson="en/locks"] a`)))
	inApp := eval[float64](t, ctx, `new Promise(r => {
		const t0 = performance.now();
		document.querySelector('li[data-lesson="en/locks"] a').click();
		const f = () => document.querySelector('`+button+`') ? r(performance.now() - t0) : requestAnimationFrame(f);
		f();
	})`)
	t.Logf("PERF navigation to an interactive lesson from the course map, in the running app: %.0f ms", inApp)

	// DESIGN section 8's animation load, which the app's benchmarks use too.
	busy, err := os.ReadFile("../testdata/busy.scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the busy scenario", chromedp.Navigate(srv.URL+"/play#s="+shareFragment(string(busy))),
		chromedp.WaitVisible(chromedp.CSS(`[data-scenario="busy"] [data-action="play"]`)))
	// Seek into the run, where the network is full, then play.
	seek := func(ms int) float64 {
		js := fmt.Sprintf(`new Promise(r => {
			const p = document.querySelector('[data-scenario="busy"]');
			const s = p.querySelector('[data-control="scrubber"]');
			const want = (%d/1000).toFixed(3) + "s";
			const t0 = performance.now();
			s.value = "%d"; s.dispatchEvent(new Event("input", {bubbles: true}));
			const f = () => p.querySelector('.time').textContent.startsWith(want) ? r(performance.now() - t0) : setTimeout(f, 0);
			f();
		})`, ms, ms)
		return eval[float64](t, ctx, js)
	}
	seek(5000)
	step(t, ctx, "play", chromedp.Click(chromedp.CSS(`[data-scenario="busy"] [data-action="play"]`)), chromedp.Sleep(500*time.Millisecond))
	fps := eval[[]float64](t, ctx, `new Promise(r => {
		const p = document.querySelector('[data-scenario="busy"]');
		const path = () => p.querySelector('.msgs path').getAttribute('d');
		let frames = 0, redraws = 0, last = path(), msgs = 0, samples = 0;
		const t0 = performance.now();
		const f = () => {
			frames++;
			const d = path();
			if (d !== last) { redraws++; last = d; }
			msgs += +p.querySelector('.msgs').dataset.count; samples++;
			if (performance.now() - t0 < 3000) requestAnimationFrame(f);
			else { const s = (performance.now() - t0) / 1000; r([frames / s, redraws / s, msgs / samples]); }
		};
		requestAnimationFrame(f);
	})`)
	t.Logf("PERF player animation, 5 nodes, %.0f messages in flight on average: %.1f browser frames/s, %.1f player redraws/s", fps[2], fps[0], fps[1])
	step(t, ctx, "pause", chromedp.Click(chromedp.CSS(`[data-scenario="busy"] [data-action="pause"]`)))
	screenshot(t, ctx, "player-busy.png", `[data-scenario="busy"]`)

	// From where the animation stopped (about 5s) to the end, then back and
	// forth. The first jump has no earlier run to resume: it simulates the
	// whole way.
	var times []float64
	var each []string
	from := int(eval[float64](t, ctx, `parseFloat(document.querySelector('[data-scenario="busy"] .time').textContent) * 1000`))
	for _, to := range []int{59000, 30000, 1000, 45000, 10000, 59000, 20000} {
		ms := seek(to)
		times = append(times, ms)
		each = append(each, fmt.Sprintf("%ds→%ds %.0fms", from/1000, to/1000, ms))
		from = to
	}
	sort.Float64s(times)
	t.Logf("PERF seeking in the 60s busy scenario (%d seeks, back and forth): median %.0f ms, max %.0f ms (%s)", len(times), times[len(times)/2], times[len(times)-1], strings.Join(each, ", "))
}

// TestBrowserOffline loads the lab once, lets go-app's service worker cache
// it, stops the server, and checks that the lab still opens.
func TestBrowserOffline(t *testing.T) {
	srv := serveLab(t, "testdata/course")
	ctx, _ := browser(t)
	step(t, ctx, "first visit", chromedp.Navigate(srv.URL+"/lesson/en/locks"), chromedp.WaitReady(chromedp.CSS(ready)))
	eval[bool](t, ctx, `navigator.serviceWorker.ready.then(() => true)`)
	// Wait until the worker has cached everything it lists.
	eval[bool](t, ctx, `new Promise(r => { const f = async () => { const keys = await caches.keys(); if (keys.length) { const c = await caches.open(keys[0]); const n = (await c.keys()).length; if (n > 15) return r(true); } setTimeout(f, 100); }; f(); })`)
	srv.Close()
	for _, page := range []string{"/lesson/en/locks", "/lesson/zh/intro", "/"} {
		step(t, ctx, "open "+page+" offline", chromedp.Navigate(srv.URL+page), chromedp.WaitReady(chromedp.CSS(ready)))
	}
	step(t, ctx, "a lesson offline", chromedp.Navigate(srv.URL+"/lesson/en/locks"),
		chromedp.WaitVisible(chromedp.CSS(`[data-scenario="paused-holder"] [data-action="run-to-end"]`)))
	if got := runToEnd(t, ctx, "paused-holder"); got != cliHash(t, "paused-holder", blockSource(t, "en/locks.md", "paused-holder")) {
		t.Fatalf("offline run hash %s differs from the CLI's", got)
	}
	if title := eval[string](t, ctx, `document.title`); !strings.Contains(title, "lease") {
		t.Fatalf("offline lesson title %q", title)
	}
}
