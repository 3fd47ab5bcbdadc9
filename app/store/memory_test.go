package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestMemory(t *testing.T) {
	runSuite(t, func(*testing.T) *Store { return NewMemory() })
}

func TestMemoryQuotaIsSurfaced(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemoryBackend(200))
	must(t, s.SaveScenario(ctx, SavedScenario{Name: "small", YAML: "x"}))
	err := s.SaveScenario(ctx, SavedScenario{Name: "big", YAML: strings.Repeat("x", 500)})
	if !errors.Is(err, ErrQuota) {
		t.Fatalf("saving past the quota = %v; want a Quota error", err)
	}
	var se *Error
	if !errors.As(err, &se) || se.Op != "save the scenario" || !strings.Contains(se.Message(), "quota") {
		t.Fatalf("error = %#v; want it to say which operation hit the quota", err)
	}
	// Replacing a record counts its old size out.
	must(t, s.SaveScenario(ctx, SavedScenario{Name: "small", YAML: strings.Repeat("y", 100)}))
}
