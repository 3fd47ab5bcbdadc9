//go:build !(js && wasm)

package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// go-app's app.js registers the service worker as soon as the page starts.
// The worker's install then fetches every resource it caches (app.wasm a
// second time, and every page, each rendered by the server) while the page
// itself downloads and compiles app.wasm. On a two-core machine the first
// visit of a lesson became interactive 0.35 s later for it. coordlab's
// app.js registers the worker once the app has mounted
// (<html data-coordlab="ready">) and the browser is idle: the first visit
// comes first, offline use right after.

// swCall is the statement of go-app's app.js that registers the worker.
const swCall = "\ngoappInitServiceWorker();\n"

// swDeferred replaces it.
const swDeferred = `
// coordlab: the service worker is registered once the app has mounted and
// the browser is idle, not while app.wasm loads (app/server/appjs.go).
(function () {
  const html = document.documentElement;
  let registered = false;
  const register = () => {
    if (registered || html.dataset.coordlab !== "ready") return false;
    registered = true;
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 200));
    idle(() => goappInitServiceWorker(), { timeout: 3000 });
    return true;
  };
  if (!register()) {
    const watch = new MutationObserver(() => { if (register()) watch.disconnect(); });
    watch.observe(html, { attributes: true, attributeFilter: ["data-coordlab"] });
  }
})();
`

// deferServiceWorker rewrites go-app's app.js. It fails when app.js no
// longer registers the worker the way it did, so that a go-app upgrade
// cannot silently bring back the race.
func deferServiceWorker(js []byte) ([]byte, error) {
	if n := bytes.Count(js, []byte(swCall)); n != 1 {
		return nil, fmt.Errorf("go-app's app.js registers its service worker %d times where coordlab expects once (%q): see app/server/appjs.go", n, strings.TrimSpace(swCall))
	}
	return bytes.Replace(js, []byte(swCall), []byte(swDeferred), 1), nil
}

// isAppJS reports whether go-app serves app.js at the path (it also
// answers /goapp.js, and both under /VERSION/).
func isAppJS(path, version string) bool {
	path = strings.TrimPrefix(path, "/"+version)
	return path == "/app.js" || path == "/goapp.js"
}

// serveHandler returns the site's handler for serve, with app.js rewritten
// by deferServiceWorker. It fails at once, rather than on the first visit,
// when app.js cannot be rewritten.
func (s *site) serveHandler() (http.Handler, error) {
	h := s.handler()
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	h.ServeHTTP(rec, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/app.js"}, Header: http.Header{}})
	if _, err := deferServiceWorker(rec.body.Bytes()); err != nil {
		return nil, err
	}
	return withDeferredWorker(h, s.version), nil
}

// withDeferredWorker serves h, with app.js rewritten by deferServiceWorker.
func withDeferredWorker(h http.Handler, version string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAppJS(r.URL.Path, version) {
			h.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if rec.code == http.StatusOK {
			js, err := deferServiceWorker(body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			body = js
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.code)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
}

// recorder keeps a response in memory.
type recorder struct {
	header http.Header
	body   bytes.Buffer
	code   int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }
