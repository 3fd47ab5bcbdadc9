package app

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/lessons"
	"coordlab/sim/check"
)

// mount renders a component through go-app's test engine, as the browser
// would, and returns its HTML.
func mount(t *testing.T, c app.Composer) string {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return app.HTMLString(c)
}

func TestPlayerHooks(t *testing.T) {
	p := newPlayer().Src(pausedHolder).Named("lesson.md:12")
	html := mount(t, p)
	for _, want := range []string{`data-scenario="paused-holder"`, `data-action="run-to-end"`, `data-node="redis-1"`, `data-slider="params.ttl"`, `class="cluster"`, `class="spacetime"`} {
		if !strings.Contains(html, want) {
			t.Errorf("player HTML lacks %s", want)
		}
	}
	if strings.Contains(html, "data-trace-hash") {
		t.Error("a player that has not ended shows a trace hash")
	}
	p.sess.runToEnd()
	html = app.HTMLString(p.Render())
	if !strings.Contains(html, `data-trace-hash="`+p.sess.result.TraceHash+`"`) {
		t.Errorf("an ended player lacks data-trace-hash=%s", p.sess.result.TraceHash)
	}
	if err := app.Match(app.Div().Class("player").DataSet("scenario", "paused-holder").DataSet("trace-hash", p.sess.result.TraceHash), p.Render()); err != nil {
		t.Errorf("player root: %v", err)
	}
}

func TestPlayerShowsProblemsWithTheirPlace(t *testing.T) {
	p := newPlayer().Src("name: x\nmechanism: setnx\nparams: {clients: many}\n").Named("lesson.md:7")
	html := mount(t, p)
	if !strings.Contains(html, `class="problem"`) || !strings.Contains(html, "lesson.md:7:3:") {
		t.Fatalf("a scenario with a bad parameter renders as %s; want a problem naming lesson.md:7 line 3", html)
	}
}

func TestPlayerShowsWhyARunStopped(t *testing.T) {
	p := newPlayer().Src("name: huge\nmechanism: crdt\nduration: 1h\nparams: {gossip: 1ms, ops: 0}\n")
	mount(t, p)
	p.sess.runToEnd()
	html := app.HTMLString(p.Render())
	if !strings.Contains(html, `data-problem="run"`) || !strings.Contains(html, "limit of 400000 events") || !strings.Contains(html, `class="cluster"`) {
		t.Fatalf("a run stopped at its limit renders as %.600s; want the cluster and the reason", html)
	}
}

// TestPlayerEscapes feeds the player hostile text in every place a
// scenario can carry text: none of it may become markup.
func TestPlayerEscapes(t *testing.T) {
	src := "name: x-1\ntitle: \"<script>alert(1)</script> \\\"quoted\\\" <img src=x onerror=alert(1)>\"\nmechanism: setnx\n"
	html := mount(t, newPlayer().Src(src))
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(html, bad) {
			t.Errorf("player HTML contains %q:\n%s", bad, html)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("the hostile title is not shown as text")
	}
}

// TestLessonPageXSS renders a hostile lesson through the lesson page: raw
// HTML, event handlers, javascript: and data: URLs, raw HTML in tables, and
// quotes in scenario names and titles. None may survive as markup.
func TestLessonPageXSS(t *testing.T) {
	md := "---\ntitle: \"<script>alert(1)</script>\"\norder: 1\n---\n\n" +
		"<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n" +
		"[a](javascript:alert(1)) [b](data:text/html,<script>alert(1)</script>) ![c](data:image/svg+xml,<svg onload=alert(1)>) [d](JaVaScRiPt:alert(1))\n\n" +
		"| a | b |\n|---|---|\n| <b onmouseover=alert(1)>x</b> | <iframe src=javascript:alert(1)></iframe> |\n\n" +
		"Text with <span onclick=\"alert(1)\">inline html</span>.\n\n" +
		"```scenario\nname: \"evil\\\"-name\"\nmechanism: setnx\n```\n\n" +
		"```scenario\nname: ok-name\ntitle: \"\\\"><script>alert(1)</script>\"\nmechanism: setnx\n```\n\n" +
		"```quiz\nquestion: \"<script>alert(1)</script>?\"\nchoices: [\"<b onclick=alert(1)>a</b>\", b]\nanswer: b\nexplain: \"[x](javascript:alert(1))\"\n```\n"
	l, _ := lessons.Parse("en/evil.md", []byte(md))
	page := &lessonPage{lang: "en", slug: "evil", lesson: l}
	html := app.HTMLString(page.Render())
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<\s*(script|iframe|img|object|embed)`),
		regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`),
		regexp.MustCompile(`(?i)(href|src)\s*=\s*"\s*(javascript|data|vbscript):`),
	} {
		if m := bad.FindStringIndex(html); m != nil {
			t.Errorf("lesson page matches %s: …%s…", bad, html[max(0, m[0]-60):min(len(html), m[1]+60)])
		}
	}
	if !strings.Contains(html, `data-scenario="ok-name"`) {
		t.Errorf("the valid scenario block is not a player")
	}
	if !strings.Contains(html, "block-error") {
		t.Errorf("the block with a bad name is not an error box")
	}
}

