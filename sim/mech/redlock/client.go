package redlock

import (
	"strconv"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech"
	"coordlab/sim/mech/lock"
)

// ClockDriftAllowance is the constant part of the drift allowance: the
// reference implementations compute drift = ttl × drift_factor + 2 ms.
const ClockDriftAllowance = 2 * time.Millisecond

// MaxRequestTimeout bounds how long a client waits for the masters' answers.
// The documentation asks for a timeout small next to the ttl ("if the
// auto-release time is 10 seconds, the timeout could be in the ~ 5-50
// milliseconds range"), so that a master that is down does not eat the
// validity time.
const MaxRequestTimeout = 50 * time.Millisecond

// Client is the Redlock half of a lock client (a lock.Protocol).
type Client struct {
	cfg      Config
	index    map[string]int // master name -> position
	attempt  Attempt
	value    string        // the random value of the current attempt
	start    time.Duration // local time the attempt started (step 1 of the algorithm)
	answered []bool
	granted  int
	replies  int
	deciding bool
	timeout  sim.TimerID
}

// The client's timers.
type (
	attemptTimeout struct{ Attempt Attempt }
	retryAttempt   struct{ Attempt Attempt }
	validityEnd    struct{ Acq int }
)

// Attempt numbers a client's attempts so that it can match the masters'
// answers to them. A client counts them from mech.FirstRequest of its
// incarnation: a real restarted process has new connections, so answers to
// the SETs its crashed predecessor sent never reach it, but in the
// simulation they can, and one counted for the new process's attempt of the
// same number would be a grant on a key holding another value.
type Attempt uint64

// String writes the attempt's number within its incarnation and, after a
// restart, the incarnation: 3, 3@life2.
func (a Attempt) String() string { return mech.RequestString(uint64(a)) }

// NewClient returns a Redlock client protocol over the configured masters.
func NewClient(cfg Config) *Client {
	idx := make(map[string]int, len(cfg.Masters))
	for i, m := range cfg.Masters {
		idx[m] = i
	}
	return &Client{cfg: cfg, index: idx}
}

// Quorum is the majority of n masters a client must lock: N/2+1.
func Quorum(n int) int { return n/2 + 1 }

// Drift is the clock drift allowance for a ttl: ttl × factor + 2 ms.
func Drift(ttl time.Duration, factor float64) time.Duration {
	return time.Duration(float64(ttl)*factor) + ClockDriftAllowance
}

// Validity is step 3 and 4 of the algorithm: the lock is acquired if a
// majority of the n masters granted it and ttl minus the elapsed time minus
// the drift allowance is still positive; the validity is that remainder.
func Validity(granted, n int, ttl, elapsed time.Duration, factor float64) (time.Duration, bool) {
	validity := ttl - elapsed - Drift(ttl, factor)
	return validity, granted >= Quorum(n) && validity > 0
}

func (r *Client) requestTimeout() time.Duration {
	return min(MaxRequestTimeout, r.cfg.TTL/10)
}

// Start numbers the attempts of this incarnation from c.FirstRequest.
func (r *Client) Start(c *lock.Client) { r.attempt = Attempt(c.FirstRequest()) }

// Acquire starts an attempt: steps 1 and 2 of the algorithm. The SET
// commands go to all masters at once, as the documentation recommends
// ("multiplexing"), rather than one after another.
func (r *Client) Acquire(c *lock.Client) {
	ctx := c.Ctx()
	r.attempt++
	r.value = strconv.FormatUint(ctx.Rand().Uint64(), 16)
	r.start = ctx.Now()
	r.answered = make([]bool, len(r.cfg.Masters))
	r.granted, r.replies, r.deciding = 0, 0, true
	for _, m := range r.cfg.Masters {
		ctx.Send(m, Set{Key: Resource, Value: r.value, PX: r.cfg.TTL, Attempt: r.attempt})
	}
	r.timeout = ctx.SetTimer(r.requestTimeout(), attemptTimeout{Attempt: r.attempt})
	ctx.Count("attempts", 1)
}

// Receive counts the masters' answers to the current attempt.
func (r *Client) Receive(c *lock.Client, from string, msg sim.Message) {
	reply, ok := msg.(SetReply)
	if !ok || !r.deciding || reply.Attempt != r.attempt {
		return // a late answer: if it was OK, the unlock sent with the decision removes it
	}
	i, ok := r.index[from]
	if !ok || r.answered[i] {
		return // a duplicated answer
	}
	r.answered[i] = true
	r.replies++
	if reply.OK {
		r.granted++
	}
	if r.replies == len(r.cfg.Masters) {
		r.decide(c)
	}
}

// decide is steps 3 to 5: hold the lock for its validity time, or unlock
// every master and retry after a random delay.
func (r *Client) decide(c *lock.Client) {
	ctx := c.Ctx()
	r.deciding = false
	ctx.CancelTimer(r.timeout)
	validity, ok := Validity(r.granted, len(r.cfg.Masters), r.cfg.TTL, ctx.Now()-r.start, r.cfg.DriftFactor)
	if ok {
		ctx.SetTimer(validity, validityEnd{Acq: c.Acq()})
		c.Granted(0) // Redlock has no fencing token
		return
	}
	r.unlockAll(ctx)
	ctx.Count("retries", 1)
	delay := time.Duration(ctx.Rand().Int64N(int64(r.cfg.Retry) + 1))
	ctx.SetTimer(delay, retryAttempt{Attempt: r.attempt})
}

// Release unlocks every master, whether or not this client locked it.
func (r *Client) Release(c *lock.Client) { r.unlockAll(c.Ctx()) }

func (r *Client) unlockAll(ctx *sim.Context) {
	for _, m := range r.cfg.Masters {
		ctx.Send(m, Unlock{Key: Resource, Value: r.value})
	}
}

// Timer handles the attempt's timeout, the retry delay and the end of the
// validity time, after which a correct client no longer trusts the lock.
func (r *Client) Timer(c *lock.Client, tag any) {
	switch t := tag.(type) {
	case attemptTimeout:
		if r.deciding && t.Attempt == r.attempt {
			r.decide(c)
		}
	case retryAttempt:
		if c.State() == lock.Waiting && t.Attempt == r.attempt {
			r.Acquire(c)
		}
	case validityEnd:
		if c.State() == lock.Holding && c.Acq() == t.Acq {
			r.unlockAll(c.Ctx())
			c.Lost()
		}
	}
}
