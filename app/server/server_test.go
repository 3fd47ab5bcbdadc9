//go:build !(js && wasm)

package server

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coordlab/lessons"
)

// fakeWasm writes a stand-in app.wasm for tests that do not run it.
func fakeWasm(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "app.wasm")
	if err := os.WriteFile(p, []byte("\x00asm"+strings.Repeat("wasm body ", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func get(t *testing.T, h http.Handler, path, accept string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandlerServesTheLab(t *testing.T) {
	h, err := Handler(Options{Wasm: fakeWasm(t), LessonsDir: "testdata/course"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("pages are pre-rendered with a CSP", func(t *testing.T) {
		for _, p := range []string{"/", "/lesson/en/locks", "/lesson/zh/intro", "/play", "/cap", "/editor", "/mechanisms"} {
			resp := get(t, h, p, "")
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(body), "/app.js") {
				t.Errorf("GET %s = %d; want a go-app page", p, resp.StatusCode)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "'wasm-unsafe-eval'") || strings.Contains(csp, "'unsafe-eval'") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("GET %s: CSP %q; want script-src 'self' 'wasm-unsafe-eval' and no unsafe-eval", p, csp)
			}
		}
		if resp := get(t, h, "/lesson/en/nope/../../etc", ""); resp.StatusCode != 404 {
			t.Errorf("a path that is no route = %d; want 404", resp.StatusCode)
		}
	})
	t.Run("wasm is sent compressed", func(t *testing.T) {
		resp := get(t, h, "/web/app.wasm", "gzip, deflate, br")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/wasm" {
			t.Fatalf("app.wasm headers = %v; want gzip-encoded application/wasm", resp.Header)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if !strings.HasPrefix(string(b), "\x00asm") {
			t.Fatalf("decompressed app.wasm starts %q", b[:8])
		}
		if resp := get(t, h, "/web/app.wasm", ""); resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("a client that accepts no encoding got %q", resp.Header.Get("Content-Encoding"))
		}
	})
	t.Run("course index and markdown", func(t *testing.T) {
		resp := get(t, h, "/web/course/index.json", "")
		var c lessons.Course
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			t.Fatal(err)
		}
		if len(c.Languages) != 2 || c.Lesson("en", "locks") == nil || c.Language("en").Lessons[0].Slug != "intro" {
			t.Fatalf("index = %+v; want en and zh, intro before locks", c)
		}
		md := get(t, h, "/web/course/zh/locks.md", "")
		b, _ := io.ReadAll(md.Body)
		if md.StatusCode != 200 || !strings.Contains(string(b), "带租约的锁") {
			t.Fatalf("zh/locks.md = %d %q", md.StatusCode, b)
		}
		if resp := get(t, h, "/web/course/en/../../server_test.go", ""); resp.StatusCode != 404 {
			t.Fatalf("path traversal = %d; want 404", resp.StatusCode)
		}
	})
	t.Run("the service worker caches the course and every page", func(t *testing.T) {
		b, _ := io.ReadAll(get(t, h, "/app-worker.js", "").Body)
		for _, want := range []string{"/web/course/index.json", "/web/course/en/locks.md", "/lesson/zh/locks", "/play", "/web/app.wasm"} {
			if !strings.Contains(string(b), `"`+want+`"`) {
				t.Errorf("app-worker.js does not cache %s", want)
			}
		}
	})
}

func TestHandlerErrors(t *testing.T) {
	if _, err := Handler(Options{Wasm: filepath.Join(t.TempDir(), "missing.wasm")}); err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("a missing app.wasm = %v; want an error that says how to build it", err)
	}
	if _, err := Handler(Options{Wasm: fakeWasm(t), LessonsDir: "testdata/nope"}); err == nil || !strings.Contains(err.Error(), "testdata/nope") {
		t.Errorf("a missing lessons folder = %v; want an error naming it", err)
	}
}

func TestBuildWritesAStaticSite(t *testing.T) {
	out := t.TempDir()
	var log strings.Builder
	if err := Build(Options{Out: out, Wasm: fakeWasm(t), LessonsDir: "testdata/course"}, &log); err != nil {
		t.Fatal(err)
	}
	// The test course's one problem: a script tag for the XSS tests.
	if got := log.String(); strings.Count(got, "raw HTML is not rendered") != 2 || !strings.Contains(got, "en/locks.md:56") {
		t.Errorf("the build printed %q; want the raw HTML of en/locks.md and zh/locks.md, line 56", got)
	}
	for _, f := range []string{"index.html", "app.js", "app-worker.js", "wasm_exec.js", "manifest.webmanifest",
		"lesson/en/locks.html", "lesson/en/locks/index.html", "lesson/zh/intro.html", "play.html", "mechanisms/index.html",
		"web/app.wasm", "web/coordlab.css", "web/course/index.json", "web/course/en/locks.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the static site lacks %s", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "lesson/en/locks.html"))
	if !strings.Contains(string(b), `http-equiv="Content-Security-Policy"`) {
		t.Errorf("static pages carry no CSP meta tag")
	}
	js, _ := os.ReadFile(filepath.Join(out, "app.js"))
	checkDeferredWorker(t, "the static site's app.js", string(js))
}

