package lessons

import (
	"strings"
	"testing"
)

// xssCorpus is markdown that tries to get markup of its own into the page.
var xssCorpus = []string{
	`<script>alert(1)</script>`,
	"<script>\nalert(1)\n</script>\n\nafter",
	`a <script>alert(1)</script> b`,
	`<img src=x onerror=alert(1)>`,
	`text <img src=x onerror="alert(1)"> text`,
	`<svg onload=alert(1)></svg>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<div onclick="alert(1)">click</div>`,
	`<style>body{display:none}</style>`,
	`<!-- comment --> <![CDATA[ x ]]> <?php echo 1 ?>`,
	`<details open ontoggle=alert(1)>`,
	"| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | <script>alert(1)</script> |",
	"| a |\n|---|\n| [x](javascript:alert(1)) ![y](data:image/svg+xml,<svg onload=alert(1)>) |",
	`[x](javascript:alert(1))`,
	`[x](JavaScript:alert(1))`,
	`[x]( javascript:alert(1) )`,
	`[x](<javascript:alert(1)>)`,
	`[x](&#106;avascript:alert(1))`,
	`[x](&#x6A;avascript&colon;alert(1))`,
	`[x](java&#x09;script:alert(1))`,
	`[x](\javascript:alert(1))`,
	`[x](vbscript:msgbox(1))`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`[x](file:///etc/passwd)`,
	`![x](javascript:alert(1))`,
	`![x](data:image/png;base64,iVBORw0KGgo=)`,
	`![x](data:image/svg+xml;base64,PHN2Zz4=)`,
	`<javascript:alert(1)>`,
	`<vbscript:msgbox(1)>`,
	`<data:text/html,<script>alert(1)</script>>`,
	"[x][r]\n\n[r]: javascript:alert(1)",
	"![x][r]\n\n[r]: data:image/png;base64,AAAA",
	`[x](http://example.com "a\" onmouseover=\"alert(1)")`,
	`![a" onerror="alert(1)](http://example.com/x.png)`,
	`[<img src=x onerror=alert(1)>](http://example.com)`,
	"```\"><script>alert(1)</script>\ncode\n```",
	"```js onclick=alert(1)\ncode\n```",
	`# "><img src=x onerror=alert(1)>`,
	"Heading\n=======\n<script>x</script>",
	"text[^\"><script>]\n\n[^\"><script>]: note <script>alert(1)</script>",
	"- [ ] <img src=x onerror=alert(1)>\n- [x] done",
	"> <script>alert(1)</script>\n> [x](javascript:alert(1))",
	"- item\n\n  ```quiz\n  question: <script>alert(1)</script>\n  ```",
	"```quiz\nquestion: \"<img src=x onerror=alert(1)>\"\nchoices: [\"<script>a</script>\", \"[b](javascript:alert(1))\"]\nanswer: \"[b](javascript:alert(1))\"\nexplain: \"![i](javascript:x) <b onclick=x>\"\n```",
	"```quiz\nquestion: q\nchoices: [a, b]\nanswer: \"<script>alert(1)</script>\"\n```",
	"```quiz\n\"<script>\": 1\n```",
	"```scenario\nname: \"x\\\"><script>alert(1)</script>\"\ntitle: \"</div><script>alert(1)</script>\"\nmechanism: \"<img src=x onerror=alert(1)>\"\n```",
	"```scenario\nname: '\"><svg onload=alert(1)>'\n```",
	"```scenario\n<script>alert(1)</script>: [\n```",
	"www.example.com/<script>alert(1)</script>",
	"https://example.com/\"onmouseover=\"alert(1)",
	"<https://example.com/\"onmouseover=alert(1)>",
	"x@example.com\"><script>",
	"&lt;script&gt; &#60;script&#62; \\<script>",
	"<textarea><script>alert(1)</script></textarea>",
	"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
}

// frontMatterCorpus tries the same through front matter.
var frontMatterCorpus = []string{
	"---\ntitle: \"<script>alert(1)</script>\"\norder: 1\n---\nbody",
	"---\ntitle: t\norder: \"<img src=x onerror=alert(1)>\"\n---\nbody",
	"---\n\"<script>alert(1)</script>\": x\n---\nbody",
	"---\ntitle: [\"</div><script>\"\n---\nbody",
	"---\ntitle: t\norder: 1\ntags: [\"<b>\", \"a\\\"b\"]\n---\nbody",
}

