package zklock

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
)

// probe is a test client that sends scripted messages at scripted times and
// records everything it receives.
type probe struct {
	script []step
	got    *[]string
}

type step struct {
	at  time.Duration
	to  string
	msg sim.Message
}

func (p *probe) Start(ctx *sim.Context) {
	for i, s := range p.script {
		ctx.SetTimer(s.at, i)
	}
}

func (p *probe) Receive(ctx *sim.Context, from string, msg sim.Message) {
	*p.got = append(*p.got, fmt.Sprintf("%s %T%+v", from, msg, msg))
}

func (p *probe) Timer(ctx *sim.Context, tag any) {
	s := p.script[tag.(int)]
	ctx.Send(s.to, s.msg)
}

var testNet = sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}

func testConfig(n int) Config {
	return Config{Servers: ServerNames(n), SessionTimeout: 4 * time.Second, Tick: 500 * time.Millisecond}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Sessions of a one-server ensemble: epoch 1, so the first session is
// 0x100000001 and later zxids count up from there.
var s1, s2 = Zxid(1, 1), Zxid(1, 2)

func req(at time.Duration, session int64, xid Number, op, path string, watch bool) step {
	return step{at: at, to: "zk-1", msg: Request{Session: session, Xid: xid, Op: op, Path: path, Watch: watch}}
}

func connect(at time.Duration, session int64) step {
	return step{at: at, to: "zk-1", msg: Connect{Session: session, Timeout: 4 * time.Second}}
}

// TestServerHandlers drives a one-server ensemble through the client
// protocol and checks each answer.
func TestServerHandlers(t *testing.T) {
	ms := time.Millisecond
	a, b := "/lock/_c_a-lock-0000000000", "/lock/_c_b-lock-0000000001"
	tests := []struct {
		name   string
		script []step
		until  time.Duration
		want   []string // substrings of the answers, in order
	}{
		{name: "a new session, a sequential create and a listing",
			script: []step{connect(10*ms, 0), req(20*ms, s1, 1, OpCreate, "/lock/_c_a-lock-", false), req(30*ms, s1, 2, OpGetChildren, "/lock", false)},
			want: []string{"ConnectReply{Session:4294967297 Timeout:4s Err:}",
				"Reply{Xid:1 Op:create Err: Name:_c_a-lock-0000000000 Czxid:4294967298",
				"Reply{Xid:2 Op:getChildren Err: Name: Czxid:0 Exists:false Children:[_c_a-lock-0000000000]}"}},
		{name: "an exists watch fires once when the node is deleted",
			script: []step{connect(10*ms, 0), connect(15*ms, 0),
				req(20*ms, s1, 1, OpCreate, "/lock/_c_a-lock-", false), req(30*ms, s2, 1, OpCreate, "/lock/_c_b-lock-", false),
				req(40*ms, s2, 2, OpExists, a, true), req(50*ms, s1, 2, OpDelete, a, false), req(60*ms, s2, 3, OpDelete, b, false)},
			want: []string{"ConnectReply{Session:4294967297", "ConnectReply{Session:4294967298",
				"Reply{Xid:1 Op:create Err: Name:_c_a", "Reply{Xid:1 Op:create Err: Name:_c_b",
				"Reply{Xid:2 Op:exists Err: Name: Czxid:4294967299 Exists:true",
				"WatchEvent{Type:NodeDeleted Path:/lock/_c_a-lock-0000000000}", "Reply{Xid:2 Op:delete Err:",
				"Reply{Xid:3 Op:delete Err:"}},
		{name: "a children watch fires on the next change only",
			script: []step{connect(10*ms, 0), req(20*ms, s1, 1, OpGetChildren, "/lock", true),
				req(30*ms, s1, 2, OpCreate, "/lock/_c_a-lock-", false), req(40*ms, s1, 3, OpDelete, a, false)},
			want: []string{"ConnectReply", "Reply{Xid:1 Op:getChildren Err: Name: Czxid:0 Exists:false Children:[]}",
				"WatchEvent{Type:NodeChildrenChanged Path:/lock}", "Reply{Xid:2 Op:create", "Reply{Xid:3 Op:delete Err:"}},
		{name: "deleting a missing node is NONODE",
			script: []step{connect(10*ms, 0), req(20*ms, s1, 1, OpDelete, a, false)},
			want:   []string{"ConnectReply", "Reply{Xid:1 Op:delete Err:NONODE"}},
		{name: "a session not connected here is refused",
			script: []step{req(20*ms, 77, 1, OpGetChildren, "/lock", false)},
			want:   []string{"Closed{Session:77 Expired:false}"}},
		{name: "a silent session expires, its node goes, and reconnecting says so",
			script: []step{connect(10*ms, 0), req(20*ms, s1, 1, OpCreate, "/lock/_c_a-lock-", false),
				connect(5*time.Second, 0), req(5100*ms, Zxid(1, 4), 1, OpGetChildren, "/lock", false), connect(5200*ms, s1)},
			until: 6 * time.Second,
			want: []string{"ConnectReply{Session:4294967297", "Reply{Xid:1 Op:create",
				"Closed{Session:4294967297 Expired:true}", "ConnectReply{Session:4294967300",
				"Children:[]}", "ConnectReply{Session:4294967297 Timeout:0s Err:SESSIONEXPIRED}"}},
		{name: "pings keep a session alive",
			script: []step{connect(10*ms, 0), req(1*time.Second, s1, 0, OpPing, "", false), req(2500*ms, s1, 0, OpPing, "", false),
				req(4*time.Second, s1, 0, OpPing, "", false), req(5500*ms, s1, 0, OpPing, "", false)},
			until: 6 * time.Second,
			want:  []string{"ConnectReply", "Reply{Xid:0 Op:ping", "Reply{Xid:0 Op:ping", "Reply{Xid:0 Op:ping", "Reply{Xid:0 Op:ping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			until := tt.until
			if until == 0 {
				until = time.Second
			}
			w := sim.New(sim.Config{Seed: 1, Duration: until, Network: testNet})
			var got []string
			cfg := testConfig(1)
			must(t, w.AddNode("zk-1", func() sim.Node { return NewServer(cfg, 1) }))
			must(t, w.AddNode("probe-1", func() sim.Node { return &probe{script: tt.script, got: &got} }))
			must(t, w.Run())
			if len(got) != len(tt.want) {
				t.Fatalf("got %d messages, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.Contains(connRE.ReplaceAllString(got[i], ""), tt.want[i]) {
					t.Errorf("message %d = %s\nwant it to contain %s", i+1, got[i], tt.want[i])
				}
			}
		})
	}
}

var connRE = regexp.MustCompile(`Conn:\{Attempt:\d+ Seq:\d+\} `)

// TestServerStampsConnection: every message on a connection carries its
// position, so that the client can restore the server's order; refusals
// and closes are out of band (Seq 0).
func TestServerStampsConnection(t *testing.T) {
	ms := time.Millisecond
	a := "/lock/_c_a-lock-0000000000"
	script := []step{
		{at: 10 * ms, to: "zk-1", msg: Connect{Timeout: 4 * time.Second, Attempt: 7}},
		{at: 20 * ms, to: "zk-1", msg: Request{Attempt: 7, Session: s1, Xid: 1, Op: OpGetChildren, Path: "/lock", Watch: true}},
		{at: 30 * ms, to: "zk-1", msg: Request{Attempt: 7, Session: s1, Xid: 2, Op: OpCreate, Path: "/lock/_c_a-lock-"}},
		{at: 40 * ms, to: "zk-1", msg: Request{Attempt: 7, Session: s1, Xid: 3, Op: OpDelete, Path: a}},
		{at: 50 * ms, to: "zk-1", msg: Request{Attempt: 6, Session: s1, Xid: 4, Op: OpPing}}, // an older connection's
	}
	w := sim.New(sim.Config{Seed: 1, Duration: time.Second, Network: testNet})
	var got []string
	cfg := testConfig(1)
	must(t, w.AddNode("zk-1", func() sim.Node { return NewServer(cfg, 1) }))
	must(t, w.AddNode("probe-1", func() sim.Node { return &probe{script: script, got: &got} }))
	must(t, w.Run())
	want := []string{"ConnectReply{Conn:{Attempt:7 Seq:1}", "Reply{Conn:{Attempt:7 Seq:2} Xid:1", "WatchEvent{Conn:{Attempt:7 Seq:3}",
		"Reply{Conn:{Attempt:7 Seq:4} Xid:2", "Reply{Conn:{Attempt:7 Seq:5} Xid:3", "Closed{Conn:{Attempt:6 Seq:0}"}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range got {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("message %d = %s, want %s", i+1, got[i], want[i])
		}
	}
}

