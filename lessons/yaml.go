package lessons

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// yamlReader reads the small YAML documents of front matter and quiz blocks
// by walking go-yaml's syntax tree, so that every problem carries the line
// and column of the offending value in the markdown file.
type yamlReader struct {
	path  string // the markdown file, for problems
	line0 int    // the file line just before the YAML's first line
	probs []Problem
}

// problem records a problem at a YAML position (line 0: the whole document).
func (r *yamlReader) problem(line, col int, format string, args ...any) {
	p := Problem{Path: r.path, Line: r.line0 + 1, Msg: fmt.Sprintf(format, args...)}
	if line > 0 {
		p.Line, p.Col = r.line0+line, col
	}
	r.probs = append(r.probs, p)
}

// at records a problem at a node.
func (r *yamlReader) at(n ast.Node, format string, args ...any) {
	line, col := nodePos(n)
	r.problem(line, col, format, args...)
}

func nodePos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

// parse parses src as a single YAML document and returns its top node, or
// nil (with a problem) when it does not parse or holds nothing.
func (r *yamlReader) parse(src []byte, what string) (top ast.Node) {
	defer func() {
		// go-yaml is well fuzzed, but a lesson must never take the page
		// down: a parser panic becomes a problem like any other.
		if v := recover(); v != nil {
			top = nil
			r.problem(0, 0, "%s: the YAML parser failed: %v", what, v)
		}
	}()
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			pos := ye.GetToken().Position
			// go-yaml points into the YAML itself ("already defined at
			// [1:1]"); the line of the problem says where in the file.
			r.problem(pos.Line, pos.Column, "%s: %s", what, yamlPosRE().ReplaceAllString(ye.GetMessage(), ""))
		} else {
			r.problem(0, 0, "%s: %s", what, firstLine(err.Error()))
		}
		return nil
	}
	var docs []ast.Node
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	switch {
	case len(docs) == 0:
		// Nothing to point at but the line before the YAML: the opening
		// fence or ---, which always exists.
		line := max(r.line0, 1)
		r.probs = append(r.probs, Problem{Path: r.path, Line: line, Msg: what + " is empty"})
		return nil
	case len(docs) > 1:
		r.at(docs[1], "%s: expected one YAML document, found a second one", what)
		return nil
	}
	return unwrap(docs[0])
}

// unwrap looks through tags, anchors and comments to the value.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
}

// field handles the value of one key of a mapping.
type field struct {
	name     string
	required bool
	read     func(v ast.Node)
}

// mapping reads n as a mapping whose keys must be among fields. It reports
// unknown, repeated and missing keys.
func (r *yamlReader) mapping(n ast.Node, what string, fields []field) {
	m, ok := n.(ast.MapNode)
	if !ok {
		r.at(n, "%s: expected a mapping of %s", what, fieldNames(fields))
		return
	}
	seen := map[string]bool{}
	it := m.MapRange()
	for it.Next() {
		key, _ := scalar(it.Key())
		f := findField(fields, key)
		// go-yaml's parser already refuses a key given twice.
		switch {
		case f == nil:
			r.at(it.Key(), "%s: unknown key %q; expected %s", what, key, fieldNames(fields))
		default:
			seen[key] = true
			v := unwrap(it.Value())
			if _, isNull := v.(*ast.NullNode); v == nil || isNull {
				r.at(it.Key(), "%s: %s has no value", what, key)
				continue
			}
			f.read(v)
		}
	}
	for _, f := range fields {
		if f.required && !seen[f.name] {
			r.problem(0, 0, "%s: %s is missing", what, f.name)
		}
	}
}

func findField(fields []field, name string) *field {
	for i := range fields {
		if fields[i].name == name {
			return &fields[i]
		}
	}
	return nil
}

func fieldNames(fields []field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// scalar returns the text of a scalar value as written: a string's value,
// a number or boolean as it appears in the source.
func scalar(n ast.Node) (string, bool) {
	switch v := unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// text reads a non-empty scalar as text.
func (r *yamlReader) text(n ast.Node, what string) string {
	s, ok := scalar(n)
	if !ok || strings.TrimSpace(s) == "" {
		r.at(n, "%s: expected text", what)
		return ""
	}
	return strings.TrimSpace(s)
}

// texts reads a sequence of non-empty scalars.
func (r *yamlReader) texts(n ast.Node, what string) []string {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		r.at(n, "%s: expected a list such as [a, b]", what)
		return nil
	}
	var out []string
	for i, v := range seq.Values {
		out = append(out, r.text(v, fmt.Sprintf("%s item %d", what, i+1)))
	}
	return out
}

// integer reads a whole number.
func (r *yamlReader) integer(n ast.Node, what string) int {
	v, ok := n.(*ast.IntegerNode)
	if ok {
		switch x := v.Value.(type) {
		case int64:
			if x >= -1<<31 && x < 1<<31 {
				return int(x)
			}
		case uint64:
			if x < 1<<31 {
				return int(x)
			}
		}
	}
	s, _ := scalar(n)
	r.at(n, "%s: expected a whole number, got %q", what, s)
	return 0
}

// yamlPosRE matches the position go-yaml writes into its messages; it is
// compiled on the first error, not at every start.
var yamlPosRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(` at \[\d+:\d+\]`) })

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
