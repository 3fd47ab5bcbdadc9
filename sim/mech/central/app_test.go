package central

import (
	"fmt"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/web"
	"coordlab/sim/mech/web/webtest"
)

// fakeStore knows session s1 (alice) and acknowledges every write; silent
// never answers.
func fakeStore(silent bool) func(string, sim.Message) sim.Message {
	return func(_ string, m sim.Message) sim.Message {
		if silent {
			return nil
		}
		switch m := m.(type) {
		case Get:
			return Reply{Op: m.Op, Found: m.Key == "s1", Data: alice}
		case Put:
			return Reply{Op: m.Op, Found: true, Data: m.Data}
		case Del:
			return Reply{Op: m.Op, Found: true}
		}
		return nil
	}
}

func req(ms int, id uint64, op, cookie string) webtest.Send {
	return at(ms, "app-1", web.Request{ID: id, User: "user-1", Op: op, Credential: cookie})
}

func TestAppHandlers(t *testing.T) {
	cases := []struct {
		name         string
		cfg          config
		store1Silent bool
		script       []webtest.Send
		want         []string // the answers lb-1 gets: "status reason version"
		store1       []string // the commands store-1 gets
		store2       []string // the commands store-2 gets
	}{
		{"an unknown session is refused", config{}, false, []webtest.Send{req(1, 1, web.OpView, "s9")},
			[]string{"401 unknown session: not in store-1 v0"}, []string{"HGETALL s9"}, nil},
		{"a change loads, applies and saves", config{}, false, []webtest.Send{req(1, 1, web.OpAdd, "s1")},
			[]string{"200  v1"}, []string{"HGETALL s1", "HMSET s1 v1"}, nil},
		{"a view only loads", config{}, false, []webtest.Send{req(1, 1, web.OpView, "s1")},
			[]string{"200  v0"}, []string{"HGETALL s1"}, nil},
		{"logout deletes", config{}, false, []webtest.Send{req(1, 1, web.OpLogout, "s1")},
			[]string{"200  v0"}, []string{"DEL s1"}, nil},
		{"a silent store fails the request", config{}, true, []webtest.Send{req(1, 1, web.OpView, "s1")},
			[]string{"503 store-1 did not answer v0"}, []string{"HGETALL s1"}, nil},
		{"two timeouts fail over to the replica", config{replica: true}, true,
			[]webtest.Send{req(1, 1, web.OpView, "s1"), req(600, 2, web.OpView, "s1"), req(1200, 3, web.OpAdd, "s1")},
			[]string{"503 store-1 did not answer v0", "503 store-1 did not answer v0", "200  v1"},
			[]string{"HGETALL s1", "HGETALL s1"}, []string{"HGETALL s1", "HMSET s1 v1"}},
		{"no replica, no failover", config{}, true,
			[]webtest.Send{req(1, 1, web.OpView, "s1"), req(600, 2, web.OpView, "s1"), req(1200, 3, web.OpView, "s1")},
			[]string{"503 store-1 did not answer v0", "503 store-1 did not answer v0", "503 store-1 did not answer v0"},
			[]string{"HGETALL s1", "HGETALL s1", "HGETALL s1"}, nil},
		{"a local cache skips the store within its TTL", config{cache: time.Second}, false,
			[]webtest.Send{req(1, 1, web.OpView, "s1"), req(500, 2, web.OpAdd, "s1"), req(900, 3, web.OpView, "s1"), req(1600, 4, web.OpView, "s1")},
			[]string{"200  v0", "200  v1", "200  v1", "200  v0"},
			// The add is saved; the view at 1.6s comes after the TTL of the
			// copy saved at 0.5s, so it loads again (and gets what the fake
			// store holds).
			[]string{"HGETALL s1", "HMSET s1 v1", "HGETALL s1"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var lb, s1, s2 []webtest.Got
			cfg := c.cfg
			w := webtest.World(t, 3*time.Second,
				webtest.Node{Name: "app-1", New: func() sim.Node { return newApp(&cfg) }},
				webtest.Node{Name: "store-1", New: func() sim.Node { return &webtest.Responder{Got: &s1, Answer: fakeStore(c.store1Silent)} }},
				webtest.Node{Name: "store-2", New: func() sim.Node { return &webtest.Responder{Got: &s2, Answer: fakeStore(false)} }},
				webtest.Node{Name: "lb-1", New: func() sim.Node { return &webtest.Probe{Script: c.script, Got: &lb} }},
			)
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			var answers []string
			for _, g := range lb {
				r := g.Msg.(web.Response)
				answers = append(answers, fmt.Sprintf("%d %s v%d", r.Status, r.Reason, r.Data.Version))
			}
			if fmt.Sprint(answers) != fmt.Sprint(c.want) {
				t.Errorf("lb-1 got %q, want %q", answers, c.want)
			}
			if got := commands(s1); fmt.Sprint(got) != fmt.Sprint(c.store1) {
				t.Errorf("store-1 got %q, want %q", got, c.store1)
			}
			if got := commands(s2); fmt.Sprint(got) != fmt.Sprint(c.store2) {
				t.Errorf("store-2 got %q, want %q", got, c.store2)
			}
		})
	}
}

