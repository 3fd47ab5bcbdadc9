package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// runSuite checks a Store over any backend: the native tests run it on
// memory, the browser tests on IndexedDB in Chromium.
func runSuite(t *testing.T, open func(t *testing.T) *Store) {
	ctx := context.Background()
	t.Run("progress", func(t *testing.T) {
		s := open(t)
		p, err := s.Progress(ctx, "en/locks")
		if err != nil || p.Lesson != "en/locks" || p.Visited {
			t.Fatalf("fresh progress = %+v, %v; want an empty record for en/locks", p, err)
		}
		if _, err := s.Update(ctx, "en/locks", func(p *Progress) { p.Visited = true; p.Played = append(p.Played, "b", "a", "b") }); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveProgress(ctx, Progress{Lesson: "en/cap", Completed: true}); err != nil {
			t.Fatal(err)
		}
		all, err := s.AllProgress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []Progress{{Lesson: "en/cap", Completed: true}, {Lesson: "en/locks", Visited: true, Played: []string{"a", "b"}}}
		if !reflect.DeepEqual(all, want) {
			t.Fatalf("AllProgress = %+v, want %+v", all, want)
		}
	})
	t.Run("answers", func(t *testing.T) {
		s := open(t)
		for _, a := range []Answer{{Lesson: "en/locks", Quiz: 1, Choice: 0}, {Lesson: "en/locks", Quiz: 0, Choice: 2, Correct: true}, {Lesson: "en/cap", Quiz: 0}, {Lesson: "en/locks", Quiz: 1, Choice: 1, Correct: true}} {
			if err := s.SaveAnswer(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Answers(ctx, "en/locks")
		if err != nil {
			t.Fatal(err)
		}
		want := []Answer{{Lesson: "en/locks", Quiz: 0, Choice: 2, Correct: true}, {Lesson: "en/locks", Quiz: 1, Choice: 1, Correct: true}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Answers = %+v, want %+v (the later answer to quiz 1 replaces the earlier)", got, want)
		}
	})
	t.Run("scenarios and lessons", func(t *testing.T) {
		s := open(t)
		must(t, s.SaveScenario(ctx, SavedScenario{Name: "b", YAML: "name: b\n"}))
		must(t, s.SaveScenario(ctx, SavedScenario{Name: "a", YAML: "name: a\n"}))
		must(t, s.DeleteScenario(ctx, "b"))
		scs, err := s.Scenarios(ctx)
		if err != nil || len(scs) != 1 || scs[0].Name != "a" {
			t.Fatalf("Scenarios = %+v, %v; want only a", scs, err)
		}
		must(t, s.SaveLesson(ctx, AuthoredLesson{Path: "en/mine", Markdown: "# Mine\n"}))
		ls, err := s.Lessons(ctx)
		if err != nil || len(ls) != 1 || ls[0].Markdown != "# Mine\n" {
			t.Fatalf("Lessons = %+v, %v", ls, err)
		}
		must(t, s.DeleteLesson(ctx, "en/mine"))
		if ls, _ := s.Lessons(ctx); len(ls) != 0 {
			t.Fatalf("Lessons after delete = %+v", ls)
		}
	})
	t.Run("export import round trip", func(t *testing.T) {
		a := open(t)
		must(t, a.SaveProgress(ctx, Progress{Lesson: "zh/locks", Visited: true, Played: []string{"x"}}))
		must(t, a.SaveAnswer(ctx, Answer{Lesson: "zh/locks", Quiz: 2, Choice: 1, Correct: true}))
		must(t, a.SaveScenario(ctx, SavedScenario{Name: "quote\"s", YAML: "name: q\n"}))
		must(t, a.SaveLesson(ctx, AuthoredLesson{Path: "en/x", Markdown: "<script>alert(1)</script>"}))
		data, err := a.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var e Export
		if err := json.Unmarshal(data, &e); err != nil || e.Format != "coordlab-export" || e.Schema != SchemaVersion {
			t.Fatalf("export header = %q %d, %v", e.Format, e.Schema, err)
		}
		b := open(t)
		must(t, b.SaveProgress(ctx, Progress{Lesson: "en/other", Visited: true}))
		n, err := b.Import(ctx, data)
		if err != nil || n != 4 {
			t.Fatalf("Import = %d, %v; want 4 records", n, err)
		}
		again, err := b.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var e2 Export
		must(t, json.Unmarshal(again, &e2))
		if len(e2.Progress) != 2 || !reflect.DeepEqual(e2.Answers, e.Answers) || !reflect.DeepEqual(e2.Scenarios, e.Scenarios) || !reflect.DeepEqual(e2.Lessons, e.Lessons) {
			t.Fatalf("after import, export = %s\nwant the imported records plus en/other", again)
		}
	})
	t.Run("bad imports are refused whole", func(t *testing.T) {
		s := open(t)
		for _, bad := range []string{
			`not json`,
			`{"format":"something-else","schema":1}`,
			`{"format":"coordlab-export","schema":99}`,
			`{"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/a"},{"lesson":""}]}`,
			`{"format":"coordlab-export","schema":1,"extra":true}`,
			// truncated, and a whole export followed by more data
			`{"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/a"}`,
			`{"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/a"}]} {"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/b"}]}`,
			`{"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/a"}]}]`,
			// wrong types
			`{"format":"coordlab-export","schema":1,"answers":[{"lesson":"en/a","quiz":"1"}]}`,
			`{"format":"coordlab-export","schema":"1"}`,
			// duplicate ids: which one would win?
			`{"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/a","completed":true},{"lesson":"en/a"}]}`,
			`{"format":"coordlab-export","schema":1,"answers":[{"lesson":"en/a","quiz":1,"choice":0},{"lesson":"en/a","quiz":1,"choice":2}]}`,
			`{"format":"coordlab-export","schema":1,"scenarios":[{"name":"x","yaml":"a"},{"name":"x","yaml":"b"}]}`,
			`{"format":"coordlab-export","schema":1,"lessons":[{"path":"en/x","markdown":"a"},{"path":"en/x","markdown":"b"}]}`,
		} {
			n, err := s.Import(ctx, []byte(bad))
			if !errors.Is(err, ErrBadImport) || n != 0 {
				t.Errorf("Import(%s) = %d, %v; want a BadImport error and nothing stored", bad, n, err)
			}
		}
		if all, _ := s.AllProgress(ctx); len(all) != 0 {
			t.Errorf("a refused import stored %+v", all)
		}
		if as, _ := s.Answers(ctx, "en/a"); len(as) != 0 {
			t.Errorf("a refused import stored %+v", as)
		}
	})
	t.Run("an export from a newer lab is refused as newer", func(t *testing.T) {
		s := open(t)
		// A newer schema is likely to add fields: the student must be told
		// the file is from a newer lab, not that it is no export at all.
		_, err := s.Import(ctx, []byte(`{"format":"coordlab-export","schema":2,"progress":[{"lesson":"en/a","stars":3}],"bookmarks":[]}`))
		var se *Error
		if !errors.As(err, &se) || se.Problem != BadImport || !strings.Contains(se.Message(), "schema 2") {
			t.Fatalf("Import(schema 2 with new fields) = %v; want a BadImport naming schema 2", err)
		}
	})
	t.Run("import keeps progress made since the export", func(t *testing.T) {
		s := open(t)
		must(t, s.SaveProgress(ctx, Progress{Lesson: "en/a", Visited: true, Completed: true, Played: []string{"x"}}))
		// An older export: the lesson visited, not completed, another scenario played.
		n, err := s.Import(ctx, []byte(`{"format":"coordlab-export","schema":1,"progress":[{"lesson":"en/a","visited":true,"played":["y"]}]}`))
		if err != nil || n != 1 {
			t.Fatalf("Import = %d, %v", n, err)
		}
		p, err := s.Progress(ctx, "en/a")
		want := Progress{Lesson: "en/a", Visited: true, Completed: true, Played: []string{"x", "y"}}
		if err != nil || !reflect.DeepEqual(p, want) {
			t.Fatalf("after importing an older export, progress = %+v, %v; want %+v", p, err, want)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Problem: Quota, Op: "save the scenario"}, "quota"},
		{&Error{Problem: Blocked, Op: "open the lab's storage"}, "Close the other coordlab tabs"},
		{&Error{Problem: Unavailable, Op: "open the lab's storage"}, "IndexedDB"},
		{&Error{Problem: Failed, Op: "read progress", Err: errors.New("boom")}, "boom"},
	} {
		if msg := tc.err.Message(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, tc.err.Op) {
			t.Errorf("Message() = %q; want it to name %q and %q", msg, tc.err.Op, tc.want)
		}
	}
}
