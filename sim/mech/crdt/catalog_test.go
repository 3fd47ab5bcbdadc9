package crdt_test

import (
	"testing"

	"coordlab/sim/mech"
	"coordlab/sim/mech/crdt"
)

// TestCatalogEntry checks the registration's parameters and defaults
// against DESIGN section 5. What every mechanism must satisfy (nodes,
// checkers, metrics) is checked in sim/mech/all.
func TestCatalogEntry(t *testing.T) {
	m, ok := mech.Lookup("crdt")
	if !ok || m != crdt.Mechanism {
		t.Fatal("crdt is not registered")
	}
	for name, def := range map[string]string{"replicas": "3", "type": "gcounter", "gossip": "200ms"} {
		if p, ok := m.Param(name); !ok || p.Default != def {
			t.Errorf("parameter %s: want default %s", name, def)
		}
	}
}
