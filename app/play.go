package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/sim/mech"
	"coordlab/sim/scenario"
)

// playPage is /play: a scenario playground. The YAML is edited on the left
// with its problems listed by line and column as it is typed; the player
// runs the last version that parsed. /play#s=... opens a shared scenario.
type playPage struct {
	app.Compo

	lang     string
	yaml     string // the editor's text
	running  string // the YAML the player runs
	problems []*scenario.Error
	saved    []store.SavedScenario
	notice   string
}

func newPlayPage() *playPage { return &playPage{} }

// defaultScenario is what the playground opens with: the first lock
// mechanism in the catalog (any mechanism if there is none).
func defaultScenario() string {
	names := mech.Names()
	pick := ""
	for _, n := range []string{"setnx", "dblock", "redlock", "zklock"} {
		if _, ok := mech.Lookup(n); ok {
			pick = n
			break
		}
	}
	if pick == "" && len(names) > 0 {
		pick = names[0]
	}
	if pick == "" {
		return "name: playground\nmechanism: none\n"
	}
	return fmt.Sprintf("name: playground\ntitle: Try things here\nmechanism: %s\nseed: 1\nduration: 10s\n", pick)
}

func (p *playPage) OnNav(ctx app.Context) {
	p.lang = getLang(ctx)
	ctx.Page().SetTitle("Playground — coordlab")
	src := defaultScenario()
	if frag := fragmentValue(ctx.Page().URL().Fragment, "s"); frag != "" {
		if b, err := decodeShare(frag); err != nil {
			p.notice = err.Error()
		} else {
			src = string(b)
			p.notice = tr(p.lang, "Opened a shared scenario.")
		}
	}
	p.edit(src)
	p.loadSaved(ctx)
}

func (p *playPage) loadSaved(ctx app.Context) {
	var saved []store.SavedScenario
	withStore(ctx, func(c context.Context, s *store.Store) error {
		var err error
		saved, err = s.Scenarios(c)
		return err
	}, func(ctx app.Context) { p.saved = saved })
}

// edit takes new editor text: problems are listed at once, and the player
// switches to it only when it parses.
func (p *playPage) edit(src string) {
	p.yaml = src
	_, err := scenario.Parse("playground", []byte(src))
	p.problems = nil
	var list scenario.ErrorList
	switch {
	case err == nil:
		p.running = src
	case errors.As(err, &list):
		p.problems = list
	default:
		p.problems = []*scenario.Error{{File: "playground", Msg: err.Error()}}
	}
}

func (p *playPage) Render() app.UI {
	return app.Div().Class("page play-page").Body(
		newNavbar().Language(p.lang).OnLanguage(func(ctx app.Context, lang string) { p.lang = lang }), // stay: nothing typed is lost
		app.Main().Body(
			app.H1().Text(tr(p.lang, "Playground")),
			app.P().Class("hint").Text(tr(p.lang, "Edit the scenario; the player runs the last version without errors. Faults you click in the player are written into the YAML. Share link: the scenario travels in the link itself.")),
			app.If(p.notice != "", func() app.UI { return app.P().Class("notice").Text(p.notice) }),
			app.Div().Class("row play").Body(
				app.Div().Class("row-text").Body(
					app.Textarea().Class("yaml-editor").DataSet("editor", "scenario").Spellcheck(false).Rows(22).
						Text(p.yaml).OnInput(func(ctx app.Context, e app.Event) { p.edit(ctx.JSSrc().Get("value").String()) }),
					p.renderProblems(),
					p.renderSaved(),
				),
				app.Div().Class("row-block").Body(
					app.If(p.running != "", func() app.UI {
						return newPlayer().Src(p.running).Named("playground").Lang(p.lang).OnScenarioChange(func(ctx app.Context, y []byte) {
							p.yaml, p.running, p.problems = string(y), string(y), nil
						})
					}),
				),
			),
		),
		footer(p.lang),
	)
}

func (p *playPage) renderProblems() app.UI {
	if len(p.problems) == 0 {
		return app.P().Class("ok").DataSet("problems", "0").Text(tr(p.lang, "✓ no problems"))
	}
	lines := strings.Split(p.yaml, "\n")
	items := make([]app.UI, len(p.problems))
	for i, e := range p.problems {
		src := ""
		if e.Line > 0 && e.Line <= len(lines) {
			src = lines[e.Line-1]
		}
		items[i] = app.Li().DataSet("error-line", e.Line).Body(
			app.Span().Class("pos").Text(trf(p.lang, "line %d, column %d: ", e.Line, e.Col)),
			app.Text(e.Msg),
			app.If(src != "", func() app.UI { return app.Pre().Class("src").Text(src) }),
		)
	}
	return app.Ul().Class("problems").DataSet("problems", len(p.problems)).Body(items...)
}

func (p *playPage) renderSaved() app.UI {
	if len(p.saved) == 0 {
		return nil
	}
	return app.Div().Class("saved").Body(
		app.H4().Text(tr(p.lang, "Saved in this browser")),
		app.Ul().Body(app.Range(p.saved).Slice(func(i int) app.UI {
			s := p.saved[i]
			return app.Li().Body(
				app.Button().Class("link").Text(s.Name).OnClick(func(ctx app.Context, e app.Event) { p.edit(s.YAML) }),
				app.Button().Class("secondary").Text(tr(p.lang, "delete")).OnClick(func(ctx app.Context, e app.Event) {
					withStore(ctx, func(c context.Context, st *store.Store) error { return st.DeleteScenario(c, s.Name) },
						func(ctx app.Context) { p.loadSaved(ctx) })
				}),
			)
		})),
	)
}
