// Package paxos is single-decree Paxos as Lamport's "Paxos Made Simple"
// (2001) describes it: proposers proposer-1..N, which are also the learners,
// and acceptors acceptor-1..N. A proposer picks a ballot (a round number made
// unique by its own index, higher than any it has tried or heard of), sends
// prepare requests, and on promises from a majority sends accept requests
// with the value of the highest-numbered proposal the promises reported, or
// its own. Acceptors keep their promise and accepted proposal in their
// durable store, answer with a Nack when they ignore a request (the
// optimization §2.2 suggests), and report every acceptance to all learners.
//
// Safety never depends on timing. Progress does, and that is the point of
// this package: two proposers can preempt each other forever, each one's
// prepare landing between the other's promises and accept requests, as §2.4
// warns. A proposer whose round fails waits a random back-off (parameter
// backoff) before the next; with backoff "0s..0s" it retries at once and the
// duel can go on indefinitely (proposer.abandon, the metric rounds).
package paxos
