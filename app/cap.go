package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim/mech/quorum"
)

// capPage is /cap: the CAP and PACELC explorer. A quorum-replicated
// register (quorum.Explore) runs a 10,000-operation workload; each move of
// a control runs it again (or shows again the run of inputs measured
// before: capRunner's memo), and the page shows what was measured —
// availability, latency, stale reads, lost updates, linearizability — with
// a chart of each against the control last moved, and names the region of
// the CAP / PACELC space the numbers put the store in.
//
// Runs happen off the UI goroutine (ctx.Async), one at a time; moves made
// during a run are coalesced by capRunner. The linearizability search runs
// as a second step, so that the other numbers show first.
//
// Stable hooks for tests: the root's data-cap-state (running, done,
// error), data-cap-settings (the inputs of the numbers shown), data-run-ms
// (the wall-clock time of the last run without the search, measured in the
// browser with performance.now), data-check-ms (the run with it) and
// data-runs (how many runs finished); each control's data-control; each
// figure's data-metric with its number in data-value; data-region.
type capPage struct {
	app.Compo
	lang string
	run  *capRunner
	// live is set in the browser: the server pre-renders the page
	// without running anything.
	live    bool
	explore func(quorum.Settings) (quorum.Summary, error)
}

func newCAPPage() *capPage { return &capPage{run: newCAPRunner(), explore: quorum.Explore} }

func (p *capPage) OnNav(ctx app.Context) {
	p.lang = getLang(ctx)
	ctx.Page().SetTitle("CAP explorer — coordlab")
}

func (p *capPage) OnMount(ctx app.Context) {
	p.live = true // OnMount happens only in the browser
	p.schedule(ctx)
}

// OnPreRender runs natively, where the server pre-renders the page without
// running anything; tests set live to run the explorer natively.
func (p *capPage) OnPreRender(ctx app.Context) { p.schedule(ctx) }

func (p *capPage) OnDismount() { p.run.dismounted() }

// schedule starts the next run unless one is going. It waits for the frame
// that shows the page's state to be painted (a run holds the browser's only
// thread until it ends), then takes the job, so that every move made until
// then is in it.
func (p *capPage) schedule(ctx app.Context) {
	if !p.live || !p.run.start() {
		return
	}
	explore, gen := p.explore, p.run.gen
	ctx.Defer(func(ctx app.Context) {
		ctx.Async(func() {
			afterPaint()
			ctx.Dispatch(func(ctx app.Context) {
				if gen != p.run.gen {
					return // dismounted meanwhile
				}
				j, ok := p.run.take()
				if !ok {
					return
				}
				ctx.Async(func() {
					out := timedExplore(explore, j.settings())
					ctx.Dispatch(func(ctx app.Context) {
						if p.run.finish(j, out) {
							p.schedule(ctx)
						}
					})
				})
			})
		})
	})
}

// timedExplore runs explore and measures its wall-clock time. A panic in
// the simulation becomes an error on the page rather than a dead tab.
func timedExplore(explore func(quorum.Settings) (quorum.Summary, error), s quorum.Settings) (out capOutcome) {
	t0 := nowMs()
	defer func() {
		if v := recover(); v != nil {
			out.err = fmt.Errorf("the simulation stopped with an internal error: %v", v)
		}
		out.ms = nowMs() - t0
	}()
	out.sum, out.err = explore(s)
	return out
}

var epoch = time.Now()

// nowMs reads the browser's performance.now(), or the process's monotonic
// clock natively.
func nowMs() float64 {
	if app.IsClient {
		return app.Window().Get("performance").Call("now").Float()
	}
	return float64(time.Since(epoch)) / float64(time.Millisecond)
}

// afterPaint returns once the browser has painted a frame (an animation
// frame, then a task after it), or after 200ms when the tab is hidden and
// draws no frames. Natively it returns at once.
func afterPaint() {
	if !app.IsClient {
		return
	}
	done := make(chan struct{}, 2)
	var frame, task app.Func
	task = app.FuncOf(func(app.Value, []app.Value) any { done <- struct{}{}; return nil })
	frame = app.FuncOf(func(app.Value, []app.Value) any {
		app.Window().Call("setTimeout", task, 0)
		return nil
	})
	app.Window().Call("requestAnimationFrame", frame)
	app.Window().Call("setTimeout", task, 200)
	<-done
	// The later callback may still come: release only once both could
	// have fired.
	go func() {
		<-done
		frame.Release()
		task.Release()
	}()
}

