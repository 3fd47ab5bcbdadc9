//go:build !(js && wasm)

package server

import (
	"io/fs"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"coordlab/lessons"
)

// TestBrowserBuiltinCourse opens every lesson of the built-in course, in
// every language, in Chromium: each shows one player per scenario block,
// and no page logs an error. (coordlab test runs the same scenarios
// natively; this is what a student sees.)
func TestBrowserBuiltinCourse(t *testing.T) {
	srv := serveLab(t, "") // the built-in course
	course, err := lessons.LoadCourse(lessons.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	ctx, consoleErrors := browser(t)
	for _, lang := range course.Languages {
		for _, e := range lang.Lessons {
			src, err := fs.ReadFile(lessons.Builtin(), e.Path)
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := lessons.ScenarioBlocks(e.Path, src)
			if err != nil {
				t.Fatal(err)
			}
			step(t, ctx, "open "+e.Path, chromedp.Navigate(srv.URL+"/lesson/"+e.Lang+"/"+e.Slug), chromedp.WaitReady(chromedp.CSS(ready)))
			got := eval[[]float64](t, ctx, `new Promise(r => {
				const t0 = performance.now();
				const f = () => {
					const n = document.querySelectorAll('[data-scenario] [data-action="run-to-end"]').length;
					const problems = document.querySelectorAll('.player > .problem').length;
					n + problems >= `+strconv.Itoa(len(blocks))+` || performance.now() - t0 > 20000 ? r([n, problems]) : requestAnimationFrame(f);
				};
				f();
			})`)
			if int(got[0]) != len(blocks) || got[1] != 0 {
				t.Errorf("%s: %v players and %v problems shown for %d scenario blocks", e.Path, got[0], got[1], len(blocks))
			}
		}
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Fatalf("console errors: %v", errs)
	}
}
