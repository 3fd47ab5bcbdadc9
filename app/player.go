package app

import (
	"context"
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/sim"
	"coordlab/sim/scenario"
)

// speeds are the playback speeds offered, in virtual time per wall time.
// Messages take milliseconds, so a speed well below 1 is what lets a student
// watch them travel.
var speeds = []float64{0.001, 0.01, 0.1, 1, 10}

const defaultSpeed = 0.01

// maxFlights bounds the messages drawn in flight, and maxArrows those drawn
// in the space-time diagram, so that a busy scenario cannot slow the tab.
const (
	maxFlights = 400
	maxArrows  = 600
)

// player is a live scenario player: controls, cluster view, space-time
// diagram, mechanism panel, metrics and violations over one session.
//
// Its root carries the stable test hooks: data-scenario with the scenario's
// name, a run-to-end button, and data-trace-hash once the run has ended.
type player struct {
	app.Compo

	// Source is the scenario YAML; File names it in errors.
	Source string
	File   string
	// Lesson is the lesson path ("en/locks") whose progress a finished run
	// counts towards; "" outside lessons.
	Lesson string
	// Language is the language of the player's labels ("en" or "zh").
	Language string
	// OnChange hears the scenario after a fault click or a slider, as YAML.
	OnChange func(ctx app.Context, yaml []byte)

	loaded  string // the Source the session was built from
	sc      *scenario.Scenario
	problem string // why Source does not parse or start
	sess    *session
	fl      flights
	inAir   []flight

	playing bool
	speed   float64
	lastTS  float64 // the previous animation frame's timestamp, ms
	frame   app.Func
	raf     int         // the animation frame asked for last, cancelled on dismount
	ctx     app.Context // the player's own, for children's events
	mounted bool
	// version counts redraws of the slow views (space-time diagram,
	// violations, metrics, mechanism state); while playing they are
	// redrawn a few times a second, the cluster view every frame.
	version  int
	lastSlow float64

	selNode   string
	selLink   [2]string
	exported  string // YAML shown after "export"
	shareOf   *scenario.Scenario
	shareHref string
	notice    string // one line about the last action
	played    bool   // progress already recorded for this run
}

// newPlayer returns a player for a scenario's YAML.
func newPlayer() *player { return &player{speed: defaultSpeed} }

// Src sets the scenario YAML.
func (p *player) Src(yaml string) *player { p.Source = yaml; return p }

// Named sets the file name used in error messages.
func (p *player) Named(file string) *player { p.File = file; return p }

// InLesson sets the lesson whose progress the player records.
func (p *player) InLesson(path string) *player { p.Lesson = path; return p }

// Lang sets the language of the player's labels.
func (p *player) Lang(lang string) *player { p.Language = lang; return p }

// OnScenarioChange sets the callback for changes made in the player.
func (p *player) OnScenarioChange(h func(ctx app.Context, yaml []byte)) *player {
	p.OnChange = h
	return p
}

func (p *player) OnInit() {
	if p.speed == 0 {
		p.speed = defaultSpeed
	}
	p.load()
}

func (p *player) OnUpdate(ctx app.Context) { p.load() }

func (p *player) OnMount(ctx app.Context) {
	p.ctx, p.mounted = ctx, true
	if app.IsClient {
		p.frame = app.FuncOf(func(this app.Value, args []app.Value) any {
			ts := args[0].Float()
			ctx.Dispatch(func(ctx app.Context) { p.onFrame(ctx, ts) })
			return nil
		})
	}
}

func (p *player) OnDismount() {
	p.playing, p.mounted = false, false
	if p.frame != nil {
		// The frame asked for last would call the released function.
		app.Window().Call("cancelAnimationFrame", p.raf)
		p.frame.Release()
		p.frame = nil
	}
}

// load parses Source when it changed and starts a fresh session.
func (p *player) load() {
	if p.Source == p.loaded && (p.sess != nil || p.problem != "") {
		return
	}
	p.loaded, p.problem, p.sess, p.sc, p.exported, p.playing, p.played = p.Source, "", nil, nil, "", false, false
	p.fl = flights{}
	p.selNode, p.selLink, p.notice = "", [2]string{}, ""
	file := p.File
	if file == "" {
		file = "scenario"
	}
	sc, err := scenario.Parse(file, []byte(p.Source))
	if err != nil {
		p.problem = err.Error()
		return
	}
	p.sc = sc
	p.sess = newSession(sc)
	if p.sess.err != nil {
		p.problem = p.sess.err.Error()
	}
	p.refresh()
}

// refresh recomputes what is drawn after the session moved; the slow
// views follow at once unless the player is playing.
func (p *player) refresh() {
	if w := p.sess.world(); w != nil {
		p.inAir = p.fl.update(p.sess.trace(), w.Now(), maxFlights)
	}
	if !p.playing {
		p.version++
	}
}

// slowEvery is how often the slow views are redrawn while playing, in ms.
const slowEvery = 200

func (p *player) play(ctx app.Context) {
	if p.sess == nil || p.sess.done() || p.frame == nil {
		return
	}
	p.playing, p.lastTS = true, 0
	p.raf = app.Window().Call("requestAnimationFrame", p.frame).Int()
}

