package sim

import (
	"testing"
	"time"
)

type ping struct{ N int }

func (ping) Kind() string { return "ping" }

// pinger bounces a message with its peer forever and counts what it saw.
type pinger struct {
	peer     string
	serve    bool
	got      int
	timers   int
	interval time.Duration
	quiet    bool // observe nothing (benchmarks measure the kernel alone)
}

func (p *pinger) Start(ctx *Context) {
	if p.serve {
		ctx.Send(p.peer, ping{})
	}
	if p.interval > 0 {
		ctx.SetTimer(p.interval, "tick")
	}
}

func (p *pinger) Receive(ctx *Context, from string, m Message) {
	p.got++
	ctx.Count("pings", 1)
	ctx.Send(from, ping{N: m.(ping).N + 1})
}

func (p *pinger) Timer(ctx *Context, tag any) {
	p.timers++
	if !p.quiet {
		ctx.Observe(tick{Node: ctx.Name(), Local: ctx.Now()})
	}
	ctx.SetTimer(p.interval, tag)
}

type tick struct {
	Node  string
	Local time.Duration
}

func pingWorld(t testing.TB, seed uint64, net Network) *World {
	t.Helper()
	w := New(Config{Seed: seed, Duration: 10 * time.Second, Network: net})
	must(t, w.AddNode("a-1", func() Node { return &pinger{peer: "a-2", serve: true, interval: 100 * time.Millisecond} }))
	must(t, w.AddNode("a-2", func() Node { return &pinger{peer: "a-1", interval: 100 * time.Millisecond} }))
	return w
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestPingPongRuns(t *testing.T) {
	w := pingWorld(t, 1, DefaultNetwork)
	must(t, w.Run())
	if w.Now() != 10*time.Second {
		t.Fatalf("run ended at %v, want 10s", w.Now())
	}
	pings := w.Metrics()["pings"]
	// Latency 1..5 ms, so a round trip takes 2..10 ms: 1000..5000 pings in 10 s.
	if pings < 1000 || pings > 10000 {
		t.Fatalf("pings = %v, want a number a 1-5 ms network allows", pings)
	}
	ticks := 0
	for _, o := range w.History() {
		if _, ok := o.Value.(tick); ok {
			ticks++
		}
	}
	if _, ok := w.History()[len(w.History())-1].Value.(End); !ok {
		t.Fatalf("the history does not end with End{}")
	}
	if got := ticks; got != 2*100 {
		t.Fatalf("history has %d ticks, want 200 (two nodes, one every 100ms for 10s)", got)
	}
}

func TestRunUntilOnAnIdleWorldStopsThere(t *testing.T) {
	w := New(Config{Seed: 1, Duration: 10 * time.Second})
	must(t, w.AddNode("idle-1", func() Node { return &pinger{} }))
	must(t, w.RunUntil(3*time.Second))
	if w.Now() != 3*time.Second {
		t.Fatalf("an idle world run until 3s is at %v", w.Now())
	}
	if h := w.History(); len(h) > 0 {
		t.Fatalf("an idle world run until 3s recorded %v (End belongs to the end of the run)", h)
	}
	must(t, w.Run())
	if w.Now() != 10*time.Second {
		t.Fatalf("Run ended at %v", w.Now())
	}
}
