package quorum

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
)

// Settings are the sliders of the CAP / PACELC explorer. The explorer runs a
// cluster of N+2 replicas (two stand-ins for a sloppy quorum) holding one
// key, with Clients clients issuing Ops operations back to back, half of
// them reads.
type Settings struct {
	N, R, W int
	// Partition cuts client-1, replica-1 and the two stand-ins off from the
	// rest from PartitionAt for PartitionLength.
	Partition       bool
	PartitionAt     time.Duration
	PartitionLength time.Duration
	Latency         sim.Latency   // one-way network delay
	Skew            time.Duration // client-1's clock runs this far ahead
	Sloppy          bool
	Conflict        string // "lww" or "vector"
	ReadRepair      bool
	Ops             int
	Clients         int
	Seed            uint64
	// Timeout is how long a coordinator waits for replicas; 0 means ten
	// times the largest latency, at least 100ms.
	Timeout time.Duration
	// CheckLinearizability runs the linearizability search when no stale
	// read, lost update or sibling already decided the verdict. The search
	// costs more than the run itself on a linearizable history, so a page
	// may skip it to show the other figures at once and ask again.
	CheckLinearizability bool
}

// DefaultSettings returns the explorer's starting point: n 3, r 2, w 2, no
// partition, a 1-5 ms network, 10,000 operations.
func DefaultSettings() Settings {
	return Settings{
		N: 3, R: 2, W: 2,
		PartitionAt: 5 * time.Second, PartitionLength: 10 * time.Second,
		Latency:  sim.DefaultNetwork.Latency,
		Conflict: "lww", ReadRepair: true,
		Ops: 10000, Clients: 3, Seed: 1,
		CheckLinearizability: true,
	}
}

// Summary is what one run of the explorer measured.
type Summary struct {
	Measures
	// Linearizable is the verdict on the whole history, decided when
	// LinearizabilityChecked; LinearizabilityDetail explains it in one
	// sentence.
	Linearizable           bool
	LinearizabilityChecked bool
	LinearizabilityDetail  string
	// LinearizabilityAt is, for a history decided not linearizable, when
	// the first operation that shows it returned.
	LinearizabilityAt sim.Time
	// During is measured over the operations sent during the partition,
	// Outside over the others (all of them without a partition).
	During, Outside Measures
	// Region names the corner of the CAP / PACELC space the run fell in,
	// from the measures, not from the settings: "PA/EL", "PC/EC", ... or
	// "EL" or "EC" alone without a partition; "P0" stands for a store that
	// during the partition was neither available nor consistent.
	Region      string
	Explanation string
	Duration    time.Duration // virtual time the workload took
	Events      int
}

// available is the share of operations during a partition above which the
// explorer calls the store available: one refusal in a hundred is an outage
// a user notices.
const available = 0.99

// Explore runs the explorer's workload with the given settings and measures
// it. It returns an error when the settings are out of range.
func Explore(s Settings) (Summary, error) {
	h, events, err := run(s)
	if err != nil {
		return Summary{}, fmt.Errorf("quorum explorer: %w", err)
	}
	stale, lost, older := staleAndLost(h)
	sum := Summary{Measures: measure(h, stale, lost, always), Events: events}
	for _, o := range h {
		if op, ok := o.Value.(check.Op); ok {
			sum.Duration = max(sum.Duration, op.Return)
		}
	}
	sum.Outside = sum.Measures
	if s.Partition {
		from, to := s.PartitionAt, s.PartitionAt+s.PartitionLength
		during := func(t sim.Time) bool { return t >= from && t < to }
		sum.During = measure(h, stale, lost, during)
		sum.Outside = measure(h, stale, lost, func(t sim.Time) bool { return !during(t) })
	}
	sum.Linearizable, sum.LinearizabilityChecked, sum.LinearizabilityDetail, sum.LinearizabilityAt = linearizable(h, stale, older, s.CheckLinearizability)
	sum.Region, sum.Explanation = region(s, sum)
	return sum, nil
}

// run runs the workload and returns its history with true call times. The
// world is dropped here, so that its memory is free for the analysis.
func run(s Settings) ([]sim.Observation, int, error) {
	if s.Ops <= 0 {
		return nil, 0, fmt.Errorf("ops: expected a positive number of operations, got %d", s.Ops)
	}
	p, err := Mechanism.With(
		"n", strconv.Itoa(s.N), "r", strconv.Itoa(s.R), "w", strconv.Itoa(s.W),
		"replicas", strconv.Itoa(s.N+2), "clients", strconv.Itoa(max(s.Clients, 1)),
		"sloppy", strconv.FormatBool(s.Sloppy), "read_repair", strconv.FormatBool(s.ReadRepair),
		"conflict", s.Conflict, "ops", strconv.Itoa(s.Ops), "think", "0s", "timeout", timeout(s).String())
	if err != nil {
		return nil, 0, err
	}
	w := sim.New(sim.Config{Seed: s.Seed, Duration: sim.DefaultLimits.MaxDuration, Network: sim.Network{Latency: s.Latency}, NoTrace: true})
	if err := Mechanism.Build(w, p); err != nil {
		return nil, 0, err
	}
	w.ReserveHistory(5*s.Ops/2 + 64) // an Invoke and an Op per operation, and room for discards
	if err := w.SetClock("client-1", s.Skew, 1); err != nil {
		return nil, 0, err
	}
	if s.Partition {
		side := []string{"client-1", "replica-1", "replica-" + strconv.Itoa(s.N+1), "replica-" + strconv.Itoa(s.N+2)}
		for _, f := range []sim.Fault{
			{At: s.PartitionAt, Kind: sim.FaultPartition, Groups: [][]string{side}},
			{At: s.PartitionAt + s.PartitionLength, Kind: sim.FaultHeal},
		} {
			if err := w.Schedule(f); err != nil {
				return nil, 0, err
			}
		}
	}
	if err := w.Run(); err != nil {
		return nil, 0, err
	}
	return check.StampOpsInPlace(w.History()), w.Events(), nil // the world is dropped here
}

