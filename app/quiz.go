package app

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/lessons"
)

// quiz is a ```quiz block: a question, its choices, and after an answer
// whether it was right and why. The answer is kept in the store.
type quiz struct {
	app.Compo

	Q      *lessons.Quiz
	N      int    // the quiz's number in its lesson
	Lesson string // lesson path
	L      string // language for labels
	// Given is the stored answer, -1 when none.
	Given int

	chosen int // -1 until the student picks
}

func newQuiz() *quiz { return &quiz{Given: -1, chosen: -1} }

// Of sets the quiz.
func (q *quiz) Of(x *lessons.Quiz) *quiz { q.Q = x; return q }

// Number sets the quiz's number in its lesson.
func (q *quiz) Number(n int) *quiz { q.N = n; return q }

// InLesson sets the lesson path the answer is stored under.
func (q *quiz) InLesson(path string) *quiz { q.Lesson = path; return q }

// Lang sets the language of the labels.
func (q *quiz) Lang(lang string) *quiz { q.L = lang; return q }

// Answered sets the answer given before.
func (q *quiz) Answered(choice int) *quiz { q.Given = choice; return q }

func (q *quiz) OnInit()                  { q.chosen = q.Given }
func (q *quiz) OnUpdate(ctx app.Context) { q.chosen = q.Given }

func (q *quiz) choose(ctx app.Context, i int) {
	q.chosen = i
	a := store.Answer{Lesson: q.Lesson, Quiz: q.N, Choice: i, Correct: i == q.Q.Answer}
	if q.Lesson != "" {
		withStore(ctx, func(c context.Context, s *store.Store) error { return s.SaveAnswer(c, a) }, nil)
	}
}

func (q *quiz) Render() app.UI {
	if q.Q == nil {
		return app.Div()
	}
	answered := q.chosen >= 0 && q.chosen < len(q.Q.Choices)
	choices := make([]app.UI, len(q.Q.Choices))
	for i := range q.Q.Choices {
		i := i
		cls := "choice"
		if answered && i == q.chosen {
			cls += " chosen"
		}
		if answered && i == q.Q.Answer {
			cls += " right"
		}
		var label app.UI = app.Span().Text(q.Q.Choices[i])
		if i < len(q.Q.ChoicesHTML) {
			label = app.Raw(q.Q.ChoicesHTML[i])
		}
		choices[i] = app.Li().Body(app.Button().Class(cls).DataSet("choice", i).
			OnClick(func(ctx app.Context, e app.Event) { q.choose(ctx, i) }).Body(label))
	}
	var question app.UI = app.P().Text(q.Q.Question)
	if q.Q.QuestionHTML != "" {
		question = app.Raw(q.Q.QuestionHTML)
	}
	return app.Div().Class("quiz").DataSet("quiz", q.N).Body(
		question,
		app.Ol().Class("choices").Body(choices...),
		app.If(answered, func() app.UI {
			verdict, cls := tr(q.L, "Not quite."), "wrong"
			if q.chosen == q.Q.Answer {
				verdict, cls = tr(q.L, "Correct."), "right"
			}
			return app.Div().Class("verdict", cls).DataSet("verdict", cls).Body(
				app.Strong().Text(verdict+" "),
				app.If(q.Q.ExplainHTML != "", func() app.UI { return app.Raw(q.Q.ExplainHTML) }),
			)
		}),
	)
}
