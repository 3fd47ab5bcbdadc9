// Package store keeps what a student does in the lab across reloads: lesson
// progress, quiz answers, saved scenarios and authored lessons. In the
// browser it lives in IndexedDB (through github.com/hack-pad/go-indexeddb,
// chosen because it wraps IndexedDB's callbacks in plain Go calls with
// context cancellation and typed DOMException errors); natively, and when a
// browser refuses IndexedDB, an in-memory Backend stands in.
//
// Records are JSON documents under a string key in one of four kinds (the
// IndexedDB object stores). The schema is versioned: SchemaVersion is the
// IndexedDB database version, and every upgrade step is listed in
// migrations, so a student's data from an older lab is carried forward.
// Export writes everything as one JSON file and Import reads it back.
//
// Failures are never swallowed: a full quota, a database blocked by another
// tab or a browser without IndexedDB come back as an *Error whose Message is
// a sentence the app shows to the student.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// SchemaVersion is the version of the stored data: the IndexedDB database
// version and the "schema" field of an export.
const SchemaVersion = 1

// The kinds of record, one IndexedDB object store each.
const (
	KindProgress  = "progress"  // key: lesson path "en/locks"
	KindAnswers   = "answers"   // key: lesson path + "#" + quiz number
	KindScenarios = "scenarios" // key: scenario name
	KindLessons   = "lessons"   // key: lesson path "en/my-lesson"
)

// Kinds lists every kind of record, in export order.
var Kinds = []string{KindProgress, KindAnswers, KindScenarios, KindLessons}

// migrations[v] creates what schema version v+1 adds. IndexedDB runs the
// steps from the stored version up to SchemaVersion when the lab opens.
var migrations = [][]string{
	0: {KindProgress, KindAnswers, KindScenarios, KindLessons},
}

// Record is one stored document.
type Record struct {
	Key   string
	Value []byte // JSON
}

// Backend stores records. Implementations: Memory, and IndexedDB in the
// browser. All returns records in key order.
type Backend interface {
	Put(ctx context.Context, kind, key string, value []byte) error
	Get(ctx context.Context, kind, key string) ([]byte, bool, error)
	Delete(ctx context.Context, kind, key string) error
	All(ctx context.Context, kind string) ([]Record, error)
}

// Problem classifies a storage failure.
type Problem int

// The storage failures the app tells the student about.
const (
	Failed      Problem = iota // anything else
	Quota                      // the browser refused to store more
	Blocked                    // another tab holds an older version of the database open
	Unavailable                // the browser offers no IndexedDB (private mode, disabled)
	BadImport                  // an import file that is not a coordlab export
)

// Error is a storage failure with a sentence for the student.
type Error struct {
	Problem Problem
	Op      string // "save progress", "import"
	Err     error
}

func (e *Error) Error() string { return e.Message() }

func (e *Error) Unwrap() error { return e.Err }

// Message says what went wrong and what to do, in one or two sentences.
func (e *Error) Message() string {
	switch e.Problem {
	case Quota:
		return fmt.Sprintf("Could not %s: the browser's storage quota for this site is full. Export your data, then delete saved scenarios or lessons you no longer need.", e.Op)
	case Blocked:
		return fmt.Sprintf("Could not %s: another tab has an older version of the lab open and blocks the upgrade of its database. Close the other coordlab tabs and reload.", e.Op)
	case Unavailable:
		return fmt.Sprintf("Could not %s: this browser does not let the lab use IndexedDB (private browsing?). Your progress lasts only until the tab closes.", e.Op)
	case BadImport:
		return fmt.Sprintf("Could not %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("Could not %s: %v", e.Op, e.Err)
}

// Is lets errors.Is(err, &Error{Problem: Quota}) match by problem.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Problem == e.Problem && (t.Op == "" || t.Op == e.Op)
}

// ErrQuota, ErrBlocked and ErrUnavailable match failures with errors.Is.
var (
	ErrQuota       = &Error{Problem: Quota}
	ErrBlocked     = &Error{Problem: Blocked}
	ErrUnavailable = &Error{Problem: Unavailable}
	ErrBadImport   = &Error{Problem: BadImport}
)

// wrap gives a backend failure its operation, keeping a classified *Error's
// problem.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return &Error{Problem: se.Problem, Op: op, Err: se.Err}
	}
	return &Error{Problem: Failed, Op: op, Err: err}
}

