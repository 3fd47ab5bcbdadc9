package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/lessons"
)

// lessonPage is /lesson/{lang}/{slug}: the lesson's text with its live
// players and quizzes beside it, its contents, and the way to the previous
// and next lessons.
type lessonPage struct {
	app.Compo

	lang, slug string
	lesson     *lessons.Lesson
	course     *lessons.Course
	progress   store.Progress
	answers    map[int]store.Answer
	problem    string
}

func newLessonPage() *lessonPage { return &lessonPage{} }

// parseLessonPath splits /lesson/{lang}/{slug}.
func parseLessonPath(p string) (lang, slug string, ok bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) != 3 || parts[0] != "lesson" || !validSegment(parts[1]) || !validSegment(parts[2]) {
		return "", "", false
	}
	return parts[1], parts[2], true
}

func (l *lessonPage) OnNav(ctx app.Context) {
	lang, slug, ok := parseLessonPath(ctx.Page().URL().Path)
	if !ok {
		l.slug, l.lesson, l.problem = "", nil, tr(getLang(ctx), "No such lesson.")
		return
	}
	if lang == l.lang && slug == l.slug && l.lesson != nil {
		return // a link to a heading of the lesson shown, or back from one
	}
	l.lang, l.slug, l.lesson = lang, slug, nil
	l.progress, l.answers = store.Progress{}, nil
	setLang(ctx, lang)
	l.load(ctx)
}

// load fetches the lesson of the page and shows it, unless the student
// has gone on to another lesson by then.
func (l *lessonPage) load(ctx app.Context) {
	lang, slug := l.lang, l.slug
	l.problem = ""
	ctx.Async(func() {
		go loadCourse() // side by side with the lesson
		les, err := loadLesson(lang, slug)
		c, cerr := loadCourse()
		mark("coordlab:lesson")
		ctx.Dispatch(func(ctx app.Context) {
			if l.lang != lang || l.slug != slug {
				return
			}
			if err != nil {
				if err != errServerSide {
					l.problem = trf(l.lang, "This lesson could not be loaded: %s", err)
				}
				return
			}
			if cerr == nil {
				l.course = c
			}
			l.lesson = les
			ctx.Page().SetTitle(les.Title + " — coordlab")
			l.visited(ctx)
		})
	})
}

func (l *lessonPage) retry(ctx app.Context, e app.Event) { l.load(ctx) }

func (l *lessonPage) key() string { return l.lang + "/" + l.slug }

// visited records the visit and loads the progress and quiz answers.
func (l *lessonPage) visited(ctx app.Context) {
	key := l.key()
	var p store.Progress
	var as []store.Answer
	withStore(ctx, func(c context.Context, s *store.Store) error {
		var err error
		if p, err = s.Update(c, key, func(p *store.Progress) { p.Visited = true }); err != nil {
			return err
		}
		as, err = s.Answers(c, key)
		return err
	}, func(ctx app.Context) {
		if l.key() != key {
			return // the student has gone on to another lesson
		}
		l.progress = p
		l.answers = map[int]store.Answer{}
		for _, a := range as {
			l.answers[a.Quiz] = a
		}
	})
}

func (l *lessonPage) complete(ctx app.Context, e app.Event) {
	key := l.key()
	var p store.Progress
	withStore(ctx, func(c context.Context, s *store.Store) error {
		var err error
		p, err = s.Update(c, key, func(p *store.Progress) { p.Completed = true })
		return err
	}, func(ctx app.Context) {
		if l.key() == key {
			l.progress = p
		}
	})
}

func (l *lessonPage) Render() app.UI {
	return app.Div().Class("page lesson-page").Body(
		newNavbar().Language(l.lang).OnLanguage(func(ctx app.Context, lang string) { ctx.Navigate(l.langTarget(lang)) }),
		app.Main().Body(
			app.If(l.problem != "", func() app.UI {
				return app.P().Class("problem").Body(
					app.Text(l.problem+" "),
					app.If(l.slug != "", func() app.UI {
						return app.Button().DataSet("action", "retry").Text(tr(l.lang, "Retry")).OnClick(l.retry)
					}),
				)
			}),
			app.If(l.lesson == nil && l.problem == "", func() app.UI { return app.P().Class("hint").Text(tr(l.lang, "Loading…")) }),
			l.renderLesson(),
		),
		footer(l.lang),
	)
}

