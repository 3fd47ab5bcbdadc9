package saga_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/saga"
)

// timed is a message a script node sends at a moment of its clock.
type timed struct {
	at  time.Duration
	to  string
	msg sim.Message
}

// script is a stand-in node: it sends its messages on time, records the
// kinds of what it receives, and, if ack is set, acknowledges every event
// and answers every command with reply (when reply is not nil).
type script struct {
	sends []timed
	got   *[]string
	ack   bool
	reply func(saga.Command) (answer, ok bool)
}

func (s *script) Start(ctx *sim.Context) {
	for i, m := range s.sends {
		ctx.SetTimer(m.at, i)
	}
}

func (s *script) Timer(ctx *sim.Context, tag any) {
	m := s.sends[tag.(int)]
	ctx.Send(m.to, m.msg)
}

func (s *script) Receive(ctx *sim.Context, from string, msg sim.Message) {
	*s.got = append(*s.got, msg.Kind())
	switch m := msg.(type) {
	case saga.Event:
		if s.ack {
			ctx.Send(from, saga.Ack{Saga: m.Saga, ID: m.ID})
		}
	case saga.Command:
		if s.reply == nil {
			return
		}
		if answer, ok := s.reply(m); answer {
			ctx.Send(from, saga.Reply{Saga: m.Saga, Step: m.Step, Compensate: m.Compensate, OK: ok})
		}
	}
}

// bench is a world with one real node under test and script nodes around it.
type bench struct {
	w   *sim.World
	got map[string]*[]string
}

func newBench(t *testing.T, d time.Duration) *bench {
	t.Helper()
	net := sim.Network{Latency: sim.Latency{Min: time.Millisecond, Max: time.Millisecond}}
	return &bench{w: sim.New(sim.Config{Seed: 1, Duration: d, Network: net}), got: map[string]*[]string{}}
}

func (b *bench) add(t *testing.T, name string, n func() sim.Node) {
	t.Helper()
	if err := b.w.AddNode(name, n); err != nil {
		t.Fatal(err)
	}
}

func (b *bench) script(t *testing.T, name string, s script) {
	t.Helper()
	got := &[]string{}
	b.got[name] = got
	s.got = got
	b.add(t, name, func() sim.Node { c := s; return &c })
}

func (b *bench) run(t *testing.T) {
	t.Helper()
	if err := b.w.Run(); err != nil {
		t.Fatal(err)
	}
}

// effects lists the history's saga effects as "+payment-1" (action) and
// "-payment-1" (compensation).
func effects(h []sim.Observation) []string {
	var out []string
	for _, o := range h {
		if e, ok := o.Value.(check.SagaEffect); ok {
			sign := "+"
			if e.Compensation {
				sign = "-"
			}
			out = append(out, sign+e.Service)
		}
	}
	return out
}

func cmd(id, step int, compensate bool) saga.Command {
	return saga.Command{Saga: id, Step: step, Compensate: compensate}
}

// TestServiceCommands drives payment-1 (and order-1) the way the
// orchestrator does, including duplicates and reorderings.
func TestServiceCommands(t *testing.T) {
	charge, refund := cmd(1, 2, false), cmd(1, 2, true)
	cases := []struct {
		name    string
		step    int
		cfg     saga.Config
		sends   []saga.Command // 150ms apart, so each is processed before the next
		replies string
		effects string
	}{
		{"charge", 2, saga.Config{Idempotency: true}, []saga.Command{charge}, "payment-charged", "+payment-1"},
		{"charge declined", 2, saga.Config{Idempotency: true, FailRate: 1}, []saga.Command{charge}, "payment-failed", ""},
		{"creating the order never fails", 1, saga.Config{Idempotency: true, FailRate: 1}, []saga.Command{cmd(1, 1, false)}, "order-created", "+order-1"},
		{"charge then refund", 2, saga.Config{Idempotency: true}, []saga.Command{charge, refund}, "payment-charged payment-refunded", "+payment-1 -payment-1"},
		{"repeated charge with a key", 2, saga.Config{Idempotency: true}, []saga.Command{charge, charge}, "payment-charged payment-charged", "+payment-1"},
		{"repeated charge without a key", 2, saga.Config{}, []saga.Command{charge, charge}, "payment-charged payment-charged", "+payment-1 +payment-1"},
		{"refund overtakes its charge, with a key", 2, saga.Config{Idempotency: true}, []saga.Command{refund, charge}, "payment-refunded payment-failed", ""},
		{"refund overtakes its charge, without a key", 2, saga.Config{}, []saga.Command{refund, charge}, "payment-refunded payment-charged", "+payment-1"},
		{"refund repeated after one charge, without a key", 2, saga.Config{}, []saga.Command{charge, refund, refund}, "payment-charged payment-refunded payment-refunded", "+payment-1 -payment-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBench(t, 2*time.Second)
			var sends []timed
			for i, c := range tc.sends {
				sends = append(sends, timed{at: time.Duration(i) * 150 * time.Millisecond, to: saga.Steps[tc.step-1].Service, msg: c})
			}
			b.script(t, saga.OrchestratorName, script{sends: sends})
			b.add(t, saga.Steps[tc.step-1].Service, func() sim.Node { return saga.NewService(tc.cfg, tc.step) })
			b.run(t)
			if got := strings.Join(*b.got[saga.OrchestratorName], " "); got != tc.replies {
				t.Errorf("replies %q, want %q", got, tc.replies)
			}
			if got := strings.Join(effects(b.w.History()), " "); got != tc.effects {
				t.Errorf("effects %q, want %q", got, tc.effects)
			}
		})
	}
}

