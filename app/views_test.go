package app

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim"
	"coordlab/sim/check"
)

const ms1 = time.Millisecond

func TestFlights(t *testing.T) {
	trace := []sim.TraceEvent{
		{At: 0, Kind: sim.TraceSend, Node: "a", Peer: "b", ID: 1, Until: 10 * ms1},
		{At: 1 * ms1, Kind: sim.TraceSend, Node: "b", Peer: "a", ID: 2, Until: 4 * ms1},
		{At: 1 * ms1, Kind: sim.TraceDrop, Node: "b", Peer: "a", ID: 2, Detail: "lost"},
		{At: 2 * ms1, Kind: sim.TraceSend, Node: "a", Peer: "c", ID: 3, Until: 20 * ms1},
	}
	var f flights
	got := f.update(trace[:1], 0, 10)
	if len(got) != 1 || got[0].ID != 1 || got[0].progress(5*ms1) != 0.5 {
		t.Fatalf("first frame: %+v", got)
	}
	got = f.update(trace, 5*ms1, 10)
	if len(got) != 2 || got[0].ID != 1 || got[1].ID != 3 {
		t.Fatalf("at 5ms: %+v; want 1 and 3 (2 has arrived)", got)
	}
	got = f.update(trace, 3*ms1, 10) // same trace, earlier time: nothing is re-read
	if len(got) != 2 {
		t.Fatalf("at 3ms: %+v", got)
	}
	if got := f.update(trace[:3], 2*ms1, 1); len(got) != 1 || got[0].ID != 2 || !got[0].Lost {
		t.Fatalf("after a restart (shorter trace), limited to 1: %+v; want the lost message 2", got)
	}
}

func TestArrows(t *testing.T) {
	trace := []sim.TraceEvent{
		{At: 0, Kind: sim.TraceSend, Node: "a", Peer: "b", ID: 1, Until: 3 * ms1},
		{At: 1 * ms1, Kind: sim.TraceSend, Node: "a", Peer: "b", ID: 2, Until: 5 * ms1},
		{At: 1 * ms1, Kind: sim.TraceDrop, Node: "a", Peer: "b", ID: 2, Detail: "lost"},
		{At: 2 * ms1, Kind: sim.TraceSend, Node: "b", Peer: "a", ID: 3, Until: 9 * ms1},
		{At: 3 * ms1, Kind: sim.TraceDeliver, Node: "b", Peer: "a", ID: 1},
		{At: 4 * ms1, Kind: sim.TraceDrop, Node: "a", Peer: "b", ID: 3, Detail: "partitioned"},
		{At: 6 * ms1, Kind: sim.TraceSend, Node: "a", Peer: "b", ID: 4, Until: 8 * ms1},
	}
	got := arrows(trace, 0, 7*ms1, 10)
	want := []arrow{
		{From: "a", To: "b", Sent: 0, At: 3 * ms1},
		{From: "a", To: "b", Sent: ms1, At: 3 * ms1, Dropped: true, DropDetail: "lost"},
		{From: "b", To: "a", Sent: 2 * ms1, At: 4 * ms1, Dropped: true, DropDetail: "partitioned"},
		{From: "a", To: "b", Sent: 6 * ms1, At: 8 * ms1, InFlight: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("arrows =\n%+v\nwant\n%+v", got, want)
	}
	if got := arrows(trace, 2*ms1, 7*ms1, 1); len(got) != 1 || got[0].Sent != 6*ms1 {
		t.Fatalf("window from 2ms, limit 1: %+v", got)
	}
}

func TestSections(t *testing.T) {
	h := []sim.Observation{
		{At: 1 * ms1, Value: check.LockAcquired{Client: "client-1", Acq: 1, Token: 7}},
		{At: 2 * ms1, Value: check.LockReleased{Client: "client-1", Acq: 1}},
		{At: 3 * ms1, Value: check.LockAcquired{Client: "client-2", Acq: 1}},
		{At: 4 * ms1, Value: check.LockAcquired{Client: "client-1", Acq: 2}},
		{At: 5 * ms1, Node: "client-1", Value: sim.FaultEvent{Kind: sim.FaultCrash, Node: "client-1"}},
	}
	got := sections(h, 9*ms1)
	want := []section{
		{Node: "client-1", From: ms1, To: 2 * ms1, Token: 7},
		{Node: "client-2", From: 3 * ms1, To: 9 * ms1, Open: true},
		{Node: "client-1", From: 4 * ms1, To: 5 * ms1, Lost: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sections =\n%+v\nwant\n%+v", got, want)
	}
}

func TestBrokenLinks(t *testing.T) {
	s := sim.Snapshot{
		Nodes:    []sim.NodeSnapshot{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}},
		Groups:   [][]string{{"a", "b"}, {"c", "d"}},
		Isolated: []string{"d"},
		Cuts:     [][2]string{{"b", "a"}},
	}
	got := brokenLinks(s)
	want := map[[2]string]string{
		{"a", "c"}: "partitioned", {"b", "c"}: "partitioned",
		{"a", "d"}: "isolated", {"b", "d"}: "isolated", {"c", "d"}: "isolated",
		{"a", "b"}: "cut b → a",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("brokenLinks = %v\nwant %v", got, want)
	}
}

func TestLayoutIsStable(t *testing.T) {
	a := layout([]string{"x", "y", "z"}, 100, 100, 50)
	b := layout([]string{"x", "y", "z"}, 100, 100, 50)
	if !reflect.DeepEqual(a, b) || a["x"].Y != 50 {
		t.Fatalf("layout = %v; want x at the top, the same every time", a)
	}
}

func TestStPage(t *testing.T) {
	for d, want := range map[time.Duration]time.Duration{time.Second: 100 * ms1, 10 * time.Second: time.Second, time.Minute: 5 * time.Second, 15 * time.Second: 2 * time.Second} {
		if got := stPage(d); got != want {
			t.Errorf("stPage(%v) = %v, want %v", d, got, want)
		}
	}
}

var (
	arrowPath = regexp.MustCompile(`<path[^>]* class="arrow[" ]`)
	arrowLine = regexp.MustCompile(`<line[^>]* class="arrow[" ]`)
)

// TestSpaceTimeMergesABusyPage checks that a page with many arrows is drawn
// as one path per kind of arrow, and a quiet one arrow by arrow with
// tooltips.
func TestSpaceTimeMergesABusyPage(t *testing.T) {
	p := newPlayer().Src(busy)
	p.load()
	p.sess.seek(59 * time.Second)
	html := app.HTMLString(p.renderSpaceTime())
	if !arrowPath.MatchString(html) || arrowLine.MatchString(html) {
		t.Fatalf("a busy page is not drawn as merged paths: %.300s", html)
	}
	q := newPlayer().Src(pausedHolder)
	q.load()
	q.sess.seek(7500 * time.Millisecond)
	html = app.HTMLString(q.renderSpaceTime())
	if !arrowLine.MatchString(html) || !strings.Contains(html, "<title>") || arrowPath.MatchString(html) {
		t.Fatalf("a quiet page is not drawn arrow by arrow with tooltips: %.300s", html)
	}
}