func TestXSSCorpusNothingSurvives(t *testing.T) {
	var inputs []string
	for _, body := range xssCorpus {
		inputs = append(inputs, "---\ntitle: t\norder: 1\n---\n"+body+"\n")
	}
	inputs = append(inputs, frontMatterCorpus...)
	for _, src := range inputs {
		l, _ := Parse("en/x.md", []byte(src))
		for _, h := range lessonHTML(l) {
			if why := checkSafeHTML(h); why != "" {
				t.Errorf("input %q:\n%s\noutput: %s", src, why, h)
			}
		}
	}
}

// lessonHTML returns every piece of HTML a lesson hands to the browser.
func lessonHTML(l *Lesson) []string {
	var out []string
	for _, p := range l.Parts {
		if p.Block == nil {
			out = append(out, p.HTML)
		}
	}
	for _, b := range l.Blocks {
		if q := b.Quiz; q != nil {
			out = append(out, q.QuestionHTML, q.ExplainHTML)
			out = append(out, q.ChoicesHTML...)
		}
	}
	return out
}

// The oracle itself must catch what it is there to catch: a safety test
// whose checker accepts anything cannot fail.
func TestSafeHTMLOracleRejects(t *testing.T) {
	bad := []string{
		`<script>alert(1)</script>`,
		`<p onclick="x">a</p>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="JaVaScRiPt:alert(1)">x</a>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<a href=" java	script:alert(1)">x</a>`,
		`<img src="data:image/png;base64,AAAA" alt="">`,
		`<a href="vbscript:x">x</a>`,
		`<iframe src="http://x"></iframe>`,
		`<div style="background:url(x)">`,
		`<input type="text">`,
		`<input type="checkbox">`,
		`a < b`,
	}
	for _, s := range bad {
		if checkSafeHTML(s) == "" {
			t.Errorf("the oracle accepts %q", s)
		}
	}
	good := `<div class="lesson-text"><h2 id="x">A &lt;b&gt;</h2><p><a href="https://x.org/a?b=c#d" title="t">x</a> <img src="img/a.png" alt="a"> <input checked="" disabled="" type="checkbox"></p><table><tr><td align="left">x</td></tr></table></div>`
	if why := checkSafeHTML(good); why != "" {
		t.Errorf("the oracle rejects safe markup: %s", why)
	}
}

// What survives must survive as text: the author sees their angle brackets,
// escaped, rather than losing them silently.
func TestXSSTextIsEscapedNotLost(t *testing.T) {
	src := "---\ntitle: t\norder: 1\n---\nUse `<script>` and \\<b> and 1 < 2 > 0.\n"
	l, err := Parse("en/x.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	h := l.Parts[0].HTML
	for _, want := range []string{"<code>&lt;script&gt;</code>", "&lt;b&gt;", "1 &lt; 2 &gt; 0"} {
		if !strings.Contains(h, want) {
			t.Errorf("output lacks %q:\n%s", want, h)
		}
	}
}

func TestUnsafeLinksBecomeTextWithProblem(t *testing.T) {
	cases := []struct {
		md       string
		text     string // what remains visible
		problems int
	}{
		{`[click](javascript:alert(1))`, "click", 1},
		{`[click](&#106;avascript:alert(1))`, "click", 1},
		{`![alt text](data:image/png;base64,AAAA)`, "alt text", 1},
		{`<javascript:alert(1)>`, "javascript:alert(1)", 1},
		{`<b>bold</b>`, "bold", 2},
		{`[ok](https://example.com/a)`, `<a href="https://example.com/a">ok</a>`, 0},
		{`[ok](../x.md#y)`, `<a href="../x.md#y">ok</a>`, 0},
		{`[ok](mailto:a@example.com)`, `<a href="mailto:a@example.com">ok</a>`, 0},
		{`![img](mailto:a@example.com)`, "img", 1},
		{`[ok](#section)`, `<a href="#section">ok</a>`, 0},
	}
	for _, c := range cases {
		l, _ := Parse("en/x.md", []byte("---\ntitle: t\norder: 1\n---\n"+c.md+"\n"))
		h := l.Parts[0].HTML
		if !strings.Contains(h, c.text) {
			t.Errorf("%s: output lacks %q: %s", c.md, c.text, h)
		}
		if c.problems == 0 != strings.Contains(h, "<a ") && !strings.HasPrefix(c.md, "!") {
			t.Errorf("%s: link kept or dropped wrongly: %s", c.md, h)
		}
		if len(l.Problems) != c.problems {
			t.Errorf("%s: problems %v, want %d", c.md, l.Problems, c.problems)
		}
		for _, p := range l.Problems {
			if p.Line != 5 {
				t.Errorf("%s: problem on line %d, want 5: %v", c.md, p.Line, p)
			}
		}
	}
}
