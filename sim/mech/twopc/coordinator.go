package twopc

import (
	"fmt"
	"slices"
	"strings"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Record is a record of the coordinator's log, kept in its durable store.
type Record struct {
	Tx    int
	Key   string
	State string // "collecting" (presumed nothing only), "commit", or "abort" (presumed nothing only)
}

// phase is where the coordinator is with one transaction.
type phase uint8

const (
	collecting phase = iota // Prepare sent, waiting for votes
	deciding                // forcing the decision to the log
	finishing               // decision sent, waiting for acknowledgements
)

var phaseNames = [...]string{"collecting votes", "forcing decision", "waiting for acks"}

type txn struct {
	id     int
	key    string
	phase  phase
	commit bool
	yes    []string // participants that voted Yes
	acked  []string // participants that acknowledged the decision
	timer  sim.TimerID
}

// Coordinator is coordinator-1: it starts a transaction every TxInterval and
// runs two-phase commit for each.
type Coordinator struct {
	cfg      Config
	ctx      *sim.Context
	next     int // the last transaction id used (durable: ids are never reused)
	txs      map[int]*txn
	active   []int // ids of txs, in order
	forcing  int   // decisions being forced now
	recovers int   // records found in the log at the last start
}

type startTimer struct{}
type voteTimeout struct{ Tx int }
type forceDone struct{ Tx int }
type ackTimeout struct{ Tx int }

// NewCoordinator returns the coordinator with empty volatile state.
func NewCoordinator(cfg Config) *Coordinator { return &Coordinator{cfg: cfg, txs: map[int]*txn{}} }

// Start recovers from the log, then resumes the stream of transactions. A
// logged decision is sent again (its acknowledgements were volatile); under
// presumed nothing, a transaction logged as collecting has no decision and
// is aborted now. Under presumed abort there is nothing else to do: a
// transaction without a record is aborted by presumption when asked.
func (c *Coordinator) Start(ctx *sim.Context) {
	c.ctx = ctx
	ctx.Unpublish(Deciding) // a crash cut short whatever it was forcing
	if v, ok := ctx.Durable().Get("next-tx"); ok {
		c.next = v.(int)
	}
	for _, k := range ctx.Durable().Keys() {
		if !strings.HasPrefix(k, "tx/") {
			continue
		}
		v, _ := ctx.Durable().Get(k)
		r := v.(Record)
		c.recovers++
		t := c.track(r.Tx, r.Key)
		if r.State == "collecting" {
			c.decide(t, false)
			continue
		}
		t.commit = r.State == "commit"
		c.announce(t)
	}
	ctx.SetTimer(TxInterval, startTimer{})
}

// Receive handles votes, acknowledgements and decision requests.
func (c *Coordinator) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Vote:
		c.vote(from, m)
	case Ack:
		c.ack(from, m.Tx)
	case DecisionRequest:
		c.answer(from, m.Tx)
	}
}

// Timer starts transactions and handles timeouts and finished log forces.
func (c *Coordinator) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case startTimer:
		c.begin()
		ctx.SetTimer(TxInterval, startTimer{})
	case voteTimeout:
		if tx := c.txs[t.Tx]; tx != nil && tx.phase == collecting {
			c.decide(tx, false) // a missing vote counts as No
		}
	case forceDone:
		c.forced(t.Tx)
	case ackTimeout:
		c.resend(t.Tx)
	}
}

func (c *Coordinator) track(id int, key string) *txn {
	t := &txn{id: id, key: key}
	c.txs[id] = t
	c.active = append(c.active, id)
	return t
}

func (c *Coordinator) forget(t *txn) {
	c.ctx.CancelTimer(t.timer)
	delete(c.txs, t.id)
	c.active = slices.DeleteFunc(c.active, func(id int) bool { return id == t.id })
	c.ctx.Durable().Delete(txKey(t.id)) // the end record: nobody will ask any more
}

// begin starts phase one of a new transaction.
func (c *Coordinator) begin() {
	c.next++
	c.ctx.Durable().Put("next-tx", c.next)
	t := c.track(c.next, fmt.Sprintf("k%d", c.ctx.Rand().IntN(Keys)+1))
	if !c.cfg.PresumedAbort {
		// Presumed nothing: the coordinator must know after a crash which
		// transactions it had started, to abort them.
		c.force(Record{Tx: t.id, Key: t.key, State: "collecting"})
	}
	for _, p := range c.cfg.Participants {
		c.ctx.Send(p, Prepare{Tx: t.id, Key: t.key, Participants: c.cfg.Participants})
	}
	t.timer = c.ctx.SetTimer(c.cfg.Timeout, voteTimeout{Tx: t.id})
}

func (c *Coordinator) vote(from string, v Vote) {
	t := c.txs[v.Tx]
	if t == nil || t.phase != collecting {
		return // late: decided already
	}
	if !v.Yes {
		c.decide(t, false)
		return
	}
	if !slices.Contains(t.yes, from) {
		t.yes = append(t.yes, from)
	}
	if len(t.yes) == len(c.cfg.Participants) {
		c.decide(t, true)
	}
}

