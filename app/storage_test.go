package app

import (
	"testing"

	"coordlab/app/store"
)

func TestSaveNameKeepsOtherScenarios(t *testing.T) {
	saved := []store.SavedScenario{{Name: "playground", YAML: "a"}, {Name: "playground-2", YAML: "b"}, {Name: "other", YAML: "c"}}
	for _, tt := range []struct {
		sc      store.SavedScenario
		want    string
		already bool
	}{
		{store.SavedScenario{Name: "fresh", YAML: "x"}, "fresh", false},
		{store.SavedScenario{Name: "playground", YAML: "a"}, "playground", true},
		{store.SavedScenario{Name: "playground", YAML: "b"}, "playground-2", true},
		{store.SavedScenario{Name: "playground", YAML: "z"}, "playground-3", false},
		{store.SavedScenario{Name: "other", YAML: "d"}, "other-2", false},
	} {
		if name, already := saveName(saved, tt.sc); name != tt.want || already != tt.already {
			t.Errorf("saving %+v: %q, already %v; want %q, %v", tt.sc, name, already, tt.want, tt.already)
		}
	}
}

func TestEditorKeepsOtherDrafts(t *testing.T) {
	drafts := []store.AuthoredLesson{{Path: "en/my-lesson", Markdown: "one"}, {Path: "en/my-lesson-2", Markdown: "two"}}
	if got := freePath(drafts, "en/my-lesson"); got != "en/my-lesson-3" {
		t.Errorf("a new lesson's path is %q, want en/my-lesson-3", got)
	}
	if got := freePath(nil, "zh/my-lesson"); got != "zh/my-lesson" {
		t.Errorf("the first lesson's path is %q", got)
	}
	for _, tt := range []struct {
		path, opened, src string
		replaces          bool
	}{
		{"en/my-lesson", "", "new text", true},              // a new lesson typed onto a draft's path
		{"en/my-lesson", "en/my-lesson", "new text", false}, // the draft opened, edited
		{"en/my-lesson", "en/my-lesson-2", "one", false},    // the same text: nothing lost
		{"en/other", "", "new text", false},
	} {
		e := &editorPage{authored: drafts, path: tt.path, opened: tt.opened, src: tt.src}
		if got := e.wouldReplace(); got != tt.replaces {
			t.Errorf("saving %q (opened %q): replaces %v, want %v", tt.path, tt.opened, got, tt.replaces)
		}
	}
}
