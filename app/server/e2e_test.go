//go:build !(js && wasm)

package server

// End-to-end tests: the real app.wasm in headless Chromium (Debian's
// chromium), driven by chromedp, against the lab served in-process by
// Handler and against a static site written by Build.
//
// Without Chromium these tests skip with a loud message; with CI=true a
// missing Chromium fails them. COORDLAB_CHROMIUM names another binary.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"coordlab/lessons"
	"coordlab/sim/scenario"
)

// chromium returns the browser to drive, or "" when there is none.
func chromium() string {
	if p := os.Getenv("COORDLAB_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	return ""
}

func requireChromium(t *testing.T) string {
	t.Helper()
	p := chromium()
	if p != "" {
		return p
	}
	msg := "\n" + strings.Repeat("!", 72) + "\n!! END-TO-END BROWSER TESTS SKIPPED: no chromium found (apt-get install chromium)\n" + strings.Repeat("!", 72)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "\nCI=true: the browser tests must run in CI")
	}
	fmt.Fprintln(os.Stderr, msg)
	t.Skip(msg)
	return ""
}

// moduleRoot finds the folder holding go.mod.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

var (
	wasmOnce sync.Once
	wasmPath string
	wasmErr  error
)

// buildWasm compiles the browser app once per test binary, with the flags
// of `make build`, or takes the one COORDLAB_WASM names (`make
// test-browser` passes the web/app.wasm it just built).
func buildWasm(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("COORDLAB_WASM"); p != "" {
		return p
	}
	wasmOnce.Do(func() {
		dir, err := os.MkdirTemp("", "coordlab-e2e-")
		if err != nil {
			wasmErr = err
			return
		}
		wasmPath = filepath.Join(dir, "app.wasm")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasmPath, "./cmd/coordlab")
		cmd.Dir = moduleRoot(t)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			wasmErr = fmt.Errorf("building app.wasm: %v\n%s", err, out)
		}
	})
	if wasmErr != nil {
		t.Fatal(wasmErr)
	}
	return wasmPath
}

