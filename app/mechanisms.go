package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim/mech"
)

// mechanismsPage is /mechanisms: the catalog, read from the same registry
// as `coordlab mechanisms` and the scenario parser.
type mechanismsPage struct {
	app.Compo
	lang string
}

func newMechanismsPage() *mechanismsPage { return &mechanismsPage{} }

func (m *mechanismsPage) OnNav(ctx app.Context) {
	m.lang = getLang(ctx)
	ctx.Page().SetTitle("Mechanisms — coordlab")
}

func (m *mechanismsPage) Render() app.UI {
	names := mech.Names()
	return app.Div().Class("page mechanisms-page").Body(
		newNavbar().Language(m.lang).OnLanguage(func(ctx app.Context, lang string) { m.lang = lang }),
		app.Main().Body(
			app.H1().Text(tr(m.lang, "Mechanisms")),
			app.P().Class("hint").Text("Every mechanism of this build, with its node roles, parameters (as a scenario writes them), invariants and metrics."),
			app.Nav().Class("contents").Body(app.Range(names).Slice(func(i int) app.UI {
				return app.A().Href("#mech-" + names[i]).Text(names[i] + " ")
			})),
			app.Range(names).Slice(func(i int) app.UI {
				mm, _ := mech.Lookup(names[i])
				return renderMechanism(mm)
			}),
		),
		footer(m.lang),
	)
}

func renderMechanism(m *mech.Mechanism) app.UI {
	rows := make([]app.UI, 0, len(m.Params)+1)
	rows = append(rows, app.Tr().Body(app.Th().Text("parameter"), app.Th().Text("kind"), app.Th().Text("default"), app.Th().Text("meaning")))
	for _, p := range m.Params {
		rows = append(rows, app.Tr().Body(
			app.Td().Body(app.Code().Text(p.Name)),
			app.Td().Text(p.Expected()),
			app.Td().Body(app.Code().Text(p.Default)),
			app.Td().Text(p.Help),
		))
	}
	list := func(label string, xs []string) app.UI {
		if len(xs) == 0 {
			return nil
		}
		return app.P().Body(app.Strong().Text(label+": "), app.Text(strings.Join(xs, ", ")))
	}
	return app.Section().Class("mechanism").ID("mech-"+m.Name).DataSet("mechanism", m.Name).Body(
		app.H2().Body(app.Code().Text(m.Name), app.Text(" — "+m.Title)),
		app.P().Text(m.Summary),
		app.If(m.Roles != "", func() app.UI { return app.P().Body(app.Strong().Text("nodes: "), app.Text(m.Roles)) }),
		app.Table().Class("params").Body(rows...),
		list("invariants", m.Invariants),
		list("metrics", m.Metrics),
		list("symbolic names in faults", m.Symbols),
	)
}
