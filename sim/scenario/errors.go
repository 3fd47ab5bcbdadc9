package scenario

import (
	"fmt"
	"strings"
)

// Error is one problem in a scenario, at a position in its source.
type Error struct {
	File string
	Line int // 1-based; 0 when the problem has no single place
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	default:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
}

// ErrorList is every problem found in one scenario, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// maxErrors bounds how many problems one parse reports: past a few, the rest
// are usually consequences of the first.
const maxErrors = 20
