//go:build js && wasm

package store

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
)

// DatabaseName is the IndexedDB database the lab uses.
const DatabaseName = "coordlab"

// openTimeout bounds how long opening waits: an open that neither succeeds
// nor fails is blocked by another tab holding an older version.
const openTimeout = 5 * time.Second

// IndexedDB is the browser's Backend.
type IndexedDB struct {
	db *idb.Database
}

// OpenIndexedDB opens (creating or upgrading) the lab's database.
func OpenIndexedDB(ctx context.Context) (*Store, error) {
	b, err := openIndexedDB(ctx, DatabaseName, SchemaVersion, openTimeout)
	if err != nil {
		return nil, err
	}
	return New(b), nil
}

func openIndexedDB(ctx context.Context, name string, version uint, timeout time.Duration) (b *IndexedDB, err error) {
	defer func() {
		// idb.Global panics when the browser has no indexedDB at all.
		if r := recover(); r != nil {
			b, err = nil, &Error{Problem: Unavailable, Op: "open the lab's storage", Err: fmt.Errorf("%v", r)}
		}
	}()
	if !js.Global().Get("indexedDB").Truthy() {
		return nil, &Error{Problem: Unavailable, Op: "open the lab's storage", Err: errors.New("no indexedDB")}
	}
	req, err := idb.Global().Open(ctx, name, version, upgrade)
	if err != nil {
		return nil, classify("open the lab's storage", err)
	}
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, err := req.Await(wait)
	if err == nil && wait.Err() != nil {
		// Await returns without an error when its context ends first.
		err = wait.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, &Error{Problem: Blocked, Op: "open the lab's storage", Err: fmt.Errorf("no answer within %v", timeout)}
	}
	if err != nil {
		return nil, classify("open the lab's storage", err)
	}
	return &IndexedDB{db: db}, nil
}

// upgrade runs the migrations from the stored version to the new one.
func upgrade(db *idb.Database, oldVersion, newVersion uint) error {
	for v := oldVersion; v < newVersion && int(v) < len(migrations); v++ {
		for _, kind := range migrations[v] {
			if _, err := db.CreateObjectStore(kind, idb.ObjectStoreOptions{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// classify turns a DOMException into the failure the student is told about.
func classify(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, idb.NewDOMException("QuotaExceededError")):
		return &Error{Problem: Quota, Op: op, Err: err}
	case errors.Is(err, idb.NewDOMException("InvalidStateError")), errors.Is(err, idb.NewDOMException("SecurityError")):
		return &Error{Problem: Unavailable, Op: op, Err: err}
	}
	return &Error{Problem: Failed, Op: op, Err: err}
}

// Close closes the database.
func (d *IndexedDB) Close() error { return d.db.Close() }

// Put stores value under key.
func (d *IndexedDB) Put(ctx context.Context, kind, key string, value []byte) error {
	txn, err := d.db.Transaction(idb.TransactionReadWrite, kind)
	if err != nil {
		return classify("write", err)
	}
	s, err := txn.ObjectStore(kind)
	if err != nil {
		return classify("write", err)
	}
	if _, err := s.PutKey(js.ValueOf(key), js.ValueOf(string(value))); err != nil {
		return classify("write", err)
	}
	return classify("write", txn.Await(ctx))
}

// putAll stores every write in one transaction over every object store:
// when one write fails (a full quota), IndexedDB aborts the transaction and
// none of them is stored.
func (d *IndexedDB) putAll(ctx context.Context, ws []write) error {
	txn, err := d.db.Transaction(idb.TransactionReadWrite, Kinds[0], Kinds[1:]...)
	if err != nil {
		return classify("write", err)
	}
	for _, w := range ws {
		s, err := txn.ObjectStore(w.kind)
		if err == nil {
			_, err = s.PutKey(js.ValueOf(w.key), js.ValueOf(string(w.value)))
		}
		if err != nil {
			_ = txn.Abort() // undo the writes made so far
			return classify("write", err)
		}
	}
	return classify("write", txn.Await(ctx))
}

// Get returns the value under key.
func (d *IndexedDB) Get(ctx context.Context, kind, key string) ([]byte, bool, error) {
	txn, err := d.db.Transaction(idb.TransactionReadOnly, kind)
	if err != nil {
		return nil, false, classify("read", err)
	}
	s, err := txn.ObjectStore(kind)
	if err != nil {
		return nil, false, classify("read", err)
	}
	req, err := s.Get(js.ValueOf(key))
	if err != nil {
		return nil, false, classify("read", err)
	}
	v, err := req.Await(ctx)
	if err != nil {
		return nil, false, classify("read", err)
	}
	if v.Type() != js.TypeString {
		return nil, false, nil
	}
	return []byte(v.String()), true, nil
}

// Delete removes key.
func (d *IndexedDB) Delete(ctx context.Context, kind, key string) error {
	txn, err := d.db.Transaction(idb.TransactionReadWrite, kind)
	if err != nil {
		return classify("delete", err)
	}
	s, err := txn.ObjectStore(kind)
	if err != nil {
		return classify("delete", err)
	}
	if _, err := s.Delete(js.ValueOf(key)); err != nil {
		return classify("delete", err)
	}
	return classify("delete", txn.Await(ctx))
}

// All returns every record of kind in key order (IndexedDB's cursor order
// for string keys).
func (d *IndexedDB) All(ctx context.Context, kind string) ([]Record, error) {
	txn, err := d.db.Transaction(idb.TransactionReadOnly, kind)
	if err != nil {
		return nil, classify("read", err)
	}
	s, err := txn.ObjectStore(kind)
	if err != nil {
		return nil, classify("read", err)
	}
	cur, err := s.OpenCursor(idb.CursorNext)
	if err != nil {
		return nil, classify("read", err)
	}
	var recs []Record
	err = cur.Iter(ctx, func(c *idb.CursorWithValue) error {
		k, err := c.Key()
		if err != nil {
			return err
		}
		v, err := c.Value()
		if err != nil {
			return err
		}
		if k.Type() == js.TypeString && v.Type() == js.TypeString {
			recs = append(recs, Record{Key: k.String(), Value: []byte(v.String())})
		}
		return nil
	})
	return recs, classify("read", err)
}
