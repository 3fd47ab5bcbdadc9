package check

import (
	"fmt"
	"strconv"

	"coordlab/sim"
)

// This file holds the checkers of single-decree Paxos, after the safety
// requirements of Lamport's "Paxos Made Simple" (2001), section 2.1: "Only a
// value that has been proposed may be chosen, only a single value is chosen,
// and a process never learns that a value has been chosen unless it actually
// has been." They read what proposers, acceptors and learners observe.

// Ballot is a Paxos proposal number: a round, made unique by the index of the
// proposer that issued it. Ballots compare by round, then by proposer.
type Ballot struct {
	Round    uint64
	Proposer int
}

// Less reports whether b is a lower proposal number than c.
func (b Ballot) Less(c Ballot) bool {
	if b.Round != c.Round {
		return b.Round < c.Round
	}
	return b.Proposer < c.Proposer
}

// String writes the ballot as round.proposer ("3.1").
func (b Ballot) String() string {
	return strconv.FormatUint(b.Round, 10) + "." + strconv.Itoa(b.Proposer)
}

// PaxosProposed is what a proposer observes when it makes its own value
// available for choosing.
type PaxosProposed struct {
	Value string
}

// PaxosAccepted is what an acceptor observes when it accepts a proposal.
type PaxosAccepted struct {
	Ballot Ballot
	Value  string
}

// PaxosLearned is what a learner observes when it learns that a value has
// been chosen: a majority of acceptors accepted it in one ballot.
type PaxosLearned struct {
	Ballot Ballot
	Value  string
}

// Agreement returns the agreement checker for a Paxos instance with the given
// number of acceptors: only a single value is chosen (accepted by a majority
// of acceptors in one ballot), learners agree, and a learner learns a value
// only once a majority of acceptors has accepted it.
func Agreement(acceptors int) Checker {
	return Checker{
		Name:    "agreement",
		Explain: "Only a single value is chosen, and every learner learns that value.",
		Check: func(h []sim.Observation) []Violation {
			majority := acceptors/2 + 1
			accepted := map[Ballot]map[string]bool{} // ballot -> acceptors that accepted it
			var chosen, chosenBy string
			var chosenIn Ballot
			var learned, learnedBy string
			var out []Violation
			for _, o := range h {
				switch v := o.Value.(type) {
				case PaxosAccepted:
					if accepted[v.Ballot] == nil {
						accepted[v.Ballot] = map[string]bool{}
					}
					accepted[v.Ballot][o.Node] = true
					if len(accepted[v.Ballot]) != majority {
						continue
					}
					switch {
					case chosenBy == "":
						chosen, chosenBy, chosenIn = v.Value, o.Node, v.Ballot
					case v.Value != chosen:
						out = append(out, Violation{
							Invariant: "agreement",
							At:        o.At,
							Nodes:     []string{chosenBy, o.Node},
							Detail: fmt.Sprintf("a majority of acceptors accepted %q in ballot %s after a majority had accepted %q in ballot %s, so two values were chosen.",
								v.Value, v.Ballot, chosen, chosenIn),
						})
					}
				case PaxosLearned:
					switch {
					case learnedBy == "":
						learned, learnedBy = v.Value, o.Node
					case v.Value != learned:
						detail := fmt.Sprintf("%s learned %q but %s learned %q.", learnedBy, learned, o.Node, v.Value)
						if learnedBy == o.Node {
							detail = fmt.Sprintf("%s learned %q, and after a restart %q.", o.Node, learned, v.Value)
						}
						out = append(out, Violation{
							Invariant: "agreement",
							At:        o.At,
							Nodes:     twoNodes(learnedBy, o.Node),
							Detail:    detail,
						})
					}
					if len(accepted[v.Ballot]) < majority {
						out = append(out, Violation{
							Invariant: "agreement",
							At:        o.At,
							Nodes:     []string{o.Node},
							Detail: fmt.Sprintf("%s learned %q in ballot %s, which no majority of acceptors had accepted.",
								o.Node, v.Value, v.Ballot),
						})
					}
				}
			}
			return out
		},
	}
}

// Validity returns the validity checker: only a value that some proposer
// proposed is ever accepted, and so only such a value can be chosen.
func Validity() Checker {
	return Checker{
		Name:    "validity",
		Explain: "Only a value that has been proposed may be chosen.",
		Check: func(h []sim.Observation) []Violation {
			proposed := map[string]bool{}
			reported := map[string]bool{}
			var out []Violation
			for _, o := range h {
				var value, verb string
				switch v := o.Value.(type) {
				case PaxosProposed:
					proposed[v.Value] = true
					continue
				case PaxosAccepted:
					value, verb = v.Value, "accepted"
				case PaxosLearned:
					value, verb = v.Value, "learned"
				default:
					continue
				}
				if proposed[value] || reported[value] {
					continue
				}
				reported[value] = true
				out = append(out, Violation{
					Invariant: "validity",
					At:        o.At,
					Nodes:     []string{o.Node},
					Detail:    fmt.Sprintf("%s %s %q, which no proposer had proposed.", o.Node, verb, value),
				})
			}
			return out
		},
	}
}
