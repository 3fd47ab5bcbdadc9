package twopc

import (
	"strings"

	"coordlab/sim"
	"coordlab/sim/check"
)

// The states of a participant's record of a transaction.
const (
	Prepared  = "prepared"
	Committed = "committed"
	Aborted   = "aborted"
)

// PRecord is a participant's record of a transaction in its durable log.
type PRecord struct {
	Tx           int
	Key          string
	Participants []string
	State        string
}

// Participant is participant-N: it prepares, votes, and applies the
// decision. Once it has voted Yes it is uncertain: it holds the key's lock
// and may not decide alone, only ask.
type Participant struct {
	cfg    Config
	ctx    *sim.Context
	recs   map[int]*PRecord
	locks  map[string]int // key -> the prepared transaction holding it
	timers map[int]sim.TimerID
	order  []int // transaction ids as first seen, for Inspect
}

type inDoubt struct{ Tx int }

// NewParticipant returns a participant with empty volatile state.
func NewParticipant(cfg Config) *Participant {
	return &Participant{cfg: cfg, recs: map[int]*PRecord{}, locks: map[string]int{}, timers: map[int]sim.TimerID{}}
}

// Start reloads the log. A transaction still prepared is in doubt again:
// the participant takes its lock back and asks what was decided.
func (p *Participant) Start(ctx *sim.Context) {
	p.ctx = ctx
	for _, k := range ctx.Durable().Keys() {
		if !strings.HasPrefix(k, "tx/") {
			continue
		}
		v, _ := ctx.Durable().Get(k)
		r := v.(PRecord)
		p.recs[r.Tx] = &r
		p.order = append(p.order, r.Tx)
		if r.State == Prepared {
			p.locks[r.Key] = r.Tx
			ctx.Observe(check.TxInDoubt{Tx: r.Tx, Participant: ctx.Name()})
			p.inquire(r.Tx)
		}
	}
}

// Receive handles the coordinator's requests and the peers' questions.
func (p *Participant) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Prepare:
		p.prepare(from, m)
	case Decision:
		p.decide(from, m)
	case DecisionRequest:
		p.answer(from, m.Tx)
	}
}

// Timer: still uncertain after a timeout, ask again.
func (p *Participant) Timer(ctx *sim.Context, tag any) {
	if t, ok := tag.(inDoubt); ok {
		if r := p.recs[t.Tx]; r != nil && r.State == Prepared {
			p.inquire(t.Tx)
		}
	}
}

func (p *Participant) save(r *PRecord, forced bool) {
	if _, seen := p.recs[r.Tx]; !seen {
		p.order = append(p.order, r.Tx)
	}
	p.recs[r.Tx] = r
	p.ctx.Durable().Put(txKey(r.Tx), *r)
	if forced {
		p.ctx.Count("log-forces", 1)
	}
}

// prepare is phase one at the participant: vote Yes after forcing the
// prepared record, or No (and abort at once) if another undecided
// transaction holds the key.
func (p *Participant) prepare(from string, m Prepare) {
	if r := p.recs[m.Tx]; r != nil {
		switch r.State {
		case Prepared:
			p.ctx.Send(from, Vote{Tx: m.Tx, Yes: true}) // a repeated Prepare
		case Aborted:
			p.ctx.Send(from, Vote{Tx: m.Tx}) // it already aborted, on its own
		}
		return
	}
	name := p.ctx.Name()
	if _, locked := p.locks[m.Key]; locked {
		p.save(&PRecord{Tx: m.Tx, Key: m.Key, Participants: m.Participants, State: Aborted}, !p.cfg.PresumedAbort)
		p.ctx.Observe(check.TxVoted{Tx: m.Tx, Participant: name})
		p.ctx.Observe(check.TxDecided{Tx: m.Tx, Node: name})
		p.ctx.Send(from, Vote{Tx: m.Tx})
		return
	}
	p.locks[m.Key] = m.Tx
	p.save(&PRecord{Tx: m.Tx, Key: m.Key, Participants: m.Participants, State: Prepared}, true)
	p.ctx.Observe(check.TxVoted{Tx: m.Tx, Participant: name, Yes: true})
	p.ctx.Send(from, Vote{Tx: m.Tx, Yes: true})
	p.timers[m.Tx] = p.ctx.SetTimer(p.cfg.Timeout, inDoubt{Tx: m.Tx})
}