// Store is the typed face of a Backend.
type Store struct {
	b Backend
}

// New returns a Store over b.
func New(b Backend) *Store { return &Store{b: b} }

// NewMemory returns a Store that forgets everything when the program ends.
func NewMemory() *Store { return New(NewMemoryBackend(0)) }

// Progress is what a student did in one lesson.
type Progress struct {
	Lesson    string   `json:"lesson"` // "en/locks"
	Visited   bool     `json:"visited"`
	Completed bool     `json:"completed"`
	Played    []string `json:"played,omitempty"` // scenarios run to the end, sorted
}

// Answer is a student's answer to one quiz.
type Answer struct {
	Lesson  string `json:"lesson"`
	Quiz    int    `json:"quiz"` // the quiz's number in the lesson, from 0
	Choice  int    `json:"choice"`
	Correct bool   `json:"correct"`
}

func (a Answer) key() string { return fmt.Sprintf("%s#%d", a.Lesson, a.Quiz) }

// SavedScenario is a scenario saved from the player or the playground.
type SavedScenario struct {
	Name string `json:"name"`
	YAML string `json:"yaml"`
}

// AuthoredLesson is a lesson written in the editor.
type AuthoredLesson struct {
	Path     string `json:"path"` // "en/my-lesson"
	Markdown string `json:"markdown"`
}

func (s *Store) put(ctx context.Context, op, kind, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return wrap(op, err)
	}
	return wrap(op, s.b.Put(ctx, kind, key, b))
}

func get[T any](ctx context.Context, s *Store, op, kind, key string) (T, bool, error) {
	var v T
	b, ok, err := s.b.Get(ctx, kind, key)
	if err != nil || !ok {
		return v, false, wrap(op, err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, false, wrap(op, fmt.Errorf("stored %s %q is damaged: %v", kind, key, err))
	}
	return v, true, nil
}

func all[T any](ctx context.Context, s *Store, op, kind string) ([]T, error) {
	recs, err := s.b.All(ctx, kind)
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]T, 0, len(recs))
	for _, r := range recs {
		var v T
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, wrap(op, fmt.Errorf("stored %s %q is damaged: %v", kind, r.Key, err))
		}
		out = append(out, v)
	}
	return out, nil
}

// Progress returns the progress in one lesson (zero if none yet).
func (s *Store) Progress(ctx context.Context, lesson string) (Progress, error) {
	p, ok, err := get[Progress](ctx, s, "read progress", KindProgress, lesson)
	if !ok {
		p.Lesson = lesson
	}
	return p, err
}

// AllProgress returns the progress in every lesson, by lesson path.
func (s *Store) AllProgress(ctx context.Context) ([]Progress, error) {
	return all[Progress](ctx, s, "read progress", KindProgress)
}

// SaveProgress stores the progress in p.Lesson.
func (s *Store) SaveProgress(ctx context.Context, p Progress) error {
	slices.Sort(p.Played)
	p.Played = slices.Compact(p.Played)
	return s.put(ctx, "save progress", KindProgress, p.Lesson, p)
}

// Update reads a lesson's progress, lets change modify it and stores it.
func (s *Store) Update(ctx context.Context, lesson string, change func(*Progress)) (Progress, error) {
	p, err := s.Progress(ctx, lesson)
	if err != nil {
		return p, err
	}
	change(&p)
	return p, s.SaveProgress(ctx, p)
}

// SaveAnswer stores an answer, replacing an earlier one to the same quiz.
func (s *Store) SaveAnswer(ctx context.Context, a Answer) error {
	return s.put(ctx, "save a quiz answer", KindAnswers, a.key(), a)
}

