package sim

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"sync"
)

// The trace hashes every observation a node makes. Formatting each one
// with fmt was most of the cost of a run that observes a lot (a quorum
// store, Raft's clients), so observations are hashed in a canonical binary
// form instead: the value's type name, the first time the type appears in a
// run, then its fields in declaration order, recursively, as varints and
// length-prefixed strings. The form depends only on the value, never on
// addresses or map order (maps, which observations should not contain, are
// hashed as fmt prints them: sorted by key). Observations are plain values:
// a cyclic one would not terminate, as it would not with fmt.
//
// One encoder function is compiled per type and cached, as encoding/json
// does.

// encodeFunc appends the canonical form of v to b.
type encodeFunc func(b []byte, v reflect.Value) []byte

// encoders caches the compiled encoder of each type.
var encoders sync.Map // reflect.Type → encodeFunc

func encoderOf(t reflect.Type) encodeFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encodeFunc)
	}
	// A recursive type refers to itself while it is compiled: the
	// indirection resolves to the finished function.
	var f encodeFunc
	ind, loaded := encoders.LoadOrStore(t, encodeFunc(func(b []byte, v reflect.Value) []byte { return f(b, v) }))
	if loaded {
		return ind.(encodeFunc)
	}
	f = compileEncoder(t)
	encoders.Store(t, f)
	return f
}

func compileEncoder(t reflect.Type) encodeFunc {
	switch t.Kind() {
	case reflect.Bool:
		return func(b []byte, v reflect.Value) []byte {
			if v.Bool() {
				return append(b, 1)
			}
			return append(b, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value) []byte { return binary.AppendVarint(b, v.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(b []byte, v reflect.Value) []byte { return binary.AppendUvarint(b, v.Uint()) }
	case reflect.Float32, reflect.Float64:
		return func(b []byte, v reflect.Value) []byte { return binary.AppendUvarint(b, math.Float64bits(v.Float())) }
	case reflect.String:
		return func(b []byte, v reflect.Value) []byte { return appendString(b, v.String()) }
	case reflect.Struct:
		fields := make([]encodeFunc, t.NumField())
		for i := range fields {
			fields[i] = encoderOf(t.Field(i).Type)
		}
		return func(b []byte, v reflect.Value) []byte {
			for i, f := range fields {
				b = f(b, v.Field(i))
			}
			return b
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return func(b []byte, v reflect.Value) []byte {
				b = binary.AppendUvarint(b, uint64(v.Len()))
				return append(b, v.Bytes()...)
			}
		}
		elem := encoderOf(t.Elem())
		return func(b []byte, v reflect.Value) []byte {
			n := v.Len()
			b = binary.AppendUvarint(b, uint64(n))
			for i := range n {
				b = elem(b, v.Index(i))
			}
			return b
		}
	case reflect.Pointer:
		elem := encoderOf(t.Elem())
		return func(b []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(b, 0)
			}
			return elem(append(b, 1), v.Elem())
		}
	case reflect.Interface:
		return func(b []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(b, 0)
			}
			e := v.Elem()
			b = appendString(append(b, 1), e.Type().String())
			return encoderOf(e.Type())(b, e)
		}
	}
	// Maps, channels, functions, complex numbers: as fmt prints them.
	return func(b []byte, v reflect.Value) []byte {
		if !v.CanInterface() {
			return appendString(b, v.Type().String())
		}
		return appendString(b, fmt.Sprintf("%+v", v.Interface()))
	}
}

// valueEncoder writes observations in their canonical form, naming each
// type by a number after its first appearance in the run.
type valueEncoder struct {
	types map[reflect.Type]encodedType
}

// encodedType is a type seen in this run: its number and its encoder.
type encodedType struct {
	id uint64
	fn encodeFunc
}

// appendValue appends the canonical form of v, with its type, to b.
func (e *valueEncoder) appendValue(b []byte, v any) []byte {
	if v == nil {
		return append(b, 0)
	}
	rv := reflect.ValueOf(v)
	t := rv.Type()
	et, ok := e.types[t]
	if ok {
		b = binary.AppendUvarint(b, et.id)
	} else {
		if e.types == nil {
			e.types = map[reflect.Type]encodedType{}
		}
		et = encodedType{id: uint64(len(e.types) + 1), fn: encoderOf(t)}
		e.types[t] = et
		b = binary.AppendUvarint(b, et.id)
		b = appendString(b, t.String())
	}
	return et.fn(b, rv)
}
