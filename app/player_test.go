package app

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

const threeClients = `name: three-clients
mechanism: setnx
seed: 3
duration: 10s
params: {clients: 3, ttl: 1s}
sliders:
  - {param: params.clients, min: 1, max: 5}
`

// TestPlayerFollowsTheChangedScenario checks that after a slider changes the
// seed or the duration, the player's head, scrubber and space-time diagram
// show the scenario that runs, not the one first loaded.
func TestPlayerFollowsTheChangedScenario(t *testing.T) {
	p := newPlayer().Src(pausedHolder)
	mount(t, p)
	p.setParam(app.Context{}, "seed", "7")
	p.setParam(app.Context{}, "duration", "20s")
	if p.notice != "" {
		t.Fatal(p.notice)
	}
	p.seek(app.Context{}, 15*time.Second)
	html := app.HTMLString(p.Render())
	for _, want := range []string{"seed 7", `max="20000"`, "15.000s / 20.000s"} {
		if !strings.Contains(html, want) {
			t.Errorf("after the seed and duration sliders the player lacks %q", want)
		}
	}
	// A 20s run is drawn in pages of 2s: 15s lies on the page 14s–16s.
	st := app.HTMLString(p.renderSpaceTime())
	if !strings.Contains(st, "14.000s") || !strings.Contains(st, "16.000s") {
		t.Errorf("at 15s of a 20s run the space-time diagram is not on the page 14s–16s")
	}
}

// TestFlightsAfterAChange checks that the messages drawn in flight after a
// slider or a fault are those of the new run, not left over from the old.
func TestFlightsAfterAChange(t *testing.T) {
	p := newPlayer().Src(threeClients)
	mount(t, p)
	p.seek(app.Context{}, 3*time.Second+500*time.Microsecond)
	for _, change := range []func(){
		func() { p.setParam(app.Context{}, "params.clients", "5") },
		func() { p.setParam(app.Context{}, "params.ttl", "300ms") },
		func() { p.setParam(app.Context{}, "seed", "11") },
	} {
		change()
		if p.notice != "" {
			t.Fatal(p.notice)
		}
		var fresh flights
		want := fresh.update(p.sess.trace(), p.sess.now(), maxFlights)
		if !reflect.DeepEqual(p.inAir, want) {
			t.Fatalf("after a change, %d messages drawn in flight; the new run has %d:\n%+v\nwant\n%+v", len(p.inAir), len(want), p.inAir, want)
		}
	}
}

// TestSelectionOfAGoneNode checks that a node or link selected for a fault
// is forgotten when a slider or a new scenario removes it, and that a
// notice about the old scenario goes with it.
func TestSelectionOfAGoneNode(t *testing.T) {
	p := newPlayer().Src(threeClients)
	mount(t, p)
	p.selNode = "client-3"
	p.setParam(app.Context{}, "params.clients", "2")
	if html := app.HTMLString(p.renderFaultMenu()); strings.Contains(html, "client-3") {
		t.Errorf("with 2 clients the fault menu still offers client-3: %s", html)
	}
	p.setParam(app.Context{}, "params.clients", "3")
	p.selNode, p.selLink = "", [2]string{"redis-1", "client-3"}
	p.setParam(app.Context{}, "params.clients", "2")
	if html := app.HTMLString(p.renderFaultMenu()); strings.Contains(html, "client-3") {
		t.Errorf("with 2 clients the fault menu still offers the link to client-3: %s", html)
	}

	p.setParam(app.Context{}, "params.clients", "3")
	p.selNode = "client-3"
	p.notice = "At 1.5s: crash client-3. The fault is now part of the scenario."
	p.Source = strings.Replace(threeClients, "clients: 3", "clients: 2", 1)
	p.load()
	if html := app.HTMLString(p.Render()); strings.Contains(html, "client-3") {
		t.Errorf("a new scenario with 2 clients still shows client-3 (selected, or in an old notice)")
	}
}

