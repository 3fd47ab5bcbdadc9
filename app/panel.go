package app

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The mechanism panel, the live metrics and the violations found.
//
// The panel draws each node's Inspect() value by its shape: a struct or map
// becomes a table of fields, a list of records a table with a column per
// field (a Redis keyspace with TTLs, a database's rows, a Raft log), a list
// of plain values one line. So a new mechanism gets a readable panel
// without any UI change; it only has to return an informative value.

const (
	maxDepth = 4
	maxRows  = 40
)

// slowView draws one of the player's slower views. Its inputs are the
// player (a pointer: compared in constant time) and the player's redraw
// version, so go-app redraws it only when the version moves.
type slowView struct {
	app.Compo
	P       *player
	Version int
	Kind    int
}

// The slow views.
const (
	viewSpaceTime = iota
	viewData      // violations and metrics
	viewState     // the mechanism panel
)

func newSlowView(p *player, kind int) *slowView {
	return &slowView{P: p, Version: p.version, Kind: kind}
}

func (v *slowView) Render() app.UI {
	p := v.P
	if p == nil || p.sess == nil || p.sess.world() == nil {
		return app.Div()
	}
	switch v.Kind {
	case viewSpaceTime:
		return p.renderSpaceTime()
	case viewData:
		return app.Div().Class("player-data").Body(p.renderViolations(), p.renderMetrics())
	}
	return p.renderPanel()
}

func (p *player) renderViolations() app.UI {
	vs := p.sess.violations()
	items := make([]app.UI, len(vs))
	for i, v := range vs {
		at := v.At
		items[i] = app.Li().Body(app.Button().Class("violation").DataSet("at", int64(at)).
			Title(tr(p.Language, "jump to this moment")).
			OnClick(func(ctx app.Context, e app.Event) {
				p.dispatch(func(ctx app.Context) { p.playing = false; p.seek(ctx, at) })
			}, app.EventScope(int64(at))). // a button in place may come to list another violation
			Body(
				app.Span().Class("at").Text(fmtTime(at)),
				app.Strong().Text(" "+v.Invariant+": "),
				app.Text(v.Detail),
			))
	}
	return app.Div().Class("violations").Body(
		app.H4().Text(trf(p.Language, "Violations (%d)", len(vs))),
		app.If(len(vs) == 0, func() app.UI { return app.P().Class("hint").Text(tr(p.Language, "none so far")) }),
		app.Ul().Body(items...),
	)
}

