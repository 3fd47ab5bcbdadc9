package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim"
)

// The space-time diagram (Lamport's picture): one horizontal line per node,
// time running to the right, each message an arrow from its send to its
// delivery (a dropped one ends in a cross), critical sections as bars on
// their node's line, faults as marks. It shows a page of the run that
// contains now; pages do not slide every frame, so drawing stays cheap.

// maxTitledArrows is the most arrows drawn one by one, with a tooltip each.
const maxTitledArrows = 150

const (
	stW      = 380.0
	stLabelW = 62.0
	stRowH   = 28.0
)

// stPage returns the width of a page of the diagram: a tenth of the run,
// at least 100ms and at most 5s, rounded to a readable length.
func stPage(d time.Duration) time.Duration {
	page := d / 10
	for _, p := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second} {
		if page <= p {
			return p
		}
	}
	return 5 * time.Second
}

func (p *player) renderSpaceTime() app.UI {
	w := p.sess.world()
	now := w.Now()
	names := w.NodeNames()
	row := make(map[string]float64, len(names))
	for i, n := range names {
		row[n] = 18 + float64(i)*stRowH
	}
	page := stPage(p.sc.Duration)
	from := now.Truncate(page)
	if now == p.sc.Duration && from == now && now > 0 {
		from -= page
	}
	to := from + page
	x := func(t sim.Time) float64 {
		return stLabelW + (stW-stLabelW-8)*float64(t-from)/float64(page)
	}
	h := 18 + float64(len(names))*stRowH

	lanes := make([]app.UI, 0, 2*len(names))
	for _, n := range names {
		y := row[n]
		lanes = append(lanes,
			text(point{4, y + 4}, n).Class("lane-label"),
			line(point{stLabelW, y}, point{stW - 8, y}).Class("lane"))
	}
	var bars []app.UI
	for _, s := range sections(w.History(), now) {
		if s.To < from || s.From > to {
			continue
		}
		y, ok := row[s.Node]
		if !ok {
			continue
		}
		x0, x1 := x(max(s.From, from)), x(min(s.To, now))
		cls := "section"
		if s.Lost {
			cls += " lost"
		}
		tip := fmt.Sprintf("%s holds the lock from %s", s.Node, fmtTime(s.From))
		if s.Token != 0 {
			tip += fmt.Sprintf(" with token %d", s.Token)
		}
		bars = append(bars, rect(x0, y-6, max(x1-x0, 1), 12).Class(cls).Body(title(tip)))
	}
	var arrs []app.UI
	all := arrows(p.sess.trace(), from, now, maxArrows)
	// Few arrows are drawn one by one, each naming its message on hover; a
	// busy page is drawn as one path per kind of arrow, which the browser
	// updates in one go (hundreds of elements with tooltips made seeking
	// in a busy scenario slow, and are too dense to hover anyway).
	merged := len(all) > maxTitledArrows
	var paths [3]strings.Builder // arrow, flying, dropped
	for _, a := range all {
		y0, ok0 := row[a.From]
		y1, ok1 := row[a.To]
		if !ok0 || !ok1 {
			continue
		}
		end := a.At
		cls, kind := "arrow", 0
		switch {
		case a.Dropped:
			cls, kind = "arrow dropped", 2
		case a.InFlight:
			cls, kind = "arrow flying", 1
			end = now
		}
		p0 := point{x(a.Sent), y0}
		p1 := lerp(p0, point{x(a.At), y1}, fraction(a.Sent, end, a.At))
		if merged {
			fmt.Fprintf(&paths[kind], "M%s %sL%s %s", f(p0.X), f(p0.Y), f(p1.X), f(p1.Y))
			continue
		}
		arrs = append(arrs, line(p0, p1).Class(cls).Body(title(fmt.Sprintf("%s %s → %s at %s", a.Msg, a.From, a.To, fmtTime(a.Sent)))))
	}
	if merged {
		for kind, cls := range []string{"arrow", "arrow flying", "arrow dropped"} {
			if paths[kind].Len() > 0 {
				arrs = append(arrs, svg("path").Class(cls).Attr("fill", "none").Attr("d", paths[kind].String()))
			}
		}
	}
	var marks []app.UI
	for _, m := range faultMarks(p.sess.trace(), from) {
		if m.At < from || m.At > now {
			continue
		}
		y0, y1 := 6.0, h
		if r, ok := row[m.Node]; ok {
			y0, y1 = r-11, r+11
		}
		marks = append(marks, line(point{x(m.At), y0}, point{x(m.At), y1}).Class("fault-mark").Body(title(fmtTime(m.At)+" "+m.Detail)))
	}
	return svg("svg").Class("spacetime").Attr("viewBox", fmt.Sprintf("0 0 %g %g", stW, h+16)).
		Attr("role", "img").Attr("aria-label", "space-time diagram").Body(
		svg("g").Body(lanes...),
		svg("g").Body(bars...),
		svg("g").Body(arrs...),
		svg("g").Body(marks...),
		line(point{x(now), 4}, point{x(now), h}).Class("now"),
		text(point{stLabelW, h + 13}, fmtTime(from)).Class("axis"),
		text(point{stW - 60, h + 13}, fmtTime(to)).Class("axis"),
	)
}

// fraction returns how far end lies between a and b, from 0 to 1.
func fraction(a, end, b sim.Time) float64 {
	if b <= a {
		return 1
	}
	return max(0, min(1, float64(end-a)/float64(b-a)))
}
