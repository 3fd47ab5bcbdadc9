package lessons

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// sanitizer is an AST transformer that makes the output safe whatever the
// renderer's defaults: it removes raw HTML, replaces links, images and
// autolinks with unsafe URLs by their text, and turns scenario and quiz
// blocks that are not at the top level (inside a list or a quote, where no
// live component can stand) into error boxes. It records a problem for each.
type sanitizer struct{}

// Transform implements parser.ASTTransformer.
func (sanitizer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	st, _ := pc.Get(stateKey).(*renderState)
	if st == nil {
		st = &renderState{}
	}
	src := reader.Source()
	type edit struct {
		old ast.Node
		new []ast.Node // nil: remove
	}
	var edits []edit
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			st.problem(n, "raw HTML is not rendered; write markdown instead")
			edits = append(edits, edit{old: n})
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			if !safeURL(n.Destination, true) {
				st.problem(n, "link to %q removed: only http, https, mailto and relative links are allowed", clip(n.Destination))
				edits = append(edits, edit{n, childNodes(n)})
			}
		case *ast.Image:
			if !safeURL(n.Destination, false) {
				st.problem(n, "image %q removed: only http, https and relative image URLs are allowed", clip(n.Destination))
				edits = append(edits, edit{n, childNodes(n)})
			}
		case *ast.AutoLink:
			if url := n.URL(src); n.AutoLinkType != ast.AutoLinkEmail && !safeURL(url, true) {
				st.problem(n, "link to %q removed: only http, https, mailto and relative links are allowed", clip(url))
				edits = append(edits, edit{n, []ast.Node{ast.NewString(n.Label(src))}})
			}
		case *ast.FencedCodeBlock:
			if kind, ok := blockKind(n, src); ok && n.Parent() != doc {
				b := newBlock(kind, n, src, st)
				b.Problems = append([]Problem{{Path: st.path, Line: b.Line,
					Msg: "a " + string(kind) + " block must start at the left margin, not inside a list or a quote"}}, b.Problems...)
				edits = append(edits, edit{n, []ast.Node{&errorNode{block: b, path: st.path}}})
			}
		}
		return ast.WalkContinue, nil
	})
	for _, e := range edits {
		parent := e.old.Parent()
		if parent == nil {
			continue
		}
		for _, c := range e.new {
			parent.InsertBefore(parent, e.old, c)
		}
		parent.RemoveChild(parent, e.old)
	}
}

// safeURL reports whether a link (or image, when link is false) may point
// to dest: http and https, mailto for links, or a relative URL. Anything
// with another scheme (javascript:, vbscript:, data:, file:, ...) is unsafe.
// dest is first decoded the way the renderer does (backslash escapes and
// character references), so that "&#106;avascript:" is seen for what it is.
func safeURL(dest []byte, link bool) bool {
	u := strings.ToLower(string(util.URLEscape(dest, true)))
	u = strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	u = dropTabsAndNewlines.Replace(u)
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true // no scheme: relative
	}
	switch u[:i] {
	case "http", "https":
		return true
	case "mailto":
		return link
	}
	return false
}

// dropTabsAndNewlines removes what browsers ignore inside a URL's scheme.
var dropTabsAndNewlines = strings.NewReplacer("\t", "", "\n", "", "\r", "")

func clip(b []byte) string {
	const max = 60
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// kindErrorNode is the node kind of errorNode.
var kindErrorNode = ast.NewNodeKind("LessonBlockError")

// errorNode stands where a misplaced scenario or quiz block was.
type errorNode struct {
	ast.BaseBlock
	block *Block
	path  string
}

// Kind implements ast.Node.
func (n *errorNode) Kind() ast.NodeKind { return kindErrorNode }

// Dump implements ast.Node.
func (n *errorNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// boxRenderer renders errorNode as an error box.
type boxRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (boxRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindErrorNode, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			e := n.(*errorNode)
			_, _ = w.WriteString(errorBox(string(e.block.Kind)+" block", e.path, e.block.Line, e.block.Problems, e.block.Source))
		}
		return ast.WalkSkipChildren, nil
	})
}