// TestClusterIsReachable checks that the nodes and links one clicks to
// inject a fault are buttons a keyboard reaches and a screen reader names,
// inside a view that does not hide them as one picture.
func TestClusterIsReachable(t *testing.T) {
	p := newPlayer().Src(threeClients)
	mount(t, p)
	html := compact(app.HTMLString(p.renderCluster()))
	if strings.Contains(html, `role="img"`) {
		t.Error(`the cluster view is role="img", which hides its nodes and links from screen readers`)
	}
	elems := regexp.MustCompile(`<(g|line)[^>]* data-(node|link)="[^"]*"[^>]*>(<title>[^<]+</title>)?`).FindAllStringSubmatch(html, -1)
	n := len(p.sess.world().NodeNames())
	if len(elems) != n+n*(n-1)/2 {
		t.Fatalf("found %d nodes and links; want %d nodes and every link between them", len(elems), n)
	}
	for _, m := range elems {
		if !strings.Contains(m[0], `tabindex="0"`) || !strings.Contains(m[0], `role="button"`) || m[3] == "" {
			t.Errorf("not a named button a keyboard reaches: %s", m[0])
		}
	}
	for key, want := range map[string]bool{"Enter": true, " ": true, "Tab": false, "a": false} {
		if activates(key) != want {
			t.Errorf("key %q activates: %v, want %v", key, !want, want)
		}
	}
}

// TestTwoFrameLoops checks that when a pause and a play fall within one
// frame, and the browser calls the player twice for that frame (the old
// loop's request and the new one's), the run moves once and only one loop
// goes on.
func TestTwoFrameLoops(t *testing.T) {
	p := newPlayer().Src(pausedHolder)
	mount(t, p)
	p.seek(app.Context{}, time.Second)
	p.playing = true
	p.onFrame(app.Context{}, 1000)
	p.onFrame(app.Context{}, 1016)
	at := p.sess.now()
	p.onFrame(app.Context{}, 1016)
	if p.sess.now() != at {
		t.Fatalf("a second call for the frame at 1016ms moved the run from %v to %v", at, p.sess.now())
	}
}

// mountEngine mounts p through go-app's test engine, as the browser would,
// and gives it the context go-app hands a component it mounts in a browser
// (the test engine calls OnMount only there), so that its clicks dispatch
// updates the engine then runs.
func mountEngine(t *testing.T, p *player) app.TestEngine {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(p); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	// go-app does not export a component's context: build it as
	// engineX.baseContext does, with what Dispatch uses.
	ev := reflect.ValueOf(e).Elem()
	dispatches := open(ev.FieldByName("dispatches")).Interface().(chan func())
	add := open(ev.FieldByName("updates")).Addr().MethodByName("Add").Interface()
	var ctx app.Context
	cv := reflect.ValueOf(&ctx).Elem()
	open(cv.FieldByName("dispatch")).Set(reflect.ValueOf(func(f func()) { dispatches <- f }))
	open(cv.FieldByName("addComponentUpdate")).Set(reflect.ValueOf(add))
	open(cv.FieldByName("sourceElement")).Set(reflect.ValueOf(p))
	p.OnMount(ctx)
	return e
}

// click runs what the browser runs when the mounted element of p whose
// attribute key is value gets event: the handler go-app attached to that
// element, which is not necessarily the one the latest Render built (go-app
// keeps a mounted handler it deems the same function). go-app does not
// expose its tree, so this reads it by reflection; the test engine then
// runs the updates the handler dispatched.
func click(t *testing.T, e app.TestEngine, p *player, key, value, event string) {
	t.Helper()
	h := mountedHandler(reflect.ValueOf(p), key, value, event)
	if h == nil {
		t.Fatalf("no mounted element with %s=%q handles %s", key, value, event)
	}
	p.ctx.Dispatch(func(ctx app.Context) { h(ctx, app.Event{}) })
	e.ConsumeAll()
}

