package app

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
	"coordlab/lessons"
)

// pageEngine drives pages through go-app's test engine as the browser
// does: navigating loads the route's component, which go-app updates in
// place when one of the same type is mounted, and sends OnNav; a link to a
// #fragment of the page sends OnNav too. go-app's test engine has no
// routes and always reports the URL "/", so they are set by reflection.
type pageEngine struct {
	t       *testing.T
	e       app.TestEngine
	routes  reflect.Value // the engine's map of routes
	origin  reflect.Value // the engine's page URL
	current app.Composer  // the mounted page
	fresh   app.Composer  // the component the route made last
	base    app.Context   // a context of the engine, from ctxGrabber
}

// ctxGrabber keeps the context go-app hands it.
type ctxGrabber struct {
	app.Compo
	ctx *app.Context
}

func (g *ctxGrabber) OnNav(ctx app.Context) { *g.ctx = ctx }
func (g *ctxGrabber) Render() app.UI        { return app.Div() }

func newPageEngine(t *testing.T) *pageEngine {
	t.Helper()
	pe := &pageEngine{t: t, e: app.NewTestEngine()}
	ev := reflect.ValueOf(pe.e).Elem()
	pe.routes = open(open(ev.FieldByName("routes")).Elem().FieldByName("routes"))
	pe.origin = open(open(ev.FieldByName("originPage")).Elem().FieldByName("url"))
	pe.route("/grab", func() app.Composer { return &ctxGrabber{ctx: &pe.base} })
	pe.nav("/grab")
	return pe
}

func (pe *pageEngine) route(path string, f func() app.Composer) {
	pe.routes.SetMapIndex(reflect.ValueOf(path), reflect.ValueOf(func() app.Composer {
		pe.fresh = f()
		return pe.fresh
	}))
}

var lessonRoute = regexp.MustCompile(LessonRoute)

// nav navigates to rawURL, as a click on a link to it does, and runs the
// navigation's OnNav; the caller runs what follows (ConsumeAll, ...).
func (pe *pageEngine) nav(rawURL string) {
	pe.t.Helper()
	pe.navigate(rawURL)
	pe.e.ConsumeNext() // OnNav
}

// navigate navigates to rawURL, leaving the OnNav it sends in the queue.
func (pe *pageEngine) navigate(rawURL string) {
	pe.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		pe.t.Fatal(err)
	}
	switch {
	case u.Path == "/grab":
	case lessonRoute.MatchString(u.Path):
		pe.route(u.Path, func() app.Composer { return newLessonPage() })
	case u.Path == "/":
		pe.route(u.Path, func() app.Composer { return newHome() })
	case u.Path == "/mechanisms":
		pe.route(u.Path, func() app.Composer { return newMechanismsPage() })
	}
	pe.origin.Set(reflect.ValueOf(u))
	pe.fresh = nil
	reflect.ValueOf(pe.e).MethodByName("Navigate").Call([]reflect.Value{reflect.ValueOf(u), reflect.ValueOf(false)})
	if pe.fresh != nil && (pe.current == nil || reflect.TypeOf(pe.fresh) != reflect.TypeOf(pe.current)) {
		pe.current = pe.fresh
	}
}

func (pe *pageEngine) html() string { return app.HTMLString(pe.current) }

// ctx returns a context whose source is the mounted page, as an event
// handler of the page gets.
func (pe *pageEngine) ctx() app.Context {
	ctx := pe.base
	open(reflect.ValueOf(&ctx).Elem().FieldByName("sourceElement")).Set(reflect.ValueOf(pe.current))
	return ctx
}

// seedCourse makes the course and its lessons loaded, as after their
// fetches; failed lists the lessons whose fetch failed.
func seedCourse(t *testing.T, c *lessons.Course, md map[string]string, failed map[string]error) {
	t.Helper()
	done := make(chan struct{})
	close(done)
	courseMu.Lock()
	defer courseMu.Unlock()
	courseIndex[""] = &loaded[*lessons.Course]{done: done, v: c}
	for key, src := range md {
		l, _ := lessons.Parse(key+".md", []byte(src))
		lessonCache[key] = &loaded[*lessons.Lesson]{done: done, v: l}
	}
	for key, err := range failed {
		lessonCache[key] = &loaded[*lessons.Lesson]{done: done, err: err}
	}
	t.Cleanup(func() {
		courseMu.Lock()
		defer courseMu.Unlock()
		clear(courseIndex)
		clear(lessonCache)
	})
}

