package lessons

import (
	"bytes"
	"unicode"

	"github.com/goccy/go-yaml/ast"
)

// frontMatter is the split of a lesson file into front matter and body.
type frontMatter struct {
	yaml     []byte // between the --- lines; nil when there is none
	body     []byte // the markdown after the closing ---
	bodyLine int    // the file line on which body starts, from 1
	unclosed bool   // an opening --- without a closing one
}

// splitFrontMatter splits src. Front matter starts with a line "---" as the
// very first line and ends with the next line "---" (Jekyll and Hugo
// spelling). A file without it is all body.
func splitFrontMatter(src []byte) frontMatter {
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	first, rest, _ := cutLine(src)
	if !isFence(first) {
		return frontMatter{body: src, bodyLine: 1}
	}
	off := len(src) - len(rest)
	line := 2
	for len(rest) > 0 {
		l, next, _ := cutLine(rest)
		if isFence(l) {
			return frontMatter{yaml: src[off : len(src)-len(rest)], body: next, bodyLine: line + 1}
		}
		rest = next
		line++
	}
	return frontMatter{body: src, bodyLine: 1, unclosed: true}
}

// cutLine returns the first line of b without its line ending, and the rest.
func cutLine(b []byte) (line, rest []byte, found bool) {
	line, rest, found = bytes.Cut(b, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), rest, found
}

func isFence(line []byte) bool { return string(bytes.TrimRight(line, " \t")) == "---" }

// parseMeta reads the front matter of a lesson.
func parseMeta(path string, fm frontMatter) (Meta, []Problem) {
	var m Meta
	r := &yamlReader{path: path, line0: 1}
	switch {
	case fm.unclosed:
		return m, []Problem{{Path: path, Line: 1, Msg: "front matter: the opening --- on line 1 has no closing --- line"}}
	case fm.yaml == nil:
		return m, []Problem{{Path: path, Line: 1, Msg: "front matter missing: a lesson starts with a line ---, then title: and order: (summary: and tags: optional), then ---"}}
	}
	top := r.parse(fm.yaml, "front matter")
	if top == nil {
		return m, r.probs
	}
	r.mapping(top, "front matter", []field{
		{"title", true, func(v ast.Node) { m.Title = r.text(v, "title") }},
		{"order", true, func(v ast.Node) { m.Order = r.integer(v, "order") }},
		{"summary", false, func(v ast.Node) { m.Summary = r.text(v, "summary") }},
		{"tags", false, func(v ast.Node) {
			m.Tags = r.texts(v, "tags")
			for i, t := range m.Tags {
				if t != "" && !validTag(t) {
					r.at(v.(*ast.SequenceNode).Values[i], "tags: %q: expected lower-case letters, digits and dashes, such as clock-skew", t)
				}
			}
		}},
	})
	return m, r.probs
}

// validTag reports whether s is [\p{Ll}\p{Lo}0-9][\p{Ll}\p{Lo}0-9-]*: lower-case
// or caseless letters (Chinese tags), ASCII digits and dashes, not first.
func validTag(s string) bool {
	for i, r := range s {
		if !unicode.Is(unicode.Ll, r) && !unicode.Is(unicode.Lo, r) && !isDigit(r) && (r != '-' || i == 0) {
			return false
		}
	}
	return s != ""
}
