package web

import (
	"math/rand/v2"
	"slices"
	"time"
)

// The operations a user's Request can carry.
const (
	OpLogin   = "login"
	OpView    = "view"    // read the session (show the cart)
	OpAdd     = "add"     // put one more item in the cart
	OpRole    = "role"    // switch the session's role between user and admin
	OpLogout  = "logout"  // end the session
	OpRefresh = "refresh" // trade a refresh token for a new access token (jwt)
	// OpReplay is how a thief's replay of a logged-out session shows in the
	// history; on the wire it is an ordinary view.
	OpReplay = "replay"
)

// The HTTP statuses a Response can carry.
const (
	StatusOK           = 200 // served
	StatusUnauthorized = 401 // the session or token was refused: log in again (or refresh)
	StatusBadGateway   = 502 // the load balancer has no live server
	StatusUnavailable  = 503 // the server cannot serve now (its session store does not answer)
)

// Request is what a user sends: a login, a request of its session, a logout
// or a refresh. The load balancer forwards it unchanged to an app server;
// login, logout and refresh go wherever the mechanism authenticates (through
// lb-1, or straight to auth-1).
type Request struct {
	ID   uint64 // the user's own request number; the answer carries it back
	User string
	Op   string // OpLogin, OpView, ...
	// Credential is what the user presents: the session cookie (sticky,
	// central) or the access token (jwt); for a refresh, the refresh token.
	Credential string
	// Affinity is the load balancer's affinity cookie (HAProxy's SERVERID):
	// the app server that answered this user last. Only cookie affinity sets it.
	Affinity string
}

// Kind names the request in the trace by its operation.
func (r Request) Kind() string { return r.Op }

// Response answers a Request. App servers send it to lb-1, which hands it on
// to the user; auth-1 answers users directly.
type Response struct {
	ID     uint64
	User   string
	Server string // the node that answered
	Status int    // StatusOK, StatusUnauthorized, ...
	Reason string // why a request was refused, for the student
	// Session names the session (its id, or a token's sid claim).
	Session string
	// Credential is a new credential: the session cookie or access token
	// a login or refresh hands out.
	Credential string
	// Refresh is the refresh token a login hands out (jwt with refresh).
	Refresh string
	// Data is the session's data after the request.
	Data Data
	// Lifetime is how long a new session is promised to live; 0 means until
	// the user logs out.
	Lifetime time.Duration
	// Affinity is the affinity cookie the load balancer inserted.
	Affinity string
}

// Kind names the response in the trace by its status.
func (r Response) Kind() string {
	switch r.Status {
	case StatusOK:
		return "200 OK"
	case StatusUnauthorized:
		return "401 Unauthorized"
	case StatusBadGateway:
		return "502 Bad Gateway"
	case StatusUnavailable:
		return "503 Unavailable"
	}
	return "response"
}

// Check is the load balancer's health check of an app server.
type Check struct{}

// Kind names the message in the trace.
func (Check) Kind() string { return "health-check" }

// CheckOK is an app server's answer to a Check.
type CheckOK struct{}

// Kind names the message in the trace.
func (CheckOK) Kind() string { return "health-ok" }

// Data is what a session holds: the user's cart and role, and how many
// changes it has seen. It is a plain value; servers and stores copy it.
type Data struct {
	User    string
	Cart    int    // items in the cart
	Role    string // "user" or "admin"
	Version int    // how many changes (cart, role) the session has seen
}

// NewData returns the data of a fresh session of user.
func NewData(user string) Data { return Data{User: user, Role: "user"} }

// Apply applies a request's operation to session data. It returns the new
// data and whether it changed (and must be saved).
func Apply(op string, d Data) (Data, bool) {
	switch op {
	case OpAdd:
		d.Cart++
	case OpRole:
		if d.Role == "admin" {
			d.Role = "user"
		} else {
			d.Role = "admin"
		}
	default:
		return d, false
	}
	d.Version++
	return d, true
}

// NewSessionID draws a random session id ("3fa91c2e"), as servers do, from
// the node's seeded stream.
func NewSessionID(r *rand.Rand) string {
	const hex = "0123456789abcdef"
	var b [8]byte
	x := r.Uint32()
	for i := range b {
		b[i] = hex[x>>28]
		x <<= 4
	}
	return string(b[:])
}

// SessionState is how an app server's or store's panel shows one session.
type SessionState struct {
	ID      string `json:"id"`
	User    string `json:"user"`
	Cart    int    `json:"cart"`
	Role    string `json:"role"`
	Version int    `json:"version"`
}

// Sessions lists a session map for a panel, sorted by id.
func Sessions(m map[string]Data) []SessionState {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]SessionState, len(ids))
	for i, id := range ids {
		d := m[id]
		out[i] = SessionState{ID: id, User: d.User, Cart: d.Cart, Role: d.Role, Version: d.Version}
	}
	return out
}
