package dblock

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/lock/locktest"
	"coordlab/sim/mech/lock/replica"
)

const ms = time.Millisecond

type scriptStep struct {
	at   time.Duration
	from string
	to   string // "" means db-1
	msg  sim.Message
}

// serverCase is one script against db-1 (and db-2 with replica) and the
// answers the clients must get, in order.
type serverCase struct {
	name    string
	replica bool
	steps   []scriptStep
	faults  []sim.Fault
	want    []string
}

func insert(req int, owner string, expiry time.Duration) Insert {
	return Insert{Req: req, Name: Name, Owner: owner, Expiry: expiry}
}

func reply(to string, m any) string { return fmt.Sprintf("%s %+v", to, m) }

func runServerCase(t *testing.T, tc serverCase) *locktest.Harness {
	t.Helper()
	h := locktest.New(5 * time.Second)
	servers := []string{"db-1"}
	if tc.replica {
		servers = append(servers, "db-2")
	}
	for _, name := range servers {
		h.Server(name, func() sim.Node { return newServer(servers) })
	}
	for _, s := range tc.steps {
		to := s.to
		if to == "" {
			to = "db-1"
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
	return h
}

func TestServerStatements(t *testing.T) {
	c1, c2 := "client-1", "client-2"
	for _, tc := range []serverCase{
		{name: "INSERT into a free lock", steps: []scriptStep{{0, c1, "", insert(1, "client-1#1", 0)}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1})}},
		{name: "a second INSERT is a duplicate key", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)}, {10 * ms, c2, "", insert(1, "client-2#1", 0)}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, InsertReply{Req: 1})}},
		{name: "the release deletes only the owner's row", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)},
			{10 * ms, c2, "", Delete{Req: 2, Name: Name, Owner: "client-2#1"}},
			{20 * ms, c1, "", Delete{Req: 2, Name: Name, Owner: "client-1#1"}},
			{30 * ms, c2, "", insert(3, "client-2#1", 0)}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, DeleteReply{Req: 2}),
				reply(c1, DeleteReply{Req: 2, Rows: 1}), reply(c2, InsertReply{Req: 3, OK: true, ID: 2})}},
		{name: "SELECT finds the row and its owner", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)}, {10 * ms, c1, "", Select{Req: 2, Name: Name}}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c1, SelectReply{Req: 2, Found: true, ID: 1, Owner: "client-1#1"})}},
		// The INSERT lands at 1ms: expires_at is 101ms on db-1's clock.
		{name: "an unexpired row is not deleted", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 100*ms)}, {99 * ms, c2, "", DeleteExpired{Req: 1, Name: Name}}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, DeleteReply{Req: 1})}},
		{name: "an expired row is deleted by a waiting client", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 100*ms)}, {101 * ms, c2, "", DeleteExpired{Req: 1, Name: Name}},
			{110 * ms, c2, "", insert(2, "client-2#1", 100*ms)}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, DeleteReply{Req: 1, Rows: 1}),
				reply(c2, InsertReply{Req: 2, OK: true, ID: 2})}},
		{name: "a row without expires_at never expires", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)}, {4 * time.Second, c2, "", DeleteExpired{Req: 1, Name: Name}}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, DeleteReply{Req: 1})}},
		{name: "a clock jump on db-1 expires a row early", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", time.Second)}, {200 * ms, c2, "", DeleteExpired{Req: 1, Name: Name}}},
			faults: []sim.Fault{{At: 100 * ms, Kind: sim.FaultClockJump, Node: "db-1", Jump: 2 * time.Second}},
			want:   []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, DeleteReply{Req: 1, Rows: 1})}},
		{name: "the row and the id counter survive a restart", steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)}, {200 * ms, c2, "", insert(1, "client-2#1", 0)},
			{300 * ms, c1, "", Delete{Req: 2, Name: Name, Owner: "client-1#1"}}, {400 * ms, c2, "", insert(2, "client-2#1", 0)}},
			faults: []sim.Fault{{At: 100 * ms, Kind: sim.FaultRestart, Node: "db-1"}},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, InsertReply{Req: 1}),
				reply(c1, DeleteReply{Req: 2, Rows: 1}), reply(c2, InsertReply{Req: 2, OK: true, ID: 2})}},
	} {
		t.Run(tc.name, func(t *testing.T) { runServerCase(t, tc) })
	}
}

func TestServerReplication(t *testing.T) {
	c1, c2 := "client-1", "client-2"
	crash := sim.Fault{At: 100 * ms, Kind: sim.FaultCrash, Node: "db-1"}
	for _, tc := range []serverCase{
		{name: "a replica refuses writes and names the primary", replica: true, steps: []scriptStep{
			{0, c1, "db-2", insert(1, "client-1#1", 0)}},
			want: []string{reply(c1, replica.ReadOnly{Primary: "db-1"})}},
		{name: "the promoted replica has the replicated row and counter", replica: true, steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)}, {1500 * ms, c2, "db-2", insert(1, "client-2#1", 0)},
			{1600 * ms, c1, "db-2", Delete{Req: 2, Name: Name, Owner: "client-1#1"}}, {1700 * ms, c2, "db-2", insert(2, "client-2#1", 0)}},
			faults: []sim.Fault{crash},
			want: []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, InsertReply{Req: 1}),
				reply(c1, DeleteReply{Req: 2, Rows: 1}), reply(c2, InsertReply{Req: 2, OK: true, ID: 2})}},
		{name: "a row that never reached the replica is lost and its id reused", replica: true, steps: []scriptStep{
			{0, c1, "", insert(1, "client-1#1", 0)}, {1500 * ms, c2, "db-2", insert(1, "client-2#1", 0)}},
			faults: []sim.Fault{{Kind: sim.FaultCut, From: "db-1", To: "db-2"}, crash},
			want:   []string{reply(c1, InsertReply{Req: 1, OK: true, ID: 1}), reply(c2, InsertReply{Req: 1, OK: true, ID: 1})}},
	} {
		t.Run(tc.name, func(t *testing.T) { runServerCase(t, tc) })
	}
}

func TestServerInspect(t *testing.T) {
	h := locktest.New(2 * time.Second)
	h.Server("db-1", func() sim.Node { return newServer([]string{"db-1"}) })
	h.Send(0, "client-1", "db-1", insert(1, "client-1#1", time.Second))
	// A later statement keeps the world from finishing early: sim.World's
	// RunUntil jumps to the end of the run when no event is left.
	h.Send(1500*ms, "client-1", "db-1", Select{Req: 2, Name: Name})
	if err := h.W.RunUntil(300 * ms); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(h.Inspect("db-1"))
	if err != nil {
		t.Fatal(err)
	}
	// The INSERT landed at 1ms: expires_at is 701ms away at 300ms.
	want := `{"role":"primary","locks":[{"id":1,"name":"lock","owner":"client-1#1","expires_in_ms":701,"expired":false}],"auto_increment":1}`
	if string(got) != want {
		t.Errorf("inspect:\n  got  %s\n  want %s", got, want)
	}
}