// preloaded is a server that starts from a given durable state, as if it
// had logged transactions before.
type preloaded struct {
	*Server
	zxid int64
}

func (p preloaded) Start(ctx *sim.Context) {
	if _, ok := ctx.Durable().Get("zab"); !ok && p.zxid > 0 {
		ctx.Durable().Put("zab", durable{Epoch: Epoch(p.zxid), Tree: DataTree{Zxid: p.zxid}})
	}
	p.Server.Start(ctx)
}

// TestElection: the server with the highest zxid leads; between equal
// zxids, the highest id.
func TestElection(t *testing.T) {
	tests := []struct {
		zxids []int64
		want  string
	}{
		{[]int64{0, 0, 0}, "zk-3"},
		{[]int64{Zxid(1, 9), Zxid(1, 4), Zxid(1, 4)}, "zk-1"},
		{[]int64{Zxid(1, 9), Zxid(2, 1), Zxid(1, 4)}, "zk-2"}, // a later epoch beats a longer log
		{[]int64{Zxid(1, 4), Zxid(1, 7), Zxid(1, 7), Zxid(1, 2), Zxid(1, 7)}, "zk-5"},
	}
	for _, tt := range tests {
		cfg := testConfig(len(tt.zxids))
		w := sim.New(sim.Config{Seed: 1, Duration: 2 * time.Second, Network: sim.DefaultNetwork})
		for i, z := range tt.zxids {
			z, id := z, i+1
			must(t, w.AddNode(cfg.Servers[i], func() sim.Node { return preloaded{NewServer(cfg, id), z} }))
		}
		w.DeclareSymbol("leader")
		must(t, w.Run())
		if got := w.Resolve("leader"); got != tt.want {
			t.Errorf("zxids %x: leader %q, want %s", tt.zxids, got, tt.want)
		}
		for _, n := range w.Snapshot().Nodes {
			st := n.State.(ServerState)
			if !st.Serving || st.Leader != tt.want {
				t.Errorf("zxids %x: %s is %+v, want serving under %s", tt.zxids, n.Name, st, tt.want)
			}
		}
	}
}

