package setnx

import (
	"slices"
	"strings"
	"time"

	"coordlab/sim"
	"coordlab/sim/check"
	"coordlab/sim/mech/lock/replica"
)

// ExpireCycle is how often a primary looks for expired keys, as Redis's
// activeExpireCycle runs from serverCron at the default hz of 10.
const ExpireCycle = 100 * time.Millisecond

// FsyncEvery is the interval of appendfsync everysec.
const FsyncEvery = time.Second

// Set is the command SET key value NX PX ttl. With Fence it runs as a Lua
// script that also increments the fencing counter when the SET succeeds:
//
//	if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
//	    return redis.call("incr", KEYS[2])
//	end
type Set struct {
	Key, Value string
	PX         time.Duration
	Fence      bool
}

// Kind names the message.
func (m Set) Kind() string {
	if m.Fence {
		return "EVAL set-nx-incr"
	}
	return "SET NX PX"
}

// SetReply answers Set: OK when the key was set, with the fencing token when
// asked for one. Value repeats the request's value, so that a client can tell
// the answer to its current attempt from a late one.
type SetReply struct {
	Value string
	OK    bool
	Token int64
}

// Kind names the message.
func (SetReply) Kind() string { return "SET reply" }

// Del releases the lock. With CAD it is the compare-and-delete script of the
// Redis docs, which deletes the key only if it still holds the caller's value:
//
//	if redis.call("get",KEYS[1]) == ARGV[1] then
//	    return redis.call("del",KEYS[1])
//	else
//	    return 0
//	end
//
// Without CAD it is a plain DEL key, which deletes whatever lock is there.
type Del struct {
	Key, Value string
	CAD        bool
}

// Kind names the message.
func (m Del) Kind() string {
	if m.CAD {
		return "EVAL cad"
	}
	return "DEL"
}

// DelReply answers Del with the number of keys deleted.
type DelReply struct {
	Value   string
	Deleted int
}

// Kind names the message.
func (DelReply) Kind() string { return "DEL reply" }

// Renew is the watchdog's renewal, Redisson's script that extends the lock's
// time to live only while it is still the caller's:
//
//	if redis.call("get",KEYS[1]) == ARGV[1] then
//	    return redis.call("pexpire",KEYS[1],ARGV[2])
//	end
//	return 0
type Renew struct {
	Key, Value string
	PX         time.Duration
}

// Kind names the message.
func (Renew) Kind() string { return "EVAL pexpire" }

// RenewReply answers Renew: OK when the time to live was extended.
type RenewReply struct {
	Value string
	OK    bool
}

// Kind names the message.
func (RenewReply) Kind() string { return "PEXPIRE reply" }

// Expired is observed when a primary deletes a key whose time to live ran out
// on its own clock.
type Expired struct {
	Server, Key, Owner string
}

// entry is one key. Owner is the client that set it: Redis does not keep it,
// the simulation does so that a checker can say whose lock a DEL removed.
type entry struct {
	Key, Value, Owner string
	ExpireAt          time.Duration // on the server's clock; Redis replicates it as an absolute time
	Volatile          bool          // has a time to live
}

// keyspace is a server's data: its keys, sorted, and the fencing counter.
// It is what replication copies and persistence saves.
type keyspace struct {
	Entries []entry
	Counter int64
}

func (k keyspace) clone() keyspace {
	return keyspace{Entries: slices.Clone(k.Entries), Counter: k.Counter}
}

// The effects a primary propagates (Redis replicates a script's effects).
type (
	putKey     struct{ E entry }
	delKey     struct{ Key string }
	setCounter struct{ N int64 }
)

type expireCycle struct{}
type fsync struct{}

// Server is a Redis server: redis-1, and redis-2 when there is a replica.
type Server struct {
	ctx         *sim.Context
	persistence string // none, everysec or always
	servers     []string
	data        keyspace
	rep         replica.Node
	cycling     bool // the active expire cycle is armed
	dirty       bool // writes since the last everysec fsync
}

