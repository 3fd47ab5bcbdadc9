package lessons

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func lessonFile(title string, order int, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\ntitle: " + title + "\norder: " + itoa(order) + "\nsummary: About " + title + ".\n---\n" + body)}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestLoadCourse(t *testing.T) {
	fsys := fstest.MapFS{
		"en/b.md":           lessonFile("Bee", 20, "x"),
		"en/a.md":           lessonFile("Ay", 20, "x"),
		"en/first.md":       lessonFile("First", 10, "x"),
		"en/notes.txt":      {Data: []byte("not a lesson")},
		"en/img/pic.png":    {Data: []byte{1}},
		"zh/first.md":       lessonFile("第一", 10, "x"),
		"pt-br/first.md":    lessonFile("Primeiro", 10, "x"),
		"testdata/x.md":     lessonFile("Not a language", 1, "x"),
		"README.md":         {Data: []byte("# course")},
		"English/x.md":      lessonFile("Not a code", 1, "x"),
		"lessons.go":        {Data: []byte("package lessons")},
		"zh/broken.md":      {Data: []byte("---\ntitle: [\n---\n")},
		"zh/no-front.md":    {Data: []byte("just text")},
		"zh/sub/deeper.md":  lessonFile("Ignored", 1, "x"),
		"en/ordered-too.md": lessonFile("Zed", 5, "x"),
	}
	c, err := LoadCourse(fsys)
	var probs ProblemList
	if !errors.As(err, &probs) || len(probs) != 2 || probs[0].Path != "zh/broken.md" || probs[1].Path != "zh/no-front.md" {
		t.Fatalf("error %v, want the two broken zh lessons", err)
	}
	var codes []string
	for _, l := range c.Languages {
		codes = append(codes, l.Code+"="+l.Name)
	}
	if got := strings.Join(codes, " "); got != "en=English pt-br=pt-br zh=中文" {
		t.Errorf("languages %q", got)
	}
	var slugs []string
	for _, e := range c.Language("en").Lessons {
		slugs = append(slugs, e.Slug)
	}
	if got := strings.Join(slugs, " "); got != "ordered-too first a b" {
		t.Errorf("en lessons in order %q, want by order then slug", got)
	}
	e := c.Lesson("en", "first")
	if e == nil || e.Title != "First" || e.Summary != "About First." || e.Path != "en/first.md" || e.Lang != "en" {
		t.Errorf("entry %+v", e)
	}
	if c.Lesson("zh", "broken") == nil || c.Lesson("zh", "broken").Title != "broken" {
		t.Errorf("a lesson with broken front matter is not listed under its slug")
	}
	if c.Lesson("en", "nope") != nil || c.Lesson("xx", "first") != nil {
		t.Errorf("unknown lessons found")
	}
	prev, next := c.Neighbours("en", "first")
	if prev == nil || prev.Slug != "ordered-too" || next == nil || next.Slug != "a" {
		t.Errorf("neighbours %v %v", prev, next)
	}
	if prev, next := c.Neighbours("en", "b"); prev.Slug != "a" || next != nil {
		t.Errorf("neighbours of the last lesson: %v %v", prev, next)
	}
	js, _ := json.Marshal(c.Language("pt-br"))
	if want := `{"code":"pt-br","name":"pt-br","lessons":[{"lang":"pt-br","slug":"first","path":"pt-br/first.md","title":"Primeiro","order":10,"summary":"About Primeiro."}]}`; string(js) != want {
		t.Errorf("index JSON\n got %s\nwant %s", js, want)
	}
}

func TestLoadCourseWithoutLanguages(t *testing.T) {
	_, err := LoadCourse(fstest.MapFS{"lesson.md": lessonFile("T", 1, "x")})
	if err == nil || !strings.Contains(err.Error(), "no language folders") {
		t.Errorf("error %v", err)
	}
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"en/locks.md": lessonFile("Locks", 1, "Hello.\n"),
		"en/bad.md":   lessonFile("Bad", 2, "<b>raw</b>\n"),
		"secret.md":   lessonFile("Secret", 1, "x"),
	}
	l, err := Load(fsys, "en", "locks")
	if err != nil || l.Title != "Locks" || !strings.Contains(l.Parts[0].HTML, "Hello.") {
		t.Fatalf("Load: %v %+v", err, l)
	}
	l, err = Load(fsys, "en", "bad")
	if l == nil || err == nil {
		t.Errorf("a lesson with problems: %v %v", l, err)
	}
	for _, c := range [][2]string{{"en", "../secret"}, {"..", "secret"}, {"en", "Locks"}, {"", "locks"}, {"en/x", "y"}} {
		if _, err := Load(fsys, c[0], c[1]); err == nil {
			t.Errorf("Load(%q, %q) succeeded", c[0], c[1])
		}
	}
	if _, err := Load(fsys, "en", "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing lesson: %v", err)
	}
}