func event(step int, o saga.Outcome, id uint64) saga.Event {
	return saga.Event{Saga: 1, Step: step, Outcome: o, ID: id}
}

// TestServiceEvents drives inventory-1 in choreography, between a scripted
// payment-1 and shipping-1.
func TestServiceEvents(t *testing.T) {
	choreo := saga.Config{Style: saga.Choreography, Idempotency: true, Retries: 3, DurableLog: true}
	noKeys := choreo
	noKeys.Idempotency = false
	failing := choreo
	failing.FailRate = 1
	impatient := choreo
	impatient.Retries = 1
	cases := []struct {
		name        string
		cfg         saga.Config
		payment     []timed
		shipping    []timed
		shippingAck bool
		toPayment   string // what payment-1 receives, in order
		toShipping  string // the start of what shipping-1 receives
		effects     string
	}{
		{name: "reserve and tell shipping", cfg: choreo, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}},
			toPayment: "ack", toShipping: "inventory-reserved", effects: "+inventory-1"},
		{name: "out of stock: tell payment", cfg: failing, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}},
			toPayment: "inventory-failed ack", toShipping: "", effects: ""},
		{name: "shipping failed: release and tell payment", cfg: choreo, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}},
			shipping:  []timed{{300 * time.Millisecond, "inventory-1", event(4, saga.Failed, 1)}},
			toPayment: "ack inventory-released", toShipping: "inventory-reserved ack", effects: "+inventory-1 -inventory-1"},
		{name: "a cancel is passed on after forwarding", cfg: choreo, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}, {300 * time.Millisecond, "inventory-1", event(3, saga.Cancel, 2)}},
			toPayment: "ack ack", toShipping: "inventory-reserved cancel-schedule-shipment", effects: "+inventory-1 -inventory-1"},
		{name: "an event after its cancel is refused, with a key", cfg: choreo, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(3, saga.Cancel, 2)}, {300 * time.Millisecond, "inventory-1", event(2, saga.Done, 1)}},
			toPayment: "ack ack", toShipping: "", effects: ""},
		{name: "a repeated event without a key reserves twice", cfg: noKeys, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}, {150 * time.Millisecond, "inventory-1", event(2, saga.Done, 1)}},
			toPayment: "ack ack", toShipping: "inventory-reserved inventory-reserved", effects: "+inventory-1 +inventory-1"},
		{name: "a repeated event with a key is acknowledged only", cfg: choreo, shippingAck: true,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}, {150 * time.Millisecond, "inventory-1", event(2, saga.Done, 1)}},
			toPayment: "ack ack", toShipping: "inventory-reserved", effects: "+inventory-1"},
		{name: "give up on a silent shipping-1", cfg: impatient,
			payment:   []timed{{0, "inventory-1", event(2, saga.Done, 1)}},
			toPayment: "ack inventory-released", toShipping: "inventory-reserved inventory-reserved cancel-schedule-shipment",
			effects: "+inventory-1 -inventory-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBench(t, 2*time.Second)
			b.script(t, "payment-1", script{sends: tc.payment, ack: true})
			b.add(t, "inventory-1", func() sim.Node { return saga.NewService(tc.cfg, 3) })
			b.script(t, "shipping-1", script{sends: tc.shipping, ack: tc.shippingAck})
			b.run(t)
			if got := strings.Join(*b.got["payment-1"], " "); got != tc.toPayment {
				t.Errorf("payment-1 got %q, want %q", got, tc.toPayment)
			}
			if got := strings.Join(*b.got["shipping-1"], " "); !strings.HasPrefix(got, tc.toShipping) || (tc.shippingAck && got != tc.toShipping) {
				t.Errorf("shipping-1 got %q, want %q", got, tc.toShipping)
			}
			if got := strings.Join(effects(b.w.History()), " "); got != tc.effects {
				t.Errorf("effects %q, want %q", got, tc.effects)
			}
		})
	}
}

