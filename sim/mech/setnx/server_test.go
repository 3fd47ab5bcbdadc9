package setnx

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/lock/locktest"
	"coordlab/sim/mech/lock/replica"
)

const ms = time.Millisecond

type step struct {
	at   time.Duration
	from string
	to   string // "" means redis-1
	msg  sim.Message
}

// serverCase is one script against redis-1 (and redis-2 with replica), the
// answers the clients must get, in order, and the locks deleted.
type serverCase struct {
	name        string
	persistence string
	replica     bool
	steps       []step
	faults      []sim.Fault
	want        []string
	deleted     []check.LockDeleted
}

func set(v string, px time.Duration) Set { return Set{Key: Key, Value: v, PX: px} }
func fenced(v string, px time.Duration) Set {
	return Set{Key: Key, Value: v, PX: px, Fence: true}
}
func cad(v string) Del              { return Del{Key: Key, Value: v, CAD: true} }
func del(v string) Del              { return Del{Key: Key, Value: v} }
func ok(to, v string) string        { return fmt.Sprintf("%s %+v", to, SetReply{Value: v, OK: true}) }
func no(to, v string) string        { return fmt.Sprintf("%s %+v", to, SetReply{Value: v}) }
func reply(to string, m any) string { return fmt.Sprintf("%s %+v", to, m) }

func runServerCase(t *testing.T, tc serverCase) *locktest.Harness {
	t.Helper()
	h := locktest.New(5 * time.Second)
	servers := []string{"redis-1"}
	if tc.replica {
		servers = append(servers, "redis-2")
	}
	persistence := tc.persistence
	if persistence == "" {
		persistence = "none"
	}
	for _, name := range servers {
		h.Server(name, func() sim.Node { return newServer(persistence, servers) })
	}
	for _, s := range tc.steps {
		to := s.to
		if to == "" {
			to = "redis-1"
		}
		h.Send(s.at, s.from, to, s.msg)
	}
	for _, f := range tc.faults {
		h.Fault(f)
	}
	h.Run()
	var got []string
	for _, r := range h.Replies {
		if _, isPing := r.Msg.(replica.Ping); !isPing {
			got = append(got, reply(r.To, r.Msg))
		}
	}
	if !slices.Equal(got, tc.want) {
		t.Errorf("answers:\n  got  %q\n  want %q", got, tc.want)
	}
	if deleted := locktest.Observed[check.LockDeleted](h); !slices.Equal(deleted, tc.deleted) {
		t.Errorf("deleted locks: got %+v, want %+v", deleted, tc.deleted)
	}
	return h
}

func TestServerCommands(t *testing.T) {
	c1, c2 := "client-1", "client-2"
	for _, tc := range []serverCase{
		{name: "SET NX on a free key", steps: []step{{0, c1, "", set("a", time.Second)}},
			want: []string{ok(c1, "a")}},
		{name: "SET NX on a taken key", steps: []step{
			{0, c1, "", set("a", time.Second)}, {10 * ms, c2, "", set("b", time.Second)}},
			want: []string{ok(c1, "a"), no(c2, "b")}},
		// The SET lands at 1ms, so the key expires at 101ms on redis-1's clock.
		{name: "just before the TTL the key is still there", steps: []step{
			{0, c1, "", set("a", 100*ms)}, {99 * ms, c2, "", set("b", time.Second)}},
			want: []string{ok(c1, "a"), no(c2, "b")}},
		{name: "at the TTL the key is gone (lazy expiry)", steps: []step{
			{0, c1, "", set("a", 100*ms)}, {100 * ms, c2, "", set("b", time.Second)}},
			want: []string{ok(c1, "a"), ok(c2, "b")}},
		{name: "compare-and-delete by the owner", steps: []step{
			{0, c1, "", set("a", time.Second)}, {10 * ms, c1, "", cad("a")}, {20 * ms, c2, "", set("b", time.Second)}},
			want:    []string{ok(c1, "a"), reply(c1, DelReply{Value: "a", Deleted: 1}), ok(c2, "b")},
			deleted: []check.LockDeleted{{Server: "redis-1", Owner: c1, By: c1}}},
		{name: "compare-and-delete by another client deletes nothing", steps: []step{
			{0, c1, "", set("a", time.Second)}, {10 * ms, c2, "", cad("b")}, {20 * ms, c2, "", set("b", time.Second)}},
			want: []string{ok(c1, "a"), reply(c2, DelReply{Value: "b"}), no(c2, "b")}},
		{name: "plain DEL by another client deletes the lock", steps: []step{
			{0, c1, "", set("a", time.Second)}, {10 * ms, c2, "", del("b")}},
			want:    []string{ok(c1, "a"), reply(c2, DelReply{Value: "b", Deleted: 1})},
			deleted: []check.LockDeleted{{Server: "redis-1", Owner: c1, By: c2}}},
		{name: "fencing tokens count up", steps: []step{
			{0, c1, "", fenced("a", time.Second)}, {10 * ms, c1, "", cad("a")}, {20 * ms, c2, "", fenced("b", time.Second)}},
			want: []string{reply(c1, SetReply{Value: "a", OK: true, Token: 1}), reply(c1, DelReply{Value: "a", Deleted: 1}),
				reply(c2, SetReply{Value: "b", OK: true, Token: 2})},
			deleted: []check.LockDeleted{{Server: "redis-1", Owner: c1, By: c1}}},
		{name: "a renewal extends the owner's TTL", steps: []step{
			{0, c1, "", set("a", 100*ms)}, {50 * ms, c1, "", Renew{Key: Key, Value: "a", PX: 100 * ms}},
			{120 * ms, c2, "", set("b", time.Second)}, {200 * ms, c2, "", set("b", time.Second)}},
			want: []string{ok(c1, "a"), reply(c1, RenewReply{Value: "a", OK: true}), no(c2, "b"), ok(c2, "b")}},
		{name: "another client's renewal is refused", steps: []step{
			{0, c1, "", set("a", time.Second)}, {10 * ms, c2, "", Renew{Key: Key, Value: "b", PX: time.Second}}},
			want: []string{ok(c1, "a"), reply(c2, RenewReply{Value: "b"})}},
		{name: "a clock jump on redis-1 expires the key early", steps: []step{
			{0, c1, "", set("a", time.Second)}, {200 * ms, c2, "", set("b", time.Second)}},
			faults: []sim.Fault{{At: 100 * ms, Kind: sim.FaultClockJump, Node: "redis-1", Jump: 2 * time.Second}},
			want:   []string{ok(c1, "a"), ok(c2, "b")}},
	} {
		t.Run(tc.name, func(t *testing.T) { runServerCase(t, tc) })
	}
}

