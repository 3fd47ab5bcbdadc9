package redlock

import (
	"slices"
	"time"

	"coordlab/sim"
)

// Set is the command SET Key Value NX PX ttl: set the key only if it does not
// exist, to expire after PX. Attempt lets the client match the reply.
type Set struct {
	Key, Value string
	PX         time.Duration
	Attempt    Attempt
}

// Kind names the message.
func (Set) Kind() string { return "SET" }

// SetReply is a master's answer to Set: OK when the key was set, a nil reply
// (OK false) when it already existed, or an error when the master refused.
type SetReply struct {
	Key     string
	Attempt Attempt
	OK      bool
	Err     string
}

// Kind names the message.
func (SetReply) Kind() string { return "SET-reply" }

// Unlock is the release script of the Redis documentation:
//
//	if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("del",KEYS[1]) else return 0 end
//
// It deletes the key only if it still holds the client's random value. The
// client does not wait for an answer, so the master sends none.
type Unlock struct {
	Key, Value string
}

// Kind names the message.
func (Unlock) Kind() string { return "UNLOCK" }

// ErrUnavailable is a master's error while a delayed restart keeps it out.
const ErrUnavailable = "unavailable: delayed restart"

// entry is one key of a master's keyspace. ExpireAt is on the master's own
// clock, which is the whole point: Redis expires keys by its local time.
type entry struct {
	Key, Value string
	Owner      string        // the client that set it, for the panel only
	ExpireAt   time.Duration // the master's local clock
}

// expire is a master's active-expiry timer for one key and value.
type expire struct{ Key, Value string }

// Master is one independent Redis master: a keyspace whose keys expire by
// the master's own clock. Nothing is replicated between masters.
type Master struct {
	ctx         *sim.Context
	cfg         Config
	keys        []entry // sorted by key
	timers      map[string]sim.TimerID
	availableAt time.Duration // local time before which requests are refused (delayed restart)
	restarted   bool
}

// NewMaster returns a master with an empty keyspace.
func NewMaster(cfg Config) *Master {
	return &Master{cfg: cfg, timers: map[string]sim.TimerID{}}
}

// Start loads the keyspace from disk when persistence is always, dropping
// keys whose expiry passed while it was down, as Redis does on load. After a
// restart with delayed_restart it refuses requests for one ttl.
func (m *Master) Start(ctx *sim.Context) {
	m.ctx = ctx
	d := ctx.Durable()
	if _, ok := d.Get("booted"); ok {
		m.restarted = true
		if m.cfg.Delayed {
			m.availableAt = ctx.Now() + m.cfg.TTL
		}
	}
	d.Put("booted", true)
	if !m.cfg.Persist {
		return
	}
	if v, ok := d.Get("keys"); ok {
		for _, e := range v.([]entry) {
			if e.ExpireAt > ctx.Now() {
				m.put(e)
			}
		}
	}
}

// Receive handles SET and UNLOCK.
func (m *Master) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch msg := msg.(type) {
	case Set:
		ctx.Send(from, m.handleSet(from, msg))
	case Unlock:
		m.handleUnlock(msg)
	}
}

// handleSet runs SET NX PX and returns the reply.
func (m *Master) handleSet(from string, msg Set) SetReply {
	reply := SetReply{Key: msg.Key, Attempt: msg.Attempt}
	now := m.ctx.Now()
	if now < m.availableAt {
		m.ctx.Count("refused-requests", 1)
		reply.Err = ErrUnavailable
		return reply
	}
	if _, held := m.get(msg.Key, now); held {
		return reply // nil reply: the key exists
	}
	m.put(entry{Key: msg.Key, Value: msg.Value, Owner: from, ExpireAt: now + msg.PX})
	m.save()
	reply.OK = true
	return reply
}

// handleUnlock deletes the key if it still holds the caller's value.
func (m *Master) handleUnlock(msg Unlock) {
	now := m.ctx.Now()
	if now < m.availableAt {
		return
	}
	if e, ok := m.get(msg.Key, now); ok && e.Value == msg.Value {
		m.del(msg.Key)
		m.save()
	}
}

// Timer expires a key actively when its time has come on this master's clock.
func (m *Master) Timer(ctx *sim.Context, tag any) {
	t, ok := tag.(expire)
	if !ok {
		return
	}
	delete(m.timers, t.Key)
	if i, ok := m.find(t.Key); ok && m.keys[i].Value == t.Value && m.keys[i].ExpireAt <= ctx.Now() {
		m.del(t.Key)
		ctx.Count("expired-keys", 1)
		m.save()
	}
}

// get returns a live key, expiring it lazily first if its time has passed
// (Redis expires both lazily, on access, and actively).
func (m *Master) get(key string, now time.Duration) (entry, bool) {
	i, ok := m.find(key)
	if !ok {
		return entry{}, false
	}
	if m.keys[i].ExpireAt <= now {
		m.del(key)
		m.ctx.Count("expired-keys", 1)
		return entry{}, false
	}
	return m.keys[i], true
}

func (m *Master) find(key string) (int, bool) {
	return slices.BinarySearchFunc(m.keys, key, func(e entry, k string) int {
		switch {
		case e.Key < k:
			return -1
		case e.Key > k:
			return 1
		}
		return 0
	})
}

// put stores a key and arms its expiry timer.
func (m *Master) put(e entry) {
	i, ok := m.find(e.Key)
	if ok {
		m.keys[i] = e
	} else {
		m.keys = slices.Insert(m.keys, i, e)
	}
	if id, ok := m.timers[e.Key]; ok {
		m.ctx.CancelTimer(id)
	}
	m.timers[e.Key] = m.ctx.SetTimer(e.ExpireAt-m.ctx.Now(), expire{Key: e.Key, Value: e.Value})
}

func (m *Master) del(key string) {
	if i, ok := m.find(key); ok {
		m.keys = slices.Delete(m.keys, i, i+1)
	}
	if id, ok := m.timers[key]; ok {
		m.ctx.CancelTimer(id)
		delete(m.timers, key)
	}
}

// save writes the keyspace to disk on every change with persistence always
// (appendfsync always); without persistence nothing reaches the disk.
func (m *Master) save() {
	if m.cfg.Persist {
		m.ctx.Durable().Put("keys", slices.Clone(m.keys))
	}
}

// KeyState is one key as the panel shows it.
type KeyState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Owner string `json:"owner"`
	// TTLms is what PTTL would answer now, by this master's clock.
	TTLms int64 `json:"pttl_ms"`
}

// MasterState is what the browser panel shows of a master.
type MasterState struct {
	Persistence string     `json:"persistence"`
	Restarted   bool       `json:"restarted,omitempty"`
	Unavailable string     `json:"unavailable_for,omitempty"` // delayed restart: how long requests are still refused
	Keys        []KeyState `json:"keys"`
}

// Inspect returns the master's keyspace with each key's remaining TTL.
func (m *Master) Inspect() any {
	s := MasterState{Persistence: "none", Restarted: m.restarted, Keys: []KeyState{}}
	if m.cfg.Persist {
		s.Persistence = "always"
	}
	if m.ctx == nil {
		return s
	}
	now := m.ctx.Now()
	if now < m.availableAt {
		s.Unavailable = (m.availableAt - now).String()
	}
	for _, e := range m.keys {
		if e.ExpireAt > now {
			s.Keys = append(s.Keys, KeyState{Key: e.Key, Value: e.Value, Owner: e.Owner, TTLms: (e.ExpireAt - now).Milliseconds()})
		}
	}
	return s
}
