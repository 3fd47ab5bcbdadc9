package dblock

import (
	"cmp"
	"slices"
	"time"

	"coordlab/sim"
	"coordlab/sim/mech/lock/replica"
)

// Table is the name of the lock table; Name is the lock's row key.
const (
	Table = "locks"
	Name  = "lock"
)

// Insert is INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?), with
// expires_at = NOW() + Expiry on the database's clock, or NULL when Expiry
// is 0. Req numbers the client's request; the answer repeats it.
type Insert struct {
	Req         int
	Name, Owner string
	Expiry      time.Duration
}

// Kind names the message.
func (Insert) Kind() string { return "INSERT" }

// InsertReply answers Insert: OK with the row's AUTO_INCREMENT id
// (LAST_INSERT_ID()), or a duplicate-key error (ER_DUP_ENTRY, 1062): the
// unique index already holds a row for the name, so the lock is taken.
type InsertReply struct {
	Req int
	OK  bool
	ID  int64
}

// Kind names the message.
func (m InsertReply) Kind() string {
	if m.OK {
		return "INSERT ok"
	}
	return "ER_DUP_ENTRY"
}

// Select is SELECT id, owner FROM locks WHERE name = ?: a client that sent an
// INSERT without hearing back asks whether it went through.
type Select struct {
	Req  int
	Name string
}

// Kind names the message.
func (Select) Kind() string { return "SELECT" }

// SelectReply answers Select.
type SelectReply struct {
	Req   int
	Found bool
	ID    int64
	Owner string
}

// Kind names the message.
func (SelectReply) Kind() string { return "SELECT reply" }

// DeleteExpired is DELETE FROM locks WHERE name = ? AND expires_at < NOW():
// a waiting client clears a row whose time has run out on the database's
// clock.
type DeleteExpired struct {
	Req  int
	Name string
}

// Kind names the message.
func (DeleteExpired) Kind() string { return "DELETE expired" }

// Delete is DELETE FROM locks WHERE name = ? AND owner = ?: the release. The
// owner value is unique to one acquisition, so a release never deletes
// another client's lock — not even after a failover, when the new primary
// hands the lost row's id out again (a release by id would delete the new
// holder's row).
type Delete struct {
	Req         int
	Name, Owner string
}

// Kind names the message.
func (Delete) Kind() string { return "DELETE" }

// DeleteReply answers Delete and DeleteExpired with the rows affected.
type DeleteReply struct {
	Req  int
	Rows int
}

// Kind names the message.
func (DeleteReply) Kind() string { return "DELETE reply" }

// ExpiredDeleted is observed when a waiting client deletes a row whose
// expires_at had passed: Owner's lock was taken away from it by By.
type ExpiredDeleted struct {
	Server, Owner, By string
	ID                int64
}

// row is one row of the lock table.
type row struct {
	ID          int64
	Name, Owner string
	ExpiresAt   time.Duration // on the database's clock
	Expires     bool          // expires_at is not NULL
}

// table is the lock table and its AUTO_INCREMENT counter: what replication
// copies and the storage engine keeps.
type table struct {
	Rows          []row // in id order
	AutoIncrement int64 // the last id handed out
}

func (t table) clone() table {
	return table{Rows: slices.Clone(t.Rows), AutoIncrement: t.AutoIncrement}
}

// The effects a primary propagates (row-based replication).
type (
	insertRow struct{ R row }
	deleteRow struct{ ID int64 }
)

// Server is a database server: db-1, and db-2 when there is a replica. Every
// committed statement is durable at once, as InnoDB makes it with
// innodb_flush_log_at_trx_commit=1, and so is the AUTO_INCREMENT counter (as
// in MySQL 8.0): a restart forgets nothing.
type Server struct {
	ctx     *sim.Context
	servers []string
	data    table
	rep     replica.Node
}

func newServer(servers []string) *Server { return &Server{servers: servers} }

// Start loads the table and takes up the server's role.
func (s *Server) Start(ctx *sim.Context) {
	s.ctx = ctx
	if v, ok := ctx.Durable().Get(Table); ok {
		s.data = v.(table).clone()
	}
	s.rep.Start(ctx, s, s.servers)
}

// Receive handles a replication message or a client's statement.
func (s *Server) Receive(ctx *sim.Context, from string, msg sim.Message) {
	if s.rep.Receive(from, msg) {
		return
	}
	if !s.rep.IsPrimary() {
		ctx.Send(from, replica.ReadOnly{Primary: s.rep.Primary()})
		return
	}
	switch m := msg.(type) {
	case Insert:
		s.handleInsert(from, m)
	case Select:
		r, ok := s.find(m.Name)
		ctx.Send(from, SelectReply{Req: m.Req, Found: ok, ID: r.ID, Owner: r.Owner})
	case DeleteExpired:
		s.handleDeleteExpired(from, m)
	case Delete:
		s.handleDelete(from, m)
	}
}

