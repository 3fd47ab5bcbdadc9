// Package check holds coordlab's invariant checkers. A checker reads only a
// run's history (the observations nodes and the world recorded, in true-time
// order) and reports each violation with the moment it became visible, the
// nodes involved and one sentence a student understands.
//
// Checkers never look inside nodes and never change a run: a violated
// invariant is data for the student, not a panic.
package check

import (
	"encoding/json"
	"time"

	"coordlab/sim"
)

// Violation is one moment an invariant broke.
type Violation struct {
	Invariant string   `json:"invariant"`
	At        sim.Time `json:"-"`
	Nodes     []string `json:"nodes"`
	Detail    string   `json:"detail"`
}

// Checker checks one invariant over a history.
type Checker struct {
	Name    string // "mutual-exclusion"
	Explain string // one sentence: what the invariant promises
	Check   func(h []sim.Observation) []Violation
}

// Seconds formats a virtual time for a student: "3.25s".
func Seconds(t sim.Time) string {
	return t.Round(time.Millisecond).String()
}

// MarshalJSON writes a violation with its time as a duration ("3.25s"), the
// way a run's result writes every time.
func (v Violation) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Invariant string   `json:"invariant"`
		At        string   `json:"at"`
		Nodes     []string `json:"nodes"`
		Detail    string   `json:"detail"`
	}{v.Invariant, Seconds(v.At), v.Nodes, v.Detail})
}
