package lessons

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"coordlab/sim/scenario"
	// Every mechanism registers itself, so that a scenario block naming one
	// validates wherever this package is used.
	_ "coordlab/sim/mech/all"
)

// parseScenario validates a scenario block with coordlab/sim/scenario, the
// same parser `coordlab run` uses, and moves its errors (lines of Source)
// to lines of the markdown file.
func parseScenario(b *Block, st *renderState) {
	sc, err := scenario.Parse(fmt.Sprintf("%s:%d", st.path, b.Line), []byte(b.Source))
	if err == nil {
		b.Scenario, b.Name, b.Title = sc, sc.Name, sc.Title
		return
	}
	b.Name, b.Title = scenarioName(b.Source)
	var list scenario.ErrorList
	if !errors.As(err, &list) {
		b.Problems = append(b.Problems, Problem{Path: st.path, Line: b.Line, Msg: "scenario: " + err.Error()})
		return
	}
	lines := strings.Count(b.Source, "\n")
	if b.Source != "" && !strings.HasSuffix(b.Source, "\n") {
		lines++
	}
	for _, e := range list {
		// As in yamlReader.parse: go-yaml's own positions count lines of
		// the block, not of the file.
		p := Problem{Path: st.path, Line: b.Line, Msg: "scenario: " + yamlPosRE().ReplaceAllString(e.Msg, "")}
		if e.Line > 0 && e.Line <= lines { // else it points past an empty block: stay on the fence
			p.Line, p.Col = b.FileLine(e.Line), e.Col
		}
		b.Problems = append(b.Problems, p)
	}
}

// scenarioName reads name and title from a scenario that does not parse as
// a whole, so that problems and players can still name it.
func scenarioName(src string) (name, title string) {
	r := &yamlReader{}
	m, ok := r.parse([]byte(src), "scenario").(ast.MapNode)
	if !ok {
		return "", ""
	}
	it := m.MapRange()
	for it.Next() {
		switch key, _ := scalar(it.Key()); key {
		case "name":
			name, _ = scalar(it.Value())
		case "title":
			title, _ = scalar(it.Value())
		}
	}
	return name, title
}