func entry(lang, slug, title string, order int) lessons.Entry {
	return lessons.Entry{Lang: lang, Slug: slug, Path: lang + "/" + slug + ".md", Meta: lessons.Meta{Title: title, Order: order}}
}

// testCourse has the lessons one, two, three in English and one, two in
// Chinese; the keys of md are LANG/SLUG.
func testCourse(t *testing.T, failed map[string]error) {
	t.Helper()
	c := &lessons.Course{Languages: []lessons.Language{
		{Code: "en", Name: "English", Lessons: []lessons.Entry{entry("en", "one", "One", 1), entry("en", "two", "Two", 2), entry("en", "three", "Three", 3)}},
		{Code: "zh", Name: "中文", Lessons: []lessons.Entry{entry("zh", "one", "一", 1), entry("zh", "two", "二", 2)}},
	}}
	md := map[string]string{}
	for _, l := range c.Languages {
		for _, e := range l.Lessons {
			md[e.Lang+"/"+e.Slug] = "---\ntitle: " + e.Title + "\norder: 1\n---\n\n## First part\n\nText.\n\n" +
				"```quiz\nquestion: Which?\nchoices: [a, b]\nanswer: b\n```\n\n## Second part\n\nMore.\n\n### A detail\n\nEnd of " + e.Slug + ".\n"
		}
	}
	seedCourse(t, c, md, failed)
}

// TestLessonPageShowsTheLessonWithContents checks the lesson page after a
// navigation: its text, contents linking to the ids of its headings, its
// neighbours in the course order and its quiz.
func TestLessonPageShowsTheLessonWithContents(t *testing.T) {
	testCourse(t, nil)
	pe := newPageEngine(t)
	pe.nav("/lesson/en/two")
	pe.e.ConsumeAll()
	html := pe.html()
	for _, want := range []string{`data-lesson="en/two"`, `href="#first-part"`, `id="first-part"`, `href="#a-detail"`, `id="a-detail"`,
		`href="/lesson/en/one"`, `href="/lesson/en/three"`, `data-quiz="0"`, `data-action="complete"`, "End of two."} {
		if !strings.Contains(html, want) {
			t.Errorf("lesson page lacks %s", want)
		}
	}
}

// TestContentsLinkKeepsTheLesson follows a link of the contents: go-app
// sends OnNav for a #fragment of the same page, and the lesson, its players
// and the scroll to the heading must stay.
func TestContentsLinkKeepsTheLesson(t *testing.T) {
	testCourse(t, nil)
	pe := newPageEngine(t)
	pe.nav("/lesson/en/two")
	pe.e.ConsumeAll()
	page := pe.current.(*lessonPage)
	les := page.lesson
	pe.nav("/lesson/en/two#second-part")
	if html := pe.html(); page.lesson != les || !strings.Contains(html, `id="second-part"`) {
		t.Fatalf("after a contents link the page shows %.300s; want the lesson with the heading still there", html)
	}
	pe.e.ConsumeAll()
	pe.nav("/lesson/en/two") // back
	if page.lesson != les {
		t.Fatal("going back from a heading reloads the lesson")
	}
	pe.e.ConsumeAll()
}

// TestLessonIgnoresTheLessonLeft navigates from a lesson still loading to
// another: the first one's load, ending last, must not replace the second.
func TestLessonIgnoresTheLessonLeft(t *testing.T) {
	testCourse(t, nil)
	slow := &loaded[*lessons.Lesson]{done: make(chan struct{})}
	courseMu.Lock()
	slow.v = lessonCache["en/one"].v
	lessonCache["en/one"] = slow
	courseMu.Unlock()

	pe := newPageEngine(t)
	dispatches := open(reflect.ValueOf(pe.e).Elem().FieldByName("dispatches")).Interface().(chan func())
	pe.nav("/lesson/en/one") // its load waits
	pe.navigate("/lesson/en/two")
	(<-dispatches)() // OnNav of two
	(<-dispatches)() // two is loaded
	close(slow.done) // then one is
	pe.e.ConsumeAll()
	page := pe.current.(*lessonPage)
	if html := pe.html(); page.lesson.Slug != "two" || !strings.Contains(html, "End of two.") || strings.Contains(html, "End of one.") {
		t.Fatalf("at /lesson/en/two the page shows %s (%.200s…)", page.lesson.Path, html)
	}
	p, _ := mustStore(t).Progress(context.Background(), "en/two")
	if !p.Visited {
		t.Fatal("the lesson shown is not recorded as visited")
	}
}

