package check

import (
	"fmt"
	"time"

	"coordlab/sim"
)

// SessionOp is one step of a web session as the user who took it saw it:
// a login, a request, a logout, a token refresh, or the replay of a session
// the user had logged out of (as a thief who stole the cookie or token
// would). The user observes it once, when the answer came or when it gave
// up. The session mechanisms (sticky, central, jwt) report their workload
// this way, and the session-lost, stale-session and revoked-accepted checkers
// read it.
type SessionOp struct {
	User string
	// Op is "login", "view", "add", "role", "logout", "refresh" or "replay".
	Op string
	// Session is the session the step carried or, for a login, the session it
	// opened ("" when none).
	Session string
	// Server is the node that answered ("app-2", "auth-1"); "" when none did.
	Server string
	// Status is the answer as an HTTP status: 200 accepted, 401 the session
	// or token was refused, 502/503 nobody could serve it, 0 no answer.
	Status int
	// Reason says why a request was refused ("unknown session", "token is
	// expired", "timeout").
	Reason string
	// Version is the version of the session data the answer carried: how many
	// changes (cart, role) the session had seen.
	Version int
	// Took is the time from sending to the answer (or to giving up), on the
	// user's own clock, so the step was sent at about At − Took.
	Took time.Duration
	// Lifetime is, for a login, how long the session was promised to live;
	// 0 means until the user logs out.
	Lifetime time.Duration
}

// changes reports whether the step changes the session's data.
func (o SessionOp) changes() bool { return o.Op == "add" || o.Op == "role" }

// request reports whether the step is a request of the session's owner.
func (o SessionOp) request() bool { return o.Op == "view" || o.Op == "add" || o.Op == "role" }

// openSession is a session a user is logged in with, as the checker follows it.
type openSession struct {
	login   sim.Observation
	op      SessionOp
	refusal *SessionOp // the last request on it a server refused
	refAt   sim.Time
}

// SessionLost checks that a session lives until its user logs out (or until
// the lifetime it was promised runs out): a user who had to log in again
// without having logged out lost its session, and with it its cart.
func SessionLost() Checker {
	return Checker{
		Name:    "session-lost",
		Explain: "a user stays logged in until it logs out: no server forgets or refuses a session that is still alive",
		Check:   checkSessionLost,
	}
}

func checkSessionLost(h []sim.Observation) []Violation {
	var out []Violation
	open := map[string]*openSession{}
	for _, o := range h {
		if f, ok := o.Value.(sim.FaultEvent); ok && (f.Kind == sim.FaultCrash || f.Kind == sim.FaultRestart) {
			delete(open, f.Node) // a user that crashed forgot its own session
			continue
		}
		op, ok := o.Value.(SessionOp)
		if !ok {
			continue
		}
		cur := open[op.User]
		switch {
		case op.Op == "login":
			if cur != nil {
				if v, lost := lostSession(cur, o, op); lost {
					out = append(out, v)
				}
			}
			delete(open, op.User)
			if op.Status == 200 {
				open[op.User] = &openSession{login: o, op: op}
			}
		case op.Op == "logout":
			if cur != nil && cur.op.Session == op.Session {
				delete(open, op.User)
			}
		case cur == nil || cur.op.Session != op.Session:
		case (op.request() || op.Op == "refresh") && op.Status == 401:
			r := op
			cur.refusal, cur.refAt = &r, o.At
		case op.request() && op.Status == 200:
			cur.refusal = nil // whatever was refused before, the session lived on
		}
	}
	return out
}

