package app

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/sim"
	"coordlab/sim/mech"
	"coordlab/sim/scenario"
)

// The player's controls: play, pause, step, speed, run to the end, the time
// scrubber, the sliders of the scenario, and the fault menu.

func (p *player) renderControls() app.UI {
	now, end := p.sess.now(), p.sc.Duration
	return app.Div().Class("controls").Body(
		app.If(p.playing, func() app.UI {
			return app.Button().DataSet("action", "pause").Text(tr(p.Language, "❚❚ Pause")).OnClick(func(ctx app.Context, e app.Event) { p.pause() })
		}).Else(func() app.UI {
			return app.Button().DataSet("action", "play").Text(tr(p.Language, "▶ Play")).Disabled(p.sess.done()).
				OnClick(func(ctx app.Context, e app.Event) { p.play(ctx) })
		}),
		app.Button().DataSet("action", "step").Text(tr(p.Language, "Step")).Title(tr(p.Language, "process the next event")).Disabled(p.sess.done()).
			OnClick(func(ctx app.Context, e app.Event) { p.step(ctx) }),
		app.Button().DataSet("action", "run-to-end").Text(tr(p.Language, "Run to end")).
			OnClick(func(ctx app.Context, e app.Event) { p.runToEnd(ctx) }),
		app.Button().DataSet("action", "restart").Text("⟲").Title(tr(p.Language, "back to the start")).
			OnClick(func(ctx app.Context, e app.Event) { p.playing = false; p.seek(ctx, 0) }),
		app.Label().Class("speed").Body(
			app.Text(tr(p.Language, "speed ")),
			app.Select().DataSet("control", "speed").OnChange(func(ctx app.Context, e app.Event) {
				if v, err := strconv.ParseFloat(ctx.JSSrc().Get("value").String(), 64); err == nil && v > 0 {
					p.speed = v
				}
			}).Body(app.Range(speeds).Slice(func(i int) app.UI {
				return app.Option().Value(strconv.FormatFloat(speeds[i], 'g', -1, 64)).
					Selected(speeds[i] == p.speed).Text(fmtSpeed(speeds[i]))
			})),
		),
		app.Input().Type("range").Class("scrubber").DataSet("control", "scrubber").
			Min(0).Max(int(end/time.Millisecond)).Step(1).Value(strconv.Itoa(int(now/time.Millisecond))).
			Title(tr(p.Language, "drag to move in time; going back re-runs the scenario from the start")).
			OnInput(func(ctx app.Context, e app.Event) {
				if ms, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil {
					p.playing = false
					p.seek(ctx, time.Duration(ms)*time.Millisecond)
				}
			}),
		app.Span().Class("time").Text(fmtTime(now)+" / "+fmtTime(end)),
		app.Span().Class("events").Text(trf(p.Language, " · %d events", p.sess.world().Events())),
	)
}

func fmtSpeed(v float64) string {
	if v >= 1 {
		return strconv.FormatFloat(v, 'g', -1, 64) + "×"
	}
	return "1/" + strconv.FormatFloat(1/v, 'g', -1, 64) + "×"
}

// sliderSpec is a slider's numeric range: durations in milliseconds.
type sliderSpec struct {
	min, max, step float64
	duration       bool
	integral       bool // the seed or a whole-number parameter
}

// sliderFor reads a slider of the scenario. The seed and whole-number
// parameters step by whole numbers, at least 1, and are written without an
// exponent: 1000000, which they accept, not 1e+06, which they refuse.
func sliderFor(sc *scenario.Scenario, s scenario.Slider) (sliderSpec, bool) {
	sp, ok := parseSlider(s)
	section, name, _ := strings.Cut(s.Param, ".")
	if ok && !sp.duration && (s.Param == "seed" || section == "params" && sc.Params[name].Kind == mech.Int) {
		sp.integral, sp.step = true, max(1, math.Round(sp.step))
	}
	return sp, ok
}

