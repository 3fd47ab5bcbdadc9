// Package raft is the Raft consensus algorithm as Figure 2 of Ongaro and
// Ousterhout, "In Search of an Understandable Consensus Algorithm" (USENIX
// ATC 2014) states it, named as the paper names things: servers raft-1..N
// keep currentTerm, votedFor and log[] in their durable store, and
// commitIndex, lastApplied, nextIndex[] and matchIndex[] in volatile state;
// RequestVote carries the election restriction of §5.4.1, AppendEntries the
// consistency check of §5.3; election timeouts are randomized and measured
// on each server's own clock; a leader commits only entries of its current
// term by counting replicas (§5.4.2). Committed entries are applied to a
// key-value store; clients (client-N) send get, put and append to the server
// they believe leads, follow redirects, retry, and tag commands with serial
// numbers so a retried command runs once (§8).
//
// Options of Ongaro's dissertation (Stanford, 2014): prevote (§9.6),
// check_quorum (§6.2 and §4.2.3), and reads (§6.4): read: log puts reads in
// the log; read: lease lets a leader answer alone during a lease (§6.4.1).
//
// As etcd-io/raft does, each server is a state machine stepped one message
// or timer at a time (Step, with a step function per role swapped by
// becomeFollower, becomeCandidate and becomeLeader); it reaches the world
// only through a small host interface, so tests drive it directly.
//
// It is unsafe on purpose where a student should see it fail:
//   - buggy_commit: true lets a leader commit an entry of an earlier term by
//     counting replicas, the error of the paper's Figure 8: a later leader
//     overwrites the committed entry (maybeCommit).
//   - read: local lets any server answer a get from its own state: followers
//     lag and a deposed leader in a minority answers with old data
//     (handleClientRequest).
//   - read: lease trusts that clocks run at the same rate: a leader whose
//     clock runs slow keeps answering reads after a new leader has taken
//     writes (leaseValid).
package raft
