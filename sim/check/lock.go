package check

import (
	"fmt"
	"slices"
	"time"

	"coordlab/sim"
)

// The observations of the lock workload (sim/mech/lock). Clients report what
// they believe; storage and lock servers report what they did.

// LockRequested is observed by a client when it starts waiting for the lock.
type LockRequested struct {
	Client string
	Acq    int // the number its next acquisition will have
}

// LockAcquired is observed by a client when it believes it holds the lock.
// Acq numbers a client's acquisitions from 1; Token is the fencing token (0
// when the mechanism gives none).
type LockAcquired struct {
	Client string
	Acq    int
	Token  int64
}

// LockReleased is observed by a client when it stops believing it holds the
// lock: it released it, or (Lost) it learned that it lost it.
type LockReleased struct {
	Client string
	Acq    int
	Lost   bool
}

// StorageWrite is observed by the protected storage for every write a client
// made inside its critical section, accepted or refused.
type StorageWrite struct {
	Client   string
	Acq      int
	Token    int64
	Accepted bool
}

// LockDeleted is observed by a lock server when a request deleted a lock:
// Owner held it, By sent the delete.
type LockDeleted struct {
	Server string
	Owner  string
	By     string
}

type grant struct {
	client string
	acq    int
}

// holding tracks who believes they hold the lock as the history unfolds. A
// crashed client holds nothing: its process is gone.
type holding struct {
	since map[string]sim.Time // client -> when it acquired
	acq   map[string]int
	order []string // clients in the order they acquired
}

func newHolding() *holding {
	return &holding{since: map[string]sim.Time{}, acq: map[string]int{}}
}

func (h *holding) drop(client string) {
	if _, ok := h.since[client]; !ok {
		return
	}
	delete(h.since, client)
	delete(h.acq, client)
	for i, c := range h.order {
		if c == client {
			h.order = append(h.order[:i], h.order[i+1:]...)
			break
		}
	}
}

func crashed(v any) (string, bool) {
	f, ok := v.(sim.FaultEvent)
	if ok && (f.Kind == sim.FaultCrash || f.Kind == sim.FaultRestart) {
		return f.Node, true
	}
	return "", false
}

// MutualExclusion is the invariant that at most one client at a time
// believes it holds the lock.
func MutualExclusion() Checker {
	return Checker{
		Name:    "mutual-exclusion",
		Explain: "At most one client may believe it holds the lock at any moment.",
		Check: func(hist []sim.Observation) []Violation {
			var out []Violation
			h := newHolding()
			for _, o := range hist {
				switch v := o.Value.(type) {
				case LockAcquired:
					for _, other := range h.order {
						if other == v.Client {
							continue
						}
						out = append(out, Violation{
							Invariant: "mutual-exclusion", At: o.At, Nodes: []string{v.Client, other},
							Detail: fmt.Sprintf("%s acquired the lock at %s while %s still believed it held it (since %s).",
								v.Client, Seconds(o.At), other, Seconds(h.since[other])),
						})
					}
					h.drop(v.Client)
					h.since[v.Client] = o.At
					h.acq[v.Client] = v.Acq
					h.order = append(h.order, v.Client)
				case LockReleased:
					h.drop(v.Client)
				default:
					if node, ok := crashed(o.Value); ok {
						h.drop(node)
					}
				}
			}
			return out
		},
	}
}

// StaleWrite is the invariant that storage never accepts a write made under a
// lock grant older than one whose write it has already accepted: once the
// newer holder has written, the older one must be refused.
//
// Which of two grants is newer follows their fencing tokens when both have
// one and they differ: the token is the lock service's own order, while a
// client may learn of its grant late (a reply that waited out a pause).
// Without tokens, or with equal ones, the order in which the clients came to
// believe they held the lock decides.
func StaleWrite() Checker {
	return Checker{
		Name:    "stale-write",
		Explain: "Storage must never accept a write from a client whose lock was superseded by a newer holder that already wrote.",
		Check: func(hist []sim.Observation) []Violation {
			var out []Violation
			grants := map[grant]grantInfo{}
			var newest StorageWrite // the accepted write under the newest grant
			haveNewest := false
			for _, o := range hist {
				switch v := o.Value.(type) {
				case LockAcquired:
					grants[grant{v.Client, v.Acq}] = grantInfo{pos: len(grants), at: o.At, token: v.Token}
				case StorageWrite:
					gi, ok := grants[grant{v.Client, v.Acq}]
					if !v.Accepted || !ok {
						continue
					}
					if !haveNewest {
						newest, haveNewest = v, true
						continue
					}
					ni := grants[grant{newest.Client, newest.Acq}]
					switch {
					case ni.newerThan(gi) && v.Client != newest.Client:
						out = append(out, Violation{
							Invariant: "stale-write", At: o.At, Nodes: []string{v.Client, newest.Client},
							Detail: staleWriteDetail(v, gi.at, newest, ni.at),
						})
					case gi.newerThan(ni):
						newest = v
					}
				}
			}
			return out
		},
	}
}

