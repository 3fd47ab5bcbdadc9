package sim

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-hash.txt")

// busyWorld is a world with every source of nondeterminism the kernel
// controls: jittery latency, loss, duplication, timers, clock drift and
// jumps, a pause, a crash and restart and a partition.
func busyWorld(t testing.TB, seed uint64) *World {
	w := New(Config{Seed: seed, Duration: 5 * time.Second, Network: Network{
		Latency: Latency{Min: time.Millisecond, Max: 9 * time.Millisecond}, Loss: 0.05, Duplicate: 0.05,
	}})
	for _, n := range []struct{ name, peer string }{{"p-1", "p-2"}, {"p-2", "p-3"}, {"p-3", "p-1"}} {
		peer := n.peer
		must(t, w.AddNode(n.name, func() Node { return &pinger{peer: peer, serve: true, interval: 37 * time.Millisecond} }))
	}
	for _, f := range []Fault{
		{At: time.Second, Kind: FaultClockDrift, Node: "p-1", Rate: 1.3},
		{At: 1500 * time.Millisecond, Kind: FaultPause, Node: "p-2", For: 400 * time.Millisecond},
		{At: 2 * time.Second, Kind: FaultCrash, Node: "p-3"},
		{At: 2500 * time.Millisecond, Kind: FaultRestart, Node: "p-3"},
		{At: 3 * time.Second, Kind: FaultPartition, Groups: [][]string{{"p-1"}, {"p-2", "p-3"}}},
		{At: 3500 * time.Millisecond, Kind: FaultHeal},
		{At: 4 * time.Second, Kind: FaultClockJump, Node: "p-2", Jump: -2 * time.Second},
	} {
		must(t, w.Schedule(f))
	}
	return w
}

func runHash(t testing.TB, seed uint64) string {
	w := busyWorld(t, seed)
	must(t, w.Run())
	return w.TraceHash()
}

func TestSameSeedSameHash(t *testing.T) {
	a, b := runHash(t, 42), runHash(t, 42)
	if a != b {
		t.Fatalf("seed 42 gave two hashes: %s and %s", a, b)
	}
}

func TestDifferentSeedsDiffer(t *testing.T) {
	seen := map[string]uint64{}
	for seed := uint64(1); seed <= 20; seed++ {
		h := runHash(t, seed)
		if other, dup := seen[h]; dup {
			t.Fatalf("seeds %d and %d gave the same hash %s", other, seed, h)
		}
		seen[h] = seed
	}
}

// TestGoldenHash pins the hash of one busy run. The same file is checked
// natively and under GOOS=js GOARCH=wasm (make test-wasm), which proves the
// kernel gives the same trace on both. Regenerate with -update after an
// intended change to the trace encoding, and say why in the commit.
func TestGoldenHash(t *testing.T) {
	got := runHash(t, 7)
	const path = "testdata/golden-hash.txt"
	if *update {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, []byte(got+"\n"), 0o644))
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sim -run TestGoldenHash -update)", err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("trace hash %s, golden %s: the kernel's behaviour changed (or differs on this platform)", got, strings.TrimSpace(string(want)))
	}
}

func TestKeepTraceDoesNotChangeHash(t *testing.T) {
	w := busyWorld(t, 3)
	w.trace.keep = true
	must(t, w.Run())
	if w.TraceHash() != runHash(t, 3) {
		t.Fatal("keeping the trace changed the hash")
	}
	if uint64(len(w.Trace())) != w.trace.count {
		t.Fatalf("kept %d of %d trace events", len(w.Trace()), w.trace.count)
	}
}

func TestNoTraceDoesNotChangeTheRun(t *testing.T) {
	traced := busyWorld(t, 3)
	must(t, traced.Run())
	untraced := busyWorld(t, 3)
	untraced.cfg.NoTrace = true
	must(t, untraced.Run())
	if untraced.TraceHash() != "" || len(untraced.Trace()) != 0 {
		t.Fatal("a run without a trace has a hash or trace events")
	}
	if untraced.Events() != traced.Events() || fmt.Sprint(untraced.History()) != fmt.Sprint(traced.History()) ||
		fmt.Sprint(untraced.Metrics()) != fmt.Sprint(traced.Metrics()) {
		t.Fatalf("without the trace the run differs: %d events, %d observations; with it %d, %d",
			untraced.Events(), len(untraced.History()), traced.Events(), len(traced.History()))
	}
}

func TestStepMatchesRun(t *testing.T) {
	w := busyWorld(t, 9)
	for {
		more, err := w.Step()
		must(t, err)
		if !more {
			break
		}
	}
	if w.TraceHash() != runHash(t, 9) {
		t.Fatal("stepping event by event gives another trace than Run")
	}
	half := busyWorld(t, 9)
	must(t, half.RunUntil(2300*time.Millisecond))
	if half.Now() != 2300*time.Millisecond {
		t.Fatalf("RunUntil(2.3s) left the clock at %v", half.Now())
	}
	must(t, half.Run())
	if half.TraceHash() != w.TraceHash() {
		t.Fatal("RunUntil then Run gives another trace than Run")
	}
}

// BenchmarkKernel measures raw event throughput: 16 nodes bouncing messages
// with timers, no faults. Target: at least 5 million events a second.
func BenchmarkKernel(b *testing.B) { benchmarkKernel(b, false) }

// BenchmarkKernelUntraced is the same without the trace and its hash
// (Config.NoTrace), as the CAP explorer runs.
func BenchmarkKernelUntraced(b *testing.B) { benchmarkKernel(b, true) }

func benchmarkKernel(b *testing.B, untraced bool) {
	b.ReportAllocs()
	events := 0
	for i := 0; i < b.N; i++ {
		w := New(Config{Seed: uint64(i), Duration: 10 * time.Second, Network: DefaultNetwork, NoTrace: untraced})
		for n := 0; n < 16; n++ {
			name := "n-" + string(rune('a'+n))
			peer := "n-" + string(rune('a'+(n+1)%16))
			must(b, w.AddNode(name, func() Node { return &bouncer{peer: peer} }))
		}
		must(b, w.Run())
		events += w.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}

// bouncer is the cheapest possible node: it bounces an empty message with
// its peer and keeps a 10ms timer going, so the benchmark measures the
// kernel, not the node.
type bouncer struct{ peer string }

type bounce struct{}

func (bounce) Kind() string { return "bounce" }

func (b *bouncer) Start(ctx *Context) {
	ctx.Send(b.peer, bounce{})
	ctx.SetTimer(10*time.Millisecond, nil)
}
func (b *bouncer) Receive(ctx *Context, from string, m Message) { ctx.Send(from, m) }
func (b *bouncer) Timer(ctx *Context, tag any)                  { ctx.SetTimer(10*time.Millisecond, tag) }