// langTarget is where the language switch takes the student: the same
// lesson in the other language when the course has it, else the course map,
// which shows the language the navbar has remembered.
func (l *lessonPage) langTarget(lang string) string {
	if l.slug == "" || l.course != nil && l.course.Lesson(lang, l.slug) == nil {
		return "/"
	}
	return "/lesson/" + lang + "/" + l.slug
}

func (l *lessonPage) renderLesson() app.UI {
	les := l.lesson
	if les == nil {
		return nil
	}
	return app.Article().Class("lesson").DataSet("lesson", l.key()).Body(
		app.H1().Text(les.Title),
		app.If(les.Summary != "", func() app.UI { return app.P().Class("lead").Text(les.Summary) }),
		l.renderContents(),
		app.Div().Class("lesson-body").Body(l.renderParts()...),
		l.renderFooter(),
	)
}

func (l *lessonPage) renderContents() app.UI {
	hs := l.lesson.Headings
	if len(hs) < 3 {
		return nil
	}
	return app.Nav().Class("contents").Body(
		app.Strong().Text(tr(l.lang, "Contents")),
		app.Ul().Body(app.Range(hs).Slice(func(i int) app.UI {
			return app.Li().Class(fmt.Sprintf("h%d", hs[i].Level)).Body(app.A().Href("#" + hs[i].ID).Text(hs[i].Text))
		})),
	)
}

// renderParts lays the lesson out in rows: a stretch of text with the
// player or quiz that follows it beside it, so the student reads the claim
// next to the run that shows it.
func (l *lessonPage) renderParts() []app.UI {
	var rows []app.UI
	var text []app.UI
	// A quiz is numbered among all the lesson's quizzes, those that do not
	// parse included: mending a broken quiz must not move the answers
	// saved for the quizzes after it.
	quizNo := map[*lessons.Block]int{}
	for _, b := range l.lesson.Blocks {
		if b.Kind == lessons.KindQuiz {
			quizNo[b] = len(quizNo)
		}
	}
	flush := func(block app.UI) {
		if block == nil {
			rows = append(rows, app.Div().Class("row text-only").Body(text...))
		} else {
			rows = append(rows, app.Div().Class("row").Body(
				app.Div().Class("row-text").Body(text...),
				app.Div().Class("row-block").Body(block),
			))
		}
		text = nil
	}
	for _, part := range l.lesson.Parts {
		switch {
		case part.Block == nil:
			text = append(text, app.Raw(part.HTML))
		case part.Block.Kind == lessons.KindScenario:
			b := part.Block
			flush(newPlayer().Src(b.Source).Named(fmt.Sprintf("%s.md:%d", l.key(), b.Line)).InLesson(l.key()).Lang(l.lang))
		case part.Block.Kind == lessons.KindQuiz && part.Block.Quiz != nil:
			n := quizNo[part.Block]
			a, answered := l.answers[n]
			q := newQuiz().Of(part.Block.Quiz).Number(n).InLesson(l.key()).Lang(l.lang)
			if answered {
				q = q.Answered(a.Choice)
			}
			flush(q)
		}
	}
	if len(text) > 0 {
		flush(nil)
	}
	return rows
}

func (l *lessonPage) renderFooter() app.UI {
	var prev, next *lessons.Entry
	if l.course != nil {
		prev, next = l.course.Neighbours(l.lang, l.slug)
	}
	return app.Div().Class("lesson-footer").Body(
		app.If(prev != nil, func() app.UI {
			return app.A().Class("prev").Href("/lesson/" + prev.Lang + "/" + prev.Slug).Text("← " + prev.Title)
		}),
		app.If(l.progress.Completed, func() app.UI {
			return app.Span().Class("badge completed").DataSet("progress", "completed").Text(tr(l.lang, "completed"))
		}).Else(func() app.UI {
			return app.Button().DataSet("action", "complete").Text(tr(l.lang, "Mark as completed")).OnClick(l.complete)
		}),
		app.If(next != nil, func() app.UI {
			return app.A().Class("next").Href("/lesson/" + next.Lang + "/" + next.Slug).Text(next.Title + " →")
		}),
	)
}
