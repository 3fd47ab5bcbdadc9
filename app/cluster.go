package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/sim"
)

// The cluster view: every node on a circle with its status and its own
// clock, the links between them (broken links drawn red), and the messages
// in flight, each drawn where it is between its send and its arrival.

const (
	clusterW, clusterH = 420.0, 340.0
	nodeR              = 20.0
	// maxLinks bounds the node count for which every link is drawn; past it
	// only broken links are.
	maxLinks = 12
)

func (p *player) renderCluster() app.UI {
	w := p.sess.world()
	snap := w.Snapshot()
	names := make([]string, len(snap.Nodes))
	for i, n := range snap.Nodes {
		names[i] = n.Name
	}
	pos := layout(names, clusterW/2, clusterH/2-6, min(clusterW, clusterH)/2-48)
	broken := brokenLinks(snap)
	holders := map[string]string{}
	for sym, node := range snap.Symbols {
		holders[node] = sym
	}
	now := w.Now()

	var links []app.UI
	for i, a := range names {
		for _, b := range names[i+1:] {
			why, isBroken := broken[[2]string{a, b}]
			if !isBroken && len(names) > maxLinks {
				continue
			}
			a, b := a, b
			cls := "link"
			if isBroken {
				cls += " broken"
			}
			if p.selLink == [2]string{a, b} {
				cls += " selected"
			}
			pick := func(ctx app.Context, e app.Event) { p.selLink, p.selNode = [2]string{a, b}, "" }
			name := a + " — " + b
			if isBroken {
				name += ": " + why
			}
			links = append(links, button(line(pos[a], pos[b]).Class(cls).DataSet("link", a+" "+b), a+" "+b, pick).Body(title(name)))
		}
	}
	// All messages in flight are one <path> of small circles (two: those
	// the network will lose are drawn apart): one attribute to update per
	// frame instead of hundreds of elements, which keeps 60 frames/s with
	// hundreds of messages.
	var ok, lost []byte
	for _, m := range p.inAir {
		a, okA := pos[m.From]
		b, okB := pos[m.To]
		if !okA || !okB {
			continue
		}
		c := lerp(a, b, m.progress(now))
		if m.Lost {
			lost = appendDot(lost, c)
		} else {
			ok = appendDot(ok, c)
		}
	}
	msgs := svg("g").Class("msgs").DataSet("count", len(p.inAir)).Body(
		svg("path").Class("msg").Attr("d", string(ok)),
		svg("path").Class("msg lost").Attr("d", string(lost)),
	)
	nodes := make([]app.UI, len(snap.Nodes))
	for i, n := range snap.Nodes {
		nodes[i] = p.renderNode(n, pos[n.Name], holders[n.Name])
	}
	// A group, not an image: an image's parts are hidden from screen
	// readers, and these are buttons.
	return svg("svg").Class("cluster").Attr("viewBox", fmt.Sprintf("0 0 %g %g", clusterW, clusterH)).
		Attr("role", "group").Attr("aria-label", "cluster view").Body(
		svg("g").Class("links").Body(links...),
		msgs,
		svg("g").Class("nodes").Body(nodes...),
		text(point{8, clusterH - 8}, "t = "+fmtTime(now)).Class("clock-true"),
	)
}

func (p *player) renderNode(n sim.NodeSnapshot, c point, symbol string) app.UI {
	name := n.Name
	cls := "node role-" + roleClass(n.Role) + " " + n.Status.String()
	if p.selNode == name {
		cls += " selected"
	}
	clock := "clock " + fmtTime(n.Clock)
	if n.Skew != 0 {
		clock += fmt.Sprintf(" (%+.3fs)", n.Skew.Seconds())
	}
	g := button(svg("g").Class(cls).DataSet("node", name).DataSet("status", n.Status.String()), name,
		func(ctx app.Context, e app.Event) { p.selNode, p.selLink = name, [2]string{} })
	return g.Body(
		title(name+" — "+n.Status.String()+" — "+clock),
		circle(c, nodeR),
		text(point{c.X, c.Y + 4}, shortName(name)).Class("label"),
		text(point{c.X, c.Y + nodeR + 12}, clock).Class("clock"),
		app.If(symbol != "", func() app.UI {
			return text(point{c.X, c.Y - nodeR - 5}, symbol).Class("symbol")
		}),
		app.If(n.Status != sim.Up, func() app.UI {
			return text(point{c.X, c.Y - 6}, map[sim.Status]string{sim.Crashed: "✕", sim.Paused: "❚❚"}[n.Status]).Class("status-mark")
		}),
	)
}

// button makes an SVG element a button: clicked, or reached with Tab and
// pressed with Enter or Space. scope names what h acts on: go-app keeps the
// handler first mounted on an element it updates in place unless the scope
// changes, and an element may come to stand for another node or link.
func button(el app.HTMLElem, scope string, h app.EventHandler) app.HTMLElem {
	return el.TabIndex(0).Role("button").OnClick(h, app.EventScope(scope)).OnKeyDown(func(ctx app.Context, e app.Event) {
		if activates(e.Get("key").String()) {
			e.PreventDefault()
			h(ctx, e)
		}
	}, app.EventScope(scope))
}

// activates reports whether a key pressed on a button presses it.
func activates(key string) bool { return key == "Enter" || key == " " }

// brokenLinks returns, for every pair of nodes (in layout order) a message
// cannot cross in at least one direction, why.
func brokenLinks(s sim.Snapshot) map[[2]string]string {
	out := map[[2]string]string{}
	index := map[string]int{}
	for i, n := range s.Nodes {
		index[n.Name] = i
	}
	pair := func(a, b string) [2]string {
		if index[a] > index[b] {
			a, b = b, a
		}
		return [2]string{a, b}
	}
	group := map[string]int{}
	for gi, g := range s.Groups {
		for _, n := range g {
			group[n] = gi + 1
		}
	}
	for i, a := range s.Nodes {
		for _, b := range s.Nodes[i+1:] {
			switch {
			case slices.Contains(s.Isolated, a.Name) || slices.Contains(s.Isolated, b.Name):
				out[pair(a.Name, b.Name)] = "isolated"
			case len(s.Groups) > 0 && group[a.Name] != group[b.Name]:
				out[pair(a.Name, b.Name)] = "partitioned"
			}
		}
	}
	for _, c := range s.Cuts {
		out[pair(c[0], c[1])] = "cut " + c[0] + " → " + c[1]
	}
	return out
}

func roleClass(role string) string {
	switch role {
	case "client", "user", "proposer":
		return "client"
	case "storage":
		return "storage"
	}
	return "server"
}

// shortName abbreviates "client-2" to "c2" inside a node's circle.
func shortName(name string) string {
	role := sim.Role(name)
	num := strings.TrimPrefix(name, role+"-")
	if role == name || len(role) == 0 {
		return name
	}
	return role[:1] + num
}

// fmtTime writes a virtual time with millisecond precision: 12.345s.
func fmtTime(d time.Duration) string {
	return fmt.Sprintf("%.3fs", d.Seconds())
}

// appendDot appends a circle of radius 4 at c to an SVG path.
func appendDot(d []byte, c point) []byte {
	d = append(d, 'M')
	d = strconv.AppendFloat(d, c.X-4, 'f', 1, 64)
	d = append(d, ' ')
	d = strconv.AppendFloat(d, c.Y, 'f', 1, 64)
	return append(d, "a4 4 0 1 0 8 0a4 4 0 1 0-8 0"...)
}