func mustStore(t *testing.T) *store.Store {
	s, err := labStore()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNextLessonStartsWithItsOwnProgress goes from a completed lesson with
// an answered quiz to the next one: until the store answers, the next one
// shows neither the completed badge nor the answer of the one left.
func TestNextLessonStartsWithItsOwnProgress(t *testing.T) {
	testCourse(t, nil)
	s := mustStore(t)
	bg := context.Background()
	if _, err := s.Update(bg, "zh/one", func(p *store.Progress) { p.Completed = true }); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswer(bg, store.Answer{Lesson: "zh/one", Quiz: 0, Choice: 1, Correct: true}); err != nil {
		t.Fatal(err)
	}
	pe := newPageEngine(t)
	pe.nav("/lesson/zh/one")
	pe.e.ConsumeAll()
	if html := pe.html(); !strings.Contains(html, `data-progress="completed"`) || !strings.Contains(html, `data-verdict="right"`) {
		t.Fatalf("the completed lesson with its answer shows as %s", html)
	}
	pe.nav("/lesson/zh/two")
	pe.e.ConsumeNext() // the lesson is loaded; the store has not answered yet
	html := pe.html()
	if !strings.Contains(html, "End of two.") {
		t.Fatalf("the next lesson is not shown: %.300s", html)
	}
	if strings.Contains(html, `data-progress="completed"`) || strings.Contains(html, "data-verdict") {
		t.Fatalf("the next lesson shows the progress or answers of the one left: %s", html)
	}
	pe.e.ConsumeAll()
}

// TestLanguageSwitchOnALesson switches language on a lesson: to the same
// lesson in the other language when it has it, else to the course map.
func TestLanguageSwitchOnALesson(t *testing.T) {
	testCourse(t, nil)
	pe := newPageEngine(t)
	pe.nav("/lesson/en/three")
	pe.e.ConsumeAll()
	page := pe.current.(*lessonPage)
	for _, tt := range []struct{ lang, want string }{{"zh", "/"}, {"en", "/lesson/en/three"}} {
		if got := page.langTarget(tt.lang); got != tt.want {
			t.Errorf("switching en/three to %s goes to %s; want %s", tt.lang, got, tt.want)
		}
	}
	pe.nav("/lesson/en/two")
	pe.e.ConsumeAll()
	if got := page.langTarget("zh"); got != "/lesson/zh/two" {
		t.Errorf("switching en/two to zh goes to %s; want /lesson/zh/two", got)
	}
}

// TestBadLessonPathAfterALesson follows a link to a lesson path that can be
// no lesson (a slug longer than any) from a lesson: the lesson left must
// not stay under the problem.
func TestBadLessonPathAfterALesson(t *testing.T) {
	testCourse(t, nil)
	pe := newPageEngine(t)
	pe.nav("/lesson/en/one")
	pe.e.ConsumeAll()
	pe.nav("/lesson/en/" + strings.Repeat("x", 65))
	pe.e.ConsumeAll()
	html := pe.html()
	if !strings.Contains(html, `class="problem"`) || strings.Contains(html, "End of one.") || strings.Contains(html, `data-lesson="en/one"`) {
		t.Fatalf("a bad lesson path after en/one shows %s", html)
	}
}

// TestLessonLoadFailureOffersARetry fails the fetch of a lesson: the page
// says so with a retry, and the retry shows the lesson once it loads.
func TestLessonLoadFailureOffersARetry(t *testing.T) {
	testCourse(t, map[string]error{"en/three": errors.New("fetching /web/course/en/three.md: TypeError: Failed to fetch")})
	pe := newPageEngine(t)
	pe.nav("/lesson/en/three")
	pe.e.ConsumeAll()
	html := pe.html()
	if !strings.Contains(html, "Failed to fetch") || strings.Contains(html, "Loading…") {
		t.Fatalf("a failed lesson shows %s; want the failure", html)
	}
	retry := mountedHandler(reflect.ValueOf(pe.current), "data-action", "retry", "click")
	if retry == nil {
		t.Fatalf("a failed lesson has no retry: %s", html)
	}
	courseMu.Lock()
	delete(lessonCache, "en/three") // the failure is forgotten
	l, _ := lessons.Parse("en/three.md", []byte("---\ntitle: Three\norder: 3\n---\n\nBack online.\n"))
	done := make(chan struct{})
	close(done)
	lessonCache["en/three"] = &loaded[*lessons.Lesson]{done: done, v: l}
	courseMu.Unlock()
	ctx := pe.ctx()
	ctx.Dispatch(func(ctx app.Context) { retry(ctx, app.Event{}) })
	pe.e.ConsumeAll()
	if html := pe.html(); !strings.Contains(html, "Back online.") || strings.Contains(html, "Failed to fetch") {
		t.Fatalf("after a retry the page shows %s", html)
	}
}

// TestHomeLoadFailureOffersARetry fails the fetch of the lesson index: the
// course map says so with a retry, and the retry shows the course alone.
func TestHomeLoadFailureOffersARetry(t *testing.T) {
	done := make(chan struct{})
	close(done)
	courseMu.Lock()
	courseIndex[""] = &loaded[*lessons.Course]{done: done, err: errors.New("fetching /web/course/index.json: 503 Service Unavailable")}
	courseMu.Unlock()
	t.Cleanup(func() { courseMu.Lock(); clear(courseIndex); courseMu.Unlock() })
	pe := newPageEngine(t)
	pe.nav("/")
	pe.e.ConsumeAll()
	html := pe.html()
	if !strings.Contains(html, "503 Service Unavailable") || strings.Contains(html, "Loading…") {
		t.Fatalf("a failed course map shows %s; want the failure", html)
	}
	retry := mountedHandler(reflect.ValueOf(pe.current), "data-action", "retry", "click")
	if retry == nil {
		t.Fatalf("a failed course map has no retry: %s", html)
	}
	testCourse(t, nil)
	ctx := pe.ctx()
	ctx.Dispatch(func(ctx app.Context) { retry(ctx, app.Event{}) })
	pe.e.ConsumeAll()
	if html := pe.html(); !strings.Contains(html, `data-lesson="en/one"`) || strings.Contains(html, "503") {
		t.Fatalf("after a retry the course map shows %s", html)
	}
}

// TestLessonIgnoresTheProgressOfTheLessonLeft goes on to the next lesson
// before the store has answered for the one left: its answer, coming last,
// must not show on the next lesson.
func TestLessonIgnoresTheProgressOfTheLessonLeft(t *testing.T) {
	testCourse(t, nil)
	s := mustStore(t)
	bg := context.Background()
	if _, err := s.Update(bg, "en/three", func(p *store.Progress) { p.Completed = true }); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswer(bg, store.Answer{Lesson: "en/three", Quiz: 0, Choice: 0}); err != nil {
		t.Fatal(err)
	}
	pe := newPageEngine(t)
	ev := reflect.ValueOf(pe.e).Elem()
	dispatches := open(ev.FieldByName("dispatches")).Interface().(chan func())
	wait := open(ev.FieldByName("goroutines")).Addr().MethodByName("Wait")
	pe.nav("/lesson/en/three")
	pe.e.ConsumeNext() // the lesson is loaded; the store is asked
	wait.Call(nil)
	pe.navigate("/lesson/en/one")
	storeAnswer, onNav := <-dispatches, <-dispatches
	onNav()
	storeAnswer()
	pe.e.ConsumeNext() // en/one is loaded; the store is asked
	if html := pe.html(); !strings.Contains(html, "End of one.") || strings.Contains(html, `data-progress="completed"`) || strings.Contains(html, "data-verdict") {
		t.Fatalf("en/one shows the progress or answers of en/three: %s", html)
	}
	pe.e.ConsumeAll()
}

// findNavbar returns the navbar of a rendered page.
func findNavbar(v reflect.Value) *navbar {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		if n, ok := v.Interface().(*navbar); ok {
			return n
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	children := v.FieldByName("children")
	if !children.IsValid() {
		return nil
	}
	children = open(children)
	for i := range children.Len() {
		if n := findNavbar(children.Index(i)); n != nil {
			return n
		}
	}
	return nil
}

// TestLanguageSwitchKeepsTheCatalog switches language on the catalog: the
// catalog stays, in the new language, instead of sending the student to
// the course map.
func TestLanguageSwitchKeepsTheCatalog(t *testing.T) {
	m := newMechanismsPage()
	m.lang = "en"
	n := findNavbar(reflect.ValueOf(m.Render()))
	if n == nil {
		t.Fatal("no navbar on the catalog")
	}
	if n.OnLang == nil {
		t.Fatal("the catalog's language switch goes to the course map")
	}
	n.OnLang(app.Context{}, "zh")
	if html := app.HTMLString(m.Render()); !strings.Contains(html, "<h1>机制</h1>") {
		t.Fatalf("after switching to zh the catalog shows %.400s", html)
	}
}

// findQuiz returns the mounted quiz of a page.
func findQuiz(v reflect.Value) *quiz {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		if q, ok := v.Interface().(*quiz); ok {
			return q
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	if root := v.FieldByName("rootElement"); root.IsValid() {
		return findQuiz(open(root))
	}
	children := v.FieldByName("children")
	if !children.IsValid() {
		return nil
	}
	children = open(children)
	for i := range children.Len() {
		if q := findQuiz(children.Index(i)); q != nil {
			return q
		}
	}
	return nil
}

// TestQuizAnswerSurvivesAReload answers a quiz wrong, then right, marks the
// lesson completed, and opens it again as after a reload: the right answer
// and the completion are there, and the course map shows them.
func TestQuizAnswerSurvivesAReload(t *testing.T) {
	testCourse(t, nil)
	pe := newPageEngine(t)
	pe.nav("/lesson/zh/two")
	pe.e.ConsumeAll()
	q := findQuiz(reflect.ValueOf(pe.current))
	if q == nil {
		t.Fatal("no quiz on the lesson")
	}
	ctx := pe.ctx()
	open(reflect.ValueOf(&ctx).Elem().FieldByName("sourceElement")).Set(reflect.ValueOf(q))
	for _, tt := range []struct{ choice, verdict string }{{"0", "wrong"}, {"1", "right"}} {
		h := mountedHandler(reflect.ValueOf(q), "data-choice", tt.choice, "click")
		if h == nil {
			t.Fatalf("no choice %s", tt.choice)
		}
		ctx.Dispatch(func(ctx app.Context) { h(ctx, app.Event{}) })
		pe.e.ConsumeAll()
		if html := pe.html(); !strings.Contains(html, `data-verdict="`+tt.verdict+`"`) {
			t.Fatalf("after choice %s the quiz shows %s", tt.choice, html)
		}
	}
	complete := mountedHandler(reflect.ValueOf(pe.current), "data-action", "complete", "click")
	pe.ctx().Dispatch(func(ctx app.Context) { complete(ctx, app.Event{}) })
	pe.e.ConsumeAll()

	pe = newPageEngine(t) // a reload
	pe.nav("/lesson/zh/two")
	pe.e.ConsumeAll()
	if html := pe.html(); !strings.Contains(html, `data-verdict="right"`) || !strings.Contains(html, `data-progress="completed"`) || !strings.Contains(html, "已完成") {
		t.Fatalf("after a reload the lesson shows %s", html)
	}
	pe.nav("/?lang=zh")
	pe.e.ConsumeAll()
	// go-app writes attributes in any order: read the one asked for.
	html := pe.html()
	if p, _ := attrOf(html, "data-lesson", "zh/two", "data-progress"); p != "completed" {
		t.Fatalf("the course map shows %s", html)
	}
}

// Quizzes are numbered among all quizzes of the lesson, so that mending a
// broken one keeps the answers saved for those after it.
func TestQuizNumbersCountBrokenQuizzes(t *testing.T) {
	quiz := func(answer string) string {
		return "```quiz\nquestion: Which?\nchoices: [a, b]\nanswer: " + answer + "\n```\n\n"
	}
	src := "---\ntitle: Q\norder: 1\n---\n\n" + quiz("c") + quiz("b")
	les, _ := lessons.Parse("en/q.md", []byte(src))
	if len(les.Blocks) != 2 || les.Blocks[0].OK() || !les.Blocks[1].OK() {
		t.Fatalf("want a broken quiz, then a good one: %+v", les.Blocks)
	}
	l := &lessonPage{lang: "en", slug: "q", lesson: les}
	html := app.HTMLString(app.Div().Body(l.renderParts()...))
	if !strings.Contains(html, `data-quiz="1"`) || strings.Contains(html, `data-quiz="0"`) {
		t.Fatalf("the good quiz after a broken one is not number 1:\n%s", html)
	}
}
