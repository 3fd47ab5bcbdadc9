package zklock_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech"
	"coordlab/sim/mech/zklock"
)

// A real restarted process has new connections, so answers to requests its
// crashed predecessor sent never reach it; in the simulation they can, and
// the tests below deliver one to a restarted client-1 whose own request of
// the same number, on a connection attempt of the same number to the same
// server, is outstanding. The ensemble is zk-1 alone, so that both lives use
// the same server.

// TestRestartedClientIgnoresOldCreate: client-1's first create is slow to
// reach zk-1 (the latency is 100ms while it travels) and client-1 restarts
// meanwhile. The new process connects (a new session) and sends its own
// create, which a cut drops; then zk-1 answers the old create on the old
// session's connection. Taken for the new process's create, it makes the
// previous life's znode its own: it holds the lock through a node of a
// session nobody keeps alive, and when that session expires client-2, which
// waits behind that node, takes the lock too.
func TestRestartedClientIgnoresOldCreate(t *testing.T) {
	ms := time.Millisecond
	lat := func(d time.Duration) sim.Latency { return sim.Latency{Min: d, Max: d} }
	faults := []sim.Fault{
		{At: 0, Kind: sim.FaultPause, Node: "client-2", For: 200 * ms}, // client-1 asks first
		// client-1 connects at 0-1ms and sends its create at 20-21ms.
		{At: 15 * ms, Kind: sim.FaultLatency, Latency: lat(100 * ms)}, // the create reaches zk-1 at 120-121ms
		{At: 25 * ms, Kind: sim.FaultCrash, Node: "client-1"},
		{At: 30 * ms, Kind: sim.FaultLatency, Latency: lat(10 * ms)},
		{At: 80 * ms, Kind: sim.FaultRestart, Node: "client-1"}, // connected again at 100-101ms
		{At: 95 * ms, Kind: sim.FaultCut, From: "client-1", To: "zk-1"},
		{At: 115 * ms, Kind: sim.FaultHeal}, // the new create was dropped at 110-111ms; the old create arrives
	}
	w, vs := run(t, 1, 12*time.Second, sim.Network{Latency: lat(10 * ms)}, faults,
		"ensemble", "1", "clients", "2", "think", "0s", "hold", "10s")
	for _, v := range vs {
		t.Errorf("%s: %s", v.Invariant, v.Detail)
	}
	// The previous life's znode, created at 120ms, comes first: nobody
	// holds the lock before its session expires (4s after it was last
	// heard from, at the leader's next tick).
	if at := acquiredAt(w.History()); len(at) == 0 || at[0] < 4*time.Second {
		t.Fatalf("grants at %v: want the first after 4s, when the previous life's znode went with its session (none at all: the schedule tests nothing)", at)
	}
}

// TestRestartedClientIgnoresOldSession: zk-1 is paused while both lives of
// client-1 ask it for a session. When it resumes it opens one for each and
// answers both; the new process must take the one its own connect opened,
// not its predecessor's, which must expire as the predecessor's session
// does in ZooKeeper.
func TestRestartedClientIgnoresOldSession(t *testing.T) {
	ms := time.Millisecond
	faults := []sim.Fault{
		{At: 0, Kind: sim.FaultPause, Node: "zk-1"},
		{At: 10 * ms, Kind: sim.FaultRestart, Node: "client-1"},
		{At: 20 * ms, Kind: sim.FaultResume, Node: "zk-1"},
	}
	w, vs := run(t, 1, 10*time.Second, sim.Network{Latency: sim.Latency{Min: ms, Max: ms}}, faults,
		"ensemble", "1", "clients", "1", "think", "0s", "hold", "100ms")
	for _, v := range vs {
		t.Errorf("%s: %s", v.Invariant, v.Detail)
	}
	// zk-1 opens the predecessor's session first, 0x100000001, then the new
	// process's: only that one must still be alive.
	own := zklock.FormatZxid(zklock.Zxid(1, 2))
	var alive []string
	for _, ss := range w.Snapshot().Nodes[0].State.(zklock.ServerState).Sessions {
		alive = append(alive, ss.ID)
	}
	if len(alive) != 1 || alive[0] != own {
		t.Errorf("sessions %v alive at the end; want only %s, the one the restarted client-1's connect opened", alive, own)
	}
	if n := len(acquiredAt(w.History())); n < 10 {
		t.Errorf("client-1 was granted the lock %d times in 10s; want it to go on working in its session", n)
	}
}

// TestNumberString: a restarted client's numbers read as their count within
// its incarnation, and the first incarnation's as before.
func TestNumberString(t *testing.T) {
	tests := []struct {
		n    zklock.Number
		want string
	}{
		{0, "0"},
		{3, "3"},
		{zklock.Number(mech.FirstRequest(2)) + 1, "1@life2"},
		{zklock.Number(mech.FirstRequest(3)) + 12, "12@life3"},
	}
	for _, tt := range tests {
		if got := tt.n.String(); got != tt.want {
			t.Errorf("Number(%d).String() = %q, want %q", int64(tt.n), got, tt.want)
		}
	}
}