// onControl handles a move of a control.
func (p *capPage) onControl(c capControl) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		src := ctx.JSSrc()
		var v float64
		if c.kind == capToggle {
			v = b2f(src.Get("checked").Bool())
		} else {
			x, err := strconv.ParseFloat(src.Get("value").String(), 64)
			if err != nil {
				return
			}
			v = x
		}
		p.run.change(c.with(p.run.in, v), c.id)
		if c.id == "n" {
			// r and w get a new max and value in one update, and a
			// browser clamps a value set before its max: set them again.
			ctx.Defer(func(ctx app.Context) { p.syncQuorumInputs() })
		}
		p.schedule(ctx)
	}
}

func (p *capPage) syncQuorumInputs() {
	if !app.IsClient {
		return
	}
	for _, id := range []string{"r", "w"} {
		c, _ := capControlByID(id)
		if el := app.Window().GetElementByID("cap-" + id); el.Truthy() {
			el.Set("max", c.format(c.hi(p.run.in)))
			el.Set("value", c.format(c.value(p.run.in)))
		}
	}
}

func (p *capPage) sweep(ctx app.Context, e app.Event) {
	p.run.startSweep()
	p.schedule(ctx)
}

func (p *capPage) Render() app.UI {
	r := p.run
	root := app.Div().Class("page cap-page").DataSet("cap-state", r.state()).
		DataSet("run-ms", strconv.FormatFloat(r.lastMs, 'f', 1, 64)).DataSet("runs", r.runs)
	if s := r.shown; s != nil {
		root = root.DataSet("cap-settings", s.in.key("")).DataSet("check-ms", strconv.FormatFloat(s.checkMs, 'f', 1, 64))
	}
	return root.Body(
		newNavbar().Language(p.lang).OnLanguage(func(ctx app.Context, lang string) { p.lang = lang }), // stay: nothing typed is lost
		app.Main().Body(
			app.H1().Text("CAP and PACELC, measured"),
			app.P().Class("lead").Text("One register is stored on n replicas. A write waits for w of them to acknowledge, a read asks r of them and keeps the newest answer. Three clients send 10,000 reads and writes back to back; every move of a control runs them all again in this browser and measures what you bought and what it cost. A position measured before shows again at once: the seed is fixed, so its run would be the same."),
			app.Div().Class("cap-grid").Body(
				p.renderControls(),
				p.renderResults(),
				p.renderRegion(),
			),
		),
		footer(p.lang),
	)
}

func (p *capPage) renderControls() app.UI {
	items := []app.UI{app.H2().Text("Settings")}
	for _, c := range capControls {
		items = append(items, p.renderControl(c))
	}
	items = append(items,
		app.P().Class("hint").Text("r and w can be at most n. The partition starts at 5s; the workload lasts about 40s of virtual time on the default network."),
		p.renderWatch(),
	)
	return app.Section().Class("cap-controls").Body(items...)
}

func (p *capPage) renderControl(c capControl) app.UI {
	in := p.run.in
	v := c.value(in)
	id := "cap-" + c.id
	// go-app writes a false boolean attribute as ="false" when it renders
	// HTML on the server, which a browser reads as true: set them only
	// when true.
	var input app.UI
	switch c.kind {
	case capToggle:
		box := app.Input().Type("checkbox").ID(id).DataSet("control", c.id).OnChange(p.onControl(c))
		if v == 1 {
			box = box.Checked(true)
		}
		input = box
	case capChoice:
		opts := make([]app.UI, len(c.choices))
		for i, name := range c.choices {
			o := app.Option().Value(strconv.Itoa(i)).Text(name)
			if v == float64(i) {
				o = o.Selected(true)
			}
			opts[i] = o
		}
		input = app.Select().ID(id).DataSet("control", c.id).Body(opts...).OnChange(p.onControl(c))
	default:
		num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
		rng := app.Input().Type("range").ID(id).DataSet("control", c.id).
			Attr("min", num(c.min)).Attr("max", num(c.hi(in))).Attr("step", num(c.step)).Value(num(v)).
			OnInput(p.onControl(c))
		if c.id == "length" && !in.Partition {
			rng = rng.Disabled(true)
		}
		input = rng
	}
	return app.Div().Class("cap-control", [...]string{"range", "toggle", "choice"}[c.kind]).Body(
		app.Label().For(id).Text(c.label),
		input,
		app.Span().Class("cap-value").DataSet("value-of", c.id).Text(c.format(v)),
		app.Small().Class("cap-help").Text(c.help),
	)
}

