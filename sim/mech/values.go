package mech

import (
	"strconv"

	"coordlab/sim"
)

// ValuePrefix returns the prefix of the values client number n (counted
// from 1) writes when its node starts: "c2-", so that a read tells which
// write it saw. A restarted client counts its starts in its durable store
// and writes "c2r2-", "c2r3-", ..., so its values stay unique across
// restarts.
func ValuePrefix(ctx *sim.Context, n int) string {
	inc := 1
	if v, ok := ctx.Durable().Get("incarnation"); ok {
		inc = v.(int) + 1
	}
	ctx.Durable().Put("incarnation", inc)
	if inc == 1 {
		return "c" + strconv.Itoa(n) + "-"
	}
	return "c" + strconv.Itoa(n) + "r" + strconv.Itoa(inc) + "-"
}
