package actions

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/tmpl"
)

type named string

type point struct {
	X int    `json:"x"`
	Y string `json:"y,omitempty"`
}

// TestSendable: what leaves is what JSON.stringify would write, and what cannot be written
// fails with where it sits.
func TestSendable(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want string // the JSON the engine writes for the converted value
	}{
		{"NaN", nan, `null`},
		{"Infinity", inf, `null`},
		{"-Infinity", math.Inf(-1), `null`},
		{"-0", math.Copysign(0, -1), `0`},
		{"float32 NaN", float32(nan), `null`},
		{"float32 kept", float32(0.1), `0.1`},
		{"numbers as JavaScript writes them", []any{1e21, 1e-7, 2.5, 5, int64(-3), uint8(7)}, `[1e+21,1e-7,2.5,5,-3,7]`},
		{"nested", map[string]any{"a": []any{nan, 1.0, map[string]any{"b": inf}}, "c": "x"}, `{"a":[null,1,{"b":null}],"c":"x"}`},
		{"map[string]string", map[string]string{"k": "v"}, `{"k":"v"}`},
		{"typed list", []float64{1, nan}, `[1,null]`},
		{"strings list", []string{"a", "b"}, `["a","b"]`},
		{"named string", named("n"), `"n"`},
		{"duration", time.Second, `1000000000`},
		{"time", when, `"2026-01-02T03:04:05Z"`},
		{"struct by its json names", point{X: 1}, `{"x":1}`},
		{"pointer", &point{X: 2, Y: "y"}, `{"x":2,"y":"y"}`},
		{"nil pointer", (*point)(nil), `null`},
		{"groupBy's map", map[any][]any{1: {"a"}, "b": {nan}, nil: nil, true: {}}, `{"1":["a"],"b":[null],"null":null,"true":[]}`},
		{"float keys", map[float64]int{1.5: 1, math.Copysign(0, -1): 0, inf: 2}, `{"0":0,"1.5":1,"Infinity":2}`},
		{"nil list", []any(nil), `null`},
		{"binary", []byte{1, 2}, `"AQI="`},
		{"array", [2]any{nan, "x"}, `[null,"x"]`},
		{"tmpl socket", tmpl.Socket{ID: "s1", Rooms: []string{"s1"}}, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := sendable([]any{tt.in}, nil, "data")
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(out[0])
			if err != nil {
				t.Fatalf("the engine could not encode %#v: %v", out[0], err)
			}
			if tt.want != "" && string(got) != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
			assertPlain(t, out[0])
		})
	}
}

// assertPlain fails unless v holds only what the engine's encoder walks into: nil, bool,
// numbers, string, []byte, []any and map[string]any.
func assertPlain(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, bool, string, []byte, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
	case []any:
		for _, e := range x {
			assertPlain(t, e)
		}
	case map[string]any:
		for _, e := range x {
			assertPlain(t, e)
		}
	default:
		t.Fatalf("%T (%v) left as it is", v, v)
	}
}

func TestSendableRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []any
		what string
		want string
	}{
		{"func", []any{func() {}}, "data", "data: cannot send a Go func(): only null, booleans, numbers, strings, lists, objects and binary data can be sent"},
		{"chan deep inside", []any{map[string]any{"user": map[string]any{"tags": []any{"a", make(chan int)}}}}, "data",
			"data.user.tags[1]: cannot send a Go chan int"},
		{"odd key", []any{map[string]any{"a b": []any{complex(1, 2)}}}, "data", `data["a b"][0]: cannot send a Go complex128`},
		{"second argument", []any{1, []any{func(int) {}}}, "args", "args[1][0]: cannot send a Go func(int)"},
		{"struct that JSON refuses", []any{struct{ F float64 }{math.NaN()}}, "data", "data: cannot send struct { F float64 } as JSON: json: unsupported value: NaN"},
		{"map with struct keys", []any{map[point]int{{}: 1}}, "data", "data: cannot send a map whose keys are of type actions.point: object keys are strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sendable(tt.args, nil, tt.what)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	deep := any("bottom")
	for range maxDepth + 1 {
		deep = []any{deep}
	}
	if _, err := sendable([]any{deep}, nil, "data"); err == nil || !strings.Contains(err.Error(), "nested more than 10000 levels deep") {
		t.Fatalf("too deep: %v", err)
	}
}

// TestSendableLeavesValuesAlone: nothing is converted in place (constant templates share their
// values between events), nothing is copied that needs no change, and the event's own
// arguments are not walked at all.
func TestSendableLeavesValuesAlone(t *testing.T) {
	shared := map[string]any{"n": math.NaN(), "ok": []any{1.0}}
	out, err := sendable([]any{shared}, nil, "data")
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(shared["n"].(float64)) || out[0].(map[string]any)["n"] != nil {
		t.Fatalf("converted in place, or not at all: %v -> %v", shared, out)
	}
	if reflect.ValueOf(out[0].(map[string]any)["ok"]).Pointer() != reflect.ValueOf(shared["ok"]).Pointer() {
		t.Fatal("an unchanged list was copied")
	}

	clean := []any{"a", map[string]any{"b": []any{1, 2.5}}}
	if got, _ := sendable(clean, nil, "args"); &got[0] != &clean[0] {
		t.Fatal("arguments needing no change were copied")
	}

	// A client could not have sent a func, so one found in the event's own arguments shows
	// they were not walked.
	event := []any{map[string]any{"f": func() {}}, []any{make(chan int)}}
	if _, err := sendable([]any{event[0], "x", event[1]}, event, "args"); err != nil {
		t.Fatalf("the event's own arguments were walked: %v", err)
	}
	if _, err := sendable([]any{map[string]any{"wrapped": event[0]}}, event, "data"); err != nil {
		t.Fatalf("an argument of the event inside a new object was walked: %v", err)
	}
}

// TestPayloadFixed: a payload that is the same for every event is converted once, at load, and
// appending to it (as the router appends an ack) never writes into it.
func TestPayloadFixed(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, "[{emit: {event: e, args: [.nan, {a: .inf}, 1]}}]")
	p := steps[0].Action.(*Emit).payload
	if !p.isFixed {
		t.Fatal("a constant payload is evaluated per event")
	}
	got, err := p.eval(&tmpl.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(got); string(b) != `[null,{"a":null},1]` {
		t.Fatalf("got %s", b)
	}
	if cap(got) != len(got) {
		t.Fatalf("cap %d > len %d: an append would write into the shared list", cap(got), len(got))
	}
}

func BenchmarkSendable(b *testing.B) {
	msg := map[string]any{"s": "abc", "q": 12, "t": 1700000000000}
	event := []any{msg}
	b.Run("event's own data", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sendable([]any{msg}, event, "data"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new object", func(b *testing.B) {
		obj := map[string]any{"user": "ana", "text": "hi", "at": 1700000000000, "n": 2.5}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sendable([]any{obj}, event, "data"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
