package zklock

import (
	"slices"
	"testing"
	"time"
)

func TestApply(t *testing.T) {
	var fx Effects
	t0 := DataTree{}
	t1 := t0.Apply(Txn{Zxid: Zxid(1, 1), Type: TxnCreateSession, Session: Zxid(1, 1), Timeout: 4 * time.Second, Client: "client-1"}, &fx)
	t2 := t1.Apply(Txn{Zxid: Zxid(1, 2), Type: TxnCreateSession, Session: Zxid(1, 2), Timeout: 4 * time.Second, Client: "client-2"}, &fx)
	a := t2.Prepare(Request{Session: Zxid(1, 1), Xid: 1, Op: OpCreate, Path: "/lock/_c_a-lock-"})
	a.Zxid = Zxid(1, 3)
	t3 := t2.Apply(a, &fx)
	b := t3.Prepare(Request{Session: Zxid(1, 2), Xid: 1, Op: OpCreate, Path: "/lock/_c_b-lock-"})
	b.Zxid = Zxid(1, 4)
	t4 := t3.Apply(b, &fx)
	if a.Name != "_c_a-lock-0000000000" || b.Name != "_c_b-lock-0000000001" {
		t.Fatalf("sequential names %q, %q; want the parent's cversion as a ten-digit suffix", a.Name, b.Name)
	}
	if got := t4.Children(); !slices.Equal(got, []string{a.Name, b.Name}) {
		t.Fatalf("children %v", got)
	}
	if n, _ := t4.Node(b.Name); n.Czxid != Zxid(1, 4) || n.Owner != Zxid(1, 2) || n.Seq != 1 {
		t.Fatalf("node %+v: want czxid 0x100000004, owner session 0x100000002, seq 1", n)
	}
	// Deleting bumps the cversion, so the next name skips a number, as in ZooKeeper.
	d := t4.Prepare(Request{Session: Zxid(1, 1), Xid: 2, Op: OpDelete, Path: "/lock/" + a.Name})
	d.Zxid = Zxid(1, 5)
	var dfx Effects
	t5 := t4.Apply(d, &dfx)
	if c := t5.Prepare(Request{Session: Zxid(1, 1), Op: OpCreate, Path: "/lock/_c_c-lock-"}); c.Name != "_c_c-lock-0000000003" {
		t.Fatalf("after a delete the next name is %q, want suffix 0000000003", c.Name)
	}
	if !slices.Equal(dfx.Deleted, []string{a.Name}) {
		t.Fatalf("delete effects %+v", dfx)
	}
	// Closing a session deletes its ephemeral nodes.
	var cfx Effects
	t6 := t5.Apply(Txn{Zxid: Zxid(1, 6), Type: TxnCloseSession, Session: Zxid(1, 2)}, &cfx)
	if len(t6.Nodes) != 0 || t6.HasSession(Zxid(1, 2)) || !slices.Equal(cfx.Deleted, []string{b.Name}) || !slices.Equal(cfx.Closed, []int64{Zxid(1, 2)}) {
		t.Fatalf("after closeSession: tree %+v, effects %+v", t6, cfx)
	}
	// Copy on write: the older trees are unchanged.
	if len(t4.Nodes) != 2 || len(t5.Nodes) != 1 || len(t2.Sessions) != 2 || t4.Zxid != Zxid(1, 4) {
		t.Fatalf("an older tree changed: t4 %+v, t5 %+v", t4, t5)
	}
	if diff := t6.Diff(t4); !slices.Equal(diff.Deleted, []string{a.Name, b.Name}) || !slices.Equal(diff.Closed, []int64{Zxid(1, 2)}) {
		t.Fatalf("Diff = %+v", diff)
	}
}

func TestPrepareErrors(t *testing.T) {
	var fx Effects
	tree := DataTree{}.Apply(Txn{Zxid: 1, Type: TxnCreateSession, Session: 1, Timeout: time.Second}, &fx)
	tests := []struct {
		req  Request
		want string
	}{
		{Request{Session: 2, Op: OpCreate, Path: "/lock/_c_x-lock-"}, ErrSessionExpired},
		{Request{Session: 1, Op: OpDelete, Path: "/lock/_c_x-lock-0000000007"}, ErrNoNode},
		{Request{Session: 1, Op: OpGetChildren, Path: "/lock"}, ErrBadArguments},
		{Request{Session: 1, Op: OpCreate, Path: "/lock/_c_x-lock-"}, ""},
	}
	for _, tt := range tests {
		txn := tree.Prepare(tt.req)
		if txn.Err != tt.want || (tt.want != "") != (txn.Type == TxnError) {
			t.Errorf("Prepare(%+v) = %+v, want error %q", tt.req, txn, tt.want)
		}
	}
}

func TestPosition(t *testing.T) {
	kids := []string{"_c_b-lock-0000000007", "_c_a-lock-0000000003", "_c_c-lock-0000000012"}
	tests := []struct {
		node        string
		lowest      bool
		prev        string
		ok          bool
		explanation string
	}{
		{"_c_a-lock-0000000003", true, "", true, "the lowest sequence holds"},
		{"_c_b-lock-0000000007", false, "_c_a-lock-0000000003", true, "watch the next lower only"},
		{"_c_c-lock-0000000012", false, "_c_b-lock-0000000007", true, "not the lowest of all, the next lower"},
		{"_c_d-lock-0000000009", false, "", false, "our node is gone"},
	}
	for _, tt := range tests {
		lowest, prev, ok := Position(kids, tt.node)
		if lowest != tt.lowest || prev != tt.prev || ok != tt.ok {
			t.Errorf("%s: Position(%s) = %v %q %v, want %v %q %v", tt.explanation, tt.node, lowest, prev, ok, tt.lowest, tt.prev, tt.ok)
		}
	}
}

func TestVoteOrder(t *testing.T) {
	tests := []struct {
		a, b Vote
		want bool
	}{
		{Vote{Leader: 1, Zxid: 5, Epoch: 2}, Vote{Leader: 3, Zxid: 9, Epoch: 1}, true}, // epoch first
		{Vote{Leader: 1, Zxid: 9, Epoch: 1}, Vote{Leader: 3, Zxid: 5, Epoch: 1}, true}, // then zxid
		{Vote{Leader: 3, Zxid: 5, Epoch: 1}, Vote{Leader: 1, Zxid: 5, Epoch: 1}, true}, // then id
		{Vote{Leader: 1, Zxid: 5, Epoch: 1}, Vote{Leader: 3, Zxid: 5, Epoch: 1}, false},
		{Vote{Leader: 2, Zxid: 5, Epoch: 1}, Vote{Leader: 2, Zxid: 5, Epoch: 1}, false},
	}
	for _, tt := range tests {
		if got := tt.a.Better(tt.b); got != tt.want {
			t.Errorf("%+v.Better(%+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
