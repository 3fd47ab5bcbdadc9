package lessons

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// builtin is the built-in course. Only the native binary should reach it:
// the browser app fetches its course from the site that served it (DESIGN
// section 6), and the linker leaves this data out of any binary that never
// calls Builtin.
//
//go:embed en zh
var builtin embed.FS

// Builtin returns the built-in course, a file system with one folder per
// language ("en", "zh").
func Builtin() fs.FS { return builtin }

// Course is the index of a course folder: its languages, each with its
// lessons in order. It holds front matter only; Load parses a lesson. It
// encodes to JSON as the lesson index the browser fetches.
type Course struct {
	Languages []Language `json:"languages"`
}

// Language is one language folder of a course.
type Language struct {
	Code    string  `json:"code"` // the folder name, "en"
	Name    string  `json:"name"` // its name in itself, "English", "中文"; the code when unknown
	Lessons []Entry `json:"lessons"`
}

// Entry is a lesson in the course index.
type Entry struct {
	Lang string `json:"lang"`
	Slug string `json:"slug"` // the file name without ".md"
	Path string `json:"path"` // "en/locks.md", a path in the course folder
	Meta
}

// The names below are checked by hand rather than by regular expressions,
// which every start of the browser lab would compile: with them and the
// others removed at the same time, coordlab's package initialisation under
// Node took 4-9 ms instead of 20-49 ms.

// validLanguage reports whether s has the form of a language folder's name:
// a BCP 47 language code in lower case ("en", "zh", "pt-br"), that is
// [a-z]{2,3}(-[a-z0-9]{2,8})*. Other folders, such as testdata, are not
// languages.
func validLanguage(s string) bool {
	parts := strings.Split(s, "-")
	if n := len(parts[0]); n < 2 || n > 3 || strings.IndexFunc(parts[0], func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return false
	}
	for _, p := range parts[1:] {
		if n := len(p); n < 2 || n > 8 || strings.IndexFunc(p, func(r rune) bool { return !isLowerASCII(r) && !isDigit(r) }) >= 0 {
			return false
		}
	}
	return true
}

// validSlug reports whether s has the form of a lesson file name without
// ".md", [a-z0-9][a-z0-9-]*: it appears in the lesson's URL.
func validSlug(s string) bool {
	return s != "" && s[0] != '-' && strings.IndexFunc(s, func(r rune) bool { return !isLowerASCII(r) && !isDigit(r) && r != '-' }) < 0
}

func isLowerASCII(r rune) bool { return 'a' <= r && r <= 'z' }
func isDigit(r rune) bool      { return '0' <= r && r <= '9' }

var languageNames = map[string]string{
	"en": "English", "zh": "中文", "zh-tw": "繁體中文", "de": "Deutsch", "es": "Español",
	"fr": "Français", "ja": "日本語", "ko": "한국어", "pt": "Português", "ru": "Русский",
}

// LoadCourse reads the index of a course folder: every language folder
// (named by a language code, such as en or zh; other folders are ignored)
// and in each every NAME.md, ordered by the front matter's order, then by
// slug. It reads front matter only.
//
// The course is returned even when the error is not nil, with every lesson
// that could be read; the error is a ProblemList of broken front matter (the
// title falls back to the slug), or the error of reading the folder.
func LoadCourse(fsys fs.FS) (*Course, error) {
	codes, err := languageDirs(fsys)
	if err != nil {
		return &Course{}, err
	}
	c := &Course{}
	var probs ProblemList
	for _, code := range codes {
		lang := Language{Code: code, Name: code}
		if n, ok := languageNames[code]; ok {
			lang.Name = n
		}
		files, err := lessonFiles(fsys, code)
		if err != nil {
			probs = append(probs, Problem{Path: code, Msg: err.Error()})
		}
		for _, p := range files {
			e := Entry{Path: p}
			e.Lang, e.Slug = langSlug(p)
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				probs = append(probs, Problem{Path: p, Msg: err.Error()})
				continue
			}
			var mp []Problem
			e.Meta, mp = parseMeta(p, splitFrontMatter(src))
			probs = append(probs, mp...)
			if e.Title == "" {
				e.Title = e.Slug
			}
			lang.Lessons = append(lang.Lessons, e)
		}
		sort.SliceStable(lang.Lessons, func(i, j int) bool {
			a, b := lang.Lessons[i], lang.Lessons[j]
			if a.Order != b.Order {
				return a.Order < b.Order
			}
			return a.Slug < b.Slug
		})
		c.Languages = append(c.Languages, lang)
	}
	return c, probs.Err()
}

// languageDirs lists the language folders of a course, sorted.
func languageDirs(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading the course folder: %w", err)
	}
	var codes []string
	for _, e := range entries {
		if e.IsDir() && validLanguage(e.Name()) {
			codes = append(codes, e.Name())
		}
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("the course folder has no language folders: expected folders such as en/ and zh/ holding NAME.md lessons")
	}
	sort.Strings(codes)
	return codes, nil
}

// lessonFiles lists the NAME.md files of a language folder, sorted.
func lessonFiles(fsys fs.FS, code string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, code)
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			files = append(files, path.Join(code, e.Name()))
		}
	}
	sort.Strings(files)
	return files, err
}

// Language returns the language with the given code, or nil.
func (c *Course) Language(code string) *Language {
	for i := range c.Languages {
		if c.Languages[i].Code == code {
			return &c.Languages[i]
		}
	}
	return nil
}

// Lesson returns the index entry of a lesson, or nil.
func (c *Course) Lesson(lang, slug string) *Entry {
	if l := c.Language(lang); l != nil {
		for i := range l.Lessons {
			if l.Lessons[i].Slug == slug {
				return &l.Lessons[i]
			}
		}
	}
	return nil
}

// Neighbours returns the lessons before and after a lesson in its
// language's order, nil at either end (or when the lesson is unknown).
func (c *Course) Neighbours(lang, slug string) (prev, next *Entry) {
	l := c.Language(lang)
	if l == nil {
		return nil, nil
	}
	for i := range l.Lessons {
		if l.Lessons[i].Slug != slug {
			continue
		}
		if i > 0 {
			prev = &l.Lessons[i-1]
		}
		if i+1 < len(l.Lessons) {
			next = &l.Lessons[i+1]
		}
	}
	return prev, next
}

// Load reads and parses the lesson lang/slug.md of a course folder. A lang
// or slug not of the form of a language code or a lesson slug is an error,
// so that a URL cannot name another file. As with Parse, the lesson is
// returned even when the error is a ProblemList.
func Load(fsys fs.FS, lang, slug string) (*Lesson, error) {
	if !validLanguage(lang) || !validSlug(slug) {
		return nil, fmt.Errorf("no lesson %s/%s: expected a language code such as en and a slug such as distributed-locks", lang, slug)
	}
	p := lang + "/" + slug + ".md"
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("lesson %s: %w", p, err)
	}
	return Parse(p, src)
}
