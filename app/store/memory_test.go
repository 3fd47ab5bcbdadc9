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

// TestImportIsAllOrNothing fills the quota in the middle of an import: the
// import must fail whole, leaving every earlier record as it was.
func TestImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := New(NewMemoryBackend(400))
	must(t, s.SaveScenario(ctx, SavedScenario{Name: "mine", YAML: "name: mine\n"}))
	before, err := s.Export(ctx)
	must(t, err)
	file := `{"format":"coordlab-export","schema":1,
		"progress":[{"lesson":"en/a","visited":true}],
		"scenarios":[{"name":"mine","yaml":"name: theirs\n"},{"name":"big","yaml":"` + strings.Repeat("x", 400) + `"}]}`
	n, err := s.Import(ctx, []byte(file))
	if !errors.Is(err, ErrQuota) || n != 0 {
		t.Fatalf("Import past the quota = %d, %v; want a Quota error and 0 records", n, err)
	}
	after, err := s.Export(ctx)
	must(t, err)
	if string(after) != string(before) {
		t.Fatalf("a failed import changed the store:\n%s\nwas\n%s", after, before)
	}
}

// TestImportRefusesAHugeFile checks that a file far larger than any export
// is refused before it is decoded.
func TestImportRefusesAHugeFile(t *testing.T) {
	s := NewMemory()
	file := `{"format":"coordlab-export","schema":1,"lessons":[{"path":"en/x","markdown":"` + strings.Repeat("x", maxImport) + `"}]}`
	n, err := s.Import(context.Background(), []byte(file))
	var se *Error
	if !errors.As(err, &se) || se.Problem != BadImport || n != 0 || !strings.Contains(se.Message(), "MiB") {
		t.Fatalf("Import of a %d-byte file = %d, %v; want a BadImport naming the limit", len(file), n, err)
	}
	if ls, _ := s.Lessons(context.Background()); len(ls) != 0 {
		t.Fatalf("the refused file stored %d lessons", len(ls))
	}
}