// decide ends phase one. A commit (and, under presumed nothing, an abort)
// is forced to the log before anybody hears of it; under presumed abort an
// abort is sent at once, unlogged.
func (c *Coordinator) decide(t *txn, commit bool) {
	c.ctx.CancelTimer(t.timer)
	t.commit = commit
	if !commit && c.cfg.PresumedAbort {
		c.announce(t)
		return
	}
	// The window of blocking: every vote is in, the decision is not yet on
	// disk and nobody knows it. A crash now leaves the prepared participants
	// uncertain until the coordinator returns.
	t.phase = deciding
	c.forcing++
	c.ctx.Publish(Deciding)
	c.ctx.SetTimer(LogForce, forceDone{Tx: t.id})
}

func (c *Coordinator) forced(id int) {
	c.forcing--
	if c.forcing == 0 {
		c.ctx.Unpublish(Deciding)
	}
	t := c.txs[id]
	c.force(Record{Tx: t.id, Key: t.key, State: decisionWord(t.commit)})
	c.announce(t)
}

// force writes a record to the durable log and counts it.
func (c *Coordinator) force(r Record) {
	c.ctx.Durable().Put(txKey(r.Tx), r)
	c.ctx.Count("log-forces", 1)
}

// announce sends the decision. A commit, and under presumed nothing an
// abort, must be acknowledged by every participant before the coordinator
// may forget it; a presumed abort is forgotten at once.
func (c *Coordinator) announce(t *txn) {
	c.ctx.Observe(check.TxDecided{Tx: t.id, Node: c.ctx.Name(), Commit: t.commit})
	for _, p := range c.cfg.Participants {
		c.ctx.Send(p, Decision{Tx: t.id, Commit: t.commit})
	}
	if !t.commit && c.cfg.PresumedAbort {
		c.forget(t)
		return
	}
	t.phase = finishing
	t.timer = c.ctx.SetTimer(c.cfg.Timeout, ackTimeout{Tx: t.id})
}

func (c *Coordinator) ack(from string, id int) {
	t := c.txs[id]
	if t == nil || t.phase != finishing {
		return
	}
	if !slices.Contains(t.acked, from) {
		t.acked = append(t.acked, from)
	}
	if len(t.acked) == len(c.cfg.Participants) {
		c.forget(t)
	}
}

// resend sends the decision again to participants that have not
// acknowledged it.
func (c *Coordinator) resend(id int) {
	t := c.txs[id]
	if t == nil || t.phase != finishing {
		return
	}
	for _, p := range c.cfg.Participants {
		if !slices.Contains(t.acked, p) {
			c.ctx.Send(p, Decision{Tx: t.id, Commit: t.commit})
		}
	}
	t.timer = c.ctx.SetTimer(c.cfg.Timeout, ackTimeout{Tx: t.id})
}

// answer tells an uncertain participant the decision. While the votes are
// still being collected or the decision forced, it will hear soon anyway.
// A transaction the coordinator has no record of was aborted — under
// presumed abort that is the rule; under presumed nothing it was finished
// and forgotten, so the asker must be replaying an old question.
func (c *Coordinator) answer(from string, id int) {
	if t := c.txs[id]; t != nil {
		if t.phase == finishing {
			c.ctx.Send(from, Decision{Tx: id, Commit: t.commit})
		}
		return
	}
	if c.cfg.PresumedAbort {
		c.ctx.Count("presumed-aborts", 1)
		c.ctx.Send(from, Decision{Tx: id, Commit: false})
	}
}

func decisionWord(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}

// TxState is a transaction as the browser panel shows it.
type TxState struct {
	Tx    int      `json:"tx"`
	Key   string   `json:"key"`
	Phase string   `json:"phase"`
	Votes []string `json:"yes_votes,omitempty"`
	Acks  []string `json:"acks,omitempty"`
}

// CoordinatorState is what the browser panel shows of the coordinator.
type CoordinatorState struct {
	PresumedAbort bool      `json:"presumed_abort"`
	LastTx        int       `json:"last_tx"`
	Active        []TxState `json:"active"`
	Log           []Record  `json:"log"`
	Recovered     int       `json:"recovered_from_log,omitempty"`
}

// Inspect returns the transactions in progress and the log.
func (c *Coordinator) Inspect() any {
	st := CoordinatorState{PresumedAbort: c.cfg.PresumedAbort, LastTx: c.next, Recovered: c.recovers}
	for _, id := range c.active {
		t := c.txs[id]
		ph := phaseNames[t.phase]
		if t.phase != collecting {
			ph = decisionWord(t.commit) + ": " + ph
		}
		st.Active = append(st.Active, TxState{Tx: id, Key: t.key, Phase: ph, Votes: slices.Clone(t.yes), Acks: slices.Clone(t.acked)})
	}
	for _, k := range c.ctx.Durable().Keys() {
		if v, _ := c.ctx.Durable().Get(k); strings.HasPrefix(k, "tx/") {
			st.Log = append(st.Log, v.(Record))
		}
	}
	return st
}