// Answers returns the answers given in one lesson, by quiz number.
func (s *Store) Answers(ctx context.Context, lesson string) ([]Answer, error) {
	as, err := all[Answer](ctx, s, "read quiz answers", KindAnswers)
	if err != nil {
		return nil, err
	}
	out := as[:0]
	for _, a := range as {
		if a.Lesson == lesson {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Answer) int { return a.Quiz - b.Quiz })
	return out, nil
}

// SaveScenario stores a scenario under its name.
func (s *Store) SaveScenario(ctx context.Context, sc SavedScenario) error {
	return s.put(ctx, "save the scenario", KindScenarios, sc.Name, sc)
}

// Scenarios returns the saved scenarios, by name.
func (s *Store) Scenarios(ctx context.Context) ([]SavedScenario, error) {
	return all[SavedScenario](ctx, s, "read saved scenarios", KindScenarios)
}

// DeleteScenario removes a saved scenario.
func (s *Store) DeleteScenario(ctx context.Context, name string) error {
	return wrap("delete the scenario", s.b.Delete(ctx, KindScenarios, name))
}

// SaveLesson stores an authored lesson under its path.
func (s *Store) SaveLesson(ctx context.Context, l AuthoredLesson) error {
	return s.put(ctx, "save the lesson", KindLessons, l.Path, l)
}

// Lessons returns the authored lessons, by path.
func (s *Store) Lessons(ctx context.Context) ([]AuthoredLesson, error) {
	return all[AuthoredLesson](ctx, s, "read authored lessons", KindLessons)
}

// DeleteLesson removes an authored lesson.
func (s *Store) DeleteLesson(ctx context.Context, path string) error {
	return wrap("delete the lesson", s.b.Delete(ctx, KindLessons, path))
}

// Export is the file Export writes and Import reads.
type Export struct {
	Format    string           `json:"format"` // always "coordlab-export"
	Schema    int              `json:"schema"`
	Progress  []Progress       `json:"progress"`
	Answers   []Answer         `json:"answers"`
	Scenarios []SavedScenario  `json:"scenarios"`
	Lessons   []AuthoredLesson `json:"lessons"`
}

const exportFormat = "coordlab-export"

// maxImport bounds the file Import reads: an export of a student's records
// takes a few megabytes, and a far larger file would exhaust the tab's
// memory before it could be refused.
const maxImport = 64 << 20

// Export returns everything stored as one indented JSON document.
func (s *Store) Export(ctx context.Context) ([]byte, error) {
	e := Export{Format: exportFormat, Schema: SchemaVersion}
	var err error
	if e.Progress, err = all[Progress](ctx, s, "export", KindProgress); err != nil {
		return nil, err
	}
	if e.Answers, err = all[Answer](ctx, s, "export", KindAnswers); err != nil {
		return nil, err
	}
	if e.Scenarios, err = all[SavedScenario](ctx, s, "export", KindScenarios); err != nil {
		return nil, err
	}
	if e.Lessons, err = all[AuthoredLesson](ctx, s, "export", KindLessons); err != nil {
		return nil, err
	}
	return json.MarshalIndent(e, "", "  ")
}

