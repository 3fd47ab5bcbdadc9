package redlock_test

import (
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/redlock"
)

// TestRestartedClientIgnoresOldReply: client-1 sends its first SET to
// redis-1, which is paused, and is restarted before the answer comes. A real
// restarted process has new connections, so the OK that redis-1 sends when
// it resumes never reaches it; here it arrives while the new process's own
// first attempt is outstanding, and must not count for it: the key holds the
// previous life's value.
//
// Counted, it is a false grant. Whether it also breaks mutual exclusion
// depends on when the new attempt started: the process measures its
// validity from there, while redis-1 expires the key ttl after it set it.
// If redis-1 set the key after the attempt started, the validity ends first
// (harmless); if the attempt started later than that by more than the drift
// allowance (here the restarted client is paused for 60ms before it starts,
// as a think time would do), it trusts the lock after the key has expired and
// client-2 has taken it.
func TestRestartedClientIgnoresOldReply(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		pause bool // pause the restarted client-1 until after redis-1 resumes
	}{
		{name: "redis-1 sets the key after the new attempt started"},
		{name: "the new attempt starts after redis-1 set the key", pause: true},
	}
	for _, tt := range tests {
		faults := []sim.Fault{
			{At: 0, Kind: sim.FaultIsolate, Node: "client-2"}, // client-1 asks alone
			{At: 0, Kind: sim.FaultPause, Node: "redis-1"},    // holds client-1's first SET
			{At: 30 * ms, Kind: sim.FaultCrash, Node: "client-1"},
			{At: 40 * ms, Kind: sim.FaultRestart, Node: "client-1"},
			{At: 50 * ms, Kind: sim.FaultResume, Node: "redis-1"}, // sets the key, answers OK
			{At: 200 * ms, Kind: sim.FaultHeal},
		}
		if tt.pause {
			faults = append(faults, sim.Fault{At: 40 * ms, Kind: sim.FaultPause, Node: "client-1", For: 60 * ms})
		}
		const expiry = 1050 * time.Millisecond // of the previous life's key
		w, vs := run(t, 1, 3*time.Second, sim.Network{Latency: sim.Latency{Min: ms, Max: ms}}, faults,
			"masters", "1", "clients", "2", "ttl", "1s", "drift_factor", "0", "retry", "5ms", "hold", "5s", "think", "0s")
		after := false
		for _, o := range w.History() {
			if g, ok := o.Value.(check.LockAcquired); ok {
				after = after || o.At >= expiry
				if o.At < expiry {
					t.Errorf("%s: %s was granted the lock at %v, while redis-1 held its previous life's value until %v", tt.name, g.Client, o.At, expiry)
				}
			}
		}
		for _, v := range vs {
			t.Errorf("%s: %s: %s", tt.name, v.Invariant, v.Detail)
		}
		if !after {
			t.Errorf("%s: nobody was granted the lock after the previous life's key expired: the schedule tests nothing", tt.name)
		}
	}
}

// TestAttemptString: a restarted client's attempts read as their count
// within its incarnation, and the first incarnation's as before.
func TestAttemptString(t *testing.T) {
	tests := []struct {
		a    redlock.Attempt
		want string
	}{
		{1, "1"},
		{redlock.Attempt(mech.FirstRequest(2)) + 1, "1@life2"},
		{redlock.Attempt(mech.FirstRequest(4)) + 30, "30@life4"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("Attempt(%d).String() = %q, want %q", uint64(tt.a), got, tt.want)
		}
	}
}
