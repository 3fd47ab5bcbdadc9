package app

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim/mech/quorum"
)

// capMetric is one figure the explorer shows and charts.
type capMetric struct {
	id    string // data-metric
	label string
	// of reads the figure from a run; false when the run did not measure
	// it (no partition, no operation during it).
	of     func(quorum.Summary) (float64, bool)
	format func(float64) string
	tick   func(float64) string // format on an axis, shorter
	// fraction marks a share from 0 to 1, charted on a fixed axis.
	fraction bool
}

func percent(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) + "%" }

func millis(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " ms" }

func count(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

func percentTick(v float64) string { return strconv.FormatFloat(100*v, 'g', 4, 64) + "%" }

func millisTick(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) + " ms" }

func durMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// capMetrics are the explorer's figures, in the order shown. Their ids are
// the quorum mechanism's metric names.
var capMetrics = []capMetric{
	{id: "availability", label: "availability", fraction: true, format: percent, tick: percentTick,
		of: func(s quorum.Summary) (float64, bool) { return s.Availability, s.Ops > 0 }},
	{id: "availability-during", label: "availability during the partition", fraction: true, format: percent, tick: percentTick,
		of: func(s quorum.Summary) (float64, bool) { return s.During.Availability, s.During.Ops > 0 }},
	{id: "latency-p50", label: "latency p50", format: millis, tick: millisTick,
		of: func(s quorum.Summary) (float64, bool) { return durMs(s.P50), s.Ok > 0 }},
	{id: "latency-p99", label: "latency p99", format: millis, tick: millisTick,
		of: func(s quorum.Summary) (float64, bool) { return durMs(s.P99), s.Ok > 0 }},
	{id: "stale-reads", label: "stale reads", format: count, tick: count,
		of: func(s quorum.Summary) (float64, bool) { return float64(s.StaleReads), true }},
	{id: "lost-updates", label: "lost updates", format: count, tick: count,
		of: func(s quorum.Summary) (float64, bool) { return float64(s.LostUpdates), true }},
}

// niceCeil returns the smallest of 1, 2 or 5 times a power of ten that is
// at least v: the top of an axis that reads well. It returns 1 for v <= 0.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// yRange returns the vertical axis for values of the metric: a share runs
// from 0 (or 0.9 when every value is at least 0.9, so that 99% and 100%
// differ on the chart) to 1; other figures from 0 to a nice ceiling.
func (m capMetric) yRange(values []float64) (lo, hi float64) {
	if m.fraction {
		lo = 0.9
		for _, v := range values {
			if v < 0.9 {
				lo = 0
			}
		}
		return lo, 1
	}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	return 0, niceCeil(top)
}

// scale maps v from [a0, a1] onto [b0, b1], clamping; a degenerate range
// maps to the middle.
func scale(v, a0, a1, b0, b1 float64) float64 {
	if a1 == a0 {
		return (b0 + b1) / 2
	}
	t := max(0, min(1, (v-a0)/(a1-a0)))
	return b0 + t*(b1-b0)
}

// The chart's frame, in SVG units: the plot spans plotX0..plotX1 and
// plotTop..plotBottom; points keep padX from the vertical axis.
const (
	chartW, chartH      = 200.0, 124.0
	plotX0, plotX1      = 44.0, 194.0
	plotTop, plotBottom = 8.0, 90.0
	padX                = 8.0
)

// xTicks returns the positions of the control labelled on the x axis:
// every position when there are few, else both ends and the middle.
func (c capControl) xTicks(hi float64) []float64 {
	steps := int(math.Round((hi-c.min)/c.step)) + 1
	if steps <= 8 {
		out := make([]float64, steps)
		for i := range out {
			out[i] = c.min + float64(i)*c.step
		}
		return out
	}
	mid := c.min + math.Round((hi-c.min)/2/c.step)*c.step
	return []float64{c.min, mid, hi}
}

// capChart draws one metric against the control of the series: a point
// per position measured, joined in order, the current position marked.
func capChart(m capMetric, s capSeries, current float64) app.UI {
	c, _ := capControlByID(s.control)
	var xs, ys []float64
	for _, p := range s.points {
		if v, ok := m.of(p.sum); ok {
			xs, ys = append(xs, p.x), append(ys, v)
		}
	}
	lo, hi := m.yRange(ys)
	xhi := c.hi(s.in)
	px := func(x float64) float64 { return scale(x, c.min, xhi, plotX0+padX, plotX1-padX) }
	py := func(y float64) float64 { return scale(y, lo, hi, plotBottom, plotTop) }

	els := []app.UI{
		line(point{plotX0, plotTop}, point{plotX0, plotBottom}).Class("axis-line"),
		line(point{plotX0, plotBottom}, point{plotX1, plotBottom}).Class("axis-line"),
		line(point{plotX0, plotTop}, point{plotX1, plotTop}).Class("grid-line"),
		text(point{plotX0 - 4, plotTop + 4}, m.tick(hi)).Class("y-tick"),
		text(point{plotX0 - 4, plotBottom + 3}, m.tick(lo)).Class("y-tick"),
		text(point{(plotX0 + plotX1) / 2, chartH - 4}, c.label).Class("x-title"),
	}
	for _, x := range c.xTicks(xhi) {
		els = append(els, text(point{px(x), plotBottom + 14}, c.format(x)).Class("x-tick"))
	}
	if len(xs) > 1 {
		pts := make([]string, len(xs))
		for i := range xs {
			pts[i] = f(px(xs[i])) + "," + f(py(ys[i]))
		}
		els = append(els, svg("polyline").Class("series").Attr("points", strings.Join(pts, " ")))
	}
	for i := range xs {
		dot := circle(point{px(xs[i]), py(ys[i])}, 3.5).Class("dot").DataSet("x", xs[i]).DataSet("y", ys[i])
		if xs[i] == current {
			dot = dot.Class("current")
		}
		els = append(els, dot.Body(title(c.label+" = "+c.format(xs[i])+": "+m.format(ys[i]))))
	}
	if len(xs) == 0 {
		els = append(els, text(point{(plotX0 + plotX1) / 2, (plotTop + plotBottom) / 2}, "not measured").Class("none"))
	}
	return app.Figure().Class("cap-chart").DataSet("chart", m.id).DataSet("points", len(xs)).Body(
		app.FigCaption().Text(m.label),
		svg("svg").Attr("viewBox", "0 0 "+f(chartW)+" "+f(chartH)).Attr("role", "img").
			Attr("aria-label", m.label+" against "+c.label).Body(els...),
	)
}
