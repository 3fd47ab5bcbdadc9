package mech_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech"
)

// starter records, at each start, its value prefix and its first request
// number.
type starter struct{ got *[]string }

func (s starter) Start(ctx *sim.Context) {
	inc := mech.Incarnation(ctx)
	*s.got = append(*s.got, mech.ValuePrefix(2, inc)+strconv.FormatUint(mech.FirstRequest(inc), 10))
}

func (starter) Receive(*sim.Context, string, sim.Message) {}
func (starter) Timer(*sim.Context, any)                   {}

func TestIncarnationsCountRestarts(t *testing.T) {
	var got []string
	w := sim.New(sim.Config{Seed: 1, Duration: 10 * time.Second})
	if err := w.AddNode("client-2", func() sim.Node { return starter{&got} }); err != nil {
		t.Fatal(err)
	}
	for _, f := range []sim.Fault{
		{At: time.Second, Kind: sim.FaultCrash, Node: "client-2"}, {At: 2 * time.Second, Kind: sim.FaultRestart, Node: "client-2"},
		{At: 3 * time.Second, Kind: sim.FaultCrash, Node: "client-2"}, {At: 4 * time.Second, Kind: sim.FaultRestart, Node: "client-2"},
	} {
		if err := w.Schedule(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"c2-0", "c2r2-4294967296", "c2r3-8589934592"}; !slices.Equal(got, want) {
		t.Fatalf("prefixes and first requests over two restarts: %v, want %v", got, want)
	}
	if got := []string{mech.RequestString(3), mech.RequestString(mech.FirstRequest(2) + 3)}; !slices.Equal(got, []string{"3", "3@life2"}) {
		t.Fatalf("request strings %v, want 3 and 3@life2", got)
	}
}
