package lessons

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

const fm = "---\ntitle: T\norder: 1\n---\n" // four lines: the body starts on line 5

func mustParse(t *testing.T, src string) *Lesson {
	t.Helper()
	l, err := Parse("en/x.md", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return l
}

func TestMarkdownFeatures(t *testing.T) {
	cases := []struct {
		name, md string
		want     []string
	}{
		{"table with alignment", "| a | b |\n|:--|--:|\n| 1 | 2 |", []string{"<table>", `<th align="left">a</th>`, `<td align="right">2</td>`}},
		{"strikethrough", "~~old~~ new", []string{"<del>old</del> new"}},
		{"autolink", "see https://redis.io/docs/ now", []string{`<a href="https://redis.io/docs/">https://redis.io/docs/</a>`}},
		{"www autolink", "www.example.com", []string{`<a href="http://www.example.com">www.example.com</a>`}},
		{"task list", "- [x] done\n- [ ] todo", []string{`<input checked="" disabled="" type="checkbox"> done`, `<input disabled="" type="checkbox"> todo`}},
		{"footnote", "claim[^1]\n\n[^1]: source", []string{`<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`, `<li id="fn:1">`, "source"}},
		{"heading ids", "## The *life* of a lock\n\n## The life of a lock", []string{`<h2 id="the-life-of-a-lock">`, `<h2 id="the-life-of-a-lock-1">`}},
		{"chinese heading id", "## 锁的一生：获取与释放", []string{`<h2 id="锁的一生获取与释放">`}},
		{"punctuation-only heading", "## ???", []string{`<h2 id="section">`}},
		{"chinese soft line break", "第一行\n第二行", []string{"<p>第一行第二行</p>"}},
		{"break after full-width comma", "协调，\n就是", []string{"<p>协调，就是</p>"}},
		{"break before a curly quote", "变成\n“最多”", []string{"<p>变成“最多”</p>"}},
		{"break after emphasis", "**强（x）**\n（Herlihy）", []string{"<strong>强（x）</strong>（Herlihy）"}},
		{"break between scripts stays", "client-1\n在一边", []string{"<p>client-1\n在一边</p>"}},
		{"break before code stays", "存放在\n`n` 个", []string{"存放在\n<code>n</code>"}},
		{"latin soft line break", "first\nsecond", []string{"<p>first\nsecond</p>"}},
		{"latin break after a full stop", "end.\nNext", []string{"<p>end.\nNext</p>"}},
		{"ordinary code block", "```yaml\na: 1\n```", []string{`<pre><code class="language-yaml">a: 1`}},
		{"relative link", "[next](redis-locks)", []string{`<a href="redis-locks">next</a>`}},
		{"emphasis", "*a* **b** `c`", []string{"<em>a</em> <strong>b</strong> <code>c</code>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := mustParse(t, fm+c.md+"\n")
			if len(l.Parts) != 1 || l.Parts[0].Block != nil {
				t.Fatalf("parts: %+v", l.Parts)
			}
			h := l.Parts[0].HTML
			for _, w := range c.want {
				if !strings.Contains(h, w) {
					t.Errorf("output lacks %q:\n%s", w, h)
				}
			}
			if why := checkSafeHTML(h); why != "" {
				t.Error(why)
			}
		})
	}
}

const quizBlock = "```quiz\nquestion: Q?\nchoices: [a, b]\nanswer: b\n```\n"

func scenarioBlock(name string) string {
	return "```scenario\nname: " + name + "\ntitle: A title\nmechanism: redlock\nduration: 2s\n```\n"
}

func TestPartsSplitAroundBlocks(t *testing.T) {
	src := fm + "# Intro\n\nText one.\n\n" + scenarioBlock("first") + "\nText two.\n\n" + quizBlock + quizBlock + "\nText three[^n].\n\n[^n]: A note.\n"
	l := mustParse(t, src)
	var shape []string
	for _, p := range l.Parts {
		switch {
		case p.Block != nil:
			shape = append(shape, string(p.Block.Kind))
		default:
			shape = append(shape, "html")
			if !strings.HasPrefix(p.HTML, `<div class="lesson-text">`) || !strings.HasSuffix(p.HTML, "</div>") {
				t.Errorf("an HTML part is not one lesson-text div: %q", p.HTML)
			}
		}
	}
	if got, want := strings.Join(shape, " "), "html scenario html quiz quiz html"; got != want {
		t.Fatalf("parts %q, want %q", got, want)
	}
	if len(l.Blocks) != 3 || l.Parts[1].Block != l.Blocks[0] || l.Parts[3].Block != l.Blocks[1] {
		t.Fatalf("parts do not point into Blocks")
	}
	sc := l.Blocks[0]
	// fm is 4 lines, "# Intro", "", "Text one.", "": the fence is on line 9.
	if sc.Line != 9 || sc.FileLine(1) != 10 || sc.Name != "first" || sc.Title != "A title" || sc.Scenario == nil {
		t.Errorf("scenario block: line %d, name %q, title %q, parsed %v", sc.Line, sc.Name, sc.Title, sc.Scenario != nil)
	}
	if !strings.HasPrefix(sc.Source, "name: first\n") || strings.Contains(sc.Source, "```") {
		t.Errorf("source %q", sc.Source)
	}
	if q := l.Blocks[1].Quiz; q == nil || q.Answer != 1 || q.Choices[1] != "b" {
		t.Errorf("quiz %+v", q)
	}
	if last := l.Parts[len(l.Parts)-1].HTML; !strings.Contains(last, "Text three") || !strings.Contains(last, `class="footnotes"`) {
		t.Errorf("footnotes do not end the last part: %s", last)
	}
}

func TestHeadingsForContents(t *testing.T) {
	l := mustParse(t, fm+"# Top\n\n## One `code` *em*\n\n### Two\n\n#### Deep\n\n## 三\n")
	var got []string
	for _, h := range l.Headings {
		got = append(got, h.ID+"="+h.Text)
	}
	if want := "one-code-em=One code em two=Two 三=三"; strings.Join(got, " ") != want {
		t.Errorf("headings %q, want %q", strings.Join(got, " "), want)
	}
}

func TestBrokenBlocksBecomeErrorBoxes(t *testing.T) {
	cases := []struct {
		name, block string
		line        int    // of the first problem
		want        string // in the message
	}{
		{"quiz yaml syntax", "```quiz\nquestion: [\n```\n", 6, "quiz:"},
		{"quiz wrong answer", "```quiz\nquestion: q\nchoices: [a, b]\nanswer: c\n```\n", 8, `answer: "c" is not one of the choices`},
		{"quiz unknown key", "```quiz\nquestion: q\nchoices: [a, b]\nanswer: a\nhint: h\n```\n", 9, `unknown key "hint"`},
		{"quiz one choice", "```quiz\nquestion: q\nchoices: [a]\nanswer: a\n```\n", 7, "at least two choices"},
		{"quiz repeated choice", "```quiz\nquestion: q\nchoices: [a, a]\nanswer: a\n```\n", 7, "listed twice"},
		{"quiz not a mapping", "```quiz\n- a\n```\n", 6, "expected a mapping"},
		{"quiz empty", "```quiz\n```\n", 5, "quiz is empty"},
		{"scenario empty", "```scenario\n```\n", 5, "scenario:"},
		{"scenario unknown key", "```scenario\nname: x\nmechanism: redlock\nbogus: 1\n```\n", 8, `unknown key "bogus"`},
		{"scenario bad param", "```scenario\nname: x\nmechanism: redlock\nparams: {ttl: soon}\n```\n", 8, "params.ttl"},
		{"scenario no mechanism", "```scenario\nname: x\n```\n", 6, "mechanism"},
		{"scenario yaml syntax", "```scenario\nname: [x\n```\n", 6, "invalid YAML"},
		{"nested in a list", "- item\n\n  " + strings.ReplaceAll(quizBlock, "\n", "\n  "), 7, "must start at the left margin"},
		{"nested in a quote", "> ```scenario\n> name: x\n> ```\n", 5, "must start at the left margin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := Parse("en/x.md", []byte(fm+"Before.\n\n"[:0]+c.block+"\nAfter.\n"))
			if err == nil {
				t.Fatal("no error")
			}
			if len(l.Blocks) != 1 || l.Blocks[0].OK() {
				t.Fatalf("blocks %+v", l.Blocks)
			}
			p := l.Blocks[0].Problems[0]
			if len(l.Blocks[0].Problems) > 1 && !strings.Contains(p.Msg, c.want) {
				for _, q := range l.Blocks[0].Problems {
					if strings.Contains(q.Msg, c.want) {
						p = q
					}
				}
			}
			if p.Path != "en/x.md" || p.Line != c.line || !strings.Contains(p.Msg, c.want) {
				t.Errorf("problem %v, want line %d and %q (all: %v)", p, c.line, c.want, l.Blocks[0].Problems)
			}
			box := ""
			for _, part := range l.Parts {
				if part.Block != nil {
					t.Errorf("a broken block is offered as a component")
				}
				if strings.Contains(part.HTML, `class="block-error"`) {
					box = part.HTML
				}
			}
			if box == "" {
				t.Fatalf("no error box in %+v", l.Parts)
			}
			if !strings.Contains(box, "en/x.md:") || checkSafeHTML(box) != "" {
				t.Errorf("error box does not name the file or is unsafe: %s", box)
			}
			if !strings.Contains(l.Parts[len(l.Parts)-1].HTML, "After.") {
				t.Errorf("the text after the block is lost")
			}
		})
	}
}

