package lock_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
	"coordlab/sim/mech/lock"
	"coordlab/sim/mech/lock/locktest"
)

const ms = time.Millisecond

// fake is a protocol without servers: it grants 10ms after being asked,
// with tokens counting up, and can be told to lose the lock.
type fake struct {
	next     *int64 // shared token counter
	releases *int
	loseAt   time.Duration // lose the lock this long into the hold; 0: never
	twice    bool          // call Granted twice
}

type grantNow struct{}
type loseNow struct{}

func (f *fake) Acquire(c *lock.Client)                    { c.Ctx().SetTimer(10*ms, grantNow{}) }
func (f *fake) Release(c *lock.Client)                    { *f.releases++ }
func (f *fake) Receive(*lock.Client, string, sim.Message) {}
func (f *fake) Timer(c *lock.Client, tag any) {
	switch tag.(type) {
	case grantNow:
		*f.next++
		c.Granted(*f.next)
		if f.twice {
			c.Granted(*f.next + 100)
		}
		if f.loseAt > 0 {
			c.Ctx().SetTimer(f.loseAt, loseNow{})
		}
	case loseNow:
		c.Lost()
	}
}

type world struct {
	w        *sim.World
	next     int64
	releases int
}

// newWorld builds client-N and storage-1 over the fake protocol.
func newWorld(t *testing.T, duration time.Duration, kv map[string]string, proto fake) *world {
	t.Helper()
	m := &mech.Mechanism{Name: "fake", Params: lock.Params("1", true)}
	p := m.Defaults()
	for k, v := range kv {
		spec, _ := m.Param(k)
		val, err := spec.Parse(v)
		if err != nil {
			t.Fatal(err)
		}
		p[k] = val
	}
	wd := &world{w: sim.New(sim.Config{Seed: 1, Duration: duration, Network: sim.Network{Latency: sim.Latency{Min: ms, Max: ms}}})}
	err := lock.AddNodes(wd.w, p, func(string) lock.Protocol {
		f := proto
		f.next, f.releases = &wd.next, &wd.releases
		return &f
	})
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func (wd *world) run(t *testing.T, faults ...sim.Fault) []string {
	t.Helper()
	for _, f := range faults {
		if err := wd.w.Schedule(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := wd.w.Run(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range wd.w.History() {
		if _, end := o.Value.(sim.End); !end {
			lines = append(lines, fmt.Sprintf("%v %T%+v", o.At.Round(ms), o.Value, o.Value))
		}
	}
	return lines
}

func TestClientLoop(t *testing.T) {
	wd := newWorld(t, 650*ms, map[string]string{"hold": "200ms", "think": "100ms"}, fake{})
	got := wd.run(t)
	// client-1 starts after a random delay of at most think+1ms: 42ms here.
	// It holds for 200ms, writes (storage is 1ms away), releases, thinks
	// for 100ms and asks again.
	want := []string{
		"42ms check.LockRequested{Client:client-1 Acq:1}",
		"52ms check.LockAcquired{Client:client-1 Acq:1 Token:1}",
		"252ms check.LockReleased{Client:client-1 Acq:1 Lost:false}",
		"253ms check.StorageWrite{Client:client-1 Acq:1 Token:0 Accepted:true}",
		"352ms check.LockRequested{Client:client-1 Acq:2}",
		"362ms check.LockAcquired{Client:client-1 Acq:2 Token:2}",
		"562ms check.LockReleased{Client:client-1 Acq:2 Lost:false}",
		"563ms check.StorageWrite{Client:client-1 Acq:2 Token:0 Accepted:true}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("history:\n  got  %q\n  want %q", got, want)
	}
	if wd.releases != 2 || wd.w.Metrics()["acquisitions"] != 2 {
		t.Errorf("%d releases, %v acquisitions; want 2 and 2", wd.releases, wd.w.Metrics()["acquisitions"])
	}
}

// TestPausedHolderWritesOnResume is the workload's unsafe step: a holder
// paused past its hold time writes the moment it resumes, with its old token.
func TestPausedHolderWritesOnResume(t *testing.T) {
	wd := newWorld(t, 3*time.Second, map[string]string{"fencing": "true"}, fake{})
	got := wd.run(t, sim.Fault{At: 100 * ms, Kind: sim.FaultPause, Node: "holder", For: 2 * time.Second})
	want := "2.101s check.StorageWrite{Client:client-1 Acq:1 Token:1 Accepted:true}"
	if !slices.Contains(got, want) {
		t.Errorf("history %q lacks %q", got, want)
	}
}

func TestLostGivesUpWithoutWriting(t *testing.T) {
	wd := newWorld(t, 300*ms, nil, fake{loseAt: 50 * ms})
	got := wd.run(t)
	want := []string{
		"42ms check.LockRequested{Client:client-1 Acq:1}",
		"52ms check.LockAcquired{Client:client-1 Acq:1 Token:1}",
		"102ms check.LockReleased{Client:client-1 Acq:1 Lost:true}",
		"202ms check.LockRequested{Client:client-1 Acq:2}",
		"212ms check.LockAcquired{Client:client-1 Acq:2 Token:2}",
		"262ms check.LockReleased{Client:client-1 Acq:2 Lost:true}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("history:\n  got  %q\n  want %q", got, want)
	}
	if wd.releases != 0 || wd.w.Metrics()["lost-locks"] != 2 {
		t.Errorf("%d releases, %v lost-locks; want 0 and 2", wd.releases, wd.w.Metrics()["lost-locks"])
	}
}

func TestGrantedOnlyWhileWaiting(t *testing.T) {
	wd := newWorld(t, 200*ms, nil, fake{twice: true})
	got := wd.run(t)
	want := []string{
		"42ms check.LockRequested{Client:client-1 Acq:1}",
		"52ms check.LockAcquired{Client:client-1 Acq:1 Token:1}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("history:\n  got  %q\n  want %q", got, want)
	}
}

// TestRestart: a crashed holder no longer stands for "holder" once it
// restarts — a pause of the holder waits until somebody holds the lock
// again — and it numbers its acquisitions on from where it was.
func TestRestart(t *testing.T) {
	wd := newWorld(t, 1*time.Second, map[string]string{"hold": "500ms"}, fake{})
	got := wd.run(t,
		sim.Fault{At: 200 * ms, Kind: sim.FaultCrash, Node: "client-1"},
		sim.Fault{At: 300 * ms, Kind: sim.FaultRestart, Node: "client-1"},
		sim.Fault{At: 350 * ms, Kind: sim.FaultPause, Node: "holder", For: 100 * ms})
	for _, want := range []string{
		"371ms check.LockRequested{Client:client-1 Acq:2}",
		"381ms check.LockAcquired{Client:client-1 Acq:2 Token:2}",
		"381ms sim.FaultEvent{Kind:pause Node:client-1}",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("history %q lacks %q", got, want)
		}
	}
}

func TestStorageFencing(t *testing.T) {
	for _, tc := range []struct {
		fencing bool
		want    []bool
	}{
		{fencing: true, want: []bool{true, false, true, true, false}},
		{fencing: false, want: []bool{true, true, true, true, true}},
	} {
		t.Run(fmt.Sprintf("fencing=%v", tc.fencing), func(t *testing.T) {
			h := locktest.New(time.Second)
			h.Server(lock.StorageName, func() sim.Node { return lock.NewStorage(tc.fencing) })
			for i, token := range []int64{2, 1, 2, 3, 2} {
				h.Send(time.Duration(i)*100*ms, "client-1", lock.StorageName, lock.Write{Client: "client-1", Acq: i + 1, Token: token})
			}
			// The highest token seen survives a restart.
			h.Fault(sim.Fault{At: 350 * ms, Kind: sim.FaultRestart, Node: lock.StorageName})
			h.Run()
			var got []bool
			for _, w := range locktest.Observed[check.StorageWrite](h) {
				got = append(got, w.Accepted)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("accepted %v, want %v", got, tc.want)
			}
			if n := len(h.Replies); n != 5 {
				t.Errorf("%d write-acks, want 5", n)
			}
		})
	}
}

func TestCheckers(t *testing.T) {
	p := (&mech.Mechanism{Params: lock.Params("2", false)}).Defaults()
	var names []string
	for _, c := range lock.Checkers(p, []string{"lock-stuck", "mutual-exclusion", "no-such"}) {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"lock-stuck", "mutual-exclusion"}) {
		t.Errorf("checkers %v", names)
	}
}
