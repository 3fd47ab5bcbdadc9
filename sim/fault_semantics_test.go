package sim

import (
	"math"
	"testing"
	"time"
)

// A pause that a resume fault ended early leaves its own timed resume in the
// queue; that stale resume must not end a later pause of the same node.
func TestStaleTimedResumeDoesNotEndALaterPause(t *testing.T) {
	w, _ := testWorld(t,
		Fault{At: 450 * time.Millisecond, Kind: FaultPause, Node: "b-1", For: 300 * time.Millisecond}, // would resume at 750ms
		Fault{At: 550 * time.Millisecond, Kind: FaultResume, Node: "b-1"},
		Fault{At: 650 * time.Millisecond, Kind: FaultPause, Node: "b-1", For: time.Second}, // resumes at 1.65s
	)
	must(t, w.Run())
	for _, at := range deliveries(w, "b-1", "a-1") {
		if at > 650*time.Millisecond && at < 1650*time.Millisecond {
			t.Fatalf("b-1, paused from 650ms to 1.65s, handled a message at %v", at)
		}
	}
}

// A message that reached a paused node is queued at the node: a partition
// or isolation that begins afterwards cannot take it back.
func TestMessagesQueuedWhilePausedSurviveALaterIsolation(t *testing.T) {
	w, _ := testWorld(t,
		Fault{At: 450 * time.Millisecond, Kind: FaultPause, Node: "b-1", For: 500 * time.Millisecond},
		Fault{At: 920 * time.Millisecond, Kind: FaultIsolate, Node: "b-1"},
	)
	must(t, w.Run())
	// a-1's messages reach b-1 at 510, 610, 710, 810 and 910 ms, all before
	// the isolation: b-1 must see them when it resumes at 950ms.
	n := 0
	for _, at := range deliveries(w, "b-1", "a-1") {
		if at == 950*time.Millisecond {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("at resume b-1 got %d of the 5 messages that queued up before its isolation", n)
	}
}

// publisher sends to peer every 100ms and makes itself "holder" at its
// third tick (300ms).
type publisher struct {
	peer  string
	ticks int
}

func (p *publisher) Start(ctx *Context)                { ctx.SetTimer(100*time.Millisecond, nil) }
func (p *publisher) Receive(*Context, string, Message) {}
func (p *publisher) Timer(ctx *Context, _ any) {
	p.ticks++
	if p.ticks == 3 {
		ctx.Publish("holder")
	}
	ctx.Send(p.peer, note{Text: ctx.Name()})
	ctx.SetTimer(100*time.Millisecond, nil)
}

func symbolWorld(t *testing.T, f Fault) *World {
	t.Helper()
	w := New(Config{Seed: 1, Duration: 2 * time.Second, Network: Network{Latency: Latency{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}}})
	w.DeclareSymbol("holder")
	must(t, w.AddNode("a-1", func() Node { return &publisher{peer: "b-1"} }))
	must(t, w.AddNode("b-1", func() Node { return &recorder{} }))
	must(t, w.AddNode("c-1", func() Node { return &recorder{interval: 100 * time.Millisecond, peer: "b-1"} }))
	must(t, w.Schedule(f))
	must(t, w.Run())
	return w
}

// DESIGN section 3: wherever a node is named a symbolic name may stand
// instead, and a fault whose symbol stands for nobody yet fires at the first
// moment somebody does. That holds for cuts and partitions too.
func TestCutOnASymbolWaitsForSomebody(t *testing.T) {
	w := symbolWorld(t, Fault{At: 100 * time.Millisecond, Kind: FaultCut, From: "holder", To: "b-1"})
	// a-1 becomes holder at 300ms: its messages arriving at 110 and 210ms
	// cross, every later one is cut.
	if n := len(deliveries(w, "b-1", "a-1")); n != 2 {
		t.Fatalf("b-1 got %d messages from a-1, want 2: the cut holder -> b-1 must take effect once a-1 is holder", n)
	}
}

func TestPartitionOnASymbolWaitsForSomebody(t *testing.T) {
	w := symbolWorld(t, Fault{At: 100 * time.Millisecond, Kind: FaultPartition, Groups: [][]string{{"holder", "b-1"}}})
	if n := len(deliveries(w, "b-1", "a-1")); n != 19 {
		t.Fatalf("b-1 got %d of a-1's 19 messages, though the holder (a-1) is in b-1's group", n)
	}
	if n := len(deliveries(w, "b-1", "c-1")); n != 2 {
		t.Fatalf("b-1 got %d messages from c-1, want the 2 that arrived before the partition took effect at 300ms", n)
	}
}

// Accepted latencies (ParseRange bounds only below) reach the largest
// duration: the run must neither panic nor move time backwards.
func TestExtremeLatency(t *testing.T) {
	for _, l := range []Latency{{Min: 0, Max: math.MaxInt64}, {Min: math.MaxInt64, Max: math.MaxInt64}, {Min: time.Hour, Max: math.MaxInt64}} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("latency %v: panic %v", l, p)
				}
			}()
			w, _ := testWorld(t)
			w.net.Latency = l
			must(t, w.Run())
			last := Time(0)
			for _, o := range w.History() {
				if o.At < last {
					t.Fatalf("latency %v: time went back from %v to %v", l, last, o.At)
				}
				last = o.At
			}
			if w.Now() != 2*time.Second {
				t.Fatalf("latency %v: the run ended at %v, want 2s", l, w.Now())
			}
		}()
	}
}

