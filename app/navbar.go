package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/lessons"
)

// navbar is the top of every page: the lab's name, the pages, the language
// switch and any storage failure to report. Mounting it is what marks the
// document ready for tests (<html data-coordlab="ready">).
type navbar struct {
	app.Compo

	// Lang is the course language of the page.
	Lang string
	// OnLang, when set, handles a language switch instead of the default
	// (remember the language and go to the course map).
	OnLang func(ctx app.Context, lang string)

	langs    []lessons.Language
	storeErr string
}

func newNavbar() *navbar { return &navbar{} }

// Language sets the page's course language.
func (n *navbar) Language(lang string) *navbar { n.Lang = lang; return n }

// OnLanguage sets the language switch handler.
func (n *navbar) OnLanguage(h func(ctx app.Context, lang string)) *navbar { n.OnLang = h; return n }

func (n *navbar) OnMount(ctx app.Context) {
	ctx.ObserveState(stateStoreError, &n.storeErr)
	if app.IsClient {
		app.Window().Get("document").Get("documentElement").Call("setAttribute", "data-coordlab", "ready")
		mark("coordlab:ready")
	}
	ctx.Async(func() {
		c, err := loadCourse()
		if err != nil {
			return // the page itself reports a missing course
		}
		ctx.Dispatch(func(ctx app.Context) { n.langs = c.Languages })
	})
}

func (n *navbar) switchLang(ctx app.Context, lang string) {
	setLang(ctx, lang)
	if n.OnLang != nil {
		n.OnLang(ctx, lang)
		return
	}
	ctx.Navigate("/")
}

func (n *navbar) Render() app.UI {
	lang := n.Lang
	return app.Header().Class("navbar").Body(
		app.A().Class("brand").Href("/").Text("coordlab"),
		app.Nav().Body(
			app.A().Href("/").Text(tr(lang, "Course")),
			app.A().Href("/play").Text(tr(lang, "Playground")),
			app.A().Href("/cap").Text("CAP"),
			app.A().Href("/editor").Text(tr(lang, "Editor")),
			app.A().Href("/mechanisms").Text(tr(lang, "Mechanisms")),
		),
		app.If(len(n.langs) > 1, func() app.UI {
			return app.Select().Class("lang").DataSet("control", "language").Title(tr(lang, "Language")).
				OnChange(func(ctx app.Context, e app.Event) { n.switchLang(ctx, ctx.JSSrc().Get("value").String()) }).
				Body(app.Range(n.langs).Slice(func(i int) app.UI {
					l := n.langs[i]
					return app.Option().Value(l.Code).Selected(l.Code == lang).Text(l.Name)
				}))
		}),
		app.If(n.storeErr != "", func() app.UI {
			return app.Div().Class("store-error").Attr("role", "alert").DataSet("store-error", "shown").Body(
				app.Span().Text(n.storeErr),
				app.Button().Text("×").Title("dismiss").OnClick(func(ctx app.Context, e app.Event) { n.storeErr = "" }),
			)
		}),
	)
}

// getLang returns the student's course language (remembered in local
// storage), "en" by default.
func getLang(ctx app.Context) string {
	var lang string
	if err := ctx.LocalStorage().Get("lang", &lang); err != nil || !validSegment(lang) {
		return "en"
	}
	return lang
}

func setLang(ctx app.Context, lang string) {
	if validSegment(lang) {
		ctx.LocalStorage().Set("lang", lang)
	}
}

// validSegment reports whether s can be a language code or slug in a path.
func validSegment(s string) bool {
	return s != "" && len(s) <= 64 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// footer is the bottom of every page.
func footer(lang string) app.UI {
	return app.Footer().Class("footer").Body(
		app.Text(tr(lang, "coordlab — every run is a deterministic simulation; the same seed gives the same trace, here and in the CLI.")),
	)
}