func TestQuiz(t *testing.T) {
	q := &lessons.Quiz{Question: "Q?", Choices: []string{"a", "b"}, Answer: 1, QuestionHTML: "<div>Q?</div>", ChoicesHTML: []string{"<span>a</span>", "<span>b</span>"}, ExplainHTML: "<div>because</div>"}
	c := newQuiz().Of(q).Number(0)
	html := mount(t, c)
	if strings.Contains(html, "data-verdict") {
		t.Fatal("an unanswered quiz shows a verdict")
	}
	c.chosen = 0
	if html = app.HTMLString(c.Render()); !strings.Contains(html, `data-verdict="wrong"`) || !strings.Contains(html, "because") {
		t.Fatalf("a wrong answer renders as %s", html)
	}
	c2 := newQuiz().Of(q).Answered(1)
	if html = mount(t, c2); !strings.Contains(html, `data-verdict="right"`) {
		t.Fatalf("a stored right answer renders as %s", html)
	}
}

func TestHomeListsLessonsWithProgress(t *testing.T) {
	h := newHome()
	h.lang = "en"
	h.course = &lessons.Course{Languages: []lessons.Language{{Code: "en", Lessons: []lessons.Entry{
		{Lang: "en", Slug: "a", Meta: lessons.Meta{Title: "A <b>", Order: 1}},
		{Lang: "en", Slug: "b", Meta: lessons.Meta{Title: "B", Order: 2}},
	}}}}
	h.progress = map[string]store.Progress{"en/b": {Lesson: "en/b", Completed: true}}
	html := app.HTMLString(h.Render())
	for _, want := range []string{`data-lesson="en/a"`, `data-progress="new"`, `data-lesson="en/b"`, `data-progress="completed"`, `href="/lesson/en/a"`, "A &lt;b&gt;"} {
		if !strings.Contains(html, want) {
			t.Errorf("course map lacks %s", want)
		}
	}
}

func TestMechanismsPageListsTheRegistry(t *testing.T) {
	html := app.HTMLString(newMechanismsPage().Render())
	for _, want := range []string{`data-mechanism="setnx"`, "<code>ttl</code>", "mutual-exclusion"} {
		if !strings.Contains(html, want) {
			t.Errorf("mechanisms page lacks %s", want)
		}
	}
}

func TestRenderValueByShape(t *testing.T) {
	type row struct {
		Key string
		TTL interface{ String() string }
	}
	type state struct {
		Role  string
		Keys  []check.LockAcquired
		Peers []string
		Meta  map[string]int
	}
	v := state{Role: "primary", Keys: []check.LockAcquired{{Client: "client-1", Acq: 2, Token: 9}}, Peers: []string{"b", "a"}, Meta: map[string]int{"z": 1, "a": 2}}
	html := compact(app.HTMLString(renderValue(reflect.ValueOf(v), 0)))
	for _, want := range []string{"<th>Role</th>", "primary", `class="rows"`, "<th>Client</th>", "client-1", "b, a", "<th>a</th><td><span>2</span></td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered state lacks %s:\n%s", want, html)
		}
	}
	if strings.Index(html, "<th>a</th>") > strings.Index(html, "<th>z</th>") {
		t.Error("map keys are not sorted")
	}
	_ = row{}
}

func TestLessonPath(t *testing.T) {
	for p, ok := range map[string]bool{"/lesson/en/locks": true, "/lesson/zh/a-b-1/": true, "/lesson/en": false, "/lesson/EN/x": false, "/lesson/en/../x": false, "/lesson/en/x/y": false} {
		if _, _, got := parseLessonPath(p); got != ok {
			t.Errorf("parseLessonPath(%q) ok = %v", p, got)
		}
	}
}

// compact removes the indentation HTMLString adds between tags.
func compact(html string) string {
	var b strings.Builder
	for _, line := range strings.Split(html, "\n") {
		b.WriteString(strings.TrimSpace(line))
	}
	return b.String()
}
