package lessons

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// md is the one markdown converter. It is safe for concurrent use: per-parse
// state lives in the parser.Context. html.WithUnsafe is never set, and
// parser.WithAttribute is not enabled, so no author-chosen attribute reaches
// the output.
var md = goldmark.New(
	goldmark.WithExtensions(
		// GitHub Flavored Markdown, with table alignment as align attributes
		// rather than inline styles, which a Content-Security-Policy blocks.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough, extension.Linkify, extension.TaskList,
		extension.Footnote),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(sanitizer{}, 0), util.Prioritized(cjkBreaks{}, 0)),
	),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(boxRenderer{}, 0)),
	),
)

// stateKey holds a *renderState in the parser.Context.
var stateKey = parser.NewContextKey()

// renderState is what one conversion knows about its file: where it is, to
// turn source offsets into file lines for problems.
type renderState struct {
	path  string
	lines []int // offsets of the body's newlines
	line0 int   // the file line of the body's first line
	fixed int   // when not 0, every problem is on this line (quiz texts)
	probs []Problem
}

func newRenderState(path string, body []byte, bodyLine int) *renderState {
	st := &renderState{path: path, line0: bodyLine}
	for i, c := range body {
		if c == '\n' {
			st.lines = append(st.lines, i)
		}
	}
	return st
}

// lineOf returns the file line of a body offset.
func (st *renderState) lineOf(off int) int {
	if st.fixed != 0 {
		return st.fixed
	}
	if off < 0 {
		return 0
	}
	return st.line0 + sort.SearchInts(st.lines, off)
}

func (st *renderState) problem(n ast.Node, format string, args ...any) {
	st.probs = append(st.probs, Problem{Path: st.path, Line: st.lineOf(nodePosOf(n)), Msg: fmt.Sprintf(format, args...)})
}

// nodePosOf returns a source offset for a node: its own, its first line's,
// or an ancestor's.
func nodePosOf(n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if p := n.Pos(); p >= 0 {
			return p
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return n.Lines().At(0).Start
		}
	}
	return -1
}

// convert parses markdown into a document, sanitized, with problems
// recorded in st.
func convert(src []byte, st *renderState) ast.Node {
	pc := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	pc.Set(stateKey, st)
	return md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
}

// renderNodes renders nodes with the one converter into buf.
func renderNodes(buf *bytes.Buffer, src []byte, nodes ...ast.Node) {
	// One bufio.Writer for all the nodes: goldmark allocates a new one per
	// Render call when the writer is not buffered. It flushes after each.
	w := bufio.NewWriter(buf)
	for _, n := range nodes {
		// The html renderer only fails when the writer does; a bytes.Buffer
		// never does.
		_ = md.Renderer().Render(w, src, n)
	}
}

// renderBody converts a lesson body into parts and blocks. Scenario and quiz
// fences directly under the document become blocks; everything between them
// becomes one HTML part.
func renderBody(l *Lesson, body []byte, st *renderState) {
	doc := convert(body, st)
	var pending []ast.Node // markdown waiting to become one HTML part
	flush := func() {
		var buf bytes.Buffer
		renderNodes(&buf, body, pending...)
		if strings.TrimSpace(buf.String()) != "" {
			l.Parts = append(l.Parts, Part{HTML: `<div class="lesson-text">` + buf.String() + `</div>`})
		}
		pending = pending[:0]
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.FencedCodeBlock:
			if kind, ok := blockKind(n, body); ok {
				flush()
				b := newBlock(kind, n, body, st)
				l.Blocks = append(l.Blocks, b)
				if b.OK() {
					l.Parts = append(l.Parts, Part{Block: b})
				} else {
					l.Parts = append(l.Parts, Part{HTML: errorBox(string(b.Kind)+" block", st.path, b.Line, b.Problems, b.Source)})
				}
				continue
			}
		case *ast.Heading:
			collectHeadings(l, n, body)
		}
		// Blocks misplaced inside lists or quotes became error boxes.
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if e, ok := c.(*errorNode); ok && entering {
				l.Blocks = append(l.Blocks, e.block)
			}
			return ast.WalkContinue, nil
		})
		pending = append(pending, n)
	}
	flush()
}

