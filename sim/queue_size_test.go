package sim

import (
	"testing"
	"unsafe"
)

// The event is copied into the queue's slab on every send and timer; keep
// it within one cache line.
func TestEventFitsACacheLine(t *testing.T) {
	if size := unsafe.Sizeof(event{}); size > 64 {
		t.Fatalf("event is %d bytes, want at most 64", size)
	}
}
