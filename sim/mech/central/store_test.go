package central

import (
	"fmt"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/web"
	"coordlab/sim/mech/web/webtest"
)

var (
	alice  = web.Data{User: "user-1", Role: "user"}
	alice1 = web.Data{User: "user-1", Cart: 1, Role: "user", Version: 1}
)

// storeRun runs a store named name (store-1 or store-2) with a probe as
// app-1 and a responder as the other store, and returns what both got.
func storeRun(t *testing.T, name string, store func() sim.Node, script []webtest.Send, peer func(from string, m sim.Message) sim.Message) (app, other []webtest.Got) {
	t.Helper()
	otherName := "store-2"
	if name == "store-2" {
		otherName = "store-1"
	}
	w := webtest.World(t, time.Second,
		webtest.Node{Name: name, New: store},
		webtest.Node{Name: otherName, New: func() sim.Node { return &webtest.Responder{Got: &other, Answer: peer} }},
		webtest.Node{Name: "app-1", New: func() sim.Node { return &webtest.Probe{Script: script, Got: &app} }},
	)
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return app, other
}

func at(ms int, to string, m sim.Message) webtest.Send {
	return webtest.Send{At: time.Duration(ms) * time.Millisecond, To: to, Msg: m}
}

func TestStoreCommands(t *testing.T) {
	cases := []struct {
		name   string
		script []webtest.Send
		want   []sim.Message
	}{
		{"get of a missing session", []webtest.Send{at(1, "store-1", Get{Op: 1, Key: "s1"})},
			[]sim.Message{Reply{Op: 1}}},
		{"put then get", []webtest.Send{at(1, "store-1", Put{Op: 1, Key: "s1", Data: alice}), at(5, "store-1", Get{Op: 2, Key: "s1"})},
			[]sim.Message{Reply{Op: 1, Found: true, Data: alice}, Reply{Op: 2, Found: true, Data: alice}}},
		{"del then get", []webtest.Send{at(1, "store-1", Put{Op: 1, Key: "s1", Data: alice}), at(5, "store-1", Del{Op: 2, Key: "s1"}), at(10, "store-1", Get{Op: 3, Key: "s1"})},
			[]sim.Message{Reply{Op: 1, Found: true, Data: alice}, Reply{Op: 2, Found: true}, Reply{Op: 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := storeRun(t, "store-1", func() sim.Node { return NewPrimary("", false) }, c.script, nil)
			if fmt.Sprint(msgs(got)) != fmt.Sprint(c.want) {
				t.Fatalf("app-1 got %v, want %v", msgs(got), c.want)
			}
		})
	}
}

func msgs(got []webtest.Got) []sim.Message {
	var out []sim.Message
	for _, g := range got {
		out = append(out, g.Msg)
	}
	return out
}

// ack is store-2's part: acknowledge every entry of a batch.
func ack(_ string, m sim.Message) sim.Message {
	r, ok := m.(Replicate)
	if !ok {
		return nil
	}
	return ReplAck{Epoch: r.Epoch, Seq: r.Entries[len(r.Entries)-1].Seq}
}

func TestPrimaryReplication(t *testing.T) {
	put := []webtest.Send{at(1, "store-1", Put{Op: 1, Key: "s1", Data: alice})}
	cases := []struct {
		name    string
		sync    bool
		peer    func(string, sim.Message) sim.Message
		replyAt time.Duration // when app-1 gets its reply; 0: never
		shipAt  time.Duration // when store-2 gets the write
	}{
		// The put is sent at 1ms and reaches store-1 at 2ms; every hop takes 1ms.
		// async: answered at once (3ms), shipped ReplFlush after the write.
		{"async answers before the replica has the write", false, ack, 3 * time.Millisecond, 2*time.Millisecond + ReplFlush + time.Millisecond},
		// sync: shipped at once (3ms), answered after the replica's ack (4ms, 5ms).
		{"sync answers after the replica acknowledged", true, ack, 5 * time.Millisecond, 3 * time.Millisecond},
		{"sync holds the answer while the replica is silent", true, nil, 0, 3 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, other := storeRun(t, "store-1", func() sim.Node { return NewPrimary("store-2", c.sync) }, put, c.peer)
			switch {
			case c.replyAt == 0 && len(got) != 0:
				t.Fatalf("app-1 got %v, want no reply", msgs(got))
			case c.replyAt != 0 && (len(got) != 1 || got[0].At != c.replyAt):
				t.Fatalf("app-1 got %+v, want one reply at %v", got, c.replyAt)
			}
			if len(other) == 0 || other[0].At != c.shipAt {
				t.Fatalf("store-2 got %+v, want the write at %v", other, c.shipAt)
			}
			e := other[0].Msg.(Replicate).Entries
			if len(e) != 1 || e[0] != (Entry{Seq: 1, Key: "s1", Data: alice}) {
				t.Fatalf("store-2 got entries %+v", e)
			}
			// Unacknowledged writes are shipped again every ReplFlush.
			if c.peer == nil && len(other) < 5 {
				t.Fatalf("store-2 got %d batches in 1s from a primary it never acknowledged, want one per %v", len(other), ReplFlush)
			}
		})
	}
}