// renderWatch links the playground to a scenario running the inputs shown,
// once their run tells how long the scenario must last.
func (p *capPage) renderWatch() app.UI {
	s := p.run.shown
	if s == nil || s.err != nil || s.in != p.run.in {
		return nil
	}
	dur := s.sum.Duration.Truncate(time.Second) + 2*time.Second
	return app.P().Class("cap-watch").Body(
		app.A().DataSet("action", "watch").Href(shareLink([]byte(capScenarioFor(s.in, dur)))).Text("Watch one run: open this configuration in the playground"),
		app.Text(" (the same 10,000 operations, step by step: it takes a while to load)."),
	)
}

func (p *capPage) renderResults() app.UI {
	r := p.run
	s := r.shown
	cls := "cap-results"
	if s != nil && s.in != r.in {
		cls += " stale" // the numbers of the inputs before the last move
	}
	body := []app.UI{app.H2().Text("Measured"), p.renderStatus()}
	if s != nil && s.err != nil {
		body = append(body, app.P().Class("problem").Attr("role", "alert").DataSet("cap-error", "shown").Text("The explorer could not run these settings: "+s.err.Error()))
	}
	metrics := make([]app.UI, 0, len(capMetrics)+1)
	for _, m := range capMetrics {
		metrics = append(metrics, capMetricView(m, s))
	}
	metrics = append(metrics, capVerdictView(s))
	body = append(body, app.Div().Class("cap-metrics").Body(metrics...), p.renderCharts())
	return app.Section().Class(cls).Body(body...)
}

func (p *capPage) renderStatus() app.UI {
	r := p.run
	s := r.shown
	var msg string
	switch {
	case s == nil:
		msg = "Running the 10,000 operations…"
	case r.state() == "running" && s.in != r.in:
		msg = "Running your new settings; the numbers below are those of the previous ones."
	case s.err != nil:
		msg = "The last run failed."
	default:
		msg = fmt.Sprintf("%s operations in %v of virtual time (%s events), ", thousands(s.sum.Ops), s.sum.Duration.Round(100*time.Millisecond), thousands(s.sum.Events))
		if s.recalled {
			msg += fmt.Sprintf("measured earlier in %.0f ms and shown again without a new run: the same settings and seed always give the same run", s.runMs)
		} else {
			msg += fmt.Sprintf("run in %.0f ms in this browser", s.runMs)
		}
		if s.checked {
			msg += fmt.Sprintf("; the run with the linearizability search took %.0f ms", s.checkMs)
		}
		msg += "."
	}
	if n := len(r.sweep); r.sweepTotal > 0 && n > 0 {
		msg += fmt.Sprintf(" Sweeping %s: %d of %d positions to go.", r.sweepOf, n, r.sweepTotal)
	}
	return app.P().Class("cap-status", r.state()).Text(msg)
}

// capMetricView shows one figure of the run shown, with its number in
// data-value (absent when not measured: go-app drops empty attributes).
func capMetricView(m capMetric, s *capShown) app.UI {
	text, value, note := "—", "", ""
	if s != nil && s.err == nil {
		if v, ok := m.of(s.sum); ok {
			text, value = m.format(v), strconv.FormatFloat(v, 'f', -1, 64)
		} else if m.id == "availability-during" {
			note = "no partition"
		}
		if m.id == "availability" && s.in.Partition {
			note = fmt.Sprintf("%s outside the partition", percent(s.sum.Outside.Availability))
		}
	}
	return app.Div().Class("cap-metric").DataSet("metric", m.id).DataSet("value", value).Body(
		app.Span().Class("cap-metric-label").Text(m.label),
		app.Strong().Class("cap-metric-value").Text(text),
		app.If(note != "", func() app.UI { return app.Span().Class("cap-metric-note").Text(note) }),
	)
}