func newServer(persistence string, servers []string) *Server {
	return &Server{persistence: persistence, servers: servers}
}

// Start loads what persistence kept and takes up the server's role.
func (s *Server) Start(ctx *sim.Context) {
	s.ctx = ctx
	if v, ok := ctx.Durable().Get("aof"); ok && s.persistence != "none" {
		s.data = v.(keyspace).clone()
	}
	s.rep.Promoted = s.armCycle
	s.rep.Start(ctx, s, s.servers)
	if s.persistence == "everysec" {
		ctx.SetTimer(FsyncEvery, fsync{})
	}
	s.armCycle()
}

// Receive handles a replication message or a client's command.
func (s *Server) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if s.rep.Receive(from, msg) {
		return
	}
	if !s.rep.IsPrimary() {
		ctx.Send(from, replica.ReadOnly{Primary: s.rep.Primary()})
		return
	}
	switch m := msg.(type) {
	case Set:
		s.handleSet(from, m)
	case Del:
		s.handleDel(from, m)
	case Renew:
		s.handleRenew(from, m)
	}
}

func (s *Server) handleSet(from string, m Set) {
	s.expireIfDue(m.Key)
	if _, taken := s.get(m.Key); taken {
		s.ctx.Send(from, SetReply{Value: m.Value})
		return
	}
	e := entry{Key: m.Key, Value: m.Value, Owner: from, ExpireAt: s.ctx.Now() + m.PX, Volatile: true}
	s.put(e)
	var token int64
	if m.Fence {
		s.data.Counter++
		token = s.data.Counter
	}
	s.persist()
	// Redis answers first and feeds the replication stream after: the window
	// in which a failover loses this grant.
	s.ctx.Send(from, SetReply{Value: m.Value, OK: true, Token: token})
	s.rep.Propagate(putKey{e})
	if m.Fence {
		s.rep.Propagate(setCounter{token})
	}
	s.armCycle()
}

func (s *Server) handleDel(from string, m Del) {
	s.expireIfDue(m.Key)
	e, ok := s.get(m.Key)
	if !ok || (m.CAD && e.Value != m.Value) {
		s.ctx.Send(from, DelReply{Value: m.Value})
		return
	}
	s.remove(m.Key)
	s.persist()
	s.ctx.Observe(check.LockDeleted{Server: s.ctx.Name(), Owner: e.Owner, By: from})
	s.ctx.Send(from, DelReply{Value: m.Value, Deleted: 1})
	s.rep.Propagate(delKey{m.Key})
}

func (s *Server) handleRenew(from string, m Renew) {
	s.expireIfDue(m.Key)
	e, ok := s.get(m.Key)
	if !ok || e.Value != m.Value {
		s.ctx.Send(from, RenewReply{Value: m.Value})
		return
	}
	e.ExpireAt, e.Volatile = s.ctx.Now()+m.PX, true
	s.put(e)
	s.persist()
	s.ctx.Send(from, RenewReply{Value: m.Value, OK: true})
	s.rep.Propagate(putKey{e})
}

// Timer runs the replication heartbeat, the active expire cycle and the
// everysec fsync.
func (s *Server) Timer(ctx *sim.Context, tag any) {
	if s.rep.Timer(tag) {
		return
	}
	switch tag.(type) {
	case expireCycle:
		s.cycling = false
		if s.rep.IsPrimary() {
			for _, e := range slices.Clone(s.data.Entries) {
				s.expireIfDue(e.Key)
			}
		}
		s.armCycle()
	case fsync:
		if s.dirty {
			ctx.Durable().Put("aof", s.data.clone())
			s.dirty = false
		}
		ctx.SetTimer(FsyncEvery, fsync{})
	}
}