// Stepping a run to its end must leave it where Run does: at its duration,
// with End stamped there, even when events lie beyond the end.
func TestSteppingToTheEndEndsAtTheDuration(t *testing.T) {
	build := func() *World {
		w := New(Config{Seed: 1, Duration: 10 * time.Second, Network: DefaultNetwork})
		must(t, w.AddNode("a-1", func() Node { return &pinger{interval: 3 * time.Second} }))
		return w
	}
	run := build()
	must(t, run.Run())
	stepped := build()
	for {
		more, err := stepped.Step()
		must(t, err)
		if !more {
			break
		}
	}
	h, g := run.History(), stepped.History()
	if stepped.Now() != run.Now() || g[len(g)-1] != h[len(h)-1] {
		t.Fatalf("stepped to the end: now %v, last %+v; run: now %v, last %+v", stepped.Now(), g[len(g)-1], run.Now(), h[len(h)-1])
	}
}

// One resume is one fault in the history, as one pause is.
func TestResumeIsRecordedOnce(t *testing.T) {
	w, _ := testWorld(t,
		Fault{At: 450 * time.Millisecond, Kind: FaultPause, Node: "b-1"},
		Fault{At: 800 * time.Millisecond, Kind: FaultResume, Node: "b-1"},
	)
	must(t, w.Run())
	n := 0
	for _, o := range w.History() {
		if f, ok := o.Value.(FaultEvent); ok && f.Kind == FaultResume {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("one resume fault recorded %d resumes in the history", n)
	}
}

// The trace accounts for every message sent: each is delivered or dropped.
// Messages queued at a paused node that then crashes are dropped too.
func TestCrashWhilePausedTracesTheQueuedMessagesAsDropped(t *testing.T) {
	w := New(Config{Seed: 1, Duration: 2 * time.Second, KeepTrace: true, Network: Network{Latency: Latency{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}}})
	must(t, w.AddNode("a-1", func() Node { return &recorder{interval: 100 * time.Millisecond, peer: "b-1"} }))
	must(t, w.AddNode("b-1", func() Node { return &recorder{} }))
	must(t, w.Schedule(Fault{At: 450 * time.Millisecond, Kind: FaultPause, Node: "b-1"}))
	must(t, w.Schedule(Fault{At: 700 * time.Millisecond, Kind: FaultCrash, Node: "b-1"}))
	must(t, w.Run())
	sent, fate := map[uint64]bool{}, map[uint64]bool{}
	for _, e := range w.Trace() {
		switch e.Kind {
		case TraceSend:
			sent[e.ID] = e.Until <= w.Now()
		case TraceDeliver, TraceDrop:
			fate[e.ID] = true
		}
	}
	for id, arrived := range sent {
		if arrived && !fate[id] {
			t.Errorf("message %d was neither delivered nor dropped", id)
		}
	}
}
