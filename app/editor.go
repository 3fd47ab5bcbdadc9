package app

import (
	"context"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/lessons"
)

// editorPage is /editor: write a lesson in markdown and see it rendered,
// with live players and quizzes, as it is typed. Lessons are kept in this
// browser; to publish one, copy it into a course folder's LANG/SLUG.md.
type editorPage struct {
	app.Compo

	lang     string
	path     string // "en/my-lesson"
	src      string
	preview  *lessons.Lesson
	problems []lessons.Problem
	authored []store.AuthoredLesson
	// opened is the path of the saved draft being edited, "" for a new
	// lesson: saving to another draft's path would replace it.
	opened string
	notice string
}

func newEditorPage() *editorPage { return &editorPage{} }

const editorTemplate = "---\ntitle: My lesson\norder: 100\nsummary: What this lesson shows.\n---\n\n## A claim\n\nWrite the claim, then show it.\n\n```quiz\nquestion: Is a lease a guarantee?\nchoices:\n  - yes\n  - no\nanswer: no\nexplain: A paused holder outlives its lease.\n```\n"

func (e *editorPage) OnNav(ctx app.Context) {
	e.lang = getLang(ctx)
	ctx.Page().SetTitle("Lesson editor — coordlab")
	e.path, e.opened = e.lang+"/my-lesson", ""
	e.edit(editorTemplate)
	want := ctx.Page().URL().Query().Get("path")
	e.load(ctx, want)
}

func (e *editorPage) load(ctx app.Context, want string) {
	var ls []store.AuthoredLesson
	withStore(ctx, func(c context.Context, s *store.Store) error {
		var err error
		ls, err = s.Lessons(c)
		return err
	}, func(ctx app.Context) {
		e.authored = ls
		for _, l := range ls {
			if l.Path == want {
				e.path, e.opened = l.Path, l.Path
				e.edit(l.Markdown)
				return
			}
		}
		if e.opened == "" && e.src == editorTemplate {
			// A new lesson: not under the path of a saved draft.
			e.path = freePath(ls, e.lang+"/my-lesson")
			e.edit(e.src)
		}
	})
}

func (e *editorPage) edit(src string) {
	e.src = src
	l, _ := lessons.Parse(e.path+".md", []byte(src))
	e.preview, e.problems = l, l.Problems
}

func (e *editorPage) save(ctx app.Context, ev app.Event) {
	l := store.AuthoredLesson{Path: e.path, Markdown: e.src}
	if e.wouldReplace() {
		e.notice = trf(e.lang, "Another draft is saved as %s: open it from the list, or give this lesson another path.", l.Path)
		return
	}
	withStore(ctx, func(c context.Context, s *store.Store) error { return s.SaveLesson(c, l) }, func(ctx app.Context) {
		e.opened = l.Path
		e.notice = trf(e.lang, "Saved %s in this browser.", l.Path)
		e.load(ctx, l.Path)
	})
}

// wouldReplace reports whether saving would replace another draft than
// the one opened, with other markdown.
func (e *editorPage) wouldReplace() bool {
	for _, a := range e.authored {
		if a.Path == e.path && a.Path != e.opened && a.Markdown != e.src {
			return true
		}
	}
	return false
}

func (e *editorPage) Render() app.UI {
	return app.Div().Class("page editor-page").Body(
		newNavbar().Language(e.lang).OnLanguage(func(ctx app.Context, lang string) { e.lang = lang }), // stay: nothing typed is lost
		app.Main().Body(
			app.H1().Text(tr(e.lang, "Editor")),
			app.Div().Class("editor-bar").Body(
				app.Label().Body(app.Text(tr(e.lang, "path ")), app.Input().Type("text").Value(e.path).DataSet("editor", "path").
					OnChange(func(ctx app.Context, ev app.Event) {
						if v := ctx.JSSrc().Get("value").String(); validPath(v) {
							e.path = v
							e.edit(e.src)
						} else {
							e.notice = tr(e.lang, "A lesson path is LANG/SLUG, such as en/my-lesson.")
						}
					})),
				app.Button().DataSet("action", "save-lesson").Text(tr(e.lang, "Save")).OnClick(e.save),
				app.Button().Text(tr(e.lang, "Download .md")).OnClick(func(ctx app.Context, ev app.Event) {
					download(slugOf(e.path)+".md", "text/markdown", []byte(e.src))
				}),
				app.Range(e.authored).Slice(func(i int) app.UI {
					a := e.authored[i]
					return app.Button().Class("link").Text(a.Path).OnClick(func(ctx app.Context, ev app.Event) {
						e.path, e.opened = a.Path, a.Path
						e.edit(a.Markdown)
					})
				}),
			),
			app.If(e.notice != "", func() app.UI { return app.P().Class("notice").Text(e.notice) }),
			app.Div().Class("row editor").Body(
				app.Div().Class("row-text").Body(
					app.Textarea().Class("md-editor").DataSet("editor", "markdown").Spellcheck(false).Rows(30).Text(e.src).
						OnInput(func(ctx app.Context, ev app.Event) { e.edit(ctx.JSSrc().Get("value").String()) }),
					app.If(len(e.problems) > 0, func() app.UI {
						return app.Ul().Class("problems").Body(app.Range(e.problems).Slice(func(i int) app.UI {
							return app.Li().Text(e.problems[i].String())
						}))
					}),
				),
				app.Div().Class("row-block preview").Body(e.renderPreview()),
			),
		),
		footer(e.lang),
	)
}

func (e *editorPage) renderPreview() app.UI {
	l := e.preview
	if l == nil {
		return nil
	}
	var parts []app.UI
	parts = append(parts, app.H1().Text(l.Title))
	quiz := 0
	for _, p := range l.Parts {
		switch {
		case p.Block == nil:
			parts = append(parts, app.Raw(p.HTML))
		case p.Block.Kind == lessons.KindScenario:
			parts = append(parts, newPlayer().Src(p.Block.Source).Named(fmt.Sprintf("%s.md:%d", e.path, p.Block.Line)).Lang(e.lang))
		case p.Block.Quiz != nil:
			parts = append(parts, newQuiz().Of(p.Block.Quiz).Number(quiz).Lang(e.lang))
			quiz++
		}
	}
	return app.Article().Class("lesson").Body(parts...)
}

func validPath(p string) bool {
	lang, slug, ok := cut(p, '/')
	return ok && validSegment(lang) && validSegment(slug)
}

func slugOf(p string) string {
	_, slug, _ := cut(p, '/')
	return slug
}
