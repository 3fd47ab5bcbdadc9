package lessons

import (
	"bytes"
	"io/fs"
	"testing"
)

// FuzzParse feeds Parse arbitrary files: it must never panic, and whatever it
// returns must be well-formed and safe.
func FuzzParse(f *testing.F) {
	for _, body := range xssCorpus {
		f.Add([]byte(fm + body))
	}
	for _, src := range frontMatterCorpus {
		f.Add([]byte(src))
	}
	f.Add([]byte(fm + scenarioBlock("x") + quizBlock))
	_ = fs.WalkDir(Builtin(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			src, _ := fs.ReadFile(Builtin(), p)
			f.Add(src)
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, src []byte) {
		l, err := Parse("en/fuzz.md", src)
		if l == nil {
			t.Fatal("no lesson")
		}
		if (err == nil) != (len(l.Problems) == 0) {
			t.Fatalf("error %v but problems %v", err, l.Problems)
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, p := range l.Problems {
			if p.Path != "en/fuzz.md" || p.Line < 0 || p.Line > lines {
				t.Fatalf("problem outside the file (%d lines): %v", lines, p)
			}
		}
		inBlocks := map[*Block]bool{}
		for _, b := range l.Blocks {
			inBlocks[b] = true
			if b.Line < 1 || b.Line > lines {
				t.Fatalf("block on line %d of %d", b.Line, lines)
			}
			if b.OK() != (b.Quiz != nil || b.Scenario != nil) {
				t.Fatalf("block OK %v but parsed quiz %v scenario %v", b.OK(), b.Quiz != nil, b.Scenario != nil)
			}
		}
		for _, p := range l.Parts {
			if (p.HTML == "") == (p.Block == nil) {
				t.Fatalf("a part must be HTML or a block: %+v", p)
			}
			if p.Block != nil && (!inBlocks[p.Block] || !p.Block.OK()) {
				t.Fatalf("part block %+v is not a parsed block of the lesson", p.Block)
			}
		}
		for _, h := range lessonHTML(l) {
			if why := checkSafeHTML(h); why != "" {
				t.Fatalf("unsafe output: %s\n%s", why, h)
			}
		}
	})
}
