package lessons

import (
	"github.com/goccy/go-yaml/ast"
)

// parseQuiz parses a quiz block's source into b.Quiz, or records why not.
// Problems of its markdown texts (a dropped link, say) go to st, the
// lesson's list, since the quiz still shows.
func parseQuiz(b *Block, st *renderState) {
	r := &yamlReader{path: st.path, line0: b.Line}
	top := r.parse([]byte(b.Source), "quiz")
	if top == nil {
		b.Problems = r.probs
		return
	}
	q := &Quiz{Answer: -1}
	var answer string
	var answerNode ast.Node
	r.mapping(top, "quiz", []field{
		{"question", true, func(v ast.Node) { q.Question = r.text(v, "question") }},
		{"choices", true, func(v ast.Node) {
			q.Choices = r.texts(v, "choices")
			if len(q.Choices) < 2 {
				r.at(v, "choices: expected a list of at least two choices")
			}
			seen := map[string]bool{}
			for i, c := range q.Choices {
				if seen[c] && c != "" {
					r.at(v.(*ast.SequenceNode).Values[i], "choices: %q is listed twice", c)
				}
				seen[c] = true
			}
		}},
		{"answer", true, func(v ast.Node) { answer, answerNode = r.text(v, "answer"), v }},
		{"explain", false, func(v ast.Node) { q.Explain = r.text(v, "explain") }},
	})
	if answerNode != nil && answer != "" && len(q.Choices) > 0 {
		for i, c := range q.Choices {
			if c == answer {
				q.Answer = i
			}
		}
		if q.Answer < 0 {
			r.at(answerNode, "answer: %q is not one of the choices; write the text of the right choice exactly as in choices", answer)
		}
	}
	if b.Problems = r.probs; len(b.Problems) > 0 {
		return
	}
	sub := &renderState{path: st.path, fixed: b.Line}
	q.QuestionHTML = renderInline(q.Question, "quiz-question", false, sub)
	for _, c := range q.Choices {
		q.ChoicesHTML = append(q.ChoicesHTML, renderInline(c, "quiz-choice", true, sub))
	}
	if q.Explain != "" {
		q.ExplainHTML = renderInline(q.Explain, "quiz-explain", false, sub)
	}
	st.probs = append(st.probs, sub.probs...)
	b.Quiz = q
}
