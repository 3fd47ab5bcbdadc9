//go:build !(js && wasm)

package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// go-app's app.js registers the service worker as soon as the page starts.
// The worker's install then fetches every resource it caches (app.wasm a
// second time, and every page, each rendered by the server) while the page
// itself downloads and compiles app.wasm. On a two-core machine the first
// visit of a lesson became interactive in 1.37-1.73 s with it and in
// 1.18-1.41 s without (three runs each in headless Chromium). coordlab's
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
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app.js", nil))
	if _, err := deferServiceWorker(rec.Body.Bytes()); err != nil {
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
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			js, err := deferServiceWorker(body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			body = js
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
}
