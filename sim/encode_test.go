package sim

import (
	"bytes"
	"testing"
	"time"
)

type encInner struct {
	Name string
	n    int // unexported fields count too
}

type encSample struct {
	A    bool
	B    int64
	C    uint8
	D    float64
	E    string
	F    []encInner
	G    *encInner
	H    any
	I    time.Duration
	J    [2]int
	K    []byte
	M    map[string]int
	next *encSample
}

func encode(v any) []byte {
	var e valueEncoder
	return e.appendValue(nil, v)
}

func TestEncodingIsCanonical(t *testing.T) {
	mk := func() encSample {
		return encSample{A: true, B: -3, C: 7, D: 0.5, E: "x", F: []encInner{{"a", 1}, {"b", 2}},
			G: &encInner{"g", 3}, H: encInner{"h", 4}, I: time.Second, J: [2]int{1, 2}, K: []byte("k"),
			M: map[string]int{"z": 1, "a": 2, "m": 3}, next: &encSample{E: "tail"}}
	}
	// The same value built twice — other addresses, maps filled in another
	// order — encodes the same.
	a, b := mk(), mk()
	b.M = map[string]int{"m": 3, "a": 2, "z": 1}
	if !bytes.Equal(encode(a), encode(b)) {
		t.Fatal("equal values encode differently")
	}
	// Every field takes part.
	changes := map[string]func(*encSample){
		"A":      func(s *encSample) { s.A = false },
		"B":      func(s *encSample) { s.B = 3 },
		"C":      func(s *encSample) { s.C = 8 },
		"D":      func(s *encSample) { s.D = 0.25 },
		"E":      func(s *encSample) { s.E = "y" },
		"F":      func(s *encSample) { s.F[1].n = 9 },
		"F len":  func(s *encSample) { s.F = s.F[:1] },
		"G":      func(s *encSample) { s.G = nil },
		"G elem": func(s *encSample) { s.G.Name = "G" },
		"H type": func(s *encSample) { s.H = "h" },
		"H nil":  func(s *encSample) { s.H = nil },
		"I":      func(s *encSample) { s.I = time.Minute },
		"J":      func(s *encSample) { s.J[1] = 0 },
		"K":      func(s *encSample) { s.K = []byte("l") },
		"M":      func(s *encSample) { s.M["a"] = 0 },
		"next":   func(s *encSample) { s.next.E = "other" },
	}
	base := encode(a)
	for name, change := range changes {
		c := mk()
		change(&c)
		if bytes.Equal(encode(c), base) {
			t.Errorf("changing %s does not change the encoding", name)
		}
	}
	// Strings are length-prefixed: moving a boundary changes the encoding.
	if bytes.Equal(encode(encInner{"ab", 0}), encode(encInner{"a", 0})) ||
		bytes.Equal(encode([]string{"ab", "c"}), encode([]string{"a", "bc"})) {
		t.Error("string boundaries are ambiguous")
	}
	// The type is part of the value.
	type other encInner
	if bytes.Equal(encode(encInner{"a", 1}), encode(other{"a", 1})) {
		t.Error("two types with the same fields encode the same")
	}
}

func TestEncodingNamesATypeOnce(t *testing.T) {
	var e valueEncoder
	first := len(e.appendValue(nil, encInner{"a", 1}))
	second := len(e.appendValue(nil, encInner{"a", 1}))
	if second >= first {
		t.Fatalf("second encoding %d bytes, first %d: the type name was written again", second, first)
	}
}

func TestObservationValuesAreHashed(t *testing.T) {
	hash := func(v any) string {
		w := New(Config{Seed: 1, Duration: time.Second})
		if err := w.AddNode("n-1", func() Node { return &observer{v: v} }); err != nil {
			t.Fatal(err)
		}
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	if hash(encInner{"a", 1}) == hash(encInner{"a", 2}) {
		t.Fatal("two runs observing different values have the same trace hash")
	}
	if hash(encInner{"a", 1}) != hash(encInner{"a", 1}) {
		t.Fatal("the same run has two hashes")
	}
}

type observer struct{ v any }

func (o *observer) Start(ctx *Context)                { ctx.Observe(o.v) }
func (o *observer) Receive(*Context, string, Message) {}
func (o *observer) Timer(*Context, any)               {}

func BenchmarkObserve(b *testing.B) {
	var e valueEncoder
	buf := make([]byte, 0, 1<<10)
	v := encSample{E: "x", F: []encInner{{"a", 1}}, H: encInner{"h", 4}}
	b.ReportAllocs()
	for b.Loop() {
		buf = e.appendValue(buf[:0], v)
	}
}
