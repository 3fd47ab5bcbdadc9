package raft

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"coordlab/sim"
)

// fakeHost records what a Raft state machine does, so tests can step one
// server message by message, as etcd-io/raft's tests do.
type fakeHost struct {
	now     time.Duration
	sent    []envelope
	timers  map[sim.TimerID]fakeTimer
	nextID  sim.TimerID
	rng     *rand.Rand
	obs     []any
	store   *sim.Store
	symbol  map[string]bool
	metrics map[string]float64
}

type envelope struct {
	to  string
	msg sim.Message
}

type fakeTimer struct {
	d   time.Duration
	tag any
}

func newFakeHost(store *sim.Store) *fakeHost {
	if store == nil {
		store = &sim.Store{}
	}
	return &fakeHost{timers: map[sim.TimerID]fakeTimer{}, rng: rand.New(rand.NewPCG(1, 2)), store: store,
		symbol: map[string]bool{}, metrics: map[string]float64{}}
}

func (h *fakeHost) Now() time.Duration             { return h.now }
func (h *fakeHost) Send(to string, m sim.Message)  { h.sent = append(h.sent, envelope{to, m}) }
func (h *fakeHost) CancelTimer(id sim.TimerID)     { delete(h.timers, id) }
func (h *fakeHost) Rand() *rand.Rand               { return h.rng }
func (h *fakeHost) Observe(v any)                  { h.obs = append(h.obs, v) }
func (h *fakeHost) Durable() *sim.Store            { return h.store }
func (h *fakeHost) Publish(s string)               { h.symbol[s] = true }
func (h *fakeHost) Unpublish(s string)             { delete(h.symbol, s) }
func (h *fakeHost) Count(metric string, d float64) { h.metrics[metric] += d }
func (h *fakeHost) SetTimer(d time.Duration, tag any) sim.TimerID {
	h.nextID++
	h.timers[h.nextID] = fakeTimer{d, tag}
	return h.nextID
}

// take returns the messages sent since the last take.
func (h *fakeHost) take() []envelope {
	out := h.sent
	h.sent = nil
	return out
}

// testConfig is a cluster of n servers with the default parameters.
func testConfig(n int) *config {
	cfg := &config{electionTimeout: sim.Latency{Min: 150 * time.Millisecond, Max: 300 * time.Millisecond},
		heartbeat: 50 * time.Millisecond, read: "log"}
	for i := 1; i <= n; i++ {
		cfg.servers = append(cfg.servers, fmt.Sprintf("raft-%d", i))
	}
	return cfg
}

// newTestRaft boots server raft-id of cfg over a store holding term, vote
// and log.
func newTestRaft(cfg *config, id int, term uint64, log ...Entry) (*raft, *fakeHost) {
	store := &sim.Store{}
	if term > 0 || len(log) > 0 {
		store.Put(durableKey, persistent{CurrentTerm: term, Log: raftLog(nil).append(log...)})
	}
	h := newFakeHost(store)
	r := newRaft(cfg, cfg.servers[id-1])
	r.boot(h)
	return r, h
}

// entries builds a log whose entries have the given terms.
func entries(terms ...uint64) []Entry {
	es := make([]Entry, len(terms))
	for i, t := range terms {
		es[i] = Entry{Term: t, Command: Command{Op: "put", Key: "x", Value: fmt.Sprint(i + 1), Client: "client-1", Seq: uint64(i + 1)}}
	}
	return es
}

// timeout lets the election timeout elapse.
func timeout(r *raft, h *fakeHost) {
	h.now = r.electionDeadline
	r.Timer(electionTimer)
}

// elect makes r leader of the next term with the votes of every server.
func elect(t *testing.T, r *raft, h *fakeHost) {
	t.Helper()
	timeout(r, h)
	for _, s := range r.cfg.servers {
		if s != r.id {
			r.Step(s, RequestVoteResults{Term: r.currentTerm, VoteGranted: true})
		}
	}
	if r.state != StateLeader {
		t.Fatalf("%s is %v after winning every vote, want leader", r.id, r.state)
	}
	h.take()
}

// terms returns the terms of a log.
func terms(l raftLog) []uint64 {
	out := make([]uint64, len(l))
	for i, e := range l {
		out[i] = e.Term
	}
	return out
}

// cluster delivers messages between servers until none is left: a network
// with no delay, loss or timers.
type cluster struct {
	rafts map[string]*raft
	hosts map[string]*fakeHost
}

func (c *cluster) deliverAll(t *testing.T) {
	t.Helper()
	for round := 0; round < 1000; round++ {
		moved := false
		for _, name := range []string{"raft-1", "raft-2", "raft-3", "raft-4", "raft-5", "raft-6", "raft-7"} {
			h, ok := c.hosts[name]
			if !ok {
				continue
			}
			for _, e := range h.take() {
				if r, ok := c.rafts[e.to]; ok {
					moved = true
					r.Step(name, e.msg)
				}
			}
		}
		if !moved {
			return
		}
	}
	t.Fatal("messages never stopped flowing")
}
