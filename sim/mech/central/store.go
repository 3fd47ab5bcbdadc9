package central

import (
	"slices"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/web"
)

// The store's commands, named after the Redis commands Spring Session's
// RedisSessionRepository sends for a session hash.
type (
	// Get loads a session: HGETALL spring:session:sessions:<id>.
	Get struct {
		Op  uint64
		Key string
	}
	// Put saves a session: HMSET spring:session:sessions:<id> ...
	Put struct {
		Op   uint64
		Key  string
		Data web.Data
	}
	// Del deletes a session at logout: DEL spring:session:sessions:<id>.
	Del struct {
		Op  uint64
		Key string
	}
	// Reply answers Get, Put and Del.
	Reply struct {
		Op    uint64
		Found bool
		Data  web.Data
	}
)

// Kind names the command in the trace.
func (Get) Kind() string { return "HGETALL" }

// Kind names the command in the trace.
func (Put) Kind() string { return "HMSET" }

// Kind names the command in the trace.
func (Del) Kind() string { return "DEL" }

// Kind names the reply in the trace.
func (Reply) Kind() string { return "reply" }

// Entry is one write in the replication stream.
type Entry struct {
	Seq     uint64
	Key     string
	Data    web.Data
	Deleted bool
}

// Replicate carries the writes store-1 has not seen acknowledged yet to
// store-2. Epoch is store-1's replication id, new at every start.
type Replicate struct {
	Epoch   uint64
	Entries []Entry
	// Snapshot, when not 0, makes this a full resync (Redis's FULLRESYNC):
	// Entries is store-1's whole keyspace as of write Snapshot.
	Snapshot uint64
}

// Kind names the message in the trace.
func (Replicate) Kind() string { return "replicate" }

// ReplAck is the replica's acknowledgement (REPLCONF ACK <offset>).
type ReplAck struct {
	Epoch uint64
	Seq   uint64
}

// Kind names the message in the trace.
func (ReplAck) Kind() string { return "REPLCONF ACK" }

// PSync is the replica's request for a full resync (PSYNC ? -1): it lost
// the history the stream continues, because it restarted empty.
type PSync struct{ Epoch uint64 }

// Kind names the message in the trace.
func (PSync) Kind() string { return "PSYNC" }

// ReplFlush is how often store-1 ships its replication stream to store-2.
// Acknowledged writes not yet shipped are lost if store-1 crashes: the
// window of asynchronous replication.
const ReplFlush = 100 * time.Millisecond

// maxBatch bounds one Replicate message.
const maxBatch = 256

// held is a reply store-1 holds until store-2 has the write (sync).
type held struct {
	seq   uint64
	to    string
	reply Reply
}

type flush struct{}

// Store is a session store node: store-1, or its replica store-2. It keeps
// sessions in memory only (Redis without persistence), so a restart comes
// back empty. store-2 follows store-1's replication stream until an app
// server that failed over writes to it directly, which promotes it.
type Store struct {
	replica string // store-1: the replica to feed ("" for none)
	sync    bool   // store-1: hold each reply until the replica has the write
	data    map[string]web.Data

	epoch uint64
	seq   uint64
	log   []Entry // writes store-2 has not acknowledged
	acked uint64
	held  []held
	armed bool

	follower  bool   // store-2: a replica until promoted
	following uint64 // store-2: the epoch it follows
	applied   uint64
	promoted  bool
}

// NewPrimary returns store-1; replica names the replica it feeds ("" for
// none) and sync makes it hold each reply until the replica has the write.
func NewPrimary(replica string, sync bool) *Store {
	return &Store{replica: replica, sync: sync, data: map[string]web.Data{}}
}

// NewReplica returns store-2.
func NewReplica() *Store { return &Store{follower: true, data: map[string]web.Data{}} }

// Start picks a new replication id: a restarted store-1 starts a new history.
func (s *Store) Start(ctx *sim.Context) {
	s.epoch = ctx.Rand().Uint64() | 1
	ctx.Count("promotions", 0)
	ctx.Count("full-resyncs", 0)
}

// Receive handles the commands of app servers and the replication stream.
func (s *Store) Receive(ctx *sim.Context, from string, msg sim.Message) {
	switch m := msg.(type) {
	case Get:
		d, ok := s.data[m.Key]
		ctx.Send(from, Reply{Op: m.Op, Found: ok, Data: d})
	case Put:
		s.data[m.Key] = m.Data
		s.wrote(ctx, from, Entry{Key: m.Key, Data: m.Data}, Reply{Op: m.Op, Found: true, Data: m.Data})
	case Del:
		_, ok := s.data[m.Key]
		delete(s.data, m.Key)
		s.wrote(ctx, from, Entry{Key: m.Key, Deleted: true}, Reply{Op: m.Op, Found: ok})
	case Replicate:
		s.follow(ctx, from, m)
	case ReplAck:
		s.acknowledged(ctx, m)
	case PSync:
		if m.Epoch == s.epoch {
			s.fullResync(ctx, from)
		}
	}
}