// armCycle runs the active expire cycle while a primary has keys with a time
// to live. Replicas never expire keys themselves: they wait for the primary's
// DEL, as Redis replicas do.
func (s *Server) armCycle() {
	if s.cycling || !s.rep.IsPrimary() {
		return
	}
	for _, e := range s.data.Entries {
		if e.Volatile {
			s.cycling = true
			s.ctx.SetTimer(ExpireCycle, expireCycle{})
			return
		}
	}
}

// expireIfDue deletes a key whose time has come on this server's clock —
// lazily when a command touches it, actively from the expire cycle. A clock
// jumped forward expires it early: Redis trusts its own clock.
func (s *Server) expireIfDue(key string) {
	e, ok := s.get(key)
	if !ok || !e.Volatile || s.ctx.Now() < e.ExpireAt {
		return
	}
	s.remove(key)
	s.persist()
	s.ctx.Count("expirations", 1)
	s.ctx.Observe(Expired{Server: s.ctx.Name(), Key: key, Owner: e.Owner})
	s.rep.Propagate(delKey{key})
}

func (s *Server) get(key string) (entry, bool) {
	for _, e := range s.data.Entries {
		if e.Key == key {
			return e, true
		}
	}
	return entry{}, false
}

func (s *Server) put(e entry) {
	i, found := slices.BinarySearchFunc(s.data.Entries, e.Key, func(x entry, k string) int {
		return strings.Compare(x.Key, k)
	})
	if found {
		s.data.Entries[i] = e
		return
	}
	s.data.Entries = slices.Insert(s.data.Entries, i, e)
}

func (s *Server) remove(key string) {
	s.data.Entries = slices.DeleteFunc(s.data.Entries, func(e entry) bool { return e.Key == key })
}

// persist saves the keyspace as the persistence mode says: at once with
// appendfsync always, at the next second with everysec, never with none.
func (s *Server) persist() {
	switch s.persistence {
	case "always":
		s.ctx.Durable().Put("aof", s.data.clone())
	case "everysec":
		s.dirty = true
	}
}

// Apply applies an effect from the primary's replication stream.
func (s *Server) Apply(effect any) {
	switch e := effect.(type) {
	case putKey:
		s.put(e.E)
	case delKey:
		s.remove(e.Key)
	case setCounter:
		s.data.Counter = e.N
	}
	s.persist()
}

// Snapshot returns a copy of the keyspace for a full resync.
func (s *Server) Snapshot() any { return s.data.clone() }

// Restore replaces the keyspace with the primary's copy.
func (s *Server) Restore(snapshot any) {
	s.data = snapshot.(keyspace).clone()
	s.persist()
}

// KeyState is one key as the browser panel shows it.
type KeyState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Owner string `json:"owner"`
	// PTTL is the remaining time to live in milliseconds on this server's
	// clock, as PTTL answers: -1 without one, 0 when due but not yet deleted.
	PTTL int64 `json:"pttl"`
}

// ServerState is what the browser panel shows of a Redis server.
type ServerState struct {
	Role        string          `json:"role"`
	Keys        []KeyState      `json:"keys"`
	Counter     int64           `json:"fencing_counter"`
	Persistence string          `json:"persistence"`
	Replication *replica.Status `json:"replication,omitempty"`
}

// Inspect returns the keyspace with remaining times to live, the fencing
// counter and the server's role.
func (s *Server) Inspect() any {
	st := ServerState{Role: "primary", Keys: []KeyState{}, Counter: s.data.Counter, Persistence: s.persistence, Replication: s.rep.Inspect()}
	if !s.rep.IsPrimary() {
		st.Role = "replica"
	}
	for _, e := range s.data.Entries {
		k := KeyState{Key: e.Key, Value: e.Value, Owner: e.Owner, PTTL: -1}
		if e.Volatile {
			k.PTTL = max(0, int64((e.ExpireAt-s.ctx.Now())/time.Millisecond))
		}
		st.Keys = append(st.Keys, k)
	}
	return st
}
