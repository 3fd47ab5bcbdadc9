package app

import (
	"os"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// busy is the performance scenario of DESIGN section 8 (see the file).
var busy = func() string {
	b, err := os.ReadFile("testdata/busy.scenario.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// BenchmarkSeek60s seeks back to the middle of a 60-second scenario from its
// end: a re-run from the start to 30s (target: under 100ms in the browser).
func BenchmarkSeek60s(b *testing.B) {
	benchmarkSeekBack(b, newSession(parse(b, busy)))
}

// benchmarkSeekBack times seeking from 31s back to 30s with no parked run
// to resume: the worst case, a re-run from the start.
func benchmarkSeekBack(b *testing.B, s *session) {
	s.seek(31 * time.Second)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s.seek(31 * time.Second)
		s.parked = nil
		b.StartTimer()
		s.seek(30 * time.Second)
	}
	b.ReportMetric(float64(s.world().Events()), "events-to-30s")
}

// BenchmarkFrame is one animation frame of the player on the busy scenario:
// advance 16ms of wall time at 1/100 speed, update the messages in flight
// and build the player's UI tree (go-app then diffs it against the DOM).
// BenchmarkLoadBusy is loading (or changing) the busy scenario: the whole
// run with its trace kept, then the stepped run to time 0.
func BenchmarkLoadBusy(b *testing.B) {
	sc := parse(b, busy)
	for i := 0; i < b.N; i++ {
		newSession(sc)
	}
}

func BenchmarkFrame(b *testing.B) {
	p := newPlayer().Src(busy)
	p.load()
	p.sess.seek(5 * time.Second)
	p.refresh()
	if len(p.inAir) < 150 {
		b.Fatalf("only %d messages in flight; the benchmark wants about 200", len(p.inAir))
	}
	b.ResetTimer()
	b.ReportMetric(float64(len(p.inAir)), "msgs-in-flight")
	for i := 0; i < b.N; i++ {
		p.sess.seek(p.sess.now() + 160*time.Microsecond)
		p.refresh()
		_ = p.Render()
	}
}

// BenchmarkFrameHTML adds encoding the tree, a stand-in for the DOM work.
func BenchmarkFrameHTML(b *testing.B) {
	p := newPlayer().Src(busy)
	p.load()
	p.sess.seek(5 * time.Second)
	p.refresh()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.sess.seek(p.sess.now() + 160*time.Microsecond)
		p.refresh()
		_ = app.HTMLString(p.Render())
	}
}

// BenchmarkSeekLock60s is the same seek in a lesson-sized scenario: the
// SET NX PX lock, two clients, 60 seconds.
func BenchmarkSeekLock60s(b *testing.B) {
	benchmarkSeekBack(b, newSession(parse(b, "name: lock\nmechanism: setnx\nduration: 60s\nparams: {clients: 2}\n")))
}