func (s *Server) handleInsert(from string, m Insert) {
	if _, taken := s.find(m.Name); taken {
		s.ctx.Send(from, InsertReply{Req: m.Req})
		return
	}
	s.data.AutoIncrement++
	r := row{ID: s.data.AutoIncrement, Name: m.Name, Owner: m.Owner}
	if m.Expiry > 0 {
		r.ExpiresAt, r.Expires = s.ctx.Now()+m.Expiry, true
	}
	s.data.Rows = append(s.data.Rows, r)
	s.commit()
	// The primary commits and answers before the binlog event reaches the
	// replica: the window in which a failover loses this row.
	s.ctx.Send(from, InsertReply{Req: m.Req, OK: true, ID: r.ID})
	s.rep.Propagate(insertRow{r})
}

func (s *Server) handleDeleteExpired(from string, m DeleteExpired) {
	r, ok := s.find(m.Name)
	if !ok || !r.Expires || s.ctx.Now() <= r.ExpiresAt {
		s.ctx.Send(from, DeleteReply{Req: m.Req})
		return
	}
	s.remove(r.ID)
	s.commit()
	s.ctx.Count("expired-rows", 1)
	s.ctx.Observe(ExpiredDeleted{Server: s.ctx.Name(), Owner: r.Owner, By: from, ID: r.ID})
	s.ctx.Send(from, DeleteReply{Req: m.Req, Rows: 1})
	s.rep.Propagate(deleteRow{r.ID})
}

func (s *Server) handleDelete(from string, m Delete) {
	r, ok := s.find(m.Name)
	if !ok || r.Owner != m.Owner {
		s.ctx.Send(from, DeleteReply{Req: m.Req})
		return
	}
	s.remove(r.ID)
	s.commit()
	s.ctx.Send(from, DeleteReply{Req: m.Req, Rows: 1})
	s.rep.Propagate(deleteRow{r.ID})
}

// Timer runs the replication heartbeat.
func (s *Server) Timer(ctx *sim.Context, tag any) { s.rep.Timer(tag) }

// find looks a row up by the unique index on name.
func (s *Server) find(name string) (row, bool) {
	for _, r := range s.data.Rows {
		if r.Name == name {
			return r, true
		}
	}
	return row{}, false
}

func (s *Server) remove(id int64) {
	s.data.Rows = slices.DeleteFunc(s.data.Rows, func(r row) bool { return r.ID == id })
}

// commit makes the table durable.
func (s *Server) commit() { s.ctx.Durable().Put(Table, s.data.clone()) }

// Apply applies a row event from the primary's binlog. The replica's
// AUTO_INCREMENT follows the ids it has seen, so an id the primary handed
// out but never shipped will be handed out again after a failover.
func (s *Server) Apply(effect any) {
	switch e := effect.(type) {
	case insertRow:
		s.remove(e.R.ID)
		s.data.Rows = append(s.data.Rows, e.R)
		slices.SortFunc(s.data.Rows, func(a, b row) int { return cmp.Compare(a.ID, b.ID) })
		s.data.AutoIncrement = max(s.data.AutoIncrement, e.R.ID)
	case deleteRow:
		s.remove(e.ID)
	}
	s.commit()
}

// Snapshot returns a copy of the table for a full resync.
func (s *Server) Snapshot() any { return s.data.clone() }

// Restore replaces the table with the primary's copy.
func (s *Server) Restore(snapshot any) {
	s.data = snapshot.(table).clone()
	s.commit()
}

// RowState is one row as the browser panel shows it.
type RowState struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Owner string `json:"owner"`
	// ExpiresIn is how long until expires_at on this server's clock, in
	// milliseconds, negative when it has passed; absent when it is NULL.
	ExpiresIn *int64 `json:"expires_in_ms,omitempty"`
	Expired   bool   `json:"expired"`
}

// ServerState is what the browser panel shows of a database server.
type ServerState struct {
	Role          string          `json:"role"`
	Rows          []RowState      `json:"locks"`
	AutoIncrement int64           `json:"auto_increment"`
	Replication   *replica.Status `json:"replication,omitempty"`
}

// Inspect returns the lock table, the AUTO_INCREMENT counter and the role.
func (s *Server) Inspect() any {
	st := ServerState{Role: "primary", Rows: []RowState{}, AutoIncrement: s.data.AutoIncrement, Replication: s.rep.Inspect()}
	if !s.rep.IsPrimary() {
		st.Role = "replica"
	}
	for _, r := range s.data.Rows {
		rs := RowState{ID: r.ID, Name: r.Name, Owner: r.Owner}
		if r.Expires {
			left := r.ExpiresAt - s.ctx.Now()
			ms := int64(left / time.Millisecond)
			rs.ExpiresIn, rs.Expired = &ms, left < 0
		}
		st.Rows = append(st.Rows, rs)
	}
	return st
}
