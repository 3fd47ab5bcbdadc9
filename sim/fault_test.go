package sim

import (
	"math"
	"testing"
	"time"
)

// recorder is a node that remembers everything it handled, with the true
// time and its local clock, so tests can check each fault's semantics.
type recorder struct {
	starts   int
	got      []string
	timers   []time.Duration // local time at which each timer fired
	volatile int
	interval time.Duration
	peer     string
}

type note struct{ Text string }

func (note) Kind() string { return "note" }

func (r *recorder) Start(ctx *Context) {
	r.starts++
	n, _ := ctx.Durable().Get("starts")
	c, _ := n.(int)
	ctx.Durable().Put("starts", c+1)
	if r.interval > 0 {
		ctx.SetTimer(r.interval, "tick")
	}
}

func (r *recorder) Receive(ctx *Context, from string, m Message) {
	r.got = append(r.got, m.(note).Text)
	r.volatile++
	ctx.Observe(got{Node: ctx.Name(), Text: m.(note).Text})
}

func (r *recorder) Timer(ctx *Context, tag any) {
	r.timers = append(r.timers, ctx.Now())
	ctx.Observe(fired{Node: ctx.Name(), Local: ctx.Now()})
	if r.peer != "" {
		ctx.Send(r.peer, note{Text: ctx.Name()})
	}
	ctx.SetTimer(r.interval, tag)
}

type got struct{ Node, Text string }
type fired struct {
	Node  string
	Local time.Duration
}

// world builds a world of recorder nodes a-1 (sending to b-1 every 100ms) and
// b-1, with a constant 10ms latency, and returns the nodes' live values.
func testWorld(t *testing.T, faults ...Fault) (*World, map[string]*recorder) {
	t.Helper()
	w := New(Config{Seed: 1, Duration: 2 * time.Second, Network: Network{Latency: Latency{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}}})
	live := map[string]*recorder{}
	add := func(name string, r func() *recorder) {
		must(t, w.AddNode(name, func() Node { n := r(); live[name] = n; return n }))
	}
	add("a-1", func() *recorder { return &recorder{interval: 100 * time.Millisecond, peer: "b-1"} })
	add("b-1", func() *recorder { return &recorder{} })
	add("c-1", func() *recorder { return &recorder{interval: 100 * time.Millisecond, peer: "b-1"} })
	for _, f := range faults {
		must(t, w.Schedule(f))
	}
	return w, live
}

// deliveries returns the true times at which node received from sender.
func deliveries(w *World, node, from string) []Time {
	var at []Time
	for _, o := range w.History() {
		if g, ok := o.Value.(got); ok && g.Node == node && g.Text == from {
			at = append(at, o.At)
		}
	}
	return at
}

func TestPauseDefersEverythingUntilResume(t *testing.T) {
	w, _ := testWorld(t, Fault{At: 500 * time.Millisecond, Kind: FaultPause, Node: "b-1", For: 300 * time.Millisecond})
	must(t, w.Run())
	var queued int
	for _, at := range deliveries(w, "b-1", "a-1") {
		if at > 500*time.Millisecond && at < 800*time.Millisecond {
			t.Fatalf("paused b-1 handled a message at %v", at)
		}
		if at == 800*time.Millisecond {
			queued++
		}
	}
	// a-1 sends at 100ms intervals, arriving at 510, 610, 710 ms during the pause.
	if queued != 3 {
		t.Fatalf("at resume b-1 got %d queued messages from a-1, want 3", queued)
	}
}

func TestPausedTimerFiresLateWithClockRunning(t *testing.T) {
	w, live := testWorld(t, Fault{At: 450 * time.Millisecond, Kind: FaultPause, Node: "a-1", For: 300 * time.Millisecond})
	must(t, w.Run())
	// The timer due at 500ms fires at resume (750ms), and a-1's clock reads 750ms:
	// the node's clock kept running while it was stopped.
	for _, l := range live["a-1"].timers {
		if l > 400*time.Millisecond && l < 750*time.Millisecond {
			t.Fatalf("a timer fired at local %v during the pause", l)
		}
	}
	found := false
	for _, l := range live["a-1"].timers {
		found = found || l == 750*time.Millisecond
	}
	if !found {
		t.Fatalf("no timer fired at resume: %v", live["a-1"].timers)
	}
}