func TestServerExpireCycle(t *testing.T) {
	// Nobody touches the key: the active cycle deletes it within 100ms of its
	// TTL on redis-1's clock.
	h := runServerCase(t, serverCase{steps: []step{{0, "client-1", "", set("a", 300*ms)}},
		want: []string{ok("client-1", "a")}})
	var at sim.Time
	for _, o := range h.W.History() {
		if _, ok := o.Value.(Expired); ok {
			at = o.At
		}
	}
	if at < 301*ms || at > 401*ms {
		t.Errorf("the key expired at %v, want within 100ms after 301ms", at)
	}
}

func TestServerPersistence(t *testing.T) {
	c1, c2 := "client-1", "client-2"
	restart := func(at time.Duration) []sim.Fault {
		return []sim.Fault{{At: at, Kind: sim.FaultRestart, Node: "redis-1"}}
	}
	for _, tc := range []serverCase{
		{name: "none forgets the lock and the counter", persistence: "none", steps: []step{
			{0, c1, "", fenced("a", 10*time.Second)}, {200 * ms, c2, "", fenced("b", 10*time.Second)}},
			faults: restart(100 * ms),
			want: []string{reply(c1, SetReply{Value: "a", OK: true, Token: 1}),
				reply(c2, SetReply{Value: "b", OK: true, Token: 1})}},
		{name: "always keeps the lock and the counter", persistence: "always", steps: []step{
			{0, c1, "", fenced("a", 10*time.Second)}, {200 * ms, c2, "", fenced("b", 10*time.Second)},
			{300 * ms, c1, "", cad("a")}, {400 * ms, c2, "", fenced("b", 10*time.Second)}},
			faults: restart(100 * ms),
			want: []string{reply(c1, SetReply{Value: "a", OK: true, Token: 1}), no(c2, "b"),
				reply(c1, DelReply{Value: "a", Deleted: 1}), reply(c2, SetReply{Value: "b", OK: true, Token: 2})},
			deleted: []check.LockDeleted{{Server: "redis-1", Owner: c1, By: c1}}},
		{name: "everysec loses the last second", persistence: "everysec", steps: []step{
			{0, c1, "", set("a", 10*time.Second)}, {600 * ms, c2, "", set("b", 10*time.Second)}},
			faults: restart(500 * ms),
			want:   []string{ok(c1, "a"), ok(c2, "b")}},
		{name: "everysec keeps what it saved", persistence: "everysec", steps: []step{
			{0, c1, "", set("a", 10*time.Second)}, {1600 * ms, c2, "", set("b", 10*time.Second)}},
			faults: restart(1500 * ms),
			want:   []string{ok(c1, "a"), no(c2, "b")}},
		{name: "a key that expired while the server was down is gone", persistence: "always", steps: []step{
			{0, c1, "", set("a", 300*ms)}, {600 * ms, c2, "", set("b", time.Second)}},
			faults: []sim.Fault{{At: 100 * ms, Kind: sim.FaultCrash, Node: "redis-1"}, {At: 500 * ms, Kind: sim.FaultRestart, Node: "redis-1"}},
			want:   []string{ok(c1, "a"), ok(c2, "b")}},
	} {
		t.Run(tc.name, func(t *testing.T) { runServerCase(t, tc) })
	}
}

