package sim

import (
	"math"
	"time"
)

// Time is a point in virtual time: the duration since the start of a run.
// It is the true, global time that no node can read; nodes read their own
// clocks through Context.Now.
type Time = time.Duration

// The clock rates a node may run at: from a thousandth of true speed to ten
// times it. A slower clock would put its timers past the end of time.
const (
	MinClockRate = 0.001
	MaxClockRate = 10
)

// validRate reports whether r is a clock rate a node may run at (NaN is not).
func validRate(r float64) bool { return r >= MinClockRate && r <= MaxClockRate }

// clock is one node's local clock, piecewise linear in true time:
// local(t) = base + rate × (t − since). A jump moves base; a drift changes
// rate from now on. Rate 1 is a perfect clock; 1.2 runs 20% fast.
type clock struct {
	base  time.Duration // local time at true time since
	since Time
	rate  float64
}

func (c *clock) local(t Time) time.Duration {
	if c.rate == 1 {
		return c.base + (t - c.since)
	}
	return c.base + time.Duration(math.Floor(float64(t-c.since)*c.rate))
}

// rebase starts a new linear piece at true time t.
func (c *clock) rebase(t Time) {
	c.base = c.local(t)
	c.since = t
}

// trueTimeOf returns the first true time, not before now, at which the local
// clock shows at least deadline.
func (c *clock) trueTimeOf(deadline time.Duration, now Time) Time {
	if c.local(now) >= deadline {
		return now
	}
	d := deadline - c.base
	var t Time
	if c.rate == 1 {
		t = c.since + d
	} else {
		f := math.Ceil(float64(d) / c.rate)
		if f >= float64(math.MaxInt64-c.since) {
			return math.MaxInt64 // past the end of time: it never fires
		}
		t = c.since + Time(f)
		for c.local(t) < deadline { // guard against float rounding
			t++
		}
	}
	if t < now {
		t = now
	}
	return t
}