// A course with problems still builds, and the build says what is wrong,
// as serve does.
func TestBuildReportsCourseProblems(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "course")
	if err := os.MkdirAll(filepath.Join(dir, "en"), 0o755); err != nil {
		t.Fatal(err)
	}
	lesson := "---\ntitle: Broken\norder: 1\n---\n\n```quiz\nquestion: Which?\nchoices: [a, b]\nanswer: 3\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "en", "broken.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	out := t.TempDir()
	if err := Build(Options{Out: out, Wasm: fakeWasm(t), LessonsDir: dir}, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "the course has problems") || !strings.Contains(log.String(), "broken.md") {
		t.Errorf("building a course with a broken quiz printed %q; want its problems", log.String())
	}
	if _, err := os.Stat(filepath.Join(out, "lesson/en/broken.html")); err != nil {
		t.Errorf("the broken lesson was not built: %v", err)
	}
}

// checkDeferredWorker checks that app.js registers go-app's service worker
// only once the app is ready (appjs.go).
func checkDeferredWorker(t *testing.T, what, js string) {
	t.Helper()
	if strings.Contains(js, swCall) || !strings.Contains(js, "goappInitServiceWorker()") || !strings.Contains(js, `html.dataset.coordlab !== "ready"`) {
		t.Errorf("%s registers the service worker at once, or never; want it registered once the app is ready", what)
	}
}

func TestAppJSDefersTheServiceWorker(t *testing.T) {
	h, err := Handler(Options{Wasm: fakeWasm(t), LessonsDir: "testdata/course"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/app.js", "/goapp.js"} {
		resp := get(t, h, p, "gzip, br")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != fmt.Sprint(len(body)) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/javascript") {
			t.Errorf("GET %s = %d, %s bytes announced for %d, type %q", p, resp.StatusCode, resp.Header.Get("Content-Length"), len(body), resp.Header.Get("Content-Type"))
		}
		checkDeferredWorker(t, "GET "+p, string(body))
	}
	// A go-app whose app.js registers the worker otherwise is refused by
	// name, rather than served with the worker racing the first load.
	for _, js := range []string{"goappInitWebAssembly();\n", swCall + swCall} {
		if _, err := deferServiceWorker([]byte(js)); err == nil || !strings.Contains(err.Error(), "appjs.go") {
			t.Errorf("deferServiceWorker(%q) = %v; want an error that points to appjs.go", js, err)
		}
	}
}

func TestAcceptsEncoding(t *testing.T) {
	for _, tc := range []struct {
		header, enc string
		want        bool
	}{
		{"gzip, br", "br", true}, {"gzip;q=0, br", "gzip", false}, {"deflate", "gzip", false}, {"", "gzip", false}, {" gzip ; q=0.5", "gzip", true},
	} {
		if got := acceptsEncoding(tc.header, tc.enc); got != tc.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v", tc.header, tc.enc, got)
		}
	}
}
