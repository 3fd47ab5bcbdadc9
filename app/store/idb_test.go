//go:build js && wasm

package store

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
)

// These tests run in real Chromium: GOOS=js GOARCH=wasm go test
// -exec wasmbrowsertest ./app/store/

var dbCount int

func freshDB(t *testing.T) (*IndexedDB, string) {
	t.Helper()
	dbCount++
	name := fmt.Sprintf("coordlab-test-%d-%d", time.Now().UnixNano(), dbCount)
	b, err := openIndexedDB(context.Background(), name, SchemaVersion, 5*time.Second)
	if err != nil {
		t.Fatalf("opening IndexedDB %s: %v", name, err)
	}
	return b, name
}

func TestIndexedDB(t *testing.T) {
	runSuite(t, func(t *testing.T) *Store {
		b, _ := freshDB(t)
		t.Cleanup(func() { b.Close() })
		return New(b)
	})
}

// TestIndexedDBSurvivesReopen is the reload case: what one connection
// stored, the next one reads.
func TestIndexedDBSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	b, name := freshDB(t)
	must(t, New(b).SaveProgress(ctx, Progress{Lesson: "en/locks", Completed: true}))
	must(t, b.Close())
	b2, err := openIndexedDB(ctx, name, SchemaVersion, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	p, err := New(b2).Progress(ctx, "en/locks")
	if err != nil || !p.Completed {
		t.Fatalf("after reopening, progress = %+v, %v; want it completed", p, err)
	}
	names, err := b2.db.ObjectStoreNames()
	if err != nil || len(names) != len(Kinds) {
		t.Fatalf("object stores = %v, %v; want %v", names, err, Kinds)
	}
}

// TestIndexedDBBlocked holds an old version open from plain JavaScript,
// ignoring versionchange as an old tab might, and checks that the upgrade
// fails as Blocked instead of hanging.
func TestIndexedDBBlocked(t *testing.T) {
	name := fmt.Sprintf("coordlab-blocked-%d", time.Now().UnixNano())
	opened := make(chan js.Value, 1)
	req := js.Global().Get("indexedDB").Call("open", name, 1)
	var onSuccess js.Func
	onSuccess = js.FuncOf(func(js.Value, []js.Value) any {
		opened <- req.Get("result")
		onSuccess.Release()
		return nil
	})
	req.Set("onsuccess", onSuccess)
	old := <-opened
	defer old.Call("close")

	_, err := openIndexedDB(context.Background(), name, 2, 300*time.Millisecond)
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("opening a newer version while an old connection stays open = %v; want Blocked", err)
	}
	var se *Error
	if !errors.As(err, &se) || se.Message() == "" {
		t.Fatalf("error %v carries no message for the student", err)
	}
}

func TestClassifyQuota(t *testing.T) {
	err := classify("save the scenario", idb.NewDOMException("QuotaExceededError"))
	if !errors.Is(err, ErrQuota) {
		t.Fatalf("classify(QuotaExceededError) = %v; want Quota", err)
	}
}

// TestIndexedDBImportIsAllOrNothing fails the last write of an import's
// batch (an object store that does not exist stands in for a full quota,
// which Chromium cannot be made to hit here) and checks that the writes
// before it were rolled back with it.
func TestIndexedDBImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	b, _ := freshDB(t)
	defer b.Close()
	must(t, b.Put(ctx, KindScenarios, "mine", []byte(`{"name":"mine","yaml":"a"}`)))
	err := b.putAll(ctx, []write{
		{KindScenarios, "mine", []byte(`{"name":"mine","yaml":"b"}`)},
		{KindProgress, "en/a", []byte(`{"lesson":"en/a"}`)},
		{"no-such-store", "x", []byte(`{}`)},
	})
	if err == nil {
		t.Fatal("a batch with a failing write succeeded")
	}
	v, _, err := b.Get(ctx, KindScenarios, "mine")
	if err != nil || string(v) != `{"name":"mine","yaml":"a"}` {
		t.Fatalf("after a failed batch, mine = %s, %v; want it unchanged", v, err)
	}
	if _, ok, err := b.Get(ctx, KindProgress, "en/a"); ok || err != nil {
		t.Fatalf("after a failed batch, en/a is stored (%v, %v)", ok, err)
	}
}
