// Package lessons is coordlab's course: it embeds the built-in curriculum
// (en/ and zh/, one markdown file per lesson) and turns lesson markdown into a
// Lesson the browser can show beside live scenario players, the same Lesson
// that `coordlab lint` checks and `coordlab test` runs.
//
// A lesson file starts with YAML front matter (title, order, summary, tags)
// between two "---" lines, followed by CommonMark with the GitHub extensions
// (tables, strikethrough, autolinks, task lists), footnotes and automatic
// heading ids (kept readable for Chinese headings), and with line breaks
// between two Chinese characters dropped rather than shown as spaces. Two
// kinds of fenced block have a meaning of their own:
//
//   - ```scenario holds a scenario in the format of coordlab/sim/scenario; the
//     browser replaces it by a live player, the CLI runs it as a test.
//   - ```quiz holds a question (question, choices, answer, explain); the
//     browser replaces it by a quiz. The answer is the text of the right
//     choice, so choices can be reordered without renumbering.
//
// A course folder holds one sub-folder per language ("en", "zh", "pt-br"),
// each holding the lessons as NAME.md; the file name is the lesson's slug in
// /lesson/{lang}/{slug}. Every language carries the same files and the same
// scenarios, translated.
//
// Markdown is rendered by goldmark (github.com/yuin/goldmark), chosen because
// it follows CommonMark exactly, ships the GFM and footnote extensions, and
// exposes its syntax tree so that this package can check and rewrite it before
// rendering. Front matter and blocks are read with github.com/goccy/go-yaml,
// whose syntax tree carries the line and column of every value, so that
// errors point into the markdown file.
//
// Safety: lessons come from whoever wrote the course folder, and the browser
// inserts the rendered HTML into the page, so the output must never carry
// markup of the author's choosing. Raw HTML (blocks and inline tags) is
// removed from the syntax tree, not rendered; every link, image and autolink
// whose URL is not http, https, mailto (links only) or relative is replaced by
// its text. goldmark would already leave raw HTML out and blank some dangerous
// URLs when its unsafe mode is off (it is never turned on here), but the
// guarantee is this package's own, checked by an XSS corpus in the tests. All
// other text reaches the HTML through goldmark's escaping or html.EscapeString.
// Every HTML part has exactly one root element, so that the browser can
// insert it as it is.
//
// Nothing in this package is unsafe on purpose: the failures the lessons
// teach happen in the simulated mechanisms, never here. Its one trust
// boundary is the course folder, handled as described above.
package lessons
