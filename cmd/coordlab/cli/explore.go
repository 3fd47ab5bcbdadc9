//go:build !(js && wasm)

package cli

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/scenario"
)

// cmdExplore searches random fault schedules for a run that violates an
// invariant, shrinks the schedule to the faults that matter, and prints the
// scenario that reproduces it. Each try uses the next seed, so everything it
// finds is reproducible from what it prints.
func cmdExplore(e *env, args []string) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	runs := fs.Int("runs", 200, "how many random fault schedules to try")
	target := fs.String("target", "", "the `INVARIANT` to break (default: any of the mechanism's)")
	seed := fs.Uint64("seed", 1, "the seed of the search itself")
	files, code, ok := parseFlags(e, fs, "explore", args)
	if !ok {
		return code
	}
	if len(files) != 1 {
		e.errorf("explore takes one scenario file, got %d", len(files))
		fs.Usage()
		return exitUsage
	}
	base, err := scenario.ParseFile(files[0])
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	m := base.Mech()
	if *target != "" && !m.HasInvariant(*target) {
		e.errorf("%s checks no invariant %q; it checks: %s", m.Name, *target, strings.Join(m.Invariants, ", "))
		return exitUsage
	}
	if *runs < 1 {
		e.errorf("--runs must be at least 1")
		return exitUsage
	}
	rng := rand.New(rand.NewPCG(*seed, 0x636f6f72646c6162))
	progress := isTerminal(e.stderr)
	for i := 0; i < *runs; i++ {
		if progress {
			fmt.Fprintf(e.stderr, "\r\033[K[%d/%d] exploring %s", i+1, *runs, base.Name)
		}
		s := base.Clone()
		s.Seed = base.Seed + uint64(i)
		s.Faults = randomFaults(rng, s)
		s.Expect = nil
		hit, err := violates(s, *target)
		if err != nil {
			// A run that cannot finish (the event limit, say) shows
			// nothing: saying no violation was found would mislead.
			if progress {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
			fmt.Fprintln(e.stderr, err)
			return exitUsage
		}
		if hit == "" {
			continue
		}
		if progress {
			fmt.Fprint(e.stderr, "\r\033[K")
		}
		s = shrink(s, hit)
		s.Name = base.Name + "-found"
		s.Title = fmt.Sprintf("%s violated (found by coordlab explore)", hit)
		s.Expect = &scenario.Expect{Violations: []string{hit}, Holds: []string{}, HoldsGiven: true}
		fmt.Fprintf(e.stderr, "found a violation of %s after %d runs; shrunk to %d faults\n", hit, i+1, len(s.Faults))
		e.stdout.Write(s.YAML())
		return exitOK
	}
	if progress {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	what := "any invariant"
	if *target != "" {
		what = *target
	}
	fmt.Fprintf(e.stderr, "no violation of %s in %d random fault schedules\n", what, *runs)
	return exitFail
}

// exploreOptions are the options of every run explore makes; tests lower
// the limits.
var exploreOptions scenario.Options

// violates runs s and returns the first invariant it violates (the target,
// if one is given), or "".
func violates(s *scenario.Scenario, target string) (string, error) {
	res, err := s.Run(exploreOptions)
	if err != nil {
		return "", err
	}
	for _, v := range res.Violations {
		if target == "" || v.Invariant == target {
			return v.Invariant, nil
		}
	}
	return "", nil
}

// shrink removes faults one at a time while the violation persists.
func shrink(s *scenario.Scenario, invariant string) *scenario.Scenario {
	for i := 0; i < len(s.Faults); {
		c := s.Clone()
		c.Faults = slices.Delete(c.Faults, i, i+1)
		if hit, err := violates(c, invariant); err == nil && hit != "" {
			s = c
			continue
		}
		i++
	}
	return s
}

// randomFaults draws one to four faults of the kinds a learner can click:
// crash and restart, pause, partition and heal, clock jump.
func randomFaults(rng *rand.Rand, s *scenario.Scenario) []sim.Fault {
	nodes := s.Nodes()
	nodes = append(nodes, s.Mech().Symbols...)
	pick := func() string { return nodes[rng.IntN(len(nodes))] }
	at := func() time.Duration { return time.Duration(rng.Int64N(int64(s.Duration))) }
	var faults []sim.Fault
	for n := 1 + rng.IntN(4); n > 0; n-- {
		t := at()
		rest := s.Duration - t
		switch rng.IntN(4) {
		case 0:
			node := pick()
			faults = append(faults, sim.Fault{At: t, Kind: sim.FaultCrash, Node: node})
			if rng.IntN(2) == 0 && rest > 0 {
				faults = append(faults, sim.Fault{At: t + time.Duration(rng.Int64N(int64(rest))), Kind: sim.FaultRestart, Node: node})
			}
		case 1:
			pause := time.Duration(rng.Int64N(int64(min(rest, 20*time.Second))+1)) / time.Millisecond * time.Millisecond
			faults = append(faults, sim.Fault{At: t, Kind: sim.FaultPause, Node: pick(), For: max(pause, time.Millisecond)})
		case 2:
			real := s.Nodes()
			var a, b []string
			for _, n := range real {
				if rng.IntN(2) == 0 {
					a = append(a, n)
				} else {
					b = append(b, n)
				}
			}
			faults = append(faults, sim.Fault{At: t, Kind: sim.FaultPartition, Groups: [][]string{a, b}})
			if rest > 0 {
				faults = append(faults, sim.Fault{At: t + time.Duration(rng.Int64N(int64(rest))), Kind: sim.FaultHeal})
			}
		case 3:
			jump := time.Duration(rng.Int64N(int64(30*time.Second))) - 10*time.Second
			jump = jump / time.Millisecond * time.Millisecond
			if jump == 0 {
				jump = time.Second
			}
			faults = append(faults, sim.Fault{At: t, Kind: sim.FaultClockJump, Node: pick(), Jump: jump})
		}
	}
	for i := range faults {
		faults[i].At = faults[i].At / time.Millisecond * time.Millisecond
		if faults[i].Kind == sim.FaultPartition {
			for g := range faults[i].Groups {
				if len(faults[i].Groups[g]) == 0 {
					faults[i].Groups = slices.Delete(faults[i].Groups, g, g+1)
					break
				}
			}
		}
	}
	sort.SliceStable(faults, func(i, j int) bool { return faults[i].At < faults[j].At })
	return faults
}