// capVerdictView shows the linearizability verdict with its sentence;
// data-value is 1 (linearizable) or 0, absent while not decided.
func capVerdictView(s *capShown) app.UI {
	verdict, value, detail := "—", "", ""
	switch {
	case s == nil || s.err != nil:
	case s.checkErr != nil:
		verdict, detail = "not checked", s.checkErr.Error()
	case s.sum.LinearizabilityChecked && s.sum.Linearizable:
		verdict, value, detail = "yes", "1", s.sum.LinearizabilityDetail
	case s.sum.LinearizabilityChecked:
		verdict, value, detail = "no", "0", s.sum.LinearizabilityDetail
	case s.checked:
		verdict, detail = "undecided", s.sum.LinearizabilityDetail
	default:
		verdict, detail = "checking…", "searching for one order of the operations that explains every read"
	}
	return app.Div().Class("cap-metric cap-verdict").DataSet("metric", "linearizable").DataSet("value", value).DataSet("verdict", verdict).Body(
		app.Span().Class("cap-metric-label").Text("linearizable"),
		app.Strong().Class("cap-metric-value").Text(verdict),
		app.Span().Class("cap-metric-note").Text(detail),
	)
}

func (p *capPage) renderCharts() app.UI {
	r := p.run
	se := r.series
	c, ok := capControlByID(se.control)
	if !ok || len(se.points) == 0 {
		return app.P().Class("hint cap-charts").Text("Move a control: a small chart of each figure against it appears here, one point for every position you try while the other settings stay as they are.")
	}
	current := -1.0
	if s := r.shown; s != nil && s.in.key(se.control) == se.key {
		current = c.value(s.in)
	}
	charts := make([]app.UI, 0, len(capMetrics))
	for _, m := range capMetrics {
		if m.id == "availability-during" && !se.in.Partition && se.control != "partition" {
			continue
		}
		charts = append(charts, capChart(m, se, current))
	}
	sweeping := len(r.sweep) > 0 && r.sweepOf == se.control
	return app.Div().Class("cap-charts").DataSet("series", se.control).Body(
		app.Div().Class("cap-charts-head").Body(
			app.H3().Text("Against "+c.label),
			sweepButton(c, sweeping).OnClick(p.sweep),
		),
		app.Div().Class("cap-chart-grid").Body(charts...),
		app.P().Class("hint").Text("Each point is a run at one position of "+c.label+" with the other settings as they are now; changing another setting starts the charts again."),
	)
}

func sweepButton(c capControl, sweeping bool) app.HTMLButton {
	b := app.Button().DataSet("action", "sweep").Text("Measure every position").
		Title("run every position of " + c.label + " (up to 12), the other settings as they are")
	if sweeping {
		b = b.Disabled(true)
	}
	return b
}

// capRegionMeaning says what each half of a PACELC region means.
var capRegionMeaning = map[string]string{
	"PA": "PA — under a partition the store stayed available: both sides kept answering, whatever that did to consistency.",
	"PC": "PC — under a partition the store stayed consistent: what it could not answer correctly, it refused or let time out.",
	"P0": "P0 — under the partition the store was neither available nor consistent: it paid both prices.",
	"EL": "EL — else, without a partition, it answered fast and let reads be stale or writes be lost.",
	"EC": "EC — else, without a partition, every read saw the latest write, and it waited for replicas to get that.",
}

func (p *capPage) renderRegion() app.UI {
	s := p.run.shown
	aside := app.Aside().Class("cap-region")
	if s == nil || s.err != nil {
		return aside.DataSet("region", "").Body(app.H2().Text("Region"), app.P().Class("hint").Text("Waiting for a run."))
	}
	var meanings []app.UI
	for _, part := range strings.Split(s.sum.Region, "/") {
		if m, ok := capRegionMeaning[part]; ok {
			meanings = append(meanings, app.Li().DataSet("region-part", part).Text(m))
		}
	}
	return aside.DataSet("region", s.sum.Region).Body(
		app.H2().Body(app.Text("Region "), app.Span().Class("cap-region-name").Text(s.sum.Region)),
		app.P().Class("cap-explanation").Text(s.sum.Explanation),
		app.Ul().Class("cap-meanings").Body(meanings...),
		app.P().Class("hint").Text("PACELC (Abadi, 2012) completes CAP: if there is a Partition, a replicated store chooses between Availability and Consistency; Else, between Latency and Consistency. The region here is computed from the numbers measured in this run, not from the settings."),
	)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
