// Package sim is coordlab's deterministic simulation kernel.
//
// A World owns a virtual clock, a priority queue of events ordered by
// (time, sequence number), one seeded random number generator from which every
// other stream derives, a simulated network, the nodes, and a trace. Nodes are
// small state machines: they react to Start, to a delivered Message and to a
// fired timer, and they act on the world only through their Context.
//
// Nothing in this package reads the wall clock, starts a goroutine or draws
// randomness except from the world's seeded streams, so the same
// configuration and seed produce the same trace, event for event, natively
// and under WebAssembly. Mechanisms built on it must keep that promise: never
// iterate a Go map where the order could change what happens, never keep
// pointers in observations, and draw randomness only from Context.Rand.
//
// The kernel follows the ideas of deterministic simulators such as
// TigerBeetle's VOPR, turmoil and madsim: the clock jumps to the next event,
// links have explicit states (healthy, partitioned, cut), and clock offset,
// drift and jumps are faults like any other. It is unsafe on purpose in the
// ways real systems are: clocks drift, messages are lost, duplicated and
// reordered, nodes crash and pause.
package sim