// blockKind reports whether a fenced code block is a scenario or quiz block.
func blockKind(n *ast.FencedCodeBlock, src []byte) (Kind, bool) {
	switch Kind(n.Language(src)) {
	case KindScenario:
		return KindScenario, true
	case KindQuiz:
		return KindQuiz, true
	}
	return "", false
}

// newBlock reads a block's source and parses it.
func newBlock(kind Kind, n *ast.FencedCodeBlock, src []byte, st *renderState) *Block {
	b := &Block{Kind: kind, Line: st.lineOf(n.Info.Segment.Start)}
	var s strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		s.WriteString(strings.Repeat(" ", seg.Padding))
		s.Write(seg.Value(src))
	}
	b.Source = s.String()
	switch kind {
	case KindScenario:
		parseScenario(b, st)
	case KindQuiz:
		parseQuiz(b, st)
	}
	sortProblems(b.Problems)
	return b
}

func collectHeadings(l *Lesson, h *ast.Heading, src []byte) {
	if h.Level < 2 || h.Level > 3 {
		return
	}
	id, _ := h.AttributeString("id")
	idb, _ := id.([]byte)
	l.Headings = append(l.Headings, Heading{Level: h.Level, ID: string(idb), Text: plainText(h, src)})
}

// plainText returns the text of a node's inline content, without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					b.Write(t.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// errorBox renders a visible error box: one <div class="block-error"> with
// the problems and, when given, the offending source. Everything is escaped.
func errorBox(what, path string, line int, probs []Problem, source string) string {
	var b strings.Builder
	b.WriteString(`<div class="block-error" role="alert"><p class="block-error-title">`)
	title := fmt.Sprintf("The %s at %s:%d does not parse", what, path, line)
	b.WriteString(html.EscapeString(title))
	b.WriteString(`</p><ul>`)
	for _, p := range probs {
		b.WriteString(`<li>`)
		b.WriteString(html.EscapeString(p.String()))
		b.WriteString(`</li>`)
	}
	b.WriteString(`</ul>`)
	if source != "" {
		b.WriteString(`<pre><code>`)
		b.WriteString(html.EscapeString(source))
		b.WriteString(`</code></pre>`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// renderInline renders a short text of a quiz as safe markup: a <div> of
// block markdown, or a <span> of inline markdown when inline is set and the
// text is one paragraph (otherwise the text is shown escaped).
func renderInline(s string, class string, inline bool, st *renderState) string {
	src := []byte(s)
	doc := convert(src, st)
	var buf bytes.Buffer
	if !inline {
		renderNodes(&buf, src, childNodes(doc)...)
		return `<div class="` + class + `">` + buf.String() + `</div>`
	}
	if p, ok := doc.FirstChild().(*ast.Paragraph); ok && doc.ChildCount() == 1 {
		renderNodes(&buf, src, childNodes(p)...)
	} else {
		buf.WriteString(html.EscapeString(s))
	}
	return `<span class="` + class + `">` + buf.String() + `</span>`
}

func childNodes(n ast.Node) []ast.Node {
	var out []ast.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		out = append(out, c)
	}
	return out
}

// headingIDs generates heading ids the way GitHub does, but keeping letters
// and digits of every script, so that Chinese headings get readable ids
// (goldmark's default keeps ASCII only and names them all "heading-N").
type headingIDs struct{ used map[string]bool }

func newHeadingIDs() *headingIDs { return &headingIDs{used: map[string]bool{}} }

// Generate implements parser.IDs.
func (h *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for len(value) > 0 {
		r, size := utf8.DecodeRune(value)
		value = value[size:]
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsSpace(r) || r == '-' || r == '_':
			dash = true
		}
	}
	id := b.String()
	if id == "" {
		id = "section"
	}
	unique := id
	for i := 1; h.used[unique]; i++ {
		unique = fmt.Sprintf("%s-%d", id, i)
	}
	h.used[unique] = true
	return []byte(unique)
}

// Put implements parser.IDs.
func (h *headingIDs) Put(value []byte) { h.used[string(value)] = true }
