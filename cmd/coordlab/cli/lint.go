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
		cases, err := collect([]string{p})
		if err != nil {
			e.errorf("%v", err)
			return exitUsage
		}
		for _, c := range cases {
			if strings.HasSuffix(c.name, ".md") || inCourse(c.name, courses) {
				continue // lessons were linted as part of their course
			}
			checked++
			problems = append(problems, c.problems...)
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
// any two-letter language) sub-folder holding markdown.
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
		if md, _ := filepath.Glob(filepath.Join(path, "en", "*.md")); len(md) > 0 {
			dirs = append(dirs, path)
			return filepath.SkipDir
		}
		return nil
	})
	return dirs, err
}

func inCourse(name string, courses []string) bool {
	for _, c := range courses {
		if strings.HasPrefix(name, c+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