func TestCrashLosesVolatileStateAndInFlightMessages(t *testing.T) {
	// a-1 sends at 100ms multiples; the message sent at 500ms is in flight
	// (arrives 510ms) when b-1 crashes at 505ms. b-1 restarts at 505ms+... later.
	w, live := testWorld(t,
		Fault{At: 505 * time.Millisecond, Kind: FaultCrash, Node: "b-1"},
		Fault{At: 507 * time.Millisecond, Kind: FaultRestart, Node: "b-1"},
	)
	must(t, w.RunUntil(600*time.Millisecond))
	for _, at := range deliveries(w, "b-1", "a-1") {
		if at == 510*time.Millisecond {
			t.Fatal("a message in flight to b-1 when it crashed was delivered after its restart")
		}
	}
	b := live["b-1"]
	if b.volatile != 0 || b.starts != 1 {
		t.Fatalf("restarted b-1 has volatile count %d and %d starts, want a fresh value (0, 1)", b.volatile, b.starts)
	}
	n, _ := w.nodes[w.byName["b-1"]].store.Get("starts")
	if n != 2 {
		t.Fatalf("durable start count = %v, want 2: the durable store must survive a crash", n)
	}
	must(t, w.Run())
	if len(b.got) == 0 {
		t.Fatal("restarted b-1 received nothing afterwards")
	}
}

func TestCrashCancelsTimers(t *testing.T) {
	w, live := testWorld(t, Fault{At: 250 * time.Millisecond, Kind: FaultCrash, Node: "a-1"})
	must(t, w.Run())
	if n := len(live["a-1"].timers); n != 2 {
		t.Fatalf("a-1 fired %d timers, want 2 (100ms, 200ms) before its crash at 250ms", n)
	}
	if len(deliveries(w, "b-1", "a-1")) != 2 {
		t.Fatal("a crashed node kept sending")
	}
}

func TestRestartOfRunningNodeBounces(t *testing.T) {
	w, live := testWorld(t, Fault{At: 250 * time.Millisecond, Kind: FaultRestart, Node: "a-1"})
	must(t, w.Run())
	if live["a-1"].starts != 1 {
		t.Fatal("bounced node is not a fresh value")
	}
	n, _ := w.nodes[w.byName["a-1"]].store.Get("starts")
	if n != 2 {
		t.Fatalf("a-1 started %v times, want 2 (a restart of a running node crashes and starts it)", n)
	}
}

func TestPartitionDropsExactlyCrossingMessages(t *testing.T) {
	w, _ := testWorld(t,
		Fault{At: 450 * time.Millisecond, Kind: FaultPartition, Groups: [][]string{{"a-1"}, {"b-1"}}},
		Fault{At: 950 * time.Millisecond, Kind: FaultHeal},
	)
	must(t, w.Run())
	for _, at := range deliveries(w, "b-1", "a-1") {
		if at > 450*time.Millisecond && at < 950*time.Millisecond {
			t.Fatalf("a message crossed the partition at %v", at)
		}
	}
	// c-1 is in no group, so it is in the group of the unnamed, apart from b-1.
	for _, at := range deliveries(w, "b-1", "c-1") {
		if at > 450*time.Millisecond && at < 950*time.Millisecond {
			t.Fatalf("c-1 (in no group) reached b-1 at %v", at)
		}
	}
	// a-1 sends every 100ms; each arrives 10ms later. 19 arrive within the
	// 2s run (the last, sent at 2s, would arrive after the end).
	if n := len(deliveries(w, "b-1", "a-1")); n != 19-5 {
		t.Fatalf("b-1 got %d messages from a-1, want 14 (19 delivered, 5 during the partition)", n)
	}
}

func TestPartitionKeepsInsideTraffic(t *testing.T) {
	w, _ := testWorld(t, Fault{At: 450 * time.Millisecond, Kind: FaultPartition, Groups: [][]string{{"a-1", "b-1"}}})
	must(t, w.Run())
	if n := len(deliveries(w, "b-1", "a-1")); n != 19 {
		t.Fatalf("a-1 and b-1 are in one group, yet b-1 got %d of 19", n)
	}
	if n := len(deliveries(w, "b-1", "c-1")); n != 4 {
		t.Fatalf("b-1 got %d from c-1 (outside the group), want the 4 before the partition", n)
	}
}

