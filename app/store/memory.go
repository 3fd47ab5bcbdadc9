package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// MemoryBackend keeps records in memory. Limit, when positive, is a quota in
// bytes over all values, so that tests can see a full quota surfaced.
type MemoryBackend struct {
	mu    sync.Mutex
	limit int
	used  int
	kinds map[string]map[string][]byte
}

// NewMemoryBackend returns an empty backend with a quota of limit bytes (0:
// none).
func NewMemoryBackend(limit int) *MemoryBackend {
	return &MemoryBackend{limit: limit, kinds: map[string]map[string][]byte{}}
}

func (m *MemoryBackend) kind(kind string) (map[string][]byte, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, fmt.Errorf("no object store %q", kind)
	}
	k := m.kinds[kind]
	if k == nil {
		k = map[string][]byte{}
		m.kinds[kind] = k
	}
	return k, nil
}

// Put stores value under key.
func (m *MemoryBackend) Put(_ context.Context, kind, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, err := m.kind(kind)
	if err != nil {
		return err
	}
	used := m.used - len(k[key]) + len(value)
	if m.limit > 0 && used > m.limit {
		return &Error{Problem: Quota, Err: fmt.Errorf("quota of %d bytes exceeded", m.limit)}
	}
	m.used = used
	k[key] = slices.Clone(value)
	return nil
}

// Get returns the value under key.
func (m *MemoryBackend) Get(_ context.Context, kind, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, err := m.kind(kind)
	if err != nil {
		return nil, false, err
	}
	v, ok := k[key]
	return slices.Clone(v), ok, nil
}

// Delete removes key.
func (m *MemoryBackend) Delete(_ context.Context, kind, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, err := m.kind(kind)
	if err != nil {
		return err
	}
	m.used -= len(k[key])
	delete(k, key)
	return nil
}

// All returns every record of kind in key order.
func (m *MemoryBackend) All(_ context.Context, kind string) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, err := m.kind(kind)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(k))
	for key := range k {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	recs := make([]Record, len(keys))
	for i, key := range keys {
		recs[i] = Record{Key: key, Value: slices.Clone(k[key])}
	}
	return recs, nil
}

// putAll stores every write, or none when they do not fit in the quota.
func (m *MemoryBackend) putAll(_ context.Context, ws []write) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	used := m.used
	size := map[[2]string]int{} // the size of each key as the writes go
	for _, w := range ws {
		k, err := m.kind(w.kind)
		if err != nil {
			return err
		}
		id := [2]string{w.kind, w.key}
		old, ok := size[id]
		if !ok {
			old = len(k[w.key])
		}
		used += len(w.value) - old
		size[id] = len(w.value)
	}
	if m.limit > 0 && used > m.limit {
		return &Error{Problem: Quota, Err: fmt.Errorf("quota of %d bytes exceeded", m.limit)}
	}
	for _, w := range ws {
		m.kinds[w.kind][w.key] = slices.Clone(w.value)
	}
	m.used = used
	return nil
}
