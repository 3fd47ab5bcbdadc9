package lessons

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"coordlab/sim/scenario"
)

// Meta is a lesson's front matter.
type Meta struct {
	Title   string   `json:"title"`             // required
	Order   int      `json:"order"`             // required: the lesson's place in its language's course
	Summary string   `json:"summary,omitempty"` // one or two sentences for the course map
	Tags    []string `json:"tags,omitempty"`
}

// Lesson is a parsed lesson, ready to show: its body is a list of parts in
// document order, each either safe HTML or a block that the browser replaces
// by a live component.
type Lesson struct {
	Path string // as given to Parse, such as "en/locks.md"
	Lang string // the language folder, "en"; "" when Path has no folder
	Slug string // the file name without ".md", "locks"
	Meta
	// Parts is the body in document order. Consecutive markdown forms one
	// HTML part; every scenario or quiz block that parses is a part of its
	// own; a block that does not parse is an HTML part showing an error box.
	Parts []Part
	// Blocks lists every scenario and quiz block in document order,
	// including those that do not parse (their Problems say why).
	Blocks []*Block
	// Headings lists the section headings (levels 2 and 3) for a table of
	// contents; their IDs are the ids of the rendered headings.
	Headings []Heading
	// Problems lists everything wrong with the file, by line, the same list
	// Parse returns as its error. Empty for a clean lesson.
	Problems []Problem
}

// Part is one piece of a lesson's body: HTML, or a block.
type Part struct {
	// HTML is safe markup with exactly one root element, so that it can be
	// inserted as it is (go-app's app.Raw needs a single root): a
	// <div class="lesson-text"> of rendered markdown, or a
	// <div class="block-error"> for a front matter or block that does not
	// parse. Empty when Block is set.
	HTML string
	// Block is the scenario or quiz to show here, pointing into
	// Lesson.Blocks; nil for an HTML part.
	Block *Block
}

// Kind is the kind of a special fenced block.
type Kind string

// The kinds of block; the value is the fence's info string.
const (
	KindScenario Kind = "scenario"
	KindQuiz     Kind = "quiz"
)

// Block is a ```scenario or ```quiz fenced block.
type Block struct {
	Kind Kind
	// Line is the line of the opening fence in the markdown file, counted
	// from 1. Line 1 of Source is line Line+1 of the file (see FileLine).
	Line int
	// Source is the text between the fences, the YAML of the scenario or quiz.
	Source string
	// Name and Title are the scenario's name and title, read from Source
	// even when the rest of it has problems. Empty for a quiz.
	Name, Title string
	// Scenario is the parsed scenario, ready to run (Clone it before
	// changing it); nil for a quiz or a scenario with problems.
	Scenario *scenario.Scenario
	// Quiz is the parsed quiz; nil for a scenario or a quiz with problems.
	Quiz *Quiz
	// Problems says why the block does not parse, with file lines; empty
	// when it does. A block with problems is shown as an error box.
	Problems []Problem
}

// FileLine turns a line of Source (counted from 1) into a line of the
// markdown file, for errors of a scenario parser that reads Source alone.
func (b *Block) FileLine(sourceLine int) int { return b.Line + sourceLine }

// OK reports whether the block parsed without problems.
func (b *Block) OK() bool { return len(b.Problems) == 0 }

// Quiz is a parsed ```quiz block:
//
//	question: Which lock survives a paused holder?
//	choices:
//	  - SET NX PX without fencing
//	  - any lock, if the storage checks a fencing token
//	answer: any lock, if the storage checks a fencing token
//	explain: A lease can expire under a paused holder; only the resource can refuse its late write.
//
// question, choices (at least two, all different) and answer (the exact text
// of one choice) are required, explain is optional. Question, choices and
// explanation may use inline markdown.
type Quiz struct {
	Question string
	Choices  []string
	Answer   int // the index of the right choice in Choices, from 0
	Explain  string
	// QuestionHTML and ExplainHTML are the rendered markdown, each one safe
	// <div> element ("" when Explain is empty); ChoicesHTML holds one safe
	// <span> element per choice.
	QuestionHTML string
	ChoicesHTML  []string
	ExplainHTML  string
}

// Heading is a section heading of a lesson.
type Heading struct {
	Level int    // 2 or 3
	ID    string // the id of the rendered heading element
	Text  string // plain text
}

// Problem is one thing wrong with a lesson or course, at a place in a file.
type Problem struct {
	Path string // such as "en/locks.md"; "" for the course as a whole
	Line int    // from 1; 0 when the problem is with the whole file
	Col  int    // from 1; 0 when unknown
	Msg  string // what is wrong and what was expected
}

// String formats the problem as "path:line:col: msg", leaving out what is
// unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(":")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, "%d:", p.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ProblemList is a list of problems that is also an error.
type ProblemList []Problem

// Error lists the problems, one a line.
func (l ProblemList) Error() string {
	s := make([]string, len(l))
	for i, p := range l {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

// Err returns the list as an error, or nil when it is empty.
func (l ProblemList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Parse parses the lesson file at path (slash-separated, such as
// "en/locks.md"; it names the file in problems and gives the language and
// slug) with content src.
//
// Parse always returns a Lesson that can be shown: a front matter or block
// with problems appears as a visible error box in its place. The error is a
// ProblemList of every problem found (the same as Lesson.Problems), or nil
// when the lesson is clean.
func Parse(path string, src []byte) (*Lesson, error) {
	l := parse(path, src)
	return l, ProblemList(l.Problems).Err()
}

// ScenarioBlocks returns the ```scenario blocks of the lesson file at path,
// for `coordlab test`, including those with problems. The error is a
// ProblemList of the returned blocks' problems, or nil; problems elsewhere
// in the lesson (front matter, quizzes, links) are Lint's business.
func ScenarioBlocks(path string, src []byte) ([]Block, error) {
	l := parse(path, src)
	var blocks []Block
	var probs ProblemList
	for _, b := range l.Blocks {
		if b.Kind == KindScenario {
			blocks = append(blocks, *b)
			probs = append(probs, b.Problems...)
		}
	}
	return blocks, probs.Err()
}

func parse(path string, src []byte) *Lesson {
	l := &Lesson{Path: path}
	l.Lang, l.Slug = langSlug(path)
	var probs []Problem
	if !utf8.Valid(src) {
		line := 1 + bytes.Count(src[:firstInvalid(src)], []byte("\n"))
		probs = append(probs, Problem{Path: path, Line: line, Msg: "the file is not valid UTF-8; invalid bytes are shown as \uFFFD"})
		src = bytes.ToValidUTF8(src, []byte("\uFFFD"))
	}
	fm := splitFrontMatter(src)
	meta, metaProbs := parseMeta(path, fm)
	l.Meta = meta
	if l.Title == "" {
		l.Title = l.Slug
	}
	if len(metaProbs) > 0 {
		l.Parts = append(l.Parts, Part{HTML: errorBox("front matter", path, 1, metaProbs, string(fm.yaml))})
	}
	st := newRenderState(path, fm.body, fm.bodyLine)
	renderBody(l, fm.body, st)
	probs = append(probs, metaProbs...)
	probs = append(probs, st.probs...)
	for _, b := range l.Blocks {
		probs = append(probs, b.Problems...)
	}
	sortProblems(probs)
	l.Problems = probs
	return l
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// langSlug splits "en/locks.md" into "en" and "locks".
func langSlug(p string) (lang, slug string) {
	dir, file := path.Split(p)
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		lang = path.Base(dir)
	}
	return lang, strings.TrimSuffix(file, ".md")
}