func timeout(s Settings) time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return max(10*s.Latency.Max, 100*time.Millisecond)
}

// linearizable gives the verdict on the history, and when the history is
// not linearizable the time of the first operation that shows it. A stale
// read, a write lost for an older one or a read returning siblings is
// already a proof that no linearization exists, so the search runs only when
// none was found. (A blind overwrite of version vectors is no such proof: it
// lost a write the register may order before the one it kept.)
func linearizable(h []sim.Observation, stale, lost []check.Violation, search bool) (ok, decided bool, detail string, at sim.Time) {
	siblings := 0
	for _, o := range h {
		if op, ok := o.Value.(check.Op); ok && op.Ok && op.Kind == "get" && strings.Contains(op.Output, check.SiblingSep) {
			if siblings == 0 {
				at = op.Return
			}
			siblings++
		}
	}
	switch {
	case siblings > 0:
		return false, true, fmt.Sprintf("not linearizable: %d reads returned concurrent siblings, and a single copy of a register holds one value", siblings), at
	case len(stale) > 0:
		return false, true, fmt.Sprintf("not linearizable: %d reads returned stale values, which no single order of the operations explains", len(stale)), stale[0].At
	case len(lost) > 0:
		return false, true, fmt.Sprintf("not linearizable: %d acknowledged writes were thrown away for older ones", len(lost)), lost[0].At
	case !search:
		return false, false, "not checked yet", 0
	}
	for _, kv := range check.CheckLinearizability(check.OpsOf(h), check.LinearizabilityTimeout) {
		switch kv.Verdict {
		case check.NotLinearizable:
			op := kv.Op
			what := op.Kind + " of " + strconv.Quote(op.Value)
			if op.Kind == "get" {
				what = "get returning " + strconv.Quote(op.Output)
			}
			return false, true, fmt.Sprintf("not linearizable: %s's %s on %s at %s fits no order of the operations that respects their timing",
				op.Client, what, op.Key, check.Seconds(op.Call)), kv.At
		case check.Undecided:
			return false, false, fmt.Sprintf("undecided: the search gave up after %v", check.LinearizabilityTimeout), 0
		}
	}
	return true, true, "linearizable: one order of the operations, respecting real time, explains every read", 0
}

// region names the corner of the CAP / PACELC space from what was measured
// in each period: its stale reads and lost updates, and a linearizability
// verdict whose witness falls in it (concurrent siblings, or an order only
// the search finds impossible, neither of which the two counts see).
func region(s Settings, sum Summary) (string, string) {
	from, to := s.PartitionAt, s.PartitionAt+s.PartitionLength
	// anomaly says what shows that the operations of a period were not
	// consistent, or "" when nothing does.
	anomaly := func(m Measures, during bool) string {
		if m.StaleReads+m.LostUpdates > 0 {
			return fmt.Sprintf("%d reads were stale and %d writes lost", m.StaleReads, m.LostUpdates)
		}
		at := sum.LinearizabilityAt
		if sum.LinearizabilityChecked && !sum.Linearizable && (s.Partition && at >= from && at < to) == during {
			return "the history is " + sum.LinearizabilityDetail
		}
		return ""
	}
	e := sum.Outside
	name, else_ := "EC", fmt.Sprintf("Without a partition, operations took %v at the median and %v at p99", round(e.P50), round(e.P99))
	if a := anomaly(e, false); a != "" {
		name, else_ = "EL", else_+", and "+a+" — it gave up consistency (EL)."
	} else {
		else_ += " and no read was stale: it paid latency for consistency (EC)."
	}
	if !s.Partition {
		return name, else_ + " Turn the partition on to see the other half of PACELC."
	}
	d := sum.During
	during := fmt.Sprintf("During the %v partition %.1f%% of operations succeeded", s.PartitionLength, 100*d.Availability)
	switch a := anomaly(d, true); {
	case d.Availability >= available && a == "":
		return "PA/" + name, during + " and no read was stale: it stayed available, and this time nothing showed the price (PA). " + else_
	case d.Availability >= available:
		return "PA/" + name, during + ", but " + a + " — it chose availability (PA). " + else_
	case a == "":
		return "PC/" + name, during + " and no read was stale: it refused rather than answer wrongly (PC). " + else_
	default:
		return "P0/" + name, during + " and still " + a + " — neither available nor consistent. " + else_
	}
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
