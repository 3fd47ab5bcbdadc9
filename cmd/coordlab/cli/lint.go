//go:build !(js && wasm)

package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"coordlab/lessons"
)

// cmdLint checks scenarios and lessons without running them. A folder that
// holds language folders of lessons (en/, zh/) is linted as a course, with
// the checks across languages; every other file is checked alone.
func cmdLint(e *env, args []string) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	paths, code, ok := parseFlags(e, fs, "lint", args)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var problems []string
	checked := 0
	for _, p := range paths {
		courses, err := courseDirs(p)
		if err != nil {
			e.errorf("%v", err)
			return exitUsage
		}
		for _, dir := range courses {
			checked++
			for _, prob := range lessons.Lint(os.DirFS(dir)) {
				prob.Path = filepath.Join(dir, prob.Path)
				problems = append(problems, prob.String())
			}
		}
		files, err := findFiles([]string{p})
		if err != nil {
			e.errorf("%v", err)
			return exitUsage
		}
		for _, f := range files {
			if inCourse(f, courses) {
				continue // linted as part of its course
			}
			checked++
			// A lesson named on its own or in a language folder is
			// checked whole; another markdown file (a README) only for
			// its scenario blocks.
			if strings.HasSuffix(f, ".md") && (f == p || isLanguageDir(filepath.Base(filepath.Dir(f)))) {
				src, err := os.ReadFile(f)
				if err != nil {
					e.errorf("%v", err)
					return exitUsage
				}
				l, _ := lessons.Parse(filepath.ToSlash(f), src)
				for _, prob := range l.Problems {
					problems = append(problems, prob.String())
				}
				continue
			}
			cases, err := casesOf(f)
			if err != nil {
				e.errorf("%v", err)
				return exitUsage
			}
			for _, c := range cases {
				problems = append(problems, c.problems...)
			}
		}
	}
	for _, prob := range problems {
		fmt.Fprintln(e.stdout, prob)
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stdout, "%d problems\n", len(problems))
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "no problems (%d files and courses checked)\n", checked)
	return exitOK
}

// courseDirs finds course folders under p: folders with an en/ or zh/ (or
// any two-letter language, such as de/ or pt-br/) sub-folder holding
// markdown.
func courseDirs(p string) ([]string, error) {
	var dirs []string
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return nil, err
	}
	err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != p && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		md, _ := filepath.Glob(filepath.Join(path, "*", "*.md"))
		for _, m := range md {
			if isLanguageDir(filepath.Base(filepath.Dir(m))) {
				dirs = append(dirs, path)
				return filepath.SkipDir
			}
		}
		return nil
	})
	return dirs, err
}

// isLanguageDir reports whether name is a two-letter language code, with
// an optional region: en, zh, pt-br. (Courses may also use three-letter
// codes, but a folder such as app/ or doc/ is far more often not one.)
func isLanguageDir(name string) bool {
	lang, region, hasRegion := strings.Cut(name, "-")
	letters := func(s string, digits bool) bool {
		return strings.IndexFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (!digits || r < '0' || r > '9') }) < 0
	}
	if len(lang) != 2 || !letters(lang, false) {
		return false
	}
	return !hasRegion || len(region) >= 2 && len(region) <= 8 && letters(region, true)
}

func inCourse(name string, courses []string) bool {
	for _, c := range courses {
		// Rel, not a prefix: the walk spells "./c" and "c/" as "c" below
		// the top, and "." as nothing.
		rel, err := filepath.Rel(c, name)
		if err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