// grantInfo is what the stale-write checker knows of one grant.
type grantInfo struct {
	pos   int // in the order clients observed their grants
	at    sim.Time
	token int64
}

// newerThan reports whether grant a came after grant b.
func (a grantInfo) newerThan(b grantInfo) bool {
	if a.token != 0 && b.token != 0 && a.token != b.token {
		return a.token > b.token
	}
	return a.pos > b.pos
}

func staleWriteDetail(w StorageWrite, at sim.Time, newer StorageWrite, newerAt sim.Time) string {
	if w.Token != 0 && newer.Token != 0 {
		return fmt.Sprintf("Storage accepted %s's write with token %d after it had accepted %s's write with token %d, granted later.",
			w.Client, w.Token, newer.Client, newer.Token)
	}
	return fmt.Sprintf("Storage accepted %s's write under the lock granted at %s after it had accepted %s's write under a newer grant (%s).",
		w.Client, Seconds(at), newer.Client, Seconds(newerAt))
}

// WrongRelease is the invariant that a client only ever deletes its own lock.
func WrongRelease() Checker {
	return Checker{
		Name:    "wrong-release",
		Explain: "A client may only release a lock it holds itself, never another client's.",
		Check: func(hist []sim.Observation) []Violation {
			var out []Violation
			for _, o := range hist {
				if d, ok := o.Value.(LockDeleted); ok && d.Owner != d.By {
					out = append(out, Violation{
						Invariant: "wrong-release", At: o.At, Nodes: []string{d.By, d.Owner},
						Detail: fmt.Sprintf("%s deleted the lock on %s that %s held.", d.By, d.Server, d.Owner),
					})
				}
			}
			return out
		},
	}
}

// LockStuck is the invariant that no client waits longer than stuckAfter for
// a lock whose holder has crashed.
func LockStuck(stuckAfter time.Duration) Checker {
	return Checker{
		Name:    "lock-stuck",
		Explain: fmt.Sprintf("No client may wait longer than %v for a lock whose holder has crashed.", stuckAfter),
		Check: func(hist []sim.Observation) []Violation {
			var out []Violation
			waiting := map[string]sim.Time{} // client -> since when
			var waiters []string             // in the order they started waiting
			holder, holderDown := "", false
			var downAt sim.Time
			flag := func(now sim.Time) {
				for _, c := range waiters {
					since, ok := waiting[c]
					if !ok || !holderDown || since+stuckAfter > now {
						continue
					}
					at := max(since+stuckAfter, downAt+stuckAfter)
					if at > now {
						continue
					}
					out = append(out, Violation{
						Invariant: "lock-stuck", At: at, Nodes: []string{c, holder},
						Detail: fmt.Sprintf("%s has waited since %s for the lock held by %s, which crashed at %s and never released it.",
							c, Seconds(since), holder, Seconds(downAt)),
					})
					delete(waiting, c) // one report per wait
				}
			}
			for _, o := range hist {
				flag(o.At)
				switch v := o.Value.(type) {
				case LockRequested:
					if _, ok := waiting[v.Client]; !ok {
						waiting[v.Client] = o.At
						if !slices.Contains(waiters, v.Client) {
							waiters = append(waiters, v.Client)
						}
					}
				case LockAcquired:
					delete(waiting, v.Client)
					holder, holderDown = v.Client, false
				case LockReleased:
					if v.Client == holder {
						holder, holderDown = "", false
					}
				default:
					if node, ok := crashed(o.Value); ok {
						delete(waiting, node)
						if node == holder && !holderDown {
							holderDown, downAt = true, o.At
						}
					}
				}
			}
			return out
		},
	}
}
