package quorum_test

import (
	"testing"

	"coordlab/sim/mech"
	"coordlab/sim/mech/quorum"
)

// TestCatalogEntry checks the registration's parameters and defaults
// against DESIGN section 5. What every mechanism must satisfy (nodes,
// checkers, metrics) is checked in sim/mech/all.
func TestCatalogEntry(t *testing.T) {
	m, ok := mech.Lookup("quorum")
	if !ok || m != quorum.Mechanism {
		t.Fatal("quorum is not registered")
	}
	for name, def := range map[string]string{"n": "3", "r": "2", "w": "2", "clients": "3", "sloppy": "false", "read_repair": "true", "conflict": "lww"} {
		if p, ok := m.Param(name); !ok || p.Default != def {
			t.Errorf("parameter %s: want default %s", name, def)
		}
	}
	for _, bad := range [][]string{{"r", "4"}, {"w", "4"}, {"n", "6"}} {
		if _, err := m.With(bad...); err == nil {
			t.Errorf("%v with the defaults: want an error", bad)
		}
	}
}
