package scenario_test

import (
	"fmt"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech"
)

// toy is a minimal mechanism for testing the scenario format without
// depending on a real one: worker-N nodes ping server-1 every `interval`;
// the server counts pings. Its invariant "no-crash" is violated when any node
// crashed, and "quiet" when a worker was paused.
type toyPing struct{}

func (toyPing) Kind() string { return "ping" }

type toyWorker struct{ interval time.Duration }

func (w *toyWorker) Start(ctx *sim.Context)                    { ctx.SetTimer(w.interval, nil) }
func (w *toyWorker) Receive(*sim.Context, string, sim.Message) {}
func (w *toyWorker) Timer(ctx *sim.Context, _ any) {
	ctx.Send("server-1", toyPing{})
	ctx.SetTimer(w.interval, nil)
}

type toyServer struct{}

func (toyServer) Start(ctx *sim.Context) { ctx.Publish("leader") }
func (toyServer) Receive(ctx *sim.Context, from string, _ sim.Message) {
	ctx.Count("pings", 1)
}
func (toyServer) Timer(*sim.Context, any) {}

func faultChecker(name string, kind sim.FaultKind) check.Checker {
	return check.Checker{Name: name, Explain: "test", Check: func(h []sim.Observation) []check.Violation {
		var out []check.Violation
		for _, o := range h {
			if f, ok := o.Value.(sim.FaultEvent); ok && f.Kind == kind {
				out = append(out, check.Violation{Invariant: name, At: o.At, Nodes: []string{f.Node}, Detail: f.Node + " was hit."})
			}
		}
		return out
	}}
}

func init() {
	mech.Register(&mech.Mechanism{
		Name:  "toy",
		Title: "A toy for testing",
		Params: []mech.Param{
			{Name: "workers", Kind: mech.Int, Default: "2", Min: 1, Max: 10},
			{Name: "interval", Kind: mech.Duration, Default: "100ms", Min: float64(time.Millisecond)},
			{Name: "mode", Kind: mech.Enum, Default: "a", Values: []string{"a", "b"}},
			{Name: "ratio", Kind: mech.Float, Default: "0.5", Min: 0, Max: 1},
			{Name: "odd", Kind: mech.Int, Default: "3", Min: 1, Max: 9},
		},
		Invariants: []string{"no-crash", "quiet"},
		Metrics:    []string{"pings"},
		Symbols:    []string{"leader"},
		Nodes: func(p mech.Params) []string {
			names := []string{"server-1"}
			for i := 1; i <= p.Int("workers"); i++ {
				names = append(names, fmt.Sprintf("worker-%d", i))
			}
			return names
		},
		Validate: func(p mech.Params) error {
			if p.Int("odd")%2 == 0 {
				return &mech.ParamError{Param: "odd", Msg: "must be odd"}
			}
			return nil
		},
		Build: func(w *sim.World, p mech.Params) error {
			w.DeclareSymbol("leader")
			if err := w.AddNode("server-1", func() sim.Node { return toyServer{} }); err != nil {
				return err
			}
			for i := 1; i <= p.Int("workers"); i++ {
				iv := p.Duration("interval")
				if err := w.AddNode(fmt.Sprintf("worker-%d", i), func() sim.Node { return &toyWorker{interval: iv} }); err != nil {
					return err
				}
			}
			return nil
		},
		Checkers: func(mech.Params) []check.Checker {
			return []check.Checker{faultChecker("no-crash", sim.FaultCrash), faultChecker("quiet", sim.FaultPause)}
		},
	})
}