func commands(got []webtest.Got) []string {
	var out []string
	for _, g := range got {
		switch m := g.Msg.(type) {
		case Get:
			out = append(out, "HGETALL "+m.Key)
		case Put:
			out = append(out, fmt.Sprintf("HMSET %s v%d", m.Key, m.Data.Version))
		case Del:
			out = append(out, "DEL "+m.Key)
		}
	}
	return out
}

func TestAppLogin(t *testing.T) {
	var lb, s1 []webtest.Got
	cfg := config{}
	w := webtest.World(t, time.Second,
		webtest.Node{Name: "app-1", New: func() sim.Node { return newApp(&cfg) }},
		webtest.Node{Name: "store-1", New: func() sim.Node { return &webtest.Responder{Got: &s1, Answer: fakeStore(false)} }},
		webtest.Node{Name: "lb-1", New: func() sim.Node {
			return &webtest.Probe{Script: []webtest.Send{req(1, 1, web.OpLogin, "")}, Got: &lb}
		}},
	)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	r := lb[0].Msg.(web.Response)
	put := s1[0].Msg.(Put)
	if r.Status != 200 || r.Session == "" || r.Credential != r.Session || put.Key != r.Session || put.Data != web.NewData("user-1") {
		t.Fatalf("login answered %+v after saving %+v", r, put)
	}
}

// TestRestartedAppIgnoresRepliesToItsPredecessor: store-1 answers a command
// the crashed app-1 sent only after app-1 restarted. The restarted process
// never sent it (a real one would not even have the connection), so it must
// not take that reply, for another session, as the answer to its own
// command: it would serve one user another user's session.
func TestRestartedAppIgnoresRepliesToItsPredecessor(t *testing.T) {
	var lb, s1 []webtest.Got
	cfg := config{}
	w := webtest.World(t, 2*time.Second,
		webtest.Node{Name: "app-1", New: func() sim.Node { return newApp(&cfg) }},
		webtest.Node{Name: "store-1", New: func() sim.Node { return &webtest.Responder{Got: &s1, Answer: fakeStore(false)} }},
		webtest.Node{Name: "lb-1", New: func() sim.Node {
			return &webtest.Probe{Script: []webtest.Send{req(1, 1, web.OpView, "s1"), req(200, 2, web.OpView, "s2")}, Got: &lb}
		}},
	)
	for _, f := range []sim.Fault{
		{At: 0, Kind: sim.FaultPause, Node: "store-1", For: 300 * time.Millisecond},
		{At: 100 * time.Millisecond, Kind: sim.FaultRestart, Node: "app-1"},
	} {
		if err := w.Schedule(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var answers []string
	for _, g := range lb {
		r := g.Msg.(web.Response)
		answers = append(answers, fmt.Sprintf("%d %d %s %s", r.ID, r.Status, r.Data.User, r.Reason))
	}
	// s2 is unknown to the store: the restarted app-1 must refuse it.
	if want := []string{"2 401  unknown session: not in store-1"}; fmt.Sprint(answers) != fmt.Sprint(want) {
		t.Fatalf("lb-1 got %q, want %q", answers, want)
	}
}