func TestReplica(t *testing.T) {
	const epoch, epoch2 = 7, 9
	rep := func(ep uint64, es ...Entry) Replicate { return Replicate{Epoch: ep, Entries: es} }
	e := func(seq uint64, key string, d web.Data) Entry { return Entry{Seq: seq, Key: key, Data: d} }
	cases := []struct {
		name   string
		script []webtest.Send // sent to store-2 by app-1, or by store-1 (replication)
		get    string         // then app-1 reads this key
		want   Reply
		acks   []sim.Message // what store-1 got back
	}{
		{"applies the stream in order", []webtest.Send{at(1, "store-2", rep(epoch, e(1, "s1", alice), e(2, "s1", alice1)))},
			"s1", Reply{Op: 99, Found: true, Data: alice1}, []sim.Message{ReplAck{epoch, 2}}},
		{"a gap (it restarted empty) asks for a full resync", []webtest.Send{at(1, "store-2", rep(epoch, e(2, "s1", alice1)))},
			"s1", Reply{Op: 99}, []sim.Message{PSync{epoch}}},
		{"a full resync replaces what it had", []webtest.Send{
			at(1, "store-2", rep(epoch, e(1, "s9", alice))), at(5, "store-2", Replicate{Epoch: epoch, Entries: []Entry{{Key: "s1", Data: alice1}}, Snapshot: 4}),
			at(10, "store-2", rep(epoch, e(4, "s2", alice), e(5, "s1", alice)))},
			"s9", Reply{Op: 99}, []sim.Message{ReplAck{epoch, 1}, ReplAck{epoch, 4}, ReplAck{epoch, 5}}},
		{"a restarted primary's new epoch wipes the replica (full resync)", []webtest.Send{
			at(1, "store-2", rep(epoch, e(1, "s1", alice))), at(5, "store-2", rep(epoch2, e(1, "s2", alice)))},
			"s1", Reply{Op: 99}, []sim.Message{ReplAck{epoch, 1}, ReplAck{epoch2, 1}}},
		{"a direct write promotes it and it stops following", []webtest.Send{
			at(1, "store-2", Put{Op: 1, Key: "s1", Data: alice1}), at(5, "store-2", rep(epoch, e(1, "s1", alice)))},
			"s1", Reply{Op: 99, Found: true, Data: alice1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fromStore1 []webtest.Got
			var app []webtest.Got
			script := append([]webtest.Send(nil), c.script...)
			script = append(script, at(50, "store-2", Get{Op: 99, Key: c.get}))
			// Replication must come from store-1: split the script by sender.
			var byStore1, byApp []webtest.Send
			for _, s := range script {
				if _, ok := s.Msg.(Replicate); ok {
					byStore1 = append(byStore1, s)
				} else {
					byApp = append(byApp, s)
				}
			}
			w := webtest.World(t, time.Second,
				webtest.Node{Name: "store-2", New: func() sim.Node { return NewReplica() }},
				webtest.Node{Name: "store-1", New: func() sim.Node { return &webtest.Probe{Script: byStore1, Got: &fromStore1} }},
				webtest.Node{Name: "app-1", New: func() sim.Node { return &webtest.Probe{Script: byApp, Got: &app} }},
			)
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if last := app[len(app)-1].Msg; last != c.want {
				t.Fatalf("get %s = %+v, want %+v", c.get, last, c.want)
			}
			var acks []sim.Message
			for _, g := range fromStore1 {
				acks = append(acks, g.Msg)
			}
			if fmt.Sprint(acks) != fmt.Sprint(c.acks) {
				t.Fatalf("store-1 got acks %v, want %v", acks, c.acks)
			}
		})
	}
}
