package quorum

import (
	"math"
	"slices"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// replica is one storage node of the ring. It stores the versions of the keys
// it is a home replica of, and of keys it holds as a sloppy quorum's
// stand-in, with a hint naming the replica they are meant for (Dynamo 4.6);
// it coordinates the requests clients send it (coordinator.go).
//
// Its data, hints and version-vector counter are durable: a crash loses only
// the requests it was coordinating and its suspicions.
type replica struct {
	cfg  *config
	self int
	name string

	data    map[string][]Version // reconciled versions by key
	hints   []hint               // versions held for a replica that could not be reached
	hintSeq uint64
	handing bool // the handoff timer is armed

	// Coordinator state (coordinator.go).
	counter uint64 // this replica's entry in the version vectors it issues
	nextReq uint64
	pending map[uint64]*request
	open    []*request // requests in the order they started, for the tick
	free    []*request // finished requests, for reuse (see newRequest)
	ticking bool
	suspect []time.Duration // local time until which each replica is believed down
	now     time.Duration   // local time of the last event handled, for Inspect
}

// hint records that this replica holds versions of Key meant for For.
type hint struct {
	For string
	Key string
	Seq uint64
}

// handoffTick is the timer that retries delivering hinted versions.
type handoffTick struct{}

// trusted is the suspicion deadline of a replica not suspected: earlier than
// any local time, which a clock set back may put below zero.
const trusted = time.Duration(math.MinInt64)

func newReplica(cfg *config, self int) *replica {
	n := &replica{
		cfg: cfg, self: self, name: cfg.replicas[self],
		data:    map[string][]Version{},
		pending: map[uint64]*request{},
		suspect: make([]time.Duration, len(cfg.replicas)),
	}
	for i := range n.suspect {
		n.suspect[i] = trusted
	}
	return n
}

// Start reloads the durable store after a restart. Request numbers of each
// life start from mech.FirstRequest, so that a reply to a request the
// replica coordinated before a crash is never taken for a reply to a new
// request of the same number.
func (n *replica) Start(ctx *sim.Context) {
	store := ctx.Durable()
	n.nextReq = mech.FirstRequest(mech.Incarnation(ctx))
	// The data lives in the durable store itself: every write to it is on
	// disk at once, as apply's was when it saved each key after writing it.
	if v, ok := store.Get("data"); ok {
		n.data = v.(map[string][]Version)
	} else {
		store.Put("data", n.data)
	}
	for _, k := range store.Keys() {
		v, _ := store.Get(k)
		switch {
		case k == "hints":
			n.hints = v.([]hint)
		case k == "hint-seq":
			n.hintSeq = v.(uint64)
		case k == "counter":
			n.counter = v.(uint64)
		}
	}
	if len(n.hints) > 0 {
		n.armHandoff(ctx)
	}
}

// Receive handles one message. Any message from a replica proves it is
// reachable again, which ends the suspicion of it (Dynamo 4.8.1: failure
// detection is local and driven by traffic).
func (n *replica) Receive(ctx *sim.Context, from string, msg sim.Message) {
	n.now = ctx.Now()
	if i := n.cfg.index(from); i >= 0 {
		n.suspect[i] = trusted
	}
	switch m := msg.(type) {
	case Get:
		n.startRequest(ctx, from, m.Op, m.Key, nil)
	case Put:
		n.startRequest(ctx, from, m.Op, m.Key, n.newVersion(ctx, from, m))
	case Read:
		ctx.Send(from, ReadReply{Req: m.Req, Versions: n.data[m.Key]})
	case ReadReply:
		n.onReply(ctx, from, m.Req, m.Versions)
	case Write:
		n.onWrite(ctx, from, m)
	case WriteAck:
		n.onReply(ctx, from, m.Req, nil)
	case Handoff:
		n.apply(ctx, m.Key, m.Versions, "handoff")
		ctx.Send(from, HandoffAck{Key: m.Key, Seq: m.Seq})
	case HandoffAck:
		n.retireHint(ctx, from, m)
	}
}

// Timer handles the coordinator's request timers and the handoff timer.
func (n *replica) Timer(ctx *sim.Context, tag any) {
	n.now = ctx.Now()
	switch tag.(type) {
	case coordTick:
		n.onTick(ctx)
	case handoffTick:
		n.handing = false
		n.handoff(ctx)
	}
}

func (n *replica) onWrite(ctx *sim.Context, from string, m Write) {
	via := "write"
	if m.Repair {
		via = "repair"
	}
	n.apply(ctx, m.Key, m.Versions, via)
	if m.Hint != "" && m.Hint != n.name {
		n.addHint(ctx, m.Hint, m.Key)
	}
	if !m.Repair {
		ctx.Send(from, WriteAck{Req: m.Req})
	}
}

// apply reconciles incoming versions of key with the stored ones and keeps
// what survives. It reports whether the store changed.
//
// This is where data is thrown away. Under last-writer-wins the version with
// the earlier timestamp goes, even when its write happened later in real
// time, because the timestamp was read from a clock that may be wrong. The
// replica observes every such Discard of an incoming version, and of a stored
// one replaced by a repair or a handoff (a client's own write replacing an
// older one is the normal case and is not observed, to keep the history
// small); the lost-update checker decides which discards lost an
// acknowledged write.
//
// With version vectors a version goes when another descends from it. That is
// safe when the other's writer had seen it, and loses it otherwise (see
// Version.saw): the replica observes a BlindOverwrite then, whether the
// version lost was stored or incoming, and whichever path brought the other
// (a write, the coordinator's own, a read repair or a handoff). A repair or a
// handoff carries each version with its own writer's context, so it is
// observed only when it brings a blind overwrite to a replica that had never
// held both versions.
func (n *replica) apply(ctx *sim.Context, key string, in []Version, via string) bool {
	cur := n.data[key]
	merged := reconcile(n.cfg.vector, cur, in)
	if n.cfg.vector && len(cur) > 0 && len(in) > 0 {
		// reconcile returns a side whole when nothing of it was dropped:
		// the common case costs a comparison of two pointers.
		if !identical(merged, cur) {
			n.observeBlind(ctx, key, cur, in, merged)
		}
		if !identical(merged, in) {
			n.observeBlind(ctx, key, in, cur, merged)
		}
	}
	if sameVersions(merged, cur) {
		if !n.cfg.vector && len(in) > 0 && len(cur) > 0 && in[0].Value != cur[0].Value {
			ctx.Observe(check.Discard{Replica: n.name, Key: key, Value: in[0].Value, Kept: cur[0].Value})
		}
		return false
	}
	if !n.cfg.vector && via != "write" && len(cur) > 0 {
		ctx.Observe(check.Discard{Replica: n.name, Key: key, Value: cur[0].Value, Kept: merged[0].Value})
	}
	n.data[key] = merged // durable: see Start
	return true
}

// observeBlind observes a BlindOverwrite of each version of gone that did
// not survive into merged because versions of by descend from it, when none
// of their writers had seen it. Copies of one version (the same value) never
// count.
func (n *replica) observeBlind(ctx *sim.Context, key string, gone, by, merged []Version) {
	for i := range gone {
		u := &gone[i]
		if hasValue(merged, u.Value) {
			continue
		}
		kept, seen := "", false
		for j := range by {
			v := &by[j]
			if v.Value == u.Value || !v.Clock.descends(u.Clock) {
				continue
			}
			if seen = v.saw(u); seen {
				break
			}
			if kept == "" {
				kept = v.Value
			}
		}
		if !seen && kept != "" {
			ctx.Observe(BlindOverwrite{Replica: n.name, Key: key, Value: u.Value, Kept: kept})
		}
	}
}

// identical reports whether a and b are the same slice.
func identical(a, b []Version) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// addHint remembers to hand key's versions off to the replica they were
// meant for.
func (n *replica) addHint(ctx *sim.Context, home, key string) {
	n.hintSeq++
	ctx.Durable().Put("hint-seq", n.hintSeq)
	hints := slices.Clone(n.hints)
	i := slices.IndexFunc(hints, func(h hint) bool { return h.For == home && h.Key == key })
	if i < 0 {
		hints = append(hints, hint{For: home, Key: key, Seq: n.hintSeq})
	} else {
		hints[i].Seq = n.hintSeq // newer versions arrived: an older handoff no longer retires the hint
	}
	n.setHints(ctx, hints)
	n.armHandoff(ctx)
}

func (n *replica) setHints(ctx *sim.Context, hints []hint) {
	n.hints = hints
	ctx.Durable().Put("hints", hints)
}

func (n *replica) armHandoff(ctx *sim.Context) {
	if !n.handing {
		n.handing = true
		ctx.SetTimer(n.cfg.timeout, handoffTick{})
	}
}

// handoff sends every hinted key to the replica it is meant for; the hint
// stays until that replica acknowledges, so an unreachable one is retried.
func (n *replica) handoff(ctx *sim.Context) {
	for _, h := range n.hints {
		ctx.Send(h.For, Handoff{Key: h.Key, Versions: n.data[h.Key], Seq: h.Seq})
	}
	if len(n.hints) > 0 {
		n.armHandoff(ctx)
	}
}

// retireHint drops a hint its replica acknowledged and, once no hint keeps
// them, the versions of a key this replica is not a home replica of.
func (n *replica) retireHint(ctx *sim.Context, from string, m HandoffAck) {
	i := slices.IndexFunc(n.hints, func(h hint) bool { return h.For == from && h.Key == m.Key && h.Seq == m.Seq })
	if i < 0 {
		return
	}
	n.setHints(ctx, slices.Delete(slices.Clone(n.hints), i, i+1))
	if slices.ContainsFunc(n.hints, func(h hint) bool { return h.Key == m.Key }) || n.cfg.home(m.Key, n.self) {
		return
	}
	delete(n.data, m.Key) // durable: see Start
}

// ReplicaView is what the mechanism panel shows of a replica.
type ReplicaView struct {
	Keys      []KeyView  `json:"keys"`
	Hints     []HintView `json:"hints,omitempty"`
	Suspected []string   `json:"suspected,omitempty"` // believed down, as of its last event
	Pending   int        `json:"pending"`             // requests it is coordinating
}

// KeyView is one stored key: its versions, and whether this replica is one
// of its n home replicas or holds it as a stand-in.
type KeyView struct {
	Key      string        `json:"key"`
	Home     bool          `json:"home"`
	Versions []VersionView `json:"versions"`
}

// VersionView is one stored version.
type VersionView struct {
	Value  string   `json:"value"`
	TS     string   `json:"ts,omitempty"` // last-writer-wins timestamp, on the writer's clock
	Writer string   `json:"writer,omitempty"`
	Clock  []uint64 `json:"clock,omitempty"`
	Seen   []uint64 `json:"seen,omitempty"` // the context its writer's put carried
}

// HintView is versions of a key held for another replica.
type HintView struct {
	Key string `json:"key"`
	For string `json:"for"`
}

// Inspect shows the stored keys, hints and suspicions.
func (n *replica) Inspect() any {
	v := ReplicaView{Pending: len(n.pending)}
	keys := make([]string, 0, len(n.data))
	for k := range n.data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kv := KeyView{Key: k, Home: n.cfg.home(k, n.self)}
		for _, ver := range n.data[k] {
			vv := VersionView{Value: ver.Value, Clock: ver.Clock, Seen: ver.Seen}
			if !n.cfg.vector {
				vv.TS, vv.Writer = ver.TS.String(), ver.Writer
			}
			kv.Versions = append(kv.Versions, vv)
		}
		v.Keys = append(v.Keys, kv)
	}
	for _, h := range n.hints {
		v.Hints = append(v.Hints, HintView{Key: h.Key, For: h.For})
	}
	for i, until := range n.suspect {
		if n.now < until {
			v.Suspected = append(v.Suspected, n.cfg.replicas[i])
		}
	}
	return v
}