// TestFollowerCatchesUp: a server that was down while the others committed
// writes gets a full copy of the state when it comes back.
func TestFollowerCatchesUp(t *testing.T) {
	ms := time.Millisecond
	cfg := testConfig(3)
	w := sim.New(sim.Config{Seed: 1, Duration: 5 * time.Second, Network: testNet})
	var got []string
	for i, name := range cfg.Servers {
		id := i + 1
		must(t, w.AddNode(name, func() sim.Node { return NewServer(cfg, id) }))
	}
	// zk-3 leads (equal zxids); zk-2 crashes and the probe writes through zk-1.
	script := []step{{at: 1 * time.Second, to: "zk-1", msg: Connect{Timeout: 4 * time.Second}}}
	for i := int64(1); i <= 3; i++ {
		script = append(script, step{at: time.Second + time.Duration(i)*100*ms, to: "zk-1",
			msg: Request{Session: Zxid(1, 1), Xid: Number(i), Op: OpCreate, Path: fmt.Sprintf("/lock/_c_%d-lock-", i)}})
	}
	must(t, w.AddNode("probe-1", func() sim.Node { return &probe{script: script, got: &got} }))
	must(t, w.Schedule(sim.Fault{At: 500 * ms, Kind: sim.FaultCrash, Node: "zk-2"}))
	must(t, w.Schedule(sim.Fault{At: 3 * time.Second, Kind: sim.FaultRestart, Node: "zk-2"}))
	must(t, w.Run())
	if len(got) != 4 {
		t.Fatalf("probe got %v, want a session and three creates", got)
	}
	var trees []string
	for _, n := range w.Snapshot().Nodes[:3] {
		st := n.State.(ServerState)
		trees = append(trees, fmt.Sprintf("%s %v", st.Zxid, st.Lock))
		if !st.Serving {
			t.Errorf("%s not serving: %+v", n.Name, st)
		}
	}
	if trees[0] != trees[1] || trees[1] != trees[2] || !strings.Contains(trees[0], "_c_3-lock-0000000002") {
		t.Fatalf("servers disagree or miss the writes:\n%s", strings.Join(trees, "\n"))
	}
}