// TestOrchestrator runs one saga through scripted services that answer,
// fail or stay silent, and checks the commands in the order they were sent.
func TestOrchestrator(t *testing.T) {
	ok := func(saga.Command) (bool, bool) { return true, true }
	fail := func(c saga.Command) (bool, bool) { return true, c.Compensate }
	silentForward := func(c saga.Command) (bool, bool) { return c.Compensate, true }
	cfg := saga.Config{Style: saga.Orchestration, Idempotency: true, Retries: 1, DurableLog: true}
	cases := []struct {
		name     string
		answers  [4]func(saga.Command) (bool, bool)
		commands string
		outcome  string
	}{
		{"every step succeeds", [4]func(saga.Command) (bool, bool){ok, ok, ok, ok},
			"create-order charge-payment reserve-inventory schedule-shipment", "saga-completed"},
		{"inventory fails: compensate the steps before it", [4]func(saga.Command) (bool, bool){ok, ok, fail, ok},
			"create-order charge-payment reserve-inventory refund-payment cancel-order", "saga-compensated"},
		{"shipping silent: retry once, then compensate it too", [4]func(saga.Command) (bool, bool){ok, ok, ok, silentForward},
			"create-order charge-payment reserve-inventory schedule-shipment schedule-shipment cancel-shipment release-inventory refund-payment cancel-order", "saga-compensated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBench(t, 5*time.Second)
			var commands []string
			b.script(t, saga.ClientName, script{sends: []timed{{0, saga.OrchestratorName, saga.PlaceOrder{Saga: 1}}}})
			b.add(t, saga.OrchestratorName, func() sim.Node { return saga.NewOrchestrator(cfg) })
			for i, s := range saga.Steps {
				b.add(t, s.Service, func() sim.Node { return &script{got: &commands, reply: tc.answers[i]} })
			}
			b.run(t)
			if got := strings.Join(commands, " "); got != tc.commands {
				t.Errorf("commands %q,\nwant     %q", got, tc.commands)
			}
			if got := *b.got[saga.ClientName]; !slices.Equal(got, []string{"order-accepted", tc.outcome}) {
				t.Errorf("client-1 got %q, want order-accepted then %s", got, tc.outcome)
			}
		})
	}
}

// TestOrchestratorRecovery crashes orchestrator-1 while payment-1 has not
// answered yet: with a durable log it resumes the saga, without it forgets.
func TestOrchestratorRecovery(t *testing.T) {
	for _, durable := range []bool{true, false} {
		b := newBench(t, 5*time.Second)
		cfg := saga.Config{Style: saga.Orchestration, Idempotency: true, Retries: 3, DurableLog: durable}
		var commands []string
		answered := false
		slowFirst := func(c saga.Command) (bool, bool) {
			if c.Step == 2 && !answered { // the first charge is never answered
				answered = true
				return false, true
			}
			return true, true
		}
		b.script(t, saga.ClientName, script{sends: []timed{{0, saga.OrchestratorName, saga.PlaceOrder{Saga: 1}}}})
		b.add(t, saga.OrchestratorName, func() sim.Node { return saga.NewOrchestrator(cfg) })
		for _, s := range saga.Steps {
			b.add(t, s.Service, func() sim.Node { return &script{got: &commands, reply: slowFirst} })
		}
		for _, f := range []sim.Fault{{At: 100 * time.Millisecond, Kind: sim.FaultCrash, Node: saga.OrchestratorName},
			{At: 200 * time.Millisecond, Kind: sim.FaultRestart, Node: saga.OrchestratorName}} {
			if err := b.w.Schedule(f); err != nil {
				t.Fatal(err)
			}
		}
		b.run(t)
		want := "create-order charge-payment"
		if durable {
			want += " charge-payment reserve-inventory schedule-shipment"
		}
		if got := strings.Join(commands, " "); got != want {
			t.Errorf("durable_log %v: commands %q, want %q", durable, got, want)
		}
	}
}
