package lessons

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"coordlab/sim/scenario"
)

func builtinLessons(t *testing.T) []*Lesson {
	t.Helper()
	var out []*Lesson
	c, err := LoadCourse(Builtin())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range c.Languages {
		for _, e := range lang.Lessons {
			l, err := Load(Builtin(), e.Lang, e.Slug)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			out = append(out, l)
		}
	}
	return out
}

var codeRE = regexp.MustCompile(`(?s)<pre>.*?</pre>|<code>.*?</code>`)

func excerpt(s, sub string) string {
	i := strings.Index(s, sub)
	return s[max(0, i-60):min(len(s), i+60)]
}

func TestBuiltinCourseLintsClean(t *testing.T) {
	if probs := Lint(Builtin()); len(probs) > 0 {
		t.Fatalf("%d problems:\n%s", len(probs), ProblemList(probs).Error())
	}
}

func TestBuiltinCourseLanguages(t *testing.T) {
	c, err := LoadCourse(Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Languages) != 2 || c.Languages[0].Code != "en" || c.Languages[1].Code != "zh" {
		t.Fatalf("languages %+v", c.Languages)
	}
	en, zh := c.Languages[0].Lessons, c.Languages[1].Lessons
	if len(en) < 3 || len(en) != len(zh) {
		t.Fatalf("%d English and %d Chinese lessons", len(en), len(zh))
	}
	for i := range en {
		if en[i].Slug != zh[i].Slug || en[i].Order != zh[i].Order || strings.Join(en[i].Tags, ",") != strings.Join(zh[i].Tags, ",") {
			t.Errorf("lesson %d: en %s (order %d, tags %v), zh %s (order %d, tags %v)", i, en[i].Slug, en[i].Order, en[i].Tags, zh[i].Slug, zh[i].Order, zh[i].Tags)
		}
		if en[i].Summary == "" || zh[i].Summary == "" || en[i].Title == zh[i].Title {
			t.Errorf("%s: summaries missing or title not translated", en[i].Slug)
		}
	}
}

// Every built-in lesson teaches with live scenarios and ends with a quiz.
func TestBuiltinLessonsShape(t *testing.T) {
	for _, l := range builtinLessons(t) {
		var scenarios, quizzes int
		for _, b := range l.Blocks {
			switch b.Kind {
			case KindScenario:
				scenarios++
				if b.Scenario == nil || b.Scenario.Expect == nil {
					t.Errorf("%s:%d: scenario %q states no expectation", l.Path, b.Line, b.Name)
				}
			case KindQuiz:
				quizzes++
			}
		}
		if scenarios == 0 || quizzes == 0 {
			t.Errorf("%s: %d scenarios and %d quizzes", l.Path, scenarios, quizzes)
		}
		// The lesson ends with a quiz: after the last block, only footnotes.
		last := -1
		for i, p := range l.Parts {
			if p.Block != nil {
				last = i
			}
		}
		if last < 0 || l.Parts[last].Block.Kind != KindQuiz {
			t.Errorf("%s: the last block is not a quiz", l.Path)
		}
		for _, p := range l.Parts[last+1:] {
			if !strings.HasPrefix(p.HTML, `<div class="lesson-text"><div class="footnotes"`) {
				t.Errorf("%s: text after the closing quiz: %.80s", l.Path, p.HTML)
			}
		}
		for _, p := range l.Parts {
			text := codeRE.ReplaceAllString(p.HTML, "")
			for _, junk := range []string{"**", "*", "[^", "](", "```"} {
				if strings.Contains(text, junk) {
					t.Errorf("%s: markdown left unrendered (%q) in %s", l.Path, junk, excerpt(text, junk))
				}
			}
		}
		if len(l.Headings) < 2 {
			t.Errorf("%s: %d section headings", l.Path, len(l.Headings))
		}
	}
}

// Every scenario block of the course runs and meets its expectation, as
// `coordlab test lessons/` checks in CI.
func TestBuiltinScenariosMeetExpectations(t *testing.T) {
	err := fs.WalkDir(Builtin(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(Builtin(), p)
		if err != nil {
			return err
		}
		blocks, err := ScenarioBlocks(p, src)
		if err != nil {
			t.Errorf("%v", err)
		}
		for _, b := range blocks {
			if !b.OK() {
				continue
			}
			t.Run(p+"/"+b.Name, func(t *testing.T) {
				res, err := b.Scenario.Run(scenario.Options{})
				if err != nil {
					t.Fatalf("%s:%d: %v", p, b.Line, err)
				}
				if res.ExpectationMet == nil || !*res.ExpectationMet {
					var vs []string
					for _, v := range res.Violations {
						vs = append(vs, v.Invariant+" at "+v.At.String())
					}
					t.Errorf("%s:%d: %s (seed %d): expectation not met:\n  %s\nviolations: %v\nmetrics: %v",
						p, b.Line, b.Name, res.Seed, strings.Join(res.Failures, "\n  "), vs, res.Metrics)
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkParseBuiltinLesson parses the longest built-in lesson, as the
// lesson editor's live preview does on every change.
func BenchmarkParseBuiltinLesson(b *testing.B) {
	var src []byte
	var name string
	_ = fs.WalkDir(Builtin(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if s, _ := fs.ReadFile(Builtin(), p); len(s) > len(src) {
				src, name = s, p
			}
		}
		return nil
	})
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse(name, src); err != nil {
			b.Fatal(err)
		}
	}
}