func TestOneWayCut(t *testing.T) {
	w, _ := testWorld(t, Fault{At: 450 * time.Millisecond, Kind: FaultCut, From: "a-1", To: "b-1"})
	must(t, w.Run())
	if n := len(deliveries(w, "b-1", "a-1")); n != 4 {
		t.Fatalf("b-1 got %d from a-1 after a cut a-1 -> b-1, want 4", n)
	}
	if n := len(deliveries(w, "b-1", "c-1")); n != 19 {
		t.Fatalf("the cut affected c-1: %d of 19", n)
	}
}

func TestIsolate(t *testing.T) {
	w, _ := testWorld(t, Fault{At: 450 * time.Millisecond, Kind: FaultIsolate, Node: "b-1"}, Fault{At: 1450 * time.Millisecond, Kind: FaultHeal})
	must(t, w.Run())
	if n := len(deliveries(w, "b-1", "a-1")); n != 9 {
		t.Fatalf("isolated b-1 got %d of 19, want 9 (4 before 450ms, 5 after 1450ms)", n)
	}
}

func TestClockJumpMovesOnlyThatNode(t *testing.T) {
	w, live := testWorld(t, Fault{At: 450 * time.Millisecond, Kind: FaultClockJump, Node: "a-1", Jump: 5 * time.Second})
	must(t, w.RunUntil(460*time.Millisecond))
	if got := w.nodes[w.byName["a-1"]].clock.local(w.Now()); got != 5460*time.Millisecond {
		t.Fatalf("a-1 reads %v after a +5s jump at 450ms, want 5.46s", got)
	}
	if got := w.nodes[w.byName["c-1"]].clock.local(w.Now()); got != 460*time.Millisecond {
		t.Fatalf("c-1's clock moved too: %v", got)
	}
	must(t, w.Run())
	// The timer due at local 500ms fires at once after the jump.
	if live["a-1"].timers[4] != 5450*time.Millisecond {
		t.Fatalf("a-1's pending timer fired at local %v, want at the jump (5.45s)", live["a-1"].timers[4])
	}
}

func TestClockDriftChangesTimerRate(t *testing.T) {
	w, _ := testWorld(t, Fault{At: 0, Kind: FaultClockDrift, Node: "a-1", Rate: 2})
	must(t, w.Run())
	// a-1's clock runs twice as fast, so its 100ms timers fire every 50ms of true time.
	if n := len(deliveries(w, "b-1", "a-1")); n < 38 || n > 40 {
		t.Fatalf("a-1 with a 2x clock sent %d messages in 2s, want about 40", n)
	}
}

func TestClockRatesOutOfRangeAreRefused(t *testing.T) {
	w, _ := testWorld(t)
	for _, r := range []float64{0, -1, 1e-300, MinClockRate / 2, MaxClockRate * 2, math.NaN(), math.Inf(1)} {
		if err := w.Schedule(Fault{At: time.Second, Kind: FaultClockDrift, Node: "a-1", Rate: r}); err == nil {
			t.Errorf("a drift to rate %v was scheduled", r)
		}
		if err := w.SetClock("a-1", 0, r); err == nil {
			t.Errorf("SetClock took rate %v", r)
		}
	}
	for _, r := range []float64{MinClockRate, 1, MaxClockRate} {
		if err := w.Schedule(Fault{At: time.Second, Kind: FaultClockDrift, Node: "a-1", Rate: r}); err != nil {
			t.Errorf("rate %v: %v", r, err)
		}
	}
}

// A timer that the slowest clock would fire after the end of time never
// fires, and the run still ends.
func TestTimerPastTheEndOfTime(t *testing.T) {
	c := clock{rate: MinClockRate}
	if got := c.trueTimeOf(math.MaxInt64/2, 0); got != math.MaxInt64 {
		t.Fatalf("trueTimeOf a deadline past the end of time = %v, want the end of time", got)
	}
	if got := c.trueTimeOf(time.Second, 0); got != 1000*time.Second {
		t.Fatalf("trueTimeOf 1s at rate %v = %v, want 1000s", MinClockRate, got)
	}
}

