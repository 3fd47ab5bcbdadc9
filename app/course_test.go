package app

import (
	"errors"
	"sync"
	"testing"
)

func TestLoadSharesOneLoadAndForgetsFailures(t *testing.T) {
	m := map[string]*loaded[int]{}
	calls := 0
	release := make(chan struct{})
	first := func() (int, error) { calls++; <-release; return 7, nil }

	// Whoever asks while a load is under way waits for it: one fetch.
	var wg sync.WaitGroup
	got := make([]int, 3)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], _ = load(m, "k", first) }()
	}
	for {
		courseMu.Lock()
		_, started := m["k"]
		courseMu.Unlock()
		if started {
			break
		}
	}
	close(release)
	wg.Wait()
	if calls != 1 || got[0] != 7 || got[1] != 7 || got[2] != 7 {
		t.Fatalf("3 concurrent loads made %d calls and returned %v; want 1 call and 7 for all", calls, got)
	}
	if v, _ := load(m, "k", func() (int, error) { calls++; return 8, nil }); v != 7 || calls != 1 {
		t.Fatalf("a later load returned %d after %d calls; want the loaded 7 without another call", v, calls)
	}

	// A failure is returned, then forgotten: the next load tries again.
	boom := errors.New("offline")
	if _, err := load(m, "f", func() (int, error) { return 0, boom }); err != boom {
		t.Fatalf("a failed load returned %v; want its error", err)
	}
	if v, err := load(m, "f", func() (int, error) { return 9, nil }); err != nil || v != 9 {
		t.Fatalf("the load after a failure returned %d, %v; want a new try", v, err)
	}
}