func TestServerReplication(t *testing.T) {
	c1, c2 := "client-1", "client-2"
	crash := sim.Fault{At: 100 * ms, Kind: sim.FaultCrash, Node: "redis-1"}
	for _, tc := range []serverCase{
		{name: "a replica refuses writes and names the primary", replica: true, steps: []step{
			{0, c1, "redis-2", set("a", time.Second)}},
			want: []string{reply(c1, replica.ReadOnly{Primary: "redis-1"})}},
		{name: "the promoted replica has the replicated lock", replica: true, steps: []step{
			{0, c1, "", set("a", 10*time.Second)}, {1500 * ms, c2, "redis-2", set("b", time.Second)}},
			faults: []sim.Fault{crash},
			want:   []string{ok(c1, "a"), no(c2, "b")}},
		{name: "the promoted replica expires the lock on its own clock", replica: true, steps: []step{
			{0, c1, "", set("a", 1500*ms)}, {1200 * ms, c2, "redis-2", set("b", time.Second)},
			{1600 * ms, c2, "redis-2", set("b", time.Second)}},
			faults: []sim.Fault{crash},
			want:   []string{ok(c1, "a"), no(c2, "b"), ok(c2, "b")}},
		{name: "a lock that never reached the replica is lost", replica: true, steps: []step{
			{0, c1, "", set("a", 10*time.Second)}, {1500 * ms, c2, "redis-2", set("b", time.Second)}},
			faults: []sim.Fault{{Kind: sim.FaultCut, From: "redis-1", To: "redis-2"}, crash},
			want:   []string{ok(c1, "a"), ok(c2, "b")}},
		{name: "a replica resyncs after a lost write", replica: true, steps: []step{
			{0, c1, "", set("a", 10*time.Second)}, {1500 * ms, c2, "redis-2", set("b", time.Second)}},
			// The SET's replication is lost; the next ping shows the gap.
			faults: []sim.Fault{{Kind: sim.FaultCut, From: "redis-1", To: "redis-2"},
				{At: 50 * ms, Kind: sim.FaultHeal}, {At: 300 * ms, Kind: sim.FaultCrash, Node: "redis-1"}},
			want: []string{ok(c1, "a"), no(c2, "b")}},
		{name: "the old primary steps down and takes the new one's keyspace", replica: true, steps: []step{
			{0, c1, "", set("a", 10*time.Second)}, {3 * time.Second, c2, "redis-1", set("b", time.Second)},
			{3 * time.Second, c2, "redis-2", set("b", time.Second)}},
			// Isolated from 100ms, redis-2 promotes itself at 1.1s with a's
			// lock; redis-1 keeps granting alone until the heal.
			faults: []sim.Fault{{At: 100 * ms, Kind: sim.FaultIsolate, Node: "redis-2"}, {At: 2 * time.Second, Kind: sim.FaultHeal}},
			want:   []string{ok(c1, "a"), reply(c2, replica.ReadOnly{Primary: "redis-2"}), no(c2, "b")}},
	} {
		t.Run(tc.name, func(t *testing.T) { runServerCase(t, tc) })
	}
}

func TestServerInspect(t *testing.T) {
	h := locktest.New(2 * time.Second)
	servers := []string{"redis-1", "redis-2"}
	for _, name := range servers {
		h.Server(name, func() sim.Node { return newServer("always", servers) })
	}
	h.Send(0, "client-1", "redis-1", fenced("a", time.Second))
	if err := h.W.RunUntil(300 * ms); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(h.Inspect("redis-1"))
	if err != nil {
		t.Fatal(err)
	}
	// The SET landed at 1ms: 701ms of the TTL are left at 300ms.
	want := `{"role":"primary","keys":[{"key":"lock","value":"a","owner":"client-1","pttl":701}],"fencing_counter":1,` +
		`"persistence":"always","replication":{"role":"primary","epoch":0,"offset":2}}`
	if string(got) != want {
		t.Errorf("inspect:\n  got  %s\n  want %s", got, want)
	}
}
