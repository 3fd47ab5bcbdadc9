// Package app is coordlab's browser lab, written with go-app v10
// (github.com/maxence-charriere/go-app, chosen because it compiles Go
// components to WebAssembly, so the simulation, the scenario format and the
// lesson renderer run in the browser as the very code the CLI runs, with a
// service worker for offline use included).
//
// Pages (DESIGN section 7): the course map with progress (/), a lesson with
// its live players (/lesson/{lang}/{slug}), the scenario playground
// (/play, /play#s= for shared scenarios), the CAP explorer (/cap), the
// lesson editor (/editor) and the mechanism catalog (/mechanisms). One file
// per page or component; components follow go-app's docs site: a newX
// constructor, chained setters for exported inputs, unexported state changed
// only on the UI goroutine, slow work in ctx.Async.
//
// The scenario player is a view over a session (session.go): the UI reads
// snapshots and the trace and sends commands (step, seek, inject a fault,
// move a slider); it never reaches into a node. Seeking back re-runs the
// scenario from its start, which is exact because runs are deterministic.
//
// The course is fetched from the serving site and parsed in the browser by
// coordlab/lessons, so one app.wasm serves any course (DESIGN section 6).
//
// Stable hooks for tests: <html data-coordlab="ready"> once mounted; each
// player's root has data-scenario, a data-action="run-to-end" button, and
// data-trace-hash once its run has ended.
//
// Unsafe on purpose: nothing. Lesson HTML inserted with app.Raw comes only
// from coordlab/lessons, which strips raw HTML and dangerous URLs; every
// other string reaches the DOM as text.
package app
