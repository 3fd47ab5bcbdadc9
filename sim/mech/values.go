package mech

import (
	"strconv"

	"coordlab/sim"
)

// Incarnation counts this start of the node in its durable store and
// returns it: 1 at the first start, 2 after a restart, and so on. Call it
// once, from Start.
//
// A real restarted process has new connections, so answers to requests its
// crashed predecessor sent never reach it. In the simulation they can: a
// node that numbers its requests from FirstRequest(Incarnation(ctx)) never
// takes such an answer for one to its own requests.
func Incarnation(ctx *sim.Context) int {
	inc := 1
	if v, ok := ctx.Durable().Get("incarnation"); ok {
		inc = v.(int) + 1
	}
	ctx.Durable().Put("incarnation", inc)
	return inc
}

// FirstRequest returns the number the requests of incarnation inc count
// from: 0 in the first, and 2^32 above the previous incarnation's after
// each restart.
func FirstRequest(inc int) uint64 { return uint64(inc-1) << 32 }

// RequestString writes a request number counted from FirstRequest as its
// number within its incarnation and, after a restart, the incarnation:
// "3", "3@life2".
func RequestString(n uint64) string {
	s := strconv.FormatUint(n&(1<<32-1), 10)
	if life := n>>32 + 1; life > 1 {
		return s + "@life" + strconv.FormatUint(life, 10)
	}
	return s
}

// ValuePrefix returns the prefix of the values client number n (counted
// from 1) writes in its incarnation inc: "c2-", so that a read tells which
// write it saw, and "c2r2-", "c2r3-", ... after restarts, so that its
// values stay unique.
func ValuePrefix(n, inc int) string {
	if inc == 1 {
		return "c" + strconv.Itoa(n) + "-"
	}
	return "c" + strconv.Itoa(n) + "r" + strconv.Itoa(inc) + "-"
}
