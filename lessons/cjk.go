package lessons

import (
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// cjkBreaks is an AST transformer that drops a soft line break between two
// Chinese or Japanese characters (punctuation included), where a browser
// would otherwise show the newline as a space in the middle of a sentence.
// A break next to a Latin letter stays a space, as Chinese typesetting
// wants between the two scripts.
//
// goldmark's CJK extension does this only when both neighbours are in the
// same text node and are ideographs (its "simple" style), which misses
// breaks after full-width punctuation and around emphasis; its CSS3 style
// also joins English lines that end with a full stop.
type cjkBreaks struct{}

// Transform implements parser.ASTTransformer.
func (cjkBreaks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var texts []*ast.Text // the text of one block, in order
	flush := func() {
		for i, t := range texts {
			if !t.SoftLineBreak() || i+1 == len(texts) {
				continue
			}
			before, _ := lastRune(texts[:i+1], src)
			after, _ := firstRune(texts[i+1:], src)
			if joinsWithoutSpace(before) && joinsWithoutSpace(after) {
				t.SetSoftLineBreak(false)
			}
		}
		texts = texts[:0]
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock && entering {
			flush()
		}
		if t, ok := n.(*ast.Text); ok && entering {
			texts = append(texts, t)
		}
		return ast.WalkContinue, nil
	})
	flush()
}

// lastRune returns the last rune of the last non-empty text.
func lastRune(texts []*ast.Text, src []byte) (rune, bool) {
	for i := len(texts) - 1; i >= 0; i-- {
		if v := texts[i].Segment.Value(src); len(v) > 0 {
			r, _ := utf8.DecodeLastRune(v)
			return r, true
		}
	}
	return 0, false
}

// firstRune returns the first rune of the first non-empty text.
func firstRune(texts []*ast.Text, src []byte) (rune, bool) {
	for _, t := range texts {
		if v := t.Segment.Value(src); len(v) > 0 {
			r, _ := utf8.DecodeRune(v)
			return r, true
		}
	}
	return 0, false
}

// joinsWithoutSpace reports whether r is a character that Chinese and
// Japanese text sets without spaces: ideographs, kana, CJK and full-width
// punctuation, and the curly quotes and dashes used with them.
func joinsWithoutSpace(r rune) bool {
	switch {
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return true
	case r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFFEF:
		return true // CJK symbols and punctuation; full-width forms
	}
	switch r {
	case '“', '”', '‘', '’', '—', '…', '·':
		return true
	}
	return false
}
