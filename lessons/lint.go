package lessons

import (
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"sort"

	"github.com/goccy/go-yaml"
)

// Lint checks a course folder without running its scenarios: every
// lesson's front matter, markdown (raw HTML, dropped links) and blocks; file
// names usable in URLs; orders and scenario names unique within a language;
// and that every language has the same lesson files with the same scenario
// blocks as the reference language (en when present, else the first). Two
// translations of a scenario block may differ only in title and comments.
// Problems are sorted by file and line; nil means the course is clean.
func Lint(fsys fs.FS) []Problem {
	codes, err := languageDirs(fsys)
	if err != nil {
		return []Problem{{Msg: err.Error()}}
	}
	var probs []Problem
	parsed := map[string][]*Lesson{} // by language, in file name order
	for _, code := range codes {
		files, err := lessonFiles(fsys, code)
		if err != nil {
			probs = append(probs, Problem{Path: code, Msg: err.Error()})
		}
		if len(files) == 0 {
			probs = append(probs, Problem{Path: code, Msg: "the language folder holds no NAME.md lessons"})
		}
		for _, p := range files {
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				probs = append(probs, Problem{Path: p, Msg: err.Error()})
				continue
			}
			l := parse(p, src)
			probs = append(probs, l.Problems...)
			if !validSlug(l.Slug) {
				probs = append(probs, Problem{Path: p, Msg: fmt.Sprintf("file name %q: expected lower-case letters, digits and dashes before .md (it becomes the lesson's URL)", path.Base(p))})
			}
			parsed[code] = append(parsed[code], l)
		}
		probs = append(probs, lintLanguage(parsed[code])...)
	}
	ref := codes[0]
	if _, ok := parsed["en"]; ok {
		ref = "en"
	}
	for _, code := range codes {
		if code != ref {
			probs = append(probs, lintParity(ref, code, parsed[ref], parsed[code])...)
		}
	}
	sortProblems(probs)
	return probs
}

// lintLanguage checks what must be unique within one language.
func lintLanguage(ls []*Lesson) []Problem {
	var probs []Problem
	orders := map[int]string{}
	names := map[string]string{}
	for _, l := range ls {
		if other, dup := orders[l.Order]; dup && l.Order != 0 {
			probs = append(probs, Problem{Path: l.Path, Line: 1, Msg: fmt.Sprintf("front matter: order %d is also the order of %s; expected a different number", l.Order, other)})
		} else {
			orders[l.Order] = l.Path
		}
		for _, b := range l.Blocks {
			if b.Kind != KindScenario || b.Name == "" {
				continue
			}
			here := fmt.Sprintf("%s:%d", l.Path, b.Line)
			if other, dup := names[b.Name]; dup {
				probs = append(probs, Problem{Path: l.Path, Line: b.Line, Msg: fmt.Sprintf("scenario name %q is also used at %s; expected a name unique in the course", b.Name, other)})
			} else {
				names[b.Name] = here
			}
		}
	}
	return probs
}

// lintParity checks that a translation has the reference's files and
// scenario blocks.
func lintParity(refCode, code string, ref, tr []*Lesson) []Problem {
	var probs []Problem
	bySlug := map[string]*Lesson{}
	for _, l := range tr {
		bySlug[l.Slug] = l
	}
	refSlugs := map[string]bool{}
	for _, r := range ref {
		refSlugs[r.Slug] = true
		t, ok := bySlug[r.Slug]
		if !ok {
			probs = append(probs, Problem{Path: r.Path, Msg: fmt.Sprintf("no translation: expected %s/%s.md as well", code, r.Slug)})
			continue
		}
		probs = append(probs, lintBlocks(r, t)...)
	}
	for _, t := range tr {
		if !refSlugs[t.Slug] {
			probs = append(probs, Problem{Path: t.Path, Msg: fmt.Sprintf("no such lesson in %s, the reference language: expected %s/%s.md as well", refCode, refCode, t.Slug)})
		}
	}
	return probs
}

// lintBlocks checks that a translation has the reference's scenario blocks,
// in the same order, equal but for title.
func lintBlocks(ref, tr *Lesson) []Problem {
	rs, ts := scenarios(ref), scenarios(tr)
	var probs []Problem
	for i := 0; i < max(len(rs), len(ts)); i++ {
		switch {
		case i >= len(ts):
			probs = append(probs, Problem{Path: tr.Path, Msg: fmt.Sprintf("scenario %q of %s:%d is missing: a translation carries the same scenario blocks in the same order", rs[i].Name, ref.Path, rs[i].Line)})
		case i >= len(rs):
			probs = append(probs, Problem{Path: tr.Path, Line: ts[i].Line, Msg: fmt.Sprintf("scenario %q is not in %s: a translation carries the same scenario blocks in the same order", ts[i].Name, ref.Path)})
		default:
			if msg := diffScenario(rs[i], ts[i]); msg != "" {
				probs = append(probs, Problem{Path: tr.Path, Line: ts[i].Line, Msg: fmt.Sprintf("scenario %d differs from %s:%d: %s; only title may differ between languages", i+1, ref.Path, rs[i].Line, msg)})
			}
		}
	}
	return probs
}

func scenarios(l *Lesson) []*Block {
	var out []*Block
	for _, b := range l.Blocks {
		if b.Kind == KindScenario {
			out = append(out, b)
		}
	}
	return out
}

// diffScenario compares two scenario blocks key by key, ignoring title and
// comments. It returns "" when they match, or which key differs.
func diffScenario(a, b *Block) string {
	if a.Name != b.Name {
		return fmt.Sprintf("name %q here, %q there", b.Name, a.Name)
	}
	var ma, mb map[string]any
	if yaml.Unmarshal([]byte(a.Source), &ma) != nil || yaml.Unmarshal([]byte(b.Source), &mb) != nil {
		return "" // a block that does not parse has its own problem
	}
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	delete(keys, "title")
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if !reflect.DeepEqual(ma[k], mb[k]) {
			return "its " + k + " differs"
		}
	}
	return ""
}