func parseSlider(s scenario.Slider) (sliderSpec, bool) {
	// Numbers first: "0" is also a valid Go duration.
	lo, err1 := strconv.ParseFloat(s.Min, 64)
	hi, err2 := strconv.ParseFloat(s.Max, 64)
	if err1 == nil && err2 == nil {
		sp := sliderSpec{min: lo, max: hi, step: (hi - lo) / 100}
		if st, err := strconv.ParseFloat(s.Step, 64); err == nil && st > 0 {
			sp.step = st
		}
		return sp, hi > lo
	}
	dlo, err1 := time.ParseDuration(s.Min)
	dhi, err2 := time.ParseDuration(s.Max)
	if err1 != nil || err2 != nil {
		return sliderSpec{}, false
	}
	sp := sliderSpec{min: ms(dlo), max: ms(dhi), duration: true}
	sp.step = (sp.max - sp.min) / 100
	if st, err := time.ParseDuration(s.Step); err == nil && st > 0 {
		sp.step = ms(st)
	}
	return sp, sp.max > sp.min
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// format writes a slider position as a scenario value.
func (sp sliderSpec) format(v float64) string {
	if sp.duration {
		return (time.Duration(v * float64(time.Millisecond))).Round(time.Microsecond).String()
	}
	if sp.integral {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64) // 1000000, not 1e+06
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// currentValue reads a slider's parameter from the scenario, as a number.
func currentValue(sc *scenario.Scenario, path string, sp sliderSpec) float64 {
	section, name, _ := strings.Cut(path, ".")
	switch {
	case section == "params":
		v := sc.Params[name]
		switch {
		case sp.duration:
			return ms(v.Dur)
		case v.Kind == mech.Int:
			return float64(v.Int)
		}
		return v.Float
	case path == "network.loss":
		return sc.Network.Loss
	case path == "network.duplicate":
		return sc.Network.Duplicate
	case path == "network.latency":
		return ms(sc.Network.Latency.Max)
	case path == "seed":
		return float64(sc.Seed)
	case path == "duration":
		return ms(sc.Duration)
	}
	return sp.min
}

func (p *player) renderSliders() app.UI {
	sc := p.sess.sc
	if len(sc.Sliders) == 0 {
		return nil
	}
	items := make([]app.UI, 0, len(sc.Sliders))
	for _, s := range sc.Sliders {
		sp, ok := sliderFor(sc, s)
		if !ok {
			items = append(items, app.P().Class("problem").Text(trf(p.Language, "slider %s: min and max must be two numbers or two durations", s.Param)))
			continue
		}
		path := s.Param
		v := currentValue(sc, path, sp)
		items = append(items, app.Label().Class("slider").Body(
			app.Span().Class("slider-name").Text(path),
			app.Input().Type("range").DataSet("slider", path).
				Attr("min", sp.min).Attr("max", sp.max).Attr("step", sp.step).Value(strconv.FormatFloat(v, 'g', -1, 64)).
				OnChange(func(ctx app.Context, e app.Event) {
					if x, err := strconv.ParseFloat(ctx.JSSrc().Get("value").String(), 64); err == nil {
						p.setParam(ctx, path, sp.format(x))
					}
				}, app.EventScope(fmt.Sprint(path, sp))), // another scenario's slider here gets its own handler
			app.Span().Class("slider-value").Text(sp.format(v)),
		))
	}
	return app.Div().Class("sliders").Body(items...)
}

// renderFaultMenu shows the faults that can be injected into the selected
// node or link, now.
func (p *player) renderFaultMenu() app.UI {
	var buttons []app.UI
	btn := func(kind, label string, f sim.Fault) app.UI {
		// The scope makes go-app replace the handler when the button comes
		// to stand for another fault (another node, another link).
		return app.Button().DataSet("fault", kind).Text(label).
			OnClick(func(ctx app.Context, e app.Event) { p.inject(ctx, f) }, app.EventScope(f.String()))
	}
	var what string
	switch {
	case p.selNode != "":
		n := p.selNode
		what = n
		buttons = append(buttons,
			btn("crash", tr(p.Language, "crash"), sim.Fault{Kind: sim.FaultCrash, Node: n}),
			btn("restart", tr(p.Language, "restart"), sim.Fault{Kind: sim.FaultRestart, Node: n}),
			btn("pause", tr(p.Language, "pause 3s"), sim.Fault{Kind: sim.FaultPause, Node: n, For: 3 * time.Second}),
			btn("resume", tr(p.Language, "resume"), sim.Fault{Kind: sim.FaultResume, Node: n}),
			btn("isolate", tr(p.Language, "isolate"), sim.Fault{Kind: sim.FaultIsolate, Node: n}),
			btn("clock-forward", tr(p.Language, "clock +5s"), sim.Fault{Kind: sim.FaultClockJump, Node: n, Jump: 5 * time.Second}),
			btn("clock-back", tr(p.Language, "clock −5s"), sim.Fault{Kind: sim.FaultClockJump, Node: n, Jump: -5 * time.Second}),
		)
	case p.selLink != [2]string{}:
		a, b := p.selLink[0], p.selLink[1]
		what = a + " — " + b
		buttons = append(buttons,
			btn("partition", trf(p.Language, "partition %s | %s", a, b), sim.Fault{Kind: sim.FaultPartition, Groups: [][]string{{a}, {b}}}),
			btn("cut", trf(p.Language, "cut %s → %s", a, b), sim.Fault{Kind: sim.FaultCut, From: a, To: b}),
			btn("cut-back", trf(p.Language, "cut %s → %s", b, a), sim.Fault{Kind: sim.FaultCut, From: b, To: a}),
		)
	default:
		return app.P().Class("hint").Text(tr(p.Language, "Click a node or a link to inject a fault at this moment; it is recorded into the scenario."))
	}
	buttons = append(buttons,
		btn("heal", tr(p.Language, "heal all"), sim.Fault{Kind: sim.FaultHeal}),
		app.Button().Class("secondary").Text(tr(p.Language, "close")).OnClick(func(ctx app.Context, e app.Event) { p.selNode, p.selLink = "", [2]string{} }),
	)
	return app.Div().Class("fault-menu").Body(
		app.Span().Text(trf(p.Language, "Inject into %s at %s: ", what, fmtTime(p.sess.now().Truncate(time.Millisecond)))),
		app.Div().Body(buttons...),
	)
}

func (p *player) renderExport() app.UI {
	return app.Div().Class("export").Body(
		app.Button().DataSet("action", "export").Text(tr(p.Language, "Export YAML")).OnClick(func(ctx app.Context, e app.Event) {
			p.exported = string(p.sess.sc.YAML())
		}),
		app.A().DataSet("action", "share").Href(p.shareLink()).Text(tr(p.Language, "Share link")).Title(tr(p.Language, "opens this scenario, with your faults and slider values, in the playground")),
		app.Button().DataSet("action", "save").Text(tr(p.Language, "Save")).Title(tr(p.Language, "keep this scenario in this browser")).OnClick(func(ctx app.Context, e app.Event) {
			sc := store.SavedScenario{Name: p.sess.sc.Name, YAML: string(p.sess.sc.YAML())}
			already := false
			withStore(ctx, func(c context.Context, s *store.Store) error {
				saved, err := s.Scenarios(c)
				if err != nil {
					return err
				}
				// Another scenario saved under this name is kept.
				if sc.Name, already = saveName(saved, sc); already {
					return nil
				}
				return s.SaveScenario(c, sc)
			}, func(ctx app.Context) {
				if already {
					p.notice = trf(p.Language, "This scenario is already saved in this browser, as %s.", sc.Name)
					return
				}
				p.notice = trf(p.Language, "Saved %s in this browser (see the playground).", sc.Name)
			})
		}),
		app.If(p.exported != "", func() app.UI {
			return app.Pre().Class("yaml").DataSet("export", "yaml").Text(p.exported)
		}),
	)
}

// shareLink returns the share link of the current scenario, compressing it
// only when the scenario changed, not every frame.
func (p *player) shareLink() string {
	if p.shareOf != p.sess.sc {
		p.shareOf, p.shareHref = p.sess.sc, shareLink(p.sess.sc.YAML())
	}
	return p.shareHref
}
