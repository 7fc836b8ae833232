package actions

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// What an action sends is a JSON value written as JavaScript's JSON.stringify writes it, so
// that every client can read it: numbers that are not finite become null and -0 becomes 0;
// named Go types, typed lists and maps, structs and time values become the plain values they
// stand for (nil, bool, numbers, string, []byte, []any, map[string]any), which is what the
// engine's encoder and the cluster's codec expect. A value that has no JSON form, such as a Go
// func, fails the step that sends it, with where it sits, instead of leaving as a malformed
// packet. The conversion is done here, where the step runs, because only here can it fail the
// step: the router may send later (a connect handler's emissions wait for the connection).

// maxDepth bounds how deeply sent values may nest: as deeply as the engine's JSON decoder
// accepts from a client, so that whatever came in can go out.
const maxDepth = 10000

// sendable returns args as values the engine can send, converting where needed; args itself
// is never changed, as constant templates share their values between events. plain are the
// arguments of the event being handled: they came from JSON, so they hold nothing to convert,
// and a value that is one of them is passed on without a walk (`broadcast: {data: ${{ data }}}`
// costs nothing). what names the arguments in errors: "args" is indexed (args[1].name), any
// other name is that of the one argument (data.name).
func sendable(args, plain []any, what string) ([]any, error) {
	var out []any
	for i, a := range args {
		v, changed, err := jsonValue(a, plain, 0)
		if err != nil {
			if what == "args" {
				return nil, err.at(fmt.Sprintf("args[%d]", i))
			}
			return nil, err.at(what)
		}
		if changed {
			if out == nil {
				out = slices.Clone(args)
			}
			out[i] = v
		}
	}
	if out != nil {
		return out, nil
	}
	return args, nil
}

// sendableValue is sendable for one value, such as a rejection's data.
func sendableValue(v any, plain []any, what string) (any, error) {
	out, changed, err := jsonValue(v, plain, 0)
	if err != nil {
		return nil, err.at(what)
	}
	if changed {
		return out, nil
	}
	return v, nil
}

// valueError is a value that cannot be sent, with the path from the argument down to it.
type valueError struct {
	// steps are the keys and indexes from the value that failed up to the argument, innermost
	// first, as the error unwinds.
	steps []string
	msg   string
}

// at renders the error below the argument named what ("data.user.tags[2]: ...").
func (e *valueError) at(what string) error {
	var b strings.Builder
	b.WriteString(what)
	for i := len(e.steps) - 1; i >= 0; i-- {
		b.WriteString(e.steps[i])
	}
	return fmt.Errorf("%s: %s", b.String(), e.msg)
}

// in records that the failing value sits under step (".key" or "[i]").
func (e *valueError) in(step string) *valueError {
	e.steps = append(e.steps, step)
	return e
}

// keyStep writes a map key as a path step: .name when it reads as a name, else ["key"].
func keyStep(k string) string {
	for i, r := range k {
		if !(r == '_' || r == '$' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	if k == "" {
		return `[""]`
	}
	return "." + k
}

// jsonValue returns v as a value the engine can send, and whether that differs from v.
func jsonValue(v any, plain []any, depth int) (any, bool, *valueError) {
	switch x := v.(type) {
	case nil, string, bool, []byte, int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8:
		return v, false, nil
	case float64:
		return finite(x)
	case float32:
		if out, changed, _ := finite(float64(x)); changed {
			return out, true, nil
		}
		return v, false, nil // kept as float32, which JSON writes with float32's shortest digits
	case map[string]any:
		if isPlain(x, plain) {
			return v, false, nil
		}
		if depth >= maxDepth {
			return nil, false, tooDeep()
		}
		var out map[string]any
		for k, e := range x {
			n, changed, err := jsonValue(e, plain, depth+1)
			if err != nil {
				return nil, false, err.in(keyStep(k))
			}
			if changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = n
			}
		}
		if out != nil {
			return out, true, nil
		}
		return v, false, nil
	case []any:
		if isPlain(x, plain) {
			return v, false, nil
		}
		if depth >= maxDepth {
			return nil, false, tooDeep()
		}
		var out []any
		for i, e := range x {
			n, changed, err := jsonValue(e, plain, depth+1)
			if err != nil {
				return nil, false, err.in("[" + strconv.Itoa(i) + "]")
			}
			if changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = n
			}
		}
		if out != nil {
			return out, true, nil
		}
		return v, false, nil
	}
	if depth >= maxDepth {
		return nil, false, tooDeep()
	}
	out, err := reflected(reflect.ValueOf(v), plain, depth)
	return out, true, err
}