func TestFrontMatter(t *testing.T) {
	cases := []struct {
		name, src string
		meta      Meta
		problem   string // "" for none; else "line: text"
	}{
		{"full", "---\ntitle: Locks\norder: 30\nsummary: About locks.\ntags: [locks, redis]\n---\nx", Meta{"Locks", 30, "About locks.", []string{"locks", "redis"}}, ""},
		{"crlf and bom", "\uFEFF---\r\ntitle: Locks\r\norder: 3\r\n---\r\nx", Meta{Title: "Locks", Order: 3}, ""},
		{"block list tags", "---\ntitle: T\norder: 1\ntags:\n  - a\n  - b-2\n---\nx", Meta{Title: "T", Order: 1, Tags: []string{"a", "b-2"}}, ""},
		{"numeric title", "---\ntitle: 1984\norder: 1\n---\nx", Meta{Title: "1984", Order: 1}, ""},
		{"unknown key", "---\ntitle: T\norder: 1\nauthor: me\n---\nx", Meta{Title: "T", Order: 1}, `4: unknown key "author"`},
		{"missing order", "---\ntitle: T\n---\nx", Meta{Title: "T"}, "2: front matter: order is missing"},
		{"order not a number", "---\ntitle: T\norder: first\n---\nx", Meta{Title: "T"}, `3: order: expected a whole number, got "first"`},
		{"order too big", "---\ntitle: T\norder: 99999999999\n---\nx", Meta{Title: "T"}, "3: order: expected a whole number"},
		{"tags not a list", "---\ntitle: T\norder: 1\ntags: locks\n---\nx", Meta{Title: "T", Order: 1}, "4: tags: expected a list"},
		{"bad tag", "---\ntitle: T\norder: 1\ntags: [Locks]\n---\nx", Meta{Title: "T", Order: 1, Tags: []string{"Locks"}}, `4: tags: "Locks"`},
		{"empty title", "---\ntitle:\norder: 1\n---\nx", Meta{Title: "x", Order: 1}, "2: front matter: title has no value"},
		{"repeated key", "---\ntitle: A\ntitle: B\norder: 1\n---\nx", Meta{Title: "x"}, `3: mapping key "title" already defined`},
		{"yaml syntax", "---\ntitle: [A\norder: 1\n---\nx", Meta{Title: "x"}, "front matter:"},
		{"not a mapping", "---\n- a\n---\nx", Meta{Title: "x"}, "2: front matter: expected a mapping"},
		{"missing", "# Title\n\ntext", Meta{Title: "x"}, "1: front matter missing"},
		{"unclosed", "---\ntitle: T\norder: 1\n\ntext", Meta{Title: "x"}, "1: front matter: the opening --- on line 1 has no closing"},
		{"empty", "---\n---\nx", Meta{Title: "x"}, "1: front matter is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := Parse("en/x.md", []byte(c.src))
			if l.Title != c.meta.Title || l.Order != c.meta.Order || l.Summary != c.meta.Summary || strings.Join(l.Tags, ",") != strings.Join(c.meta.Tags, ",") {
				t.Errorf("meta %+v, want %+v", l.Meta, c.meta)
			}
			if c.problem == "" {
				if err != nil {
					t.Errorf("unexpected problems: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no problem, want %q", c.problem)
			}
			line, text, _ := strings.Cut(c.problem, ": ")
			found := false
			for _, p := range l.Problems {
				if strings.Contains(p.String(), "en/x.md:"+line+":") && strings.Contains(p.Msg, text) || line == "front matter:" && strings.Contains(p.Msg, "front matter:") {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %v, want %q", l.Problems, c.problem)
			}
			if !strings.Contains(l.Parts[0].HTML, `class="block-error"`) {
				t.Errorf("front matter problems are not shown: %+v", l.Parts[0])
			}
		})
	}
}

func TestInvalidUTF8(t *testing.T) {
	l, err := Parse("en/x.md", []byte(fm+"ok\n\nbad \xff byte\n"))
	if err == nil || l.Problems[0].Line != 7 || !strings.Contains(l.Problems[0].Msg, "UTF-8") {
		t.Fatalf("problems %v", l.Problems)
	}
	if !strings.Contains(l.Parts[0].HTML, "bad \uFFFD byte") {
		t.Errorf("output %q", l.Parts[0].HTML)
	}
}

func TestPathGivesLanguageAndSlug(t *testing.T) {
	for _, c := range []struct{ path, lang, slug string }{
		{"en/locks.md", "en", "locks"},
		{"course/zh/redis-locks.md", "zh", "redis-locks"},
		{"draft.md", "", "draft"},
	} {
		l, _ := Parse(c.path, []byte(fm))
		if l.Lang != c.lang || l.Slug != c.slug || l.Path != c.path {
			t.Errorf("%s: lang %q slug %q", c.path, l.Lang, l.Slug)
		}
	}
}

func TestScenarioBlocks(t *testing.T) {
	src := fm + scenarioBlock("ok-one") + quizBlock + "```scenario\nname: broken\nmechanism: redlock\nparams: {masters: many}\n```\n"
	blocks, err := ScenarioBlocks("en/x.md", []byte(src))
	if len(blocks) != 2 || blocks[0].Name != "ok-one" || !blocks[0].OK() || blocks[1].Name != "broken" || blocks[1].OK() {
		t.Fatalf("blocks %+v", blocks)
	}
	if err == nil || !strings.Contains(err.Error(), "en/x.md:19:") || strings.Contains(err.Error(), "quiz") {
		t.Errorf("error %v: want only the broken scenario's problem, on line 19", err)
	}
	if _, err := ScenarioBlocks("en/x.md", []byte("no front matter\n\n"+scenarioBlock("fine"))); err != nil {
		t.Errorf("front matter problems are lint's, not test's: %v", err)
	}
}

// go-yaml writes positions into some messages ("already defined at
// [1:1]"); inside a block they count lines of the block, not of the file,
// and would send the author to the wrong line.
func TestScenarioBlockProblemsCarryNoBlockPositions(t *testing.T) {
	src := fm + "\ntext\n\n```scenario\nname: x\nmechanism: redlock\nname: y\n```\n"
	_, err := ScenarioBlocks("en/x.md", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "en/x.md:11:1: scenario: invalid YAML: mapping key \"name\" already defined") || strings.Contains(err.Error(), "[1:1]") {
		t.Errorf("error %v: want the repeated key on line 11 without the block's own position [1:1]", err)
	}
}

func BenchmarkParseLesson(b *testing.B) {
	src := []byte(fm + strings.Repeat("## Section\n\nSome *text* with a [link](https://example.com) and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n", 40) + scenarioBlock("bench") + quizBlock)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("en/x.md", src); err != nil {
			b.Fatal(err)
		}
	}
}

// Parse shares one goldmark converter between goroutines (the server and
// tests parse in parallel); per-parse state must stay per parse.
func TestParseConcurrently(t *testing.T) {
	srcs := []string{
		fm + "## A\n\n## A\n\nx[^1]\n\n[^1]: n\n" + quizBlock,
		fm + "## B\n\n[x](javascript:y)\n\n" + scenarioBlock("c"),
		fm + "<b>raw</b>\n\n- a\n\n  ```quiz\n  question: q\n  ```\n",
	}
	want := make([]string, len(srcs))
	for i, s := range srcs {
		l, _ := Parse("en/x.md", []byte(s))
		want[i] = fmt.Sprint(l.Parts[0].HTML, l.Problems, l.Headings)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				i := (g + k) % len(srcs)
				l, _ := Parse("en/x.md", []byte(srcs[i]))
				if got := fmt.Sprint(l.Parts[0].HTML, l.Problems, l.Headings); got != want[i] {
					t.Errorf("concurrent parse differs:\n got %s\nwant %s", got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}
