package paxos

import (
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// roundTimeout is how long a proposer waits for a majority of answers in one
// round before it abandons the round (after a lost message or a crashed
// acceptor).
const roundTimeout = 50 * time.Millisecond

// Proposer phases.
const (
	idle      = iota // waiting to start the next round
	preparing        // phase 1: prepare sent, counting promises
	accepting        // phase 2: accept sent
	learned          // it knows the chosen value
)

// roundTimer and retryTimer name a proposer's timers; both are stale once the
// proposer has moved to another ballot.
type roundTimer struct{ Ballot check.Ballot }

type retryTimer struct{ Ballot check.Ballot }

// proposer is a proposer node, proposer-N, which is also a learner.
type proposer struct {
	cfg   *config
	index int    // N of proposer-N: makes its ballots unique
	value string // the value it proposes if free to choose

	round  uint64       // the highest round it has tried (durable)
	seen   uint64       // the highest round it heard of from an acceptor
	ballot check.Ballot // the current ballot
	phase  int

	promised []bool                  // per acceptor, for the current ballot
	highest  check.Ballot            // the highest accepted proposal among the promises
	carried  string                  // and its value
	acks     map[check.Ballot][]bool // learner: per ballot, which acceptors accepted it
}

func newProposer(cfg *config, index int) *proposer {
	return &proposer{cfg: cfg, index: index, value: "v" + itoa(index)}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

const roundKey = "round"

// Start proposes the proposer's own value and begins the first round.
func (p *proposer) Start(ctx *sim.Context) { p.start(ctx) }

// Receive handles the acceptors' answers.
func (p *proposer) Receive(ctx *sim.Context, from string, msg sim.Message) { p.step(ctx, from, msg) }

// Timer handles round timeouts and the end of a back-off.
func (p *proposer) Timer(ctx *sim.Context, tag any) { p.timer(ctx, tag) }

func (p *proposer) start(ctx host) {
	if v, ok := ctx.Durable().Get(roundKey); ok {
		p.round = v.(uint64)
	}
	p.acks = map[check.Ballot][]bool{}
	ctx.Observe(check.PaxosProposed{Value: p.value})
	p.startRound(ctx)
}

// startRound is phase 1(a) with a ballot higher than any it has tried or
// heard of: "each proposer remembers (in stable storage) the
// highest-numbered proposal it has tried to issue" (§2.5), and its number is
// made unique by the proposer's index.
func (p *proposer) startRound(ctx host) {
	p.round = max(p.round, p.seen) + 1
	ctx.Durable().Put(roundKey, p.round)
	p.ballot = check.Ballot{Round: p.round, Proposer: p.index}
	p.phase = preparing
	p.promised = make([]bool, len(p.cfg.acceptors))
	p.highest, p.carried = check.Ballot{}, ""
	ctx.Count("rounds", 1)
	for _, a := range p.cfg.acceptors {
		ctx.Send(a, Prepare{Ballot: p.ballot})
	}
	ctx.SetTimer(roundTimeout, roundTimer{Ballot: p.ballot})
}

func (p *proposer) step(ctx host, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Promise:
		p.handlePromise(ctx, from, m)
	case Nack:
		if m.Ballot == p.ballot && (p.phase == preparing || p.phase == accepting) {
			p.seen = max(p.seen, m.Promised.Round)
			p.abandon(ctx)
		}
	case Accepted:
		p.learn(ctx, from, m)
	}
}

// handlePromise counts a promise for the current ballot: "if the proposer
// receives a response to its prepare requests (numbered n) from a majority
// of acceptors, then it sends an accept request to each of those acceptors
// for a proposal numbered n with a value v, where v is the value of the
// highest-numbered proposal among the responses, or is any value if the
// responses reported no proposals" (phase 2(a)).
func (p *proposer) handlePromise(ctx host, from string, m Promise) {
	i := p.cfg.acceptorIndex(from)
	if m.Ballot != p.ballot || p.phase != preparing || i < 0 || p.promised[i] {
		return
	}
	p.promised[i] = true
	if p.highest.Less(m.Accepted) {
		p.highest, p.carried = m.Accepted, m.Value
	}
	n := 0
	for _, ok := range p.promised {
		if ok {
			n++
		}
	}
	if n < p.cfg.majority() {
		return
	}
	v := p.value
	if p.highest.Round > 0 {
		v = p.carried
	}
	p.phase = accepting
	for _, a := range p.cfg.acceptors {
		ctx.Send(a, Accept{Ballot: p.ballot, Value: v})
	}
}

// learn counts acceptances: a value is chosen when a majority of acceptors
// accepted it in one ballot, and a learner that sees that has learned it.
func (p *proposer) learn(ctx host, from string, m Accepted) {
	i := p.cfg.acceptorIndex(from)
	if i < 0 || p.phase == learned {
		return
	}
	acks := p.acks[m.Ballot]
	if acks == nil {
		acks = make([]bool, len(p.cfg.acceptors))
		p.acks[m.Ballot] = acks
	}
	acks[i] = true
	n := 0
	for _, ok := range acks {
		if ok {
			n++
		}
	}
	if n < p.cfg.majority() {
		return
	}
	p.phase = learned
	ctx.Observe(check.PaxosLearned{Ballot: m.Ballot, Value: m.Value})
	ctx.Count("learned", 1)
}

// abandon gives up the current round and starts another after a random
// back-off: without one, two proposers can preempt each other forever.
func (p *proposer) abandon(ctx host) {
	p.phase = idle
	b := p.cfg.backoff
	d := b.Min
	if b.Max > b.Min {
		d += time.Duration(ctx.Rand().Int64N(int64(b.Max-b.Min) + 1))
	}
	ctx.SetTimer(d, retryTimer{Ballot: p.ballot})
}

func (p *proposer) timer(ctx host, tag any) {
	switch t := tag.(type) {
	case roundTimer:
		if t.Ballot == p.ballot && (p.phase == preparing || p.phase == accepting) {
			p.abandon(ctx)
		}
	case retryTimer:
		if t.Ballot == p.ballot && p.phase == idle {
			p.startRound(ctx)
		}
	}
}

// Inspect shows the proposer's state.
func (p *proposer) Inspect() any {
	type view struct {
		Value  string `json:"value"`
		Ballot string `json:"ballot"`
		Phase  string `json:"phase"`
	}
	return view{Value: p.value, Ballot: p.ballot.String(), Phase: [...]string{"backing off", "phase 1 (prepare)", "phase 2 (accept)", "learned"}[p.phase]}
}