// finite writes a number as JSON.stringify does: NaN and ±Infinity as null, -0 as 0.
func finite(f float64) (any, bool, *valueError) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return nil, true, nil
	case f == 0 && math.Signbit(f):
		return 0.0, true, nil
	}
	return f, false, nil
}

// reflected converts what the type switch of jsonValue does not know: named and typed values
// (from expressions and the environment), structs, and what has no JSON form.
func reflected(rv reflect.Value, plain []any, depth int) (any, *valueError) {
	if !rv.IsValid() {
		return nil, nil
	}
	switch m := rv.Interface().(type) {
	case json.Marshaler, encoding.TextMarshaler:
		return viaJSON(m)
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		out, _, err := jsonValue(rv.Elem().Interface(), plain, depth+1)
		return out, err
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint(), nil
	case reflect.Float32, reflect.Float64:
		out, _, err := finite(rv.Float())
		return out, err
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return rv.Bytes(), nil // binary, as []byte is
		}
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			v, _, err := jsonValue(rv.Index(i).Interface(), plain, depth+1)
			if err != nil {
				return nil, err.in("[" + strconv.Itoa(i) + "]")
			}
			out[i] = v
		}
		return out, nil
	case reflect.Map:
		if rv.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k, err := keyString(it.Key())
			if err != nil {
				return nil, err
			}
			v, _, verr := jsonValue(it.Value().Interface(), plain, depth+1)
			if verr != nil {
				return nil, verr.in(keyStep(k))
			}
			out[k] = v
		}
		return out, nil
	case reflect.Struct:
		return viaJSON(rv.Interface())
	}
	return nil, &valueError{msg: fmt.Sprintf("cannot send a Go %s: only null, booleans, numbers, strings, lists, objects and binary data can be sent", rv.Type())}
}

// viaJSON converts a value that defines its own JSON form (time.Time, say) or a struct to the
// plain value that form reads as.
func viaJSON(v any) (any, *valueError) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &valueError{msg: fmt.Sprintf("cannot send %T as JSON: %v", v, err)}
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, &valueError{msg: fmt.Sprintf("cannot send %T as JSON: %v", v, err)}
	}
	return out, nil
}

// keyString writes a map key as JavaScript turns a property key into a string.
func keyString(k reflect.Value) (string, *valueError) {
	if k.Kind() == reflect.Interface {
		if k.IsNil() {
			return "null", nil
		}
		k = k.Elem()
	}
	if t, ok := k.Interface().(encoding.TextMarshaler); ok {
		b, err := t.MarshalText()
		if err != nil {
			return "", &valueError{msg: fmt.Sprintf("cannot send a map key of type %s: %v", k.Type(), err)}
		}
		return string(b), nil
	}
	switch k.Kind() {
	case reflect.String:
		return k.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(k.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(k.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := k.Float()
		switch {
		case math.IsNaN(f):
			return "NaN", nil
		case math.IsInf(f, 1):
			return "Infinity", nil
		case math.IsInf(f, -1):
			return "-Infinity", nil
		}
		if f == 0 {
			f = 0 // String(-0) is "0"
		}
		b, _ := json.Marshal(f) // JSON writes numbers as JavaScript does
		return string(b), nil
	}
	return "", &valueError{msg: fmt.Sprintf("cannot send a map whose keys are of type %s: object keys are strings", k.Type())}
}

func tooDeep() *valueError {
	return &valueError{msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
}

// isPlain tells whether x (a map or a list) is itself one of plain: the same map, or the same
// list (same backing array and length).
func isPlain(x any, plain []any) bool {
	switch x := x.(type) {
	case map[string]any:
		p := reflect.ValueOf(x).UnsafePointer()
		for _, a := range plain {
			if m, ok := a.(map[string]any); ok && reflect.ValueOf(m).UnsafePointer() == p {
				return true
			}
		}
	case []any:
		if len(x) == 0 {
			return false
		}
		for _, a := range plain {
			if l, ok := a.([]any); ok && len(l) == len(x) && &l[0] == &x[0] {
				return true
			}
		}
	}
	return false
}