func (p *player) renderMetrics() app.UI {
	m := p.sess.world().Metrics()
	if p.sess.result != nil {
		m = p.sess.result.Metrics
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rows := make([]app.UI, len(keys))
	for i, k := range keys {
		rows[i] = app.Tr().Body(app.Td().Text(k), app.Td().Class("num").Text(strconv.FormatFloat(m[k], 'g', 6, 64)))
	}
	res := ""
	if r := p.sess.result; r != nil && r.ExpectationMet != nil {
		res = tr(p.Language, "expectation met")
		if !*r.ExpectationMet {
			res = tr(p.Language, "expectation NOT met")
		}
	}
	return app.Div().Class("metrics").Body(
		app.H4().Text(tr(p.Language, "Metrics")),
		app.If(len(rows) == 0, func() app.UI {
			return app.P().Class("hint").Text(tr(p.Language, "none counted yet; percentiles and the like come at the end"))
		}),
		app.Table().Body(rows...),
		app.If(res != "", func() app.UI { return app.P().Class("expect").Text(res) }),
		// A run that stopped says why beside the controls (see Render).
	)
}

func (p *player) renderPanel() app.UI {
	snap := p.sess.world().Snapshot()
	cards := make([]app.UI, 0, len(snap.Nodes))
	for _, n := range snap.Nodes {
		var body app.UI = app.P().Class("hint").Text(tr(p.Language, "no state to show"))
		if n.State != nil {
			body = renderValue(reflect.ValueOf(n.State), 0)
		} else if n.Status.String() == "crashed" {
			body = app.P().Class("hint").Text(tr(p.Language, "crashed: its volatile state is gone"))
		}
		cards = append(cards, app.Div().Class("card", n.Status.String()).DataSet("panel", n.Name).Body(
			app.H5().Text(n.Name+" · "+tr(p.Language, n.Status.String())),
			body,
		))
	}
	return app.Details().Class("panel").Open(true).Body(
		app.Summary().Text(tr(p.Language, "Mechanism state")),
		app.Div().Class("cards").Body(cards...),
	)
}

var durationType = reflect.TypeOf(time.Duration(0))

// renderValue draws any plain value by its shape.
func renderValue(v reflect.Value, depth int) app.UI {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return app.Span().Class("nil").Text("—")
		}
		v = v.Elem()
	}
	if depth > maxDepth {
		return app.Span().Text("…")
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		var rows []app.UI
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			rows = append(rows, app.Tr().Body(app.Th().Text(t.Field(i).Name), app.Td().Body(renderValue(v.Field(i), depth+1))))
		}
		return app.Table().Class("kv").Body(rows...)
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return scalar(keys[i]) < scalar(keys[j]) })
		rows := make([]app.UI, 0, len(keys))
		for i, k := range keys {
			if i == maxRows {
				rows = append(rows, app.Tr().Body(app.Td().Text(fmt.Sprintf("… %d more", len(keys)-maxRows))))
				break
			}
			rows = append(rows, app.Tr().Body(app.Th().Text(scalar(k)), app.Td().Body(renderValue(v.MapIndex(k), depth+1))))
		}
		if len(rows) == 0 {
			return app.Span().Class("nil").Text("empty")
		}
		return app.Table().Class("kv").Body(rows...)
	case reflect.Slice, reflect.Array:
		return renderList(v, depth)
	}
	return app.Span().Text(scalar(v))
}

// renderList draws a list of records as a table, other lists as one line.
func renderList(v reflect.Value, depth int) app.UI {
	n := v.Len()
	if n == 0 {
		return app.Span().Class("nil").Text("empty")
	}
	elem := v.Type().Elem()
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if elem.Kind() != reflect.Struct {
		var s string
		for i := 0; i < n && i < maxRows; i++ {
			if i > 0 {
				s += ", "
			}
			s += scalar(v.Index(i))
		}
		if n > maxRows {
			s += fmt.Sprintf(" … %d more", n-maxRows)
		}
		return app.Span().Text(s)
	}
	var head []app.UI
	var fields []int
	for i := 0; i < elem.NumField(); i++ {
		if elem.Field(i).IsExported() {
			fields = append(fields, i)
			head = append(head, app.Th().Text(elem.Field(i).Name))
		}
	}
	// Show the latest rows of a long list (the tail of a log).
	first := max(0, n-maxRows)
	rows := []app.UI{app.Tr().Body(head...)}
	if first > 0 {
		rows = append(rows, app.Tr().Body(app.Td().ColSpan(len(fields)).Text(fmt.Sprintf("… %d earlier", first))))
	}
	for i := first; i < n; i++ {
		e := reflect.Indirect(v.Index(i))
		cells := make([]app.UI, len(fields))
		for j, fi := range fields {
			cells[j] = app.Td().Body(renderValue(e.Field(fi), depth+1))
		}
		rows = append(rows, app.Tr().Body(cells...))
	}
	return app.Table().Class("rows").Body(rows...)
}

// scalar writes a plain value; durations as durations.
func scalar(v reflect.Value) string {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "—"
		}
		v = v.Elem()
	}
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	if v.CanInterface() {
		if s, ok := v.Interface().(fmt.Stringer); ok {
			return s.String()
		}
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', 6, 64)
	}
	return fmt.Sprintf("%v", v.Interface())
}