func TestSymbolicFaultWaitsForSomebody(t *testing.T) {
	w := New(Config{Seed: 1, Duration: 2 * time.Second, Network: DefaultNetwork})
	w.DeclareSymbol("holder")
	must(t, w.AddNode("x-1", func() Node { return &claimer{at: 700 * time.Millisecond} }))
	must(t, w.Schedule(Fault{At: 100 * time.Millisecond, Kind: FaultCrash, Node: "holder"}))
	must(t, w.Run())
	var hit []Observation
	for _, o := range w.History() {
		if f, ok := o.Value.(FaultEvent); ok {
			hit = append(hit, o)
			if f.Node != "x-1" {
				t.Fatalf("the fault hit %q", f.Node)
			}
		}
	}
	if len(hit) != 1 || hit[0].At != 700*time.Millisecond {
		t.Fatalf("a fault on holder, who appears at 700ms, fired %v", hit)
	}
	if err := w.Schedule(Fault{Kind: FaultCrash, Node: "nobody"}); err == nil {
		t.Fatal("a fault naming neither a node nor a declared symbol was accepted")
	}
}

// claimer publishes itself as "holder" at a given time.
type claimer struct{ at time.Duration }

func (c *claimer) Start(ctx *Context)                { ctx.SetTimer(c.at, nil) }
func (c *claimer) Receive(*Context, string, Message) {}
func (c *claimer) Timer(ctx *Context, _ any)         { ctx.Publish("holder") }

// A crashed holder holds nothing it can act on: a fault on holder waits
// for the next one instead of hitting the dead process.
func TestCrashedNodeStandsForNobody(t *testing.T) {
	w := New(Config{Seed: 1, Duration: 2 * time.Second, Network: DefaultNetwork})
	w.DeclareSymbol("holder")
	must(t, w.AddNode("x-1", func() Node { return &claimer{at: 100 * time.Millisecond} }))
	must(t, w.AddNode("x-2", func() Node { return &claimer{at: 900 * time.Millisecond} }))
	must(t, w.Schedule(Fault{At: 500 * time.Millisecond, Kind: FaultCrash, Node: "x-1"}))
	must(t, w.Schedule(Fault{At: 600 * time.Millisecond, Kind: FaultPause, Node: "holder", For: time.Second}))
	must(t, w.RunUntil(550*time.Millisecond))
	if got := w.Resolve("holder"); got != "" {
		t.Fatalf("holder stands for %q, crashed", got)
	}
	must(t, w.Run())
	for _, o := range w.History() {
		if f, ok := o.Value.(FaultEvent); ok && f.Kind == FaultPause && (f.Node != "x-2" || o.At != 900*time.Millisecond) {
			t.Fatalf("the pause of holder hit %s at %v; want x-2, the next holder, at 900ms", f.Node, o.At)
		}
	}
}

func TestLossAndDuplication(t *testing.T) {
	count := func(net Network) int {
		w, _ := testWorld(t)
		w.net = net
		must(t, w.Run())
		return len(deliveries(w, "b-1", "a-1"))
	}
	base := Network{Latency: Latency{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}}
	if n := count(base); n != 19 {
		t.Fatalf("healthy network delivered %d of 19", n)
	}
	lossy := base
	lossy.Loss = 1
	if n := count(lossy); n != 0 {
		t.Fatalf("loss 1 delivered %d", n)
	}
	dup := base
	dup.Duplicate = 1
	if n := count(dup); n != 38 {
		t.Fatalf("duplicate 1 delivered %d, want every message twice (38)", n)
	}
}

func TestLimits(t *testing.T) {
	w := New(Config{Seed: 1, Duration: time.Minute, Network: DefaultNetwork, Limits: Limits{MaxNodes: 2, MaxDuration: time.Hour, MaxEvents: 500}})
	must(t, w.AddNode("a-1", func() Node { return &pinger{peer: "a-2", serve: true} }))
	must(t, w.AddNode("a-2", func() Node { return &pinger{peer: "a-1"} }))
	var le *LimitError
	if err := w.AddNode("a-3", func() Node { return &pinger{} }); err == nil || !asLimit(err, &le) || le.What != "nodes" {
		t.Fatalf("third node past MaxNodes 2: %v", err)
	}
	err := w.Run()
	if !asLimit(err, &le) || le.What != "events" || w.Events() != 500 {
		t.Fatalf("run past MaxEvents: err %v after %d events", err, w.Events())
	}
	long := New(Config{Duration: 2 * time.Hour})
	if err := long.Run(); !asLimit(err, &le) {
		t.Fatalf("a 2h run under a 1h limit: %v", err)
	}
}

func asLimit(err error, le **LimitError) bool {
	e, ok := err.(*LimitError)
	*le = e
	return ok
}