// decide applies a decision from the coordinator or a peer, and
// acknowledges the coordinator's commits (under presumed nothing, its
// aborts too) so that it can forget the transaction.
func (p *Participant) decide(from string, d Decision) {
	r := p.recs[d.Tx]
	switch {
	case r == nil && !d.Commit:
		// Abort before any Prepare arrived: remember it, so that a late
		// Prepare is voted down.
		p.save(&PRecord{Tx: d.Tx, State: Aborted}, !p.cfg.PresumedAbort)
		p.ctx.Observe(check.TxDecided{Tx: d.Tx, Node: p.ctx.Name()})
	case r != nil && r.State == Prepared:
		next := *r
		next.State = Aborted
		if d.Commit {
			next.State = Committed
		}
		p.save(&next, d.Commit || !p.cfg.PresumedAbort)
		if p.locks[r.Key] == r.Tx {
			delete(p.locks, r.Key)
		}
		p.ctx.CancelTimer(p.timers[d.Tx])
		delete(p.timers, d.Tx)
		p.ctx.Observe(check.TxDecided{Tx: d.Tx, Node: p.ctx.Name(), Commit: d.Commit})
	}
	if from == CoordinatorName && (d.Commit || !p.cfg.PresumedAbort) {
		p.ctx.Send(from, Ack{Tx: d.Tx})
	}
}

// inquire asks the coordinator and every other participant what was
// decided: the cooperative termination protocol.
func (p *Participant) inquire(tx int) {
	p.ctx.Count("inquiries", 1)
	p.ctx.Send(CoordinatorName, DecisionRequest{Tx: tx})
	for _, q := range p.recs[tx].Participants {
		if q != p.ctx.Name() {
			p.ctx.Send(q, DecisionRequest{Tx: tx})
		}
	}
	p.timers[tx] = p.ctx.SetTimer(p.cfg.Timeout, inDoubt{Tx: tx})
}

// answer helps an uncertain peer: with the decision if it knows it, or, if
// it has not voted yet, by aborting on its own (it may: the coordinator
// cannot commit without its vote). A peer that is itself prepared cannot
// help.
func (p *Participant) answer(from string, tx int) {
	r := p.recs[tx]
	switch {
	case r == nil:
		p.save(&PRecord{Tx: tx, State: Aborted}, !p.cfg.PresumedAbort)
		p.ctx.Observe(check.TxDecided{Tx: tx, Node: p.ctx.Name()})
		p.ctx.Send(from, Decision{Tx: tx})
	case r.State != Prepared:
		p.ctx.Send(from, Decision{Tx: tx, Commit: r.State == Committed})
	}
}

// ParticipantTx is a transaction as the browser panel shows it.
type ParticipantTx struct {
	Tx    int    `json:"tx"`
	Key   string `json:"key,omitempty"`
	State string `json:"state"`
}

// ParticipantState is what the browser panel shows of a participant: its
// locks and its most recent transactions.
type ParticipantState struct {
	Locks  map[string]int  `json:"locks"`
	Recent []ParticipantTx `json:"recent"`
}

// Inspect returns the locks held and the last ten transactions.
func (p *Participant) Inspect() any {
	st := ParticipantState{Locks: map[string]int{}}
	for k, tx := range p.locks {
		st.Locks[k] = tx
	}
	for _, id := range p.order[max(0, len(p.order)-10):] {
		r := p.recs[id]
		st.Recent = append(st.Recent, ParticipantTx{Tx: id, Key: r.Key, State: r.State})
	}
	return st
}