// serveLab serves the lab with the course in lessonsDir ("" for the
// built-in one) and the app.wasm under test, until the test ends.
func serveLab(t *testing.T, lessonsDir string) *httptest.Server {
	t.Helper()
	requireChromium(t)
	h, err := Handler(Options{Wasm: buildWasm(t), LessonsDir: lessonsDir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// browser starts headless Chromium and returns a tab's context and the
// console errors collected so far.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	path := requireChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	var mu sync.Mutex
	var errs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				errs = append(errs, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			errs = append(errs, ev.ExceptionDetails.Text)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx); err != nil { // start the browser with no timeout
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// step runs actions with a timeout.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// until waits, as a step, until the JavaScript expression is true.
func until(js string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](js)(ctx, tg)
		return chromedp.Void{}, err
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	r, err := chromedp.Run(c, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

func screenshot(t *testing.T, ctx context.Context, name string, sel string) {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), "build", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var png []byte
	var err error
	if sel == "" {
		png, err = chromedp.Run(c, chromedp.FullScreenshot(100))
	} else {
		png, err = chromedp.Run(c, chromedp.Screenshot(chromedp.CSS(sel)))
	}
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cliHash runs a scenario block natively, as `coordlab run` does.
func cliHash(t *testing.T, name string, src []byte) string {
	t.Helper()
	sc, err := scenario.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.Run(scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.TraceHash
}

// blockSource returns a lesson's scenario block by name.
func blockSource(t *testing.T, lessonPath, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata/course", lessonPath))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := lessons.ScenarioBlocks(lessonPath, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.Name == name {
			return []byte(b.Source)
		}
	}
	t.Fatalf("no scenario %s in %s", name, lessonPath)
	return nil
}

const ready = `html[data-coordlab="ready"]`

// storedAnswers resolves once the lab's database holds a quiz answer. It
// opens the database only once the app has created it, so that it never
// creates an empty one under the app.
const storedAnswers = `new Promise(r => {
	const f = async () => {
		const dbs = await indexedDB.databases();
		if (!dbs.some(d => d.name === "coordlab" && d.version >= 1)) return setTimeout(f, 50);
		const q = indexedDB.open("coordlab");
		q.onsuccess = () => {
			const db = q.result;
			const c = db.transaction("answers").objectStore("answers").count();
			c.onsuccess = () => { db.close(); c.result > 0 ? r(true) : setTimeout(f, 50); };
		};
	};
	f();
})`

// runToEnd clicks a player's run-to-end button and returns the trace hash
// it shows.
func runToEnd(t *testing.T, ctx context.Context, player string) string {
	t.Helper()
	sel := fmt.Sprintf(`[data-scenario=%q]`, player)
	step(t, ctx, "run "+player+" to the end",
		chromedp.WaitVisible(chromedp.CSS(sel+` [data-action="run-to-end"]`)),
		chromedp.Click(chromedp.CSS(sel+` [data-action="run-to-end"]`)),
		chromedp.WaitReady(chromedp.CSS(sel+`[data-trace-hash]`)),
	)
	return attr(t, ctx, sel, "data-trace-hash")
}

func TestBrowser(t *testing.T) {
	srv := serveLab(t, "testdata/course")
	ctx, consoleErrors := browser(t)
	base := srv.URL

	t.Run("course map lists the lessons", func(t *testing.T) {
		step(t, ctx, "open the course map", chromedp.Navigate(base+"/"), chromedp.WaitReady(chromedp.CSS(ready)),
			chromedp.WaitReady(chromedp.CSS(`li[data-lesson="en/locks"]`)))
		n := eval[int](t, ctx, `document.querySelectorAll("li[data-lesson]").length`)
		titles := eval[string](t, ctx, `[...document.querySelectorAll("li[data-lesson] .lesson-title")].map(e => e.textContent).join("|")`)
		if n != 2 || titles != "Introduction|A lock with a lease" {
			t.Fatalf("course map shows %d lessons %q; want Introduction then A lock with a lease", n, titles)
		}
	})

	t.Run("a lesson page shows its players, safely", func(t *testing.T) {
		start := time.Now()
		step(t, ctx, "open the lesson", chromedp.Navigate(base+"/lesson/en/locks"),
			chromedp.WaitVisible(chromedp.CSS(`[data-scenario="paused-holder"] [data-action="run-to-end"]`)))
		t.Logf("PERF navigation to an interactive lesson (first visit, wasm uncached): %v", time.Since(start).Round(time.Millisecond))
		n := eval[int](t, ctx, `document.querySelectorAll(".player[data-scenario]").length`)
		if n != 2 {
			t.Fatalf("%d players on the lesson; want 2", n)
		}
		if xss := eval[int](t, ctx, `document.querySelectorAll(".lesson script, .lesson a[href^='javascript']").length`); xss != 0 {
			t.Fatalf("the lesson page carries %d script elements or javascript: links", xss)
		}
		if q := eval[int](t, ctx, `document.querySelectorAll(".quiz").length`); q != 1 {
			t.Fatalf("%d quizzes; want 1", q)
		}
		screenshot(t, ctx, "lesson.png", "")
	})

	t.Run("a player's trace hash equals the CLI's", func(t *testing.T) {
		for _, name := range []string{"paused-holder", "fenced-holder"} {
			got := runToEnd(t, ctx, name)
			want := cliHash(t, name, blockSource(t, "en/locks.md", name))
			if got != want {
				t.Errorf("%s: browser hash %s, CLI hash %s", name, got, want)
			}
		}
		if v := eval[int](t, ctx, `document.querySelectorAll('[data-scenario="paused-holder"] .violation').length`); v == 0 {
			t.Errorf("paused-holder shows no violations at the end; its scenario expects mutual-exclusion")
		}
		screenshot(t, ctx, "player.png", `[data-scenario="paused-holder"]`)
	})

	var exported, shareHref, faultHash string
	t.Run("a fault click changes the run and is exported", func(t *testing.T) {
		step(t, ctx, "reload the lesson", chromedp.Navigate(base+"/lesson/en/locks"),
			chromedp.WaitVisible(chromedp.CSS(`[data-scenario="paused-holder"] [data-action="run-to-end"]`)))
		p := `[data-scenario="paused-holder"]`
		eval[bool](t, ctx, `(() => { const s = document.querySelector('`+p+` [data-control="scrubber"]'); s.value = "500"; s.dispatchEvent(new Event("input", {bubbles: true})); return true })()`)
		step(t, ctx, "crash redis-1 at 500ms",
			until(`document.querySelector('`+p+` .time').textContent.startsWith("0.500s")`),
			chromedp.Click(chromedp.CSS(p+` g[data-node="redis-1"] circle`)),
			chromedp.WaitVisible(chromedp.CSS(p+` button[data-fault="crash"]`)),
			chromedp.Click(chromedp.CSS(p+` button[data-fault="crash"]`)),
			chromedp.WaitReady(chromedp.CSS(p+` g[data-node="redis-1"][data-status="crashed"]`)),
		)
		faultHash = runToEnd(t, ctx, "paused-holder")
		if orig := cliHash(t, "paused-holder", blockSource(t, "en/locks.md", "paused-holder")); faultHash == orig {
			t.Fatalf("the run with a crash has the hash of the run without: %s", faultHash)
		}
		step(t, ctx, "export", chromedp.Click(chromedp.CSS(p+` [data-action="export"]`)),
			chromedp.WaitVisible(chromedp.CSS(p+` [data-export="yaml"]`)))
		exported = eval[string](t, ctx, `document.querySelector('`+p+` [data-export="yaml"]').textContent`)
		if !strings.Contains(exported, "{at: 500ms, crash: redis-1}") {
			t.Fatalf("exported YAML lacks the clicked fault:\n%s", exported)
		}
		if h := cliHash(t, "exported", []byte(exported)); h != faultHash {
			t.Fatalf("the exported YAML runs to %s natively; the player showed %s", h, faultHash)
		}
		shareHref = attr(t, ctx, p+` [data-action="share"]`, "href")
	})

	t.Run("a fault hits the node picked last", func(t *testing.T) {
		// go-app keeps the handler first mounted on an element it updates
		// in place: the crash button must not remember the first node.
		step(t, ctx, "reload the lesson", chromedp.Navigate(base+"/lesson/en/locks"),
			chromedp.WaitVisible(chromedp.CSS(`[data-scenario="paused-holder"] [data-action="run-to-end"]`)))
		p := `[data-scenario="paused-holder"]`
		step(t, ctx, "pick client-1, then client-2",
			chromedp.Click(chromedp.CSS(p+` g[data-node="client-1"] circle`)),
			chromedp.WaitVisible(chromedp.CSS(p+` button[data-fault="crash"]`)),
			chromedp.Click(chromedp.CSS(p+` g[data-node="client-2"] circle`)),
			until(`document.querySelector('`+p+` .fault-menu').textContent.includes("client-2")`),
		)
		step(t, ctx, "crash", chromedp.Click(chromedp.CSS(p+` button[data-fault="crash"]`)),
			chromedp.WaitReady(chromedp.CSS(p+` g[data-node][data-status="crashed"]`)))
		if got := eval[string](t, ctx, `[...document.querySelectorAll('`+p+` g[data-node][data-status="crashed"]')].map(g => g.dataset.node).join(" ")`); got != "client-2" {
			t.Fatalf("the crash picked for client-2 crashed %q", got)
		}
	})

	t.Run("leaving a playing player logs nothing", func(t *testing.T) {
		step(t, ctx, "reload the lesson", chromedp.Navigate(base+"/lesson/en/locks"),
			chromedp.WaitVisible(chromedp.CSS(`[data-scenario="paused-holder"] [data-action="play"]`)))
		before := len(consoleErrors())
		step(t, ctx, "play, then go to the course map",
			chromedp.Click(chromedp.CSS(`[data-scenario="paused-holder"] [data-action="play"]`)),
			chromedp.Sleep(300*time.Millisecond),
			chromedp.Click(chromedp.CSS(`a.brand`)),
			chromedp.WaitVisible(chromedp.CSS(`li[data-lesson="en/locks"]`)),
			chromedp.Sleep(500*time.Millisecond))
		if errs := consoleErrors(); len(errs) > before {
			t.Fatalf("console errors after leaving a playing player: %v", errs[before:])
		}
	})

	t.Run("a shared /play#s= link reproduces the scenario", func(t *testing.T) {
		if !strings.HasPrefix(shareHref, "/play#s=") {
			t.Fatalf("share link %q", shareHref)
		}
		step(t, ctx, "open the shared link", chromedp.Navigate(base+"/"), chromedp.WaitReady(chromedp.CSS(ready)),
			chromedp.Navigate(base+shareHref), chromedp.WaitReady(chromedp.CSS(ready)))
		got := runToEnd(t, ctx, "paused-holder")
		if got != faultHash {
			t.Fatalf("the shared scenario runs to %s; the player that shared it showed %s", got, faultHash)
		}
		if p := attr(t, ctx, `[data-problems]`, "data-problems"); p != "0" {
			t.Fatalf("the playground lists %s problems in the shared scenario", p)
		}
	})

	t.Run("progress and quiz answers survive a reload", func(t *testing.T) {
		step(t, ctx, "answer the quiz", chromedp.Navigate(base+"/lesson/en/locks"),
			chromedp.WaitVisible(chromedp.CSS(`.quiz [data-choice="1"]`)),
			chromedp.Click(chromedp.CSS(`.quiz [data-choice="1"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-verdict="right"]`)),
		)
		// Wait until the answer is in IndexedDB, then reload.
		eval[bool](t, ctx, storedAnswers)
		step(t, ctx, "reload the lesson",
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(`[data-verdict="right"]`)),
		)
		step(t, ctx, "the course map after a reload", chromedp.Navigate(base+"/"), chromedp.Reload(),
			chromedp.WaitReady(chromedp.CSS(`li[data-lesson="en/locks"][data-progress="visited"]`)))
		if p := attr(t, ctx, `li[data-lesson="en/intro"]`, "data-progress"); p != "new" {
			t.Fatalf("an unvisited lesson shows progress %q", p)
		}
		screenshot(t, ctx, "course-map.png", "")
	})

	t.Run("your data exports and imports into another browser", func(t *testing.T) {
		// Catch the file the export button hands to the browser.
		eval[bool](t, ctx, `(() => {
			window.__exports = [];
			const create = URL.createObjectURL.bind(URL);
			URL.createObjectURL = b => { window.__exports.push(b); return create(b); };
			return true;
		})()`)
		step(t, ctx, "export", chromedp.Click(chromedp.CSS(`[data-action="export-data"]`)))
		data := eval[string](t, ctx, `new Promise(r => {
			const f = () => window.__exports.length ? window.__exports[0].text().then(r) : setTimeout(f, 50);
			f();
		})`)
		if !strings.Contains(data, "en/locks") || !strings.HasPrefix(strings.TrimSpace(data), "{") {
			t.Fatalf("the export is not the JSON file with the progress of en/locks:\n%.400s", data)
		}
		file := filepath.Join(t.TempDir(), "coordlab-data.json")
		if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		// A fresh browser, with nothing stored, takes the file.
		other, otherErrors := browser(t)
		step(t, other, "open the course map in a fresh browser", chromedp.Navigate(base+"/"),
			chromedp.WaitReady(chromedp.CSS(ready)),
			chromedp.WaitReady(chromedp.CSS(`li[data-lesson="en/locks"][data-progress="new"]`)))
		step(t, other, "import", chromedp.SetUploadFiles(chromedp.CSS(`input[data-action="import-data"]`), []string{file}),
			chromedp.WaitVisible(chromedp.CSS(`.notice`)))
		if n := eval[string](t, other, `document.querySelector(".notice").textContent`); !strings.HasPrefix(n, "Imported ") || strings.HasPrefix(n, "Imported 0 ") {
			t.Fatalf("after the import the page says %q", n)
		}
		step(t, other, "the imported progress shows", chromedp.WaitReady(chromedp.CSS(`li[data-lesson="en/locks"][data-progress="visited"]`)))
		step(t, other, "and survives a reload", chromedp.Reload(),
			chromedp.WaitReady(chromedp.CSS(`li[data-lesson="en/locks"][data-progress="visited"]`)))
		if errs := otherErrors(); len(errs) > 0 {
			t.Fatalf("console errors in the importing browser: %v", errs)
		}
	})

	t.Run("the language switch", func(t *testing.T) {
		step(t, ctx, "open the lesson", chromedp.Navigate(base+"/lesson/en/intro"),
			chromedp.WaitVisible(chromedp.CSS(`select[data-control="language"]`)))
		eval[bool](t, ctx, `(() => { const s = document.querySelector('select[data-control="language"]'); s.value = "zh"; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
		step(t, ctx, "wait for the zh lesson", chromedp.WaitReady(chromedp.CSS(`article[data-lesson="zh/intro"]`)))
		if h := eval[string](t, ctx, `document.querySelector(".lesson h1").textContent`); h != "介绍" {
			t.Fatalf("after switching to zh the lesson is %q", h)
		}
	})

	t.Run("the playground lists problems as they are typed", func(t *testing.T) {
		step(t, ctx, "open the playground", chromedp.Navigate(base+"/play"), chromedp.WaitReady(chromedp.CSS(ready)),
			chromedp.WaitVisible(chromedp.CSS(`[data-editor="scenario"]`)))
		eval[bool](t, ctx, `(() => { const e = document.querySelector('[data-editor="scenario"]'); e.value = "name: x\nmechanism: setnx\nparams: {ttl: soon}\n"; e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`)
		step(t, ctx, "wait for the problem", chromedp.WaitVisible(chromedp.CSS(`[data-error-line="3"]`)))
	})

	t.Run("saving another scenario under a saved name keeps both", func(t *testing.T) {
		const save = `[data-scenario="playground"] [data-action="save"]`
		saved := func() string {
			return eval[string](t, ctx, `[...document.querySelectorAll(".saved button.link")].map(b => b.textContent).join(" ")`)
		}
		step(t, ctx, "open the playground", chromedp.Navigate(base+"/play"), chromedp.WaitReady(chromedp.CSS(ready)),
			chromedp.WaitVisible(chromedp.CSS(save)))
		before := saved()
		step(t, ctx, "save", chromedp.Click(chromedp.CSS(save)), chromedp.WaitVisible(chromedp.CSS(`[data-scenario="playground"] .notice`)))
		eval[bool](t, ctx, `(() => { const e = document.querySelector('[data-editor="scenario"]'); e.value = "name: playground\nmechanism: setnx\nseed: 2\n"; e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`)
		step(t, ctx, "wait for the new scenario", chromedp.WaitVisible(chromedp.CSS(`[data-scenario="playground"] [data-action="run-to-end"]`)))
		step(t, ctx, "wait for seed 2", until(`document.querySelector('[data-scenario="playground"] .mech').textContent.endsWith("2")`))
		step(t, ctx, "save the other one", chromedp.Click(chromedp.CSS(save)), chromedp.Sleep(300*time.Millisecond))
		step(t, ctx, "save it again", chromedp.Click(chromedp.CSS(save)), chromedp.Sleep(300*time.Millisecond))
		step(t, ctx, "reload", chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(ready)), chromedp.WaitVisible(chromedp.CSS(`.saved button.link`)))
		if got := saved(); got != "playground playground-2" {
			t.Fatalf("saved scenarios %q (before: %q); want playground and playground-2, each once", got, before)
		}
	})

	t.Run("the editor previews a lesson with its players", func(t *testing.T) {
		step(t, ctx, "open the editor", chromedp.Navigate(base+"/editor"), chromedp.WaitReady(chromedp.CSS(ready)),
			chromedp.WaitVisible(chromedp.CSS(`[data-editor="markdown"]`)))
		md := "---\ntitle: Mine\norder: 1\n---\n\n# Mine\n\n```scenario\nname: mine\nmechanism: setnx\n```\n"
		eval[bool](t, ctx, `(() => { const e = document.querySelector('[data-editor="markdown"]'); e.value = `+strconv.Quote(md)+`; e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`)
		step(t, ctx, "wait for the preview's player", chromedp.WaitVisible(chromedp.CSS(`.preview [data-scenario="mine"]`)))
	})

	// /cap has its own test, TestBrowserCAP.

	t.Run("a storage failure is shown, not swallowed", func(t *testing.T) {
		// A database from a newer lab: opening it at our version fails.
		eval[bool](t, ctx, `new Promise(r => { const d = indexedDB.deleteDatabase("coordlab"); d.onsuccess = d.onerror = d.onblocked = () => { const q = indexedDB.open("coordlab", 99); q.onsuccess = () => { q.result.close(); r(true); }; }; })`)
		step(t, ctx, "reload the course map", chromedp.Navigate(base+"/"), chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(`[data-store-error="shown"]`)))
		if msg := eval[string](t, ctx, `document.querySelector('[data-store-error]').textContent`); !strings.Contains(msg, "Could not") {
			t.Fatalf("the storage error reads %q", msg)
		}
	})

	t.Run("no console errors and no CSP violations", func(t *testing.T) {
		for _, e := range consoleErrors() {
			t.Logf("console error: %s", e)
			if strings.Contains(e, "Content Security Policy") || strings.Contains(e, "panic") {
				t.Errorf("console: %s", e)
			}
		}
	})
}

// staticHost serves a folder the way static hosts such as GitHub Pages do:
// /a/b is a/b, else a/b.html, else a/b/index.html.
func staticHost(dir string) http.Handler {
	fs := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(dir, filepath.FromSlash(r.URL.Path))
		if st, err := os.Stat(p); (err != nil || st.IsDir()) && r.URL.Path != "/" {
			if _, err := os.Stat(p + ".html"); err == nil {
				r.URL.Path += ".html"
			}
		}
		fs.ServeHTTP(w, r)
	})
}

func TestBrowserStaticSite(t *testing.T) {
	requireChromium(t)
	wasm := buildWasm(t)
	out := t.TempDir()
	if err := Build(Options{Out: out, Wasm: wasm, LessonsDir: "testdata/course"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(staticHost(out))
	defer srv.Close()
	ctx, _ := browser(t)
	step(t, ctx, "open a deep link on the static site", chromedp.Navigate(srv.URL+"/lesson/zh/locks"),
		chromedp.WaitReady(chromedp.CSS(ready)),
		chromedp.WaitVisible(chromedp.CSS(`[data-scenario="paused-holder"]`)))
	if title := eval[string](t, ctx, `document.querySelector(".lesson h1").textContent`); title != "带租约的锁" {
		t.Fatalf("the static deep link shows %q; want the zh lesson", title)
	}
	got := runToEnd(t, ctx, "paused-holder")
	if want := cliHash(t, "paused-holder", blockSource(t, "zh/locks.md", "paused-holder")); got != want {
		t.Fatalf("static site: browser hash %s, CLI hash %s", got, want)
	}
}