// wrote answers a write, after feeding it to the replica if there is one.
func (s *Store) wrote(ctx *sim.Context, from string, e Entry, r Reply) {
	if s.replica == "" {
		if s.follower && !s.promoted {
			s.promoted = true // an app failed over to this replica: it is the primary now
			ctx.Count("promotions", 1)
		}
		ctx.Send(from, r)
		return
	}
	s.seq++
	e.Seq = s.seq
	s.log = append(s.log, e)
	if !s.sync {
		ctx.Send(from, r) // acknowledged before the replica has it
		s.arm(ctx)
		return
	}
	s.held = append(s.held, held{seq: e.Seq, to: from, reply: r})
	s.ship(ctx)
	s.arm(ctx)
}

func (s *Store) arm(ctx *sim.Context) {
	if !s.armed {
		s.armed = true
		ctx.SetTimer(ReplFlush, flush{})
	}
}

// Timer ships what the replica has not acknowledged, and keeps doing so
// while anything is left.
func (s *Store) Timer(ctx *sim.Context, _ any) {
	s.armed = false
	if len(s.log) > 0 {
		s.ship(ctx)
		s.arm(ctx)
	}
}

func (s *Store) ship(ctx *sim.Context) {
	n := min(len(s.log), maxBatch)
	ctx.Send(s.replica, Replicate{Epoch: s.epoch, Entries: append([]Entry(nil), s.log[:n]...)})
}

// follow applies store-1's stream at store-2. A new epoch means store-1
// restarted with a new history: like a Redis replica doing a full resync,
// store-2 drops what it had and takes the primary's data from scratch.
func (s *Store) follow(ctx *sim.Context, from string, m Replicate) {
	if s.promoted {
		return // a promoted replica no longer follows the old primary
	}
	if m.Epoch != s.following {
		if s.following != 0 {
			clear(s.data)
			ctx.Count("full-resyncs", 1)
		}
		s.following, s.applied = m.Epoch, 0
	}
	switch {
	case m.Snapshot > s.applied:
		clear(s.data)
		for _, e := range m.Entries {
			s.data[e.Key] = e.Data
		}
		s.applied = m.Snapshot
		ctx.Count("full-resyncs", 1)
		ctx.Send(from, ReplAck{Epoch: m.Epoch, Seq: s.applied})
		return
	case m.Snapshot > 0:
		return // older than what it has applied since
	case len(m.Entries) > 0 && m.Entries[0].Seq > s.applied+1:
		// The stream goes on past writes this replica never had: it
		// restarted empty. Only a full resync can fill the gap.
		ctx.Send(from, PSync{Epoch: m.Epoch})
		return
	}
	for _, e := range m.Entries {
		if e.Seq != s.applied+1 {
			continue
		}
		if e.Deleted {
			delete(s.data, e.Key)
		} else {
			s.data[e.Key] = e.Data
		}
		s.applied = e.Seq
	}
	ctx.Send(from, ReplAck{Epoch: m.Epoch, Seq: s.applied})
}

// acknowledged drops what store-2 has and releases the replies held for it.
func (s *Store) acknowledged(ctx *sim.Context, m ReplAck) {
	if m.Epoch != s.epoch || m.Seq <= s.acked {
		return
	}
	s.acked = m.Seq
	i := 0
	for i < len(s.log) && s.log[i].Seq <= m.Seq {
		i++
	}
	s.log = s.log[i:]
	j := 0
	for j < len(s.held) && s.held[j].seq <= m.Seq {
		ctx.Send(s.held[j].to, s.held[j].reply)
		j++
	}
	s.held = s.held[j:]
}

// fullResync sends the replica the whole keyspace as of the last write;
// the stream goes on from there.
func (s *Store) fullResync(ctx *sim.Context, to string) {
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	entries := make([]Entry, len(keys))
	for i, k := range keys {
		entries[i] = Entry{Key: k, Data: s.data[k]}
	}
	ctx.Send(to, Replicate{Epoch: s.epoch, Entries: entries, Snapshot: s.seq})
}

// StoreState is what the panel shows of a store.
type StoreState struct {
	Role     string             `json:"role"`
	Sessions []web.SessionState `json:"sessions"`
	// Unreplicated counts the writes the replica has not acknowledged.
	Unreplicated int `json:"unreplicated,omitempty"`
	Held         int `json:"held_replies,omitempty"`
}

// Inspect shows the keyspace and the replication state.
func (s *Store) Inspect() any {
	st := StoreState{Role: "primary", Sessions: web.Sessions(s.data), Unreplicated: len(s.log), Held: len(s.held)}
	switch {
	case s.promoted:
		st.Role = "promoted replica (primary now)"
	case s.follower:
		st.Role = "replica"
	}
	return st
}
