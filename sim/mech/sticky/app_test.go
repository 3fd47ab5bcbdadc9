package sticky

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/web"
	"coordlab/sim/mech/web/webtest"
)

// cookie returns the session cookie of the first login answer got so far.
func cookie(got []webtest.Got) string {
	for _, g := range got {
		if r, ok := g.Msg.(web.Response); ok && r.Credential != "" {
			return r.Credential
		}
	}
	return ""
}

func TestAppHandlers(t *testing.T) {
	ms := time.Millisecond
	withCookie := func(at time.Duration, id uint64, op string) webtest.Send {
		return webtest.Send{At: at, To: "app-1", Make: func(got []webtest.Got) sim.Message {
			return web.Request{ID: id, User: "user-1", Op: op, Credential: cookie(got)}
		}}
	}
	login := webtest.Send{At: 10 * ms, To: "app-1", Msg: web.Request{ID: 1, User: "user-1", Op: web.OpLogin}}
	cases := []struct {
		name   string
		script []webtest.Send
		// want is the last answer; Session and Credential are compared only
		// for being set, since ids are random.
		want web.Response
	}{
		{"login opens a session", []webtest.Send{login},
			web.Response{ID: 1, User: "user-1", Server: "app-1", Status: 200, Data: web.Data{User: "user-1", Role: "user"}}},
		{"an unknown cookie is refused", []webtest.Send{{At: 10 * ms, To: "app-1", Msg: web.Request{ID: 1, User: "user-1", Op: web.OpView, Credential: "0badc0de"}}},
			web.Response{ID: 1, User: "user-1", Server: "app-1", Status: 401, Reason: "unknown session: not in app-1's memory"}},
		{"add changes the session", []webtest.Send{login, withCookie(20*ms, 2, web.OpAdd), withCookie(30*ms, 3, web.OpAdd), withCookie(40*ms, 4, web.OpView)},
			web.Response{ID: 4, User: "user-1", Server: "app-1", Status: 200, Data: web.Data{User: "user-1", Cart: 2, Role: "user", Version: 2}}},
		{"role switches", []webtest.Send{login, withCookie(20*ms, 2, web.OpRole)},
			web.Response{ID: 2, User: "user-1", Server: "app-1", Status: 200, Data: web.Data{User: "user-1", Role: "admin", Version: 1}}},
		{"logout forgets the session", []webtest.Send{login, withCookie(20*ms, 2, web.OpLogout), withCookie(30*ms, 3, web.OpView)},
			web.Response{ID: 3, User: "user-1", Server: "app-1", Status: 401, Reason: "unknown session: not in app-1's memory"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []webtest.Got
			w := webtest.World(t, time.Second,
				webtest.Node{Name: "app-1", New: func() sim.Node { return newApp() }},
				webtest.Node{Name: "lb-1", New: func() sim.Node { return &webtest.Probe{Script: c.script, Got: &got} }},
			)
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.script) {
				t.Fatalf("got %d answers, want %d", len(got), len(c.script))
			}
			last := got[len(got)-1].Msg.(web.Response)
			if c.want.Status == 200 && (last.Session == "" || last.Session != cookie(got)) {
				t.Fatalf("answer %+v does not name the session %q", last, cookie(got))
			}
			last.Session, last.Credential = "", ""
			if last != c.want {
				t.Fatalf("answer %+v, want %+v", last, c.want)
			}
		})
	}
}

func TestAppAnswersHealthChecks(t *testing.T) {
	var got []webtest.Got
	w := webtest.World(t, time.Second,
		webtest.Node{Name: "app-1", New: func() sim.Node { return newApp() }},
		webtest.Node{Name: "lb-1", New: func() sim.Node {
			return &webtest.Probe{Script: []webtest.Send{{To: "app-1", Msg: web.Check{}}}, Got: &got}
		}},
	)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Msg != (web.CheckOK{}) {
		t.Fatalf("got %+v, want one health-ok", got)
	}
}
