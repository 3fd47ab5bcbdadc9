package app

import (
	"context"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/lessons"
)

// home is the course map: the lessons of the student's language in order,
// each with its progress, and the student's data (export, import).
type home struct {
	app.Compo

	lang     string
	course   *lessons.Course
	progress map[string]store.Progress
	authored []store.AuthoredLesson
	problem  string
	notice   string
}

func newHome() *home { return &home{} }

func (h *home) OnNav(ctx app.Context) {
	h.lang = getLang(ctx)
	if l := ctx.Page().URL().Query().Get("lang"); validSegment(l) {
		h.lang = l
		setLang(ctx, l)
	}
	ctx.Page().SetTitle("coordlab — course")
	h.loadCourse(ctx)
	h.loadProgress(ctx)
}

// loadCourse fetches the lesson index, saying why when it cannot.
func (h *home) loadCourse(ctx app.Context) {
	h.problem = ""
	ctx.Async(func() {
		c, err := loadCourse()
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				if err != errServerSide {
					h.problem = trf(h.lang, "The course could not be loaded: %s", err)
				}
				return
			}
			h.course = c
			if c.Language(h.lang) == nil && len(c.Languages) > 0 {
				h.lang = c.Languages[0].Code
			}
		})
	})
}

func (h *home) retry(ctx app.Context, e app.Event) { h.loadCourse(ctx) }

func (h *home) loadProgress(ctx app.Context) {
	var ps []store.Progress
	var ls []store.AuthoredLesson
	withStore(ctx, func(c context.Context, s *store.Store) error {
		var err error
		if ps, err = s.AllProgress(c); err != nil {
			return err
		}
		ls, err = s.Lessons(c)
		return err
	}, func(ctx app.Context) {
		h.progress = map[string]store.Progress{}
		for _, p := range ps {
			h.progress[p.Lesson] = p
		}
		h.authored = ls
	})
}

func (h *home) Render() app.UI {
	return app.Div().Class("page home").Body(
		newNavbar().Language(h.lang).OnLanguage(func(ctx app.Context, lang string) { h.lang = lang }),
		app.Main().Body(
			app.H1().Text("coordlab"),
			app.P().Class("lead").Text(tr(h.lang, "An interactive lab for distributed consistency and coordination: every mechanism runs as a deterministic simulation beside the lesson that explains it. Break it with faults, watch the invariants fail, then fix it.")),
			app.If(h.problem != "", func() app.UI {
				return app.P().Class("problem").Body(
					app.Text(h.problem+" "),
					app.Button().DataSet("action", "retry").Text(tr(h.lang, "Retry")).OnClick(h.retry),
				)
			}),
			app.If(h.course == nil && h.problem == "", func() app.UI { return app.P().Class("hint").Text(tr(h.lang, "Loading…")) }),
			h.renderLessons(),
			h.renderAuthored(),
			h.renderData(),
		),
		footer(h.lang),
	)
}

func (h *home) renderLessons() app.UI {
	if h.course == nil {
		return nil
	}
	l := h.course.Language(h.lang)
	if l == nil {
		return app.P().Class("problem").Text(trf(h.lang, "This course has no lessons in %s.", h.lang))
	}
	items := make([]app.UI, len(l.Lessons))
	for i, e := range l.Lessons {
		p := h.progress[e.Lang+"/"+e.Slug]
		state := "new"
		switch {
		case p.Completed:
			state = "completed"
		case p.Visited || len(p.Played) > 0:
			state = "visited"
		}
		items[i] = app.Li().Class("lesson-card", state).DataSet("lesson", e.Lang+"/"+e.Slug).DataSet("progress", state).Body(
			app.A().Href("/lesson/"+e.Lang+"/"+e.Slug).Body(
				app.Span().Class("order").Text(fmt.Sprintf("%d", e.Order)),
				app.Span().Class("lesson-title").Text(e.Title),
			),
			app.If(e.Summary != "", func() app.UI { return app.P().Text(e.Summary) }),
			app.Div().Class("badges").Body(
				app.If(state != "new", func() app.UI { return app.Span().Class("badge", state).Text(tr(h.lang, state)) }),
				app.If(len(p.Played) > 0, func() app.UI {
					return app.Span().Class("badge").Text(fmt.Sprintf("%s %d", tr(h.lang, "played"), len(p.Played)))
				}),
				app.Range(e.Tags).Slice(func(j int) app.UI { return app.Span().Class("tag").Text(e.Tags[j]) }),
			),
		)
	}
	return app.Ol().Class("course-map").Body(items...)
}

func (h *home) renderAuthored() app.UI {
	if len(h.authored) == 0 {
		return nil
	}
	return app.Section().Body(
		app.H2().Text(tr(h.lang, "Your lessons")),
		app.Ul().Body(app.Range(h.authored).Slice(func(i int) app.UI {
			a := h.authored[i]
			return app.Li().Body(app.A().Href("/editor?path=" + a.Path).Text(a.Path))
		})),
	)
}

func (h *home) renderData() app.UI {
	return app.Section().Class("your-data").Body(
		app.H2().Text(tr(h.lang, "Your data")),
		app.P().Class("hint").Text(tr(h.lang, "Progress, quiz answers, saved scenarios and your lessons stay in this browser (IndexedDB). Move them to another browser as one JSON file.")),
		app.Button().DataSet("action", "export-data").Text(tr(h.lang, "Export")).OnClick(h.exportData),
		app.Label().Class("import").Body(
			app.Text(tr(h.lang, "Import")+" "),
			app.Input().Type("file").Accept("application/json,.json").DataSet("action", "import-data").OnChange(h.importData),
		),
		app.If(h.notice != "", func() app.UI { return app.P().Class("notice").Text(h.notice) }),
	)
}

func (h *home) exportData(ctx app.Context, e app.Event) {
	var data []byte
	withStore(ctx, func(c context.Context, s *store.Store) error {
		var err error
		data, err = s.Export(c)
		return err
	}, func(ctx app.Context) { download("coordlab-data.json", "application/json", data) })
}

func (h *home) importData(ctx app.Context, e app.Event) {
	files := ctx.JSSrc().Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	readFile(files.Index(0), func(text string) {
		ctx.Dispatch(func(ctx app.Context) {
			var n int
			withStore(ctx, func(c context.Context, s *store.Store) error {
				var err error
				n, err = s.Import(c, []byte(text))
				return err
			}, func(ctx app.Context) {
				h.notice = trf(h.lang, "Imported %d records.", n)
				h.loadProgress(ctx)
			})
		})
	})
}