// Import reads a file written by Export and stores every record in it,
// replacing records with the same key and keeping the others; progress is
// merged with the progress already stored, so that an older export never
// takes back a visit, a completion or a played scenario. It returns how many
// records it stored. A file from a newer lab, or not an export at all, is
// refused before anything is stored, and a failed write stores nothing.
func (s *Store) Import(ctx context.Context, data []byte) (int, error) {
	bad := func(format string, args ...any) (int, error) {
		return 0, &Error{Problem: BadImport, Op: "import", Err: fmt.Errorf(format, args...)}
	}
	if len(data) > maxImport {
		return bad("the file is %d MiB; a coordlab export is at most %d MiB", len(data)>>20, maxImport>>20)
	}
	// The header first, so that a file from a newer lab, which may have
	// fields this one does not know, is refused for its schema. Unmarshal
	// also refuses anything after the one JSON value.
	var head struct {
		Format string `json:"format"`
		Schema int    `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return bad("the file is not a coordlab export (%v)", err)
	}
	if head.Format != exportFormat {
		return bad("the file is not a coordlab export (format %q, expected %q)", head.Format, exportFormat)
	}
	if head.Schema < 1 || head.Schema > SchemaVersion {
		return bad("the file has schema %d; this lab reads schemas 1 to %d (a newer lab wrote it: reload the lab to update it)", head.Schema, SchemaVersion)
	}
	var e Export
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return bad("the file is not a coordlab export (%v)", err)
	}
	if err := e.validate(); err != nil {
		return 0, &Error{Problem: BadImport, Op: "import", Err: err}
	}
	var ws []write
	add := func(kind, key string, v any) error {
		b, err := json.Marshal(v)
		ws = append(ws, write{kind, key, b})
		return err
	}
	for _, p := range e.Progress {
		old, _, err := get[Progress](ctx, s, "import", KindProgress, p.Lesson)
		if err != nil {
			return 0, err
		}
		p.Visited, p.Completed = p.Visited || old.Visited, p.Completed || old.Completed
		p.Played = append(p.Played, old.Played...)
		slices.Sort(p.Played)
		p.Played = slices.Compact(p.Played)
		if err := add(KindProgress, p.Lesson, p); err != nil {
			return 0, wrap("import", err)
		}
	}
	for _, a := range e.Answers {
		if err := add(KindAnswers, a.key(), a); err != nil {
			return 0, wrap("import", err)
		}
	}
	for _, sc := range e.Scenarios {
		if err := add(KindScenarios, sc.Name, sc); err != nil {
			return 0, wrap("import", err)
		}
	}
	for _, l := range e.Lessons {
		if err := add(KindLessons, l.Path, l); err != nil {
			return 0, wrap("import", err)
		}
	}
	if bw, ok := s.b.(batchWriter); ok {
		if err := bw.putAll(ctx, ws); err != nil {
			return 0, wrap("import", err)
		}
		return len(ws), nil
	}
	for i, w := range ws {
		if err := s.b.Put(ctx, w.kind, w.key, w.value); err != nil {
			return i, wrap("import", err)
		}
	}
	return len(ws), nil
}

// write is one record of an import.
type write struct {
	kind, key string
	value     []byte
}

// batchWriter is a Backend that stores many records in one transaction:
// all of them, or none when one fails. Both backends of this package are.
type batchWriter interface {
	putAll(ctx context.Context, ws []write) error
}

func (e *Export) validate() error {
	// A key twice in one kind: which record was meant is unknown.
	seen := map[string]bool{}
	twice := func(kind, key string) bool {
		k := kind + "\x00" + key
		dup := seen[k]
		seen[k] = true
		return dup
	}
	for i, p := range e.Progress {
		if p.Lesson == "" {
			return fmt.Errorf("progress entry %d has no lesson", i+1)
		}
		if twice(KindProgress, p.Lesson) {
			return fmt.Errorf("progress entry %d is the second for lesson %q", i+1, p.Lesson)
		}
	}
	for i, a := range e.Answers {
		if a.Lesson == "" || a.Quiz < 0 {
			return fmt.Errorf("answer %d has no lesson or a negative quiz number", i+1)
		}
		if twice(KindAnswers, a.key()) {
			return fmt.Errorf("answer %d is the second to quiz %d of lesson %q", i+1, a.Quiz, a.Lesson)
		}
	}
	for i, sc := range e.Scenarios {
		if sc.Name == "" {
			return fmt.Errorf("saved scenario %d has no name", i+1)
		}
		if twice(KindScenarios, sc.Name) {
			return fmt.Errorf("saved scenario %d is the second named %q", i+1, sc.Name)
		}
	}
	for i, l := range e.Lessons {
		if l.Path == "" {
			return fmt.Errorf("authored lesson %d has no path", i+1)
		}
		if twice(KindLessons, l.Path) {
			return fmt.Errorf("authored lesson %d is the second at %q", i+1, l.Path)
		}
	}
	return nil
}