// onFrame advances virtual time by the wall time since the last frame
// times the speed, and asks for the next frame while playing.
func (p *player) onFrame(ctx app.Context, ts float64) {
	// A pause and a play within one frame leave two loops asking for
	// frames: the second call for the same frame ends the second loop.
	if !p.playing || p.sess == nil || ts == p.lastTS {
		return
	}
	if p.lastTS > 0 {
		dt := time.Duration((ts - p.lastTS) * p.speed * float64(time.Millisecond))
		p.sess.seek(p.sess.now() + max(dt, 1))
		p.refresh()
	}
	p.lastTS = ts
	if ts-p.lastSlow >= slowEvery {
		p.version, p.lastSlow = p.version+1, ts
	}
	if p.sess.done() {
		p.playing = false
		p.version++
		p.ended(ctx)
		return
	}
	p.raf = app.Window().Call("requestAnimationFrame", p.frame).Int()
}

func (p *player) pause() { p.playing = false; p.version++ }

// dispatch runs f on the player's own context, so that an event in a child
// view updates the whole player.
func (p *player) dispatch(f func(ctx app.Context)) {
	if p.mounted {
		p.ctx.Dispatch(f)
	}
}

func (p *player) step(ctx app.Context) {
	p.playing = false
	p.sess.step()
	p.refresh()
	p.ended(ctx)
}

func (p *player) runToEnd(ctx app.Context) {
	p.playing = false
	p.sess.runToEnd()
	p.refresh()
	p.ended(ctx)
}

func (p *player) seek(ctx app.Context, t sim.Time) {
	p.sess.seek(t)
	p.refresh()
	p.ended(ctx)
}

// ended records progress the first time the run reaches its end.
func (p *player) ended(ctx app.Context) {
	if p.sess == nil || p.sess.result == nil || p.played || p.Lesson == "" {
		return
	}
	p.played = true
	lesson, name := p.Lesson, p.sc.Name
	withStore(ctx, func(c context.Context, s *store.Store) error {
		_, err := s.Update(c, lesson, func(pr *store.Progress) {
			pr.Visited = true
			pr.Played = append(pr.Played, name)
		})
		return err
	}, nil)
}

// changed tells the parent about a change the student made to the scenario.
func (p *player) changed(ctx app.Context) {
	p.sc = p.sess.sc
	p.exported = ""
	p.played = false
	if p.OnChange != nil {
		y := p.sess.sc.YAML()
		// The parent will hand the same YAML back as Source: do not reload.
		p.loaded = string(y)
		p.Source = p.loaded
		p.OnChange(ctx, y)
	}
}

func (p *player) inject(ctx app.Context, f sim.Fault) {
	if err := p.sess.inject(f); err != nil {
		p.notice = err.Error()
		return
	}
	p.notice = trf(p.Language, "At %v: %s. The fault is now part of the scenario.", p.sess.now().Truncate(time.Millisecond), f.String())
	p.selNode, p.selLink = "", [2]string{}
	p.fl = flights{} // the messages in flight are the new run's
	p.refresh()
	p.changed(ctx)
}

func (p *player) setParam(ctx app.Context, path, value string) {
	if err := p.sess.set(path, value); err != nil {
		p.notice = err.Error()
		return
	}
	p.notice = ""
	p.fl = flights{} // the messages in flight are the new run's
	p.forgetGone()
	p.refresh()
	p.changed(ctx)
}

// forgetGone drops the selected node or link when the run no longer has it
// (a slider took the node count down).
func (p *player) forgetGone() {
	names := p.sess.world().NodeNames()
	if !slices.Contains(names, p.selNode) {
		p.selNode = ""
	}
	if !slices.Contains(names, p.selLink[0]) || !slices.Contains(names, p.selLink[1]) {
		p.selLink = [2]string{}
	}
}

func (p *player) Render() app.UI {
	if p.sess == nil && p.problem == "" {
		p.load() // rendered before OnInit, as server-side rendering may
	}
	root := app.Div().Class("player")
	if p.sc != nil {
		root = root.DataSet("scenario", p.sc.Name)
	}
	if p.problem != "" {
		return root.Body(app.Pre().Class("problem").Text(p.problem))
	}
	if p.sess.result != nil {
		root = root.DataSet("trace-hash", p.sess.result.TraceHash)
	}
	return root.Body(
		app.Div().Class("player-head").Body(
			app.Strong().Text(p.sc.Name),
			app.If(p.sc.Title != "", func() app.UI { return app.Span().Class("title").Text(" — " + p.sc.Title) }),
			app.Span().Class("mech").Text(trf(p.Language, " · %s · seed %d", p.sc.Mechanism, p.sc.Seed)),
		),
		p.renderControls(),
		app.If(p.sess.err != nil, func() app.UI {
			// The run stopped (a limit, most likely): what it did until then
			// stays on screen, with why it went no further.
			return app.P().Class("problem").DataSet("problem", "run").Text(p.sess.err.Error())
		}),
		p.renderSliders(),
		app.Div().Class("player-views").Body(
			p.renderCluster(),
			newSlowView(p, viewSpaceTime),
		),
		p.renderFaultMenu(),
		app.If(p.notice != "", func() app.UI { return app.P().Class("notice").Text(p.notice) }),
		newSlowView(p, viewData),
		newSlowView(p, viewState),
		p.renderExport(),
	)
}