// open returns v, which must be addressable, without the read-only flag
// of an unexported field.
func open(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// mountedHandler walks a mounted go-app tree for the element whose
// attribute key is value, and returns its handler of event.
func mountedHandler(v reflect.Value, key, value, event string) app.EventHandler {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	if root := v.FieldByName("rootElement"); root.IsValid() { // a component
		return mountedHandler(open(root), key, value, event)
	}
	attrs := v.FieldByName("attributes")
	if !attrs.IsValid() {
		return nil // text or raw HTML
	}
	if a := open(attrs).MapIndex(reflect.ValueOf(key)); a.IsValid() && a.String() == value {
		h := open(v.FieldByName("eventHandlers")).MapIndex(reflect.ValueOf(event))
		if !h.IsValid() {
			return nil
		}
		c := reflect.New(h.Type()).Elem()
		c.Set(h)
		return open(c.FieldByName("goHandler")).Interface().(app.EventHandler)
	}
	children := open(v.FieldByName("children"))
	for i := range children.Len() {
		if h := mountedHandler(children.Index(i), key, value, event); h != nil {
			return h
		}
	}
	return nil
}

// TestClicksReachTheirTarget clicks through the mounted player, as a
// student does: go-app keeps the handler first mounted on an element it
// updates in place unless its scope differs, so a handler that remembers
// its node, link, fault or violation must say so.
func TestClicksReachTheirTarget(t *testing.T) {
	p := newPlayer().Src(threeClients)
	e := mountEngine(t, p)
	p.dispatch(func(ctx app.Context) { p.seek(ctx, 2*time.Second) })
	e.ConsumeAll()

	// Select a node, then another, then crash: the one shown is crashed.
	click(t, e, p, "data-node", "client-1", "click")
	click(t, e, p, "data-node", "client-2", "click")
	if p.selNode != "client-2" {
		t.Fatalf("selected %q; want client-2", p.selNode)
	}
	click(t, e, p, "data-fault", "crash", "click")
	if y := string(p.sess.sc.YAML()); !strings.Contains(y, "crash: client-2") || strings.Contains(y, "client-1") {
		t.Fatalf("the menu for client-2 recorded:\n%s", y)
	}

	// A node's menu, then a link's: its first button partitions the link.
	click(t, e, p, "data-node", "client-3", "click")
	click(t, e, p, "data-link", "redis-1 client-1", "click")
	click(t, e, p, "data-fault", "partition", "click")
	if y := string(p.sess.sc.YAML()); !strings.Contains(y, "partition: [[redis-1], [client-1]]") || strings.Contains(y, "client-3") {
		t.Fatalf("the menu for the link redis-1 — client-1 recorded:\n%s", y)
	}

	// Fewer clients: the links in place now join other nodes.
	p.dispatch(func(ctx app.Context) { p.setParam(ctx, "params.clients", "2") })
	e.ConsumeAll()
	names := p.sess.world().NodeNames()
	last := names[len(names)-2] + " " + names[len(names)-1]
	click(t, e, p, "data-link", last, "click")
	if got := p.selLink[0] + " " + p.selLink[1]; got != last {
		t.Fatalf("clicking the link %s selected %s", last, got)
	}

	// Another scenario in the same player: its nodes select themselves.
	p.Source = "name: other\nmechanism: dblock\nparams: {clients: 3}\n"
	p.dispatch(func(ctx app.Context) { p.load() })
	e.ConsumeAll()
	names = p.sess.world().NodeNames()
	click(t, e, p, "data-node", names[0], "click")
	if p.selNode != names[0] {
		t.Fatalf("clicking %s in the new scenario selected %q", names[0], p.selNode)
	}
}

// TestViolationJumpsToItsMoment checks that a violation listed after a
// slider changed the run jumps to its own moment.
func TestViolationJumpsToItsMoment(t *testing.T) {
	p := newPlayer().Src(pausedHolder)
	e := mountEngine(t, p)
	p.dispatch(func(ctx app.Context) { p.runToEnd(ctx) })
	e.ConsumeAll()
	before := p.sess.violations()
	p.dispatch(func(ctx app.Context) { p.setParam(ctx, "params.ttl", "700ms") })
	e.ConsumeAll()
	after := p.sess.violations()
	if len(before) == 0 || len(after) == 0 || before[0].At == after[0].At {
		t.Fatalf("the test needs violations that move: %v, then %v", before, after)
	}
	click(t, e, p, "data-at", fmt.Sprint(int64(after[0].At)), "click")
	if p.sess.now() != after[0].At {
		t.Fatalf("the violation at %v jumped to %v", after[0].At, p.sess.now())
	}
}
