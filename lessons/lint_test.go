package lessons

import (
	"strings"
	"testing"
	"testing/fstest"
)

// sc is a scenario block of redlock (a mechanism that exists) with a title.
func sc(name, title, extra string) string {
	return "```scenario\nname: " + name + "\ntitle: " + title + "\nmechanism: redlock\nduration: 2s\n" + extra + "```\n\n"
}

func cleanCourse() fstest.MapFS {
	return fstest.MapFS{
		"en/one.md": lessonFile("One", 1, "Text.\n\n"+sc("alpha", "Alpha", "seed: 3\n")+sc("beta", "Beta", "")),
		"en/two.md": lessonFile("Two", 2, "Text.\n\n"+sc("gamma", "Gamma", "")),
		// Titles and comments may differ; keys may be ordered differently.
		"zh/one.md": lessonFile("一", 1, "文字。\n\n"+sc("alpha", "阿尔法", "# 注释\nseed: 3\n")+sc("beta", "贝塔", "")),
		"zh/two.md": lessonFile("二", 2, "文字。\n\n"+"```scenario\nmechanism: redlock\nduration: 2s\nname: gamma\ntitle: 伽马\n```\n"),
	}
}

func TestLintCleanCourse(t *testing.T) {
	if probs := Lint(cleanCourse()); len(probs) != 0 {
		t.Fatalf("problems in a clean course:\n%s", ProblemList(probs).Error())
	}
}

func TestLintFindsProblems(t *testing.T) {
	cases := []struct {
		name   string
		change func(fstest.MapFS)
		want   string // a problem, as "path:line: text" or "path: text"
	}{
		{"missing translation", func(f fstest.MapFS) { delete(f, "zh/two.md") },
			"en/two.md: no translation: expected zh/two.md"},
		{"extra translation", func(f fstest.MapFS) { f["zh/three.md"] = lessonFile("三", 3, "x") },
			"zh/three.md: no such lesson in en"},
		{"scenario renamed", func(f fstest.MapFS) {
			f["zh/two.md"] = lessonFile("二", 2, sc("delta", "Delta", ""))
		}, `zh/two.md:6: scenario 1 differs from en/two.md:8: name "delta" here, "gamma" there`},
		{"scenario changed", func(f fstest.MapFS) {
			f["zh/one.md"] = lessonFile("一", 1, sc("alpha", "阿尔法", "seed: 4\n")+sc("beta", "贝塔", ""))
		}, "zh/one.md:6: scenario 1 differs from en/one.md:8: its seed differs"},
		{"scenario missing", func(f fstest.MapFS) {
			f["zh/one.md"] = lessonFile("一", 1, sc("alpha", "阿尔法", "seed: 3\n"))
		}, `zh/one.md: scenario "beta" of en/one.md:16 is missing`},
		{"scenario added", func(f fstest.MapFS) {
			f["zh/two.md"] = lessonFile("二", 2, sc("gamma", "伽马", "")+sc("extra", "Extra", ""))
		}, `zh/two.md:13: scenario "extra" is not in en/two.md`},
		{"duplicate order", func(f fstest.MapFS) { f["en/two.md"] = lessonFile("Two", 1, sc("gamma", "Gamma", "")) },
			"en/two.md:1: front matter: order 1 is also the order of en/one.md"},
		{"duplicate scenario name", func(f fstest.MapFS) {
			f["en/two.md"] = lessonFile("Two", 2, sc("alpha", "Gamma", ""))
			f["zh/two.md"] = lessonFile("二", 2, sc("alpha", "伽马", ""))
		}, `en/two.md:6: scenario name "alpha" is also used at en/one.md:8`},
		{"bad file name", func(f fstest.MapFS) {
			f["en/Three Words.md"] = lessonFile("Three", 3, "x")
			f["zh/Three Words.md"] = lessonFile("三", 3, "x")
		}, `en/Three Words.md: file name "Three Words.md": expected lower-case letters`},
		{"broken block", func(f fstest.MapFS) {
			f["en/two.md"] = lessonFile("Two", 2, sc("gamma", "Gamma", "")+"```quiz\nquestion: q\n```\n")
		}, "en/two.md:14: quiz: choices is missing"},
		{"raw html", func(f fstest.MapFS) { f["en/two.md"] = lessonFile("Two", 2, "<br>\n\n"+sc("gamma", "Gamma", "")) },
			"en/two.md:6: raw HTML is not rendered"},
		{"empty language", func(f fstest.MapFS) {
			delete(f, "zh/one.md")
			delete(f, "zh/two.md")
			f["zh/readme.txt"] = &fstest.MapFile{Data: []byte("x")}
		}, "zh: the language folder holds no NAME.md lessons"},
		{"no languages", func(f fstest.MapFS) {
			for k := range f {
				delete(f, k)
			}
			f["one.md"] = lessonFile("One", 1, "x")
		}, "the course folder has no language folders"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := cleanCourse()
			c.change(f)
			probs := Lint(f)
			for _, p := range probs {
				if strings.HasPrefix(p.String(), c.want) || strings.Contains(p.String(), c.want) && p.Path == "" {
					return
				}
			}
			t.Errorf("want %q, got:\n%s", c.want, ProblemList(probs).Error())
		})
	}
}

func TestLintUsesEnglishAsReference(t *testing.T) {
	f := fstest.MapFS{
		"de/a.md": lessonFile("A", 1, "x"),
		"en/a.md": lessonFile("A", 1, "x"),
		"en/b.md": lessonFile("B", 2, "x"),
	}
	probs := Lint(f)
	if len(probs) != 1 || probs[0].Path != "en/b.md" || !strings.Contains(probs[0].Msg, "expected de/b.md") {
		t.Errorf("problems %v", probs)
	}
}
