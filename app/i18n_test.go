package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestUITextIsTranslated finds every literal the app passes to tr and trf
// and checks that each language has it, with the same format verbs.
func TestUITextIsTranslated(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := map[string]string{} // literal: where
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || (id.Name != "tr" && id.Name != "trf") {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				used[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	if len(used) < 60 {
		t.Fatalf("found only %d translated literals; the scan is broken", len(used))
	}
	verbs := regexp.MustCompile(`%(\[\d+\])?[a-z]`)
	count := func(s string) int { return len(verbs.FindAllString(s, -1)) }
	for lang, texts := range uiText {
		for s, where := range used {
			got, ok := texts[s]
			switch {
			case !ok:
				t.Errorf("%s: %q has no %s translation", where, s, lang)
			case count(got) != count(s):
				t.Errorf("%s: the %s translation of %q is %q, with other format verbs", where, lang, s, got)
			}
		}
	}
}

func TestPlayerSpeaksTheLessonsLanguage(t *testing.T) {
	for _, tt := range []struct{ lang, want, not string }{
		{"zh", "运行到结束", "Run to end"},
		{"en", "Run to end", "运行到结束"},
		{"", "Run to end", "运行到结束"},
	} {
		html := mount(t, newPlayer().Src(pausedHolder).Named("lesson.md:12").Lang(tt.lang))
		if !strings.Contains(html, tt.want) || strings.Contains(html, tt.not) || !strings.Contains(html, `data-action="run-to-end"`) {
			t.Errorf("a player in %q lacks %q, shows %q, or lost its hooks", tt.lang, tt.want, tt.not)
		}
	}
}
