package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// newStream returns a PCG stream derived from the run's seed and a name.
// Every consumer of randomness (the network, each node) has its own stream, so
// adding a node or a message does not shift the random draws of the others:
// a small change to a scenario changes the run only where it must.
func newStream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
