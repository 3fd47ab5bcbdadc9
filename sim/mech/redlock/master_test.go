package redlock

import (
	"fmt"
	"testing"
	"time"

	"coordlab/sim"
)

// probe is a test node that sends scripted messages at scripted times and
// records what comes back.
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
	*p.got = append(*p.got, fmt.Sprintf("%v %s %+v", ctx.Now().Round(time.Millisecond), from, msg))
}

func (p *probe) Timer(ctx *sim.Context, tag any) {
	s := p.script[tag.(int)]
	ctx.Send(s.to, s.msg)
}

func set(at time.Duration, value string, attempt Attempt) step {
	return step{at: at, to: "redis-1", msg: Set{Key: Resource, Value: value, PX: time.Second, Attempt: attempt}}
}

func unlock(at time.Duration, value string) step {
	return step{at: at, to: "redis-1", msg: Unlock{Key: Resource, Value: value}}
}

// TestMasterHandlers drives one master through SET NX PX, the release
// script, expiry by its own clock, and restarts, and checks every answer.
func TestMasterHandlers(t *testing.T) {
	ms := time.Millisecond
	const unavailable = "Err:" + ErrUnavailable
	tests := []struct {
		name   string
		cfg    Config
		script []step
		faults []sim.Fault
		want   []string // SetReply fields, one per answer
	}{
		{name: "SET NX on a free key is OK, on a held key nil",
			script: []step{set(0, "a", 1), set(100*ms, "b", 2)},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:false Err:"}},
		{name: "the release script ignores another client's value",
			script: []step{set(0, "a", 1), unlock(100*ms, "b"), set(200*ms, "b", 2)},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:false Err:"}},
		{name: "the release script deletes the caller's own key",
			script: []step{set(0, "a", 1), unlock(100*ms, "a"), set(200*ms, "b", 2)},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:true Err:"}},
		{name: "the key expires after PX",
			script: []step{set(0, "a", 1), set(900*ms, "b", 2), set(1100*ms, "c", 3)},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:false Err:", "Attempt:3 OK:true Err:"}},
		{name: "a clock jump on the master expires the key early",
			script: []step{set(0, "a", 1), set(600*ms, "b", 2)},
			faults: []sim.Fault{{At: 500 * ms, Kind: sim.FaultClockJump, Node: "redis-1", Jump: 2 * time.Second}},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:true Err:"}},
		{name: "a restart without persistence forgets the key",
			script: []step{set(0, "a", 1), set(600*ms, "b", 2)},
			faults: []sim.Fault{{At: 500 * ms, Kind: sim.FaultRestart, Node: "redis-1"}},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:true Err:"}},
		{name: "with persistence always a restarted master keeps the key until it expires",
			cfg:    Config{Persist: true},
			script: []step{set(0, "a", 1), set(600*ms, "b", 2), set(1100*ms, "c", 3)},
			faults: []sim.Fault{{At: 500 * ms, Kind: sim.FaultRestart, Node: "redis-1"}},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:false Err:", "Attempt:3 OK:true Err:"}},
		{name: "a delayed restart refuses requests for one ttl",
			cfg:    Config{Delayed: true, TTL: time.Second},
			script: []step{set(0, "a", 1), set(600*ms, "b", 2), set(1400*ms, "c", 3), set(1600*ms, "d", 4)},
			faults: []sim.Fault{{At: 500 * ms, Kind: sim.FaultRestart, Node: "redis-1"}},
			want:   []string{"Attempt:1 OK:true Err:", "Attempt:2 OK:false " + unavailable, "Attempt:3 OK:false " + unavailable, "Attempt:4 OK:true Err:"}},
		{name: "the first start is not a restart: no delay",
			cfg:    Config{Delayed: true, TTL: time.Second},
			script: []step{set(0, "a", 1)},
			want:   []string{"Attempt:1 OK:true Err:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{Seed: 1, Duration: 5 * time.Second, Network: sim.Network{Latency: sim.Latency{Min: ms, Max: ms}}})
			var got []string
			must(t, w.AddNode("redis-1", func() sim.Node { return NewMaster(tt.cfg) }))
			must(t, w.AddNode("probe-1", func() sim.Node { return &probe{script: tt.script, got: &got} }))
			for _, f := range tt.faults {
				must(t, w.Schedule(f))
			}
			must(t, w.Run())
			if len(got) != len(tt.want) {
				t.Fatalf("got %d answers, want %d:\n%v", len(got), len(tt.want), got)
			}
			for i := range got {
				if want := "{Key:lock " + tt.want[i] + "}"; !endsWith(got[i], want) {
					t.Errorf("answer %d = %s, want ...%s", i+1, got[i], want)
				}
			}
		})
	}
}

func endsWith(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestMasterInspect shows the key with its remaining TTL by the master's clock.
func TestMasterInspect(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1, Duration: time.Second, Network: sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}})
	var got []string
	must(t, w.AddNode("redis-1", func() sim.Node { return NewMaster(Config{}) }))
	must(t, w.AddNode("probe-1", func() sim.Node { return &probe{script: []step{set(0, "a", 1)}, got: &got} }))
	must(t, w.RunUntil(301*time.Millisecond))
	st := w.Snapshot().Nodes[0].State.(MasterState)
	if len(st.Keys) != 1 || st.Keys[0].Value != "a" || st.Keys[0].Owner != "probe-1" || st.Keys[0].TTLms != 700 {
		t.Fatalf("Inspect = %+v, want key lock=a owned by probe-1 with 700 ms left", st)
	}
}
