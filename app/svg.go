package app

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

const svgNS = "http://www.w3.org/2000/svg"

// svg returns an SVG element: go-app creates it in the SVG namespace only
// when told, element by element.
func svg(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

// f formats a coordinate with one decimal: enough for a screen, and short
// attributes keep the DOM diff cheap.
func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func line(a, b point) app.HTMLElem {
	return svg("line").Attr("x1", f(a.X)).Attr("y1", f(a.Y)).Attr("x2", f(b.X)).Attr("y2", f(b.Y))
}

func circle(c point, r float64) app.HTMLElem {
	return svg("circle").Attr("cx", f(c.X)).Attr("cy", f(c.Y)).Attr("r", f(r))
}

func rect(x, y, w, h float64) app.HTMLElem {
	return svg("rect").Attr("x", f(x)).Attr("y", f(y)).Attr("width", f(w)).Attr("height", f(h))
}

func text(p point, s string) app.HTMLElem {
	return svg("text").Attr("x", f(p.X)).Attr("y", f(p.Y)).Text(s)
}

func title(s string) app.HTMLElem { return svg("title").Text(s) }