// lostSession decides whether a user who logs in again (relogin, at o) while
// still holding cur lost it. A session promised a lifetime was issued no
// earlier than its login was sent, so if the new login was sent before that
// moment plus the lifetime, the session cannot have expired on its own.
func lostSession(cur *openSession, o sim.Observation, relogin SessionOp) (Violation, bool) {
	if lt := cur.op.Lifetime; lt > 0 {
		issued := cur.login.At - cur.op.Took
		if o.At-relogin.Took >= issued+lt {
			return Violation{}, false // it ran out its promised life
		}
	}
	s := cur.op
	v := Violation{Invariant: "session-lost", At: o.At, Nodes: []string{s.User}}
	if r := cur.refusal; r != nil {
		v.At = cur.refAt
		v.Nodes = append(v.Nodes, r.Server)
		v.Detail = fmt.Sprintf("%s had to log in again at %s because %s refused its session %s (%q) although %s never logged out of it",
			s.User, Seconds(o.At), r.Server, s.Session, r.Reason, s.User)
		if s.Lifetime > 0 {
			v.Detail = fmt.Sprintf("%s had to log in again at %s because %s refused its session %s (%q) %s after login, before its promised %s ran out",
				s.User, Seconds(o.At), r.Server, s.Session, r.Reason, Seconds(cur.refAt-cur.login.At), s.Lifetime)
		}
		return v, true
	}
	v.Detail = fmt.Sprintf("%s logged in again at %s without having logged out of its session %s", s.User, Seconds(o.At), s.Session)
	return v, true
}

// StaleSession checks that a server answers with session data at least as
// new as what the user has already seen acknowledged: after a change was
// confirmed, no later answer may miss it. A change answered with a version
// no higher than the one seen before it was applied to stale data (and
// overwrote the newer change).
func StaleSession() Checker {
	return Checker{
		Name:    "stale-session",
		Explain: "every answer shows the session data with every change the user already saw confirmed",
		Check:   checkStaleSession,
	}
}

func checkStaleSession(h []sim.Observation) []Violation {
	var out []Violation
	seen := map[string]int{} // session -> highest version its user saw
	for _, o := range h {
		op, ok := o.Value.(SessionOp)
		if !ok || op.Status != 200 || op.Session == "" {
			continue
		}
		switch {
		case op.Op == "login":
			seen[op.Session] = op.Version
		case op.request():
			had, known := seen[op.Session]
			if !known {
				seen[op.Session] = op.Version
				continue
			}
			want := had
			if op.changes() {
				want++
			}
			if op.Version < want {
				out = append(out, Violation{
					Invariant: "stale-session",
					At:        o.At,
					Nodes:     []string{op.Server, op.User},
					Detail:    staleDetail(op, had, o.At),
				})
			}
			seen[op.Session] = max(had, op.Version)
		}
	}
	return out
}

func staleDetail(op SessionOp, had int, at sim.Time) string {
	if op.changes() {
		return fmt.Sprintf("%s applied %s's %q to an old copy of session %s at %s: the result is version %d although %s had already seen version %d confirmed, so a change was lost",
			op.Server, op.User, op.Op, op.Session, Seconds(at), op.Version, op.User, had)
	}
	return fmt.Sprintf("%s showed %s session %s at version %d at %s although %s had already seen version %d confirmed",
		op.Server, op.User, op.Session, op.Version, Seconds(at), op.User, had)
}

// RevokedAccepted checks that once a user has logged out of a session, no
// server accepts a request carrying that session or token again. The
// session workloads replay every logged-out session later, as a thief who
// copied the cookie or token would.
func RevokedAccepted() Checker {
	return Checker{
		Name:    "revoked-accepted",
		Explain: "after a user logs out, no server accepts its old session or token",
		Check:   checkRevokedAccepted,
	}
}

func checkRevokedAccepted(h []sim.Observation) []Violation {
	var out []Violation
	loggedOut := map[string]sim.Time{} // session -> when its logout was confirmed
	for _, o := range h {
		op, ok := o.Value.(SessionOp)
		if !ok || op.Session == "" {
			continue
		}
		if op.Op == "logout" {
			if _, dup := loggedOut[op.Session]; op.Status == 200 && !dup {
				loggedOut[op.Session] = o.At
			}
			continue
		}
		if op.Status != 200 || op.Op == "login" || op.Op == "refresh" {
			continue
		}
		at, ok := loggedOut[op.Session]
		if sent := o.At - op.Took; ok && sent >= at {
			out = append(out, Violation{
				Invariant: "revoked-accepted",
				At:        o.At,
				Nodes:     []string{op.Server, op.User},
				Detail: fmt.Sprintf("%s accepted a request with %s's session %s at %s, %s after %s had logged out of it",
					op.Server, op.User, op.Session, Seconds(o.At), Seconds(sent-at), op.User),
			})
		}
	}
	return out
}
