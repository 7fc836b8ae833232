package engine

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/zishang520/socket.io/v3/pkg/types"
)

// TestIncomingNumbers: numbers a client sent without a fraction, within what a JavaScript
// number holds exactly, become int; the others stay float64; buffers become []byte.
func TestIncomingNumbers(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"integral", 5.0, 5},
		{"negative", -12.0, -12},
		{"-0", math.Copysign(0, -1), 0},
		{"fraction", 2.5, 2.5},
		{"2^53", float64(1 << 53), 1 << 53},
		{"past 2^53", float64(1<<53) * 2, float64(1<<53) * 2},
		{"huge", 1e300, 1e300},
		{"timestamp", 1700000000000.0, 1700000000000},
		{"nested", map[string]any{"q": 12.0, "l": []any{1.0, 1.5, "s", nil, true}}, map[string]any{"q": 12, "l": []any{1, 1.5, "s", nil, true}}},
		{"msgpack ints", []any{int8(-1), uint16(7), int64(1 << 60), uint64(math.MaxUint64), float32(3)}, []any{-1, 7, float64(1 << 60), float64(math.MaxUint64), 3}},
		{"buffer", types.NewBytesBuffer([]byte{1, 2}), []byte{1, 2}},
		{"already converted", 7, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Incoming([]any{tt.in})[0]
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	auth := map[string]any{"n": 7.0}
	IncomingMap(auth)
	if auth["n"] != 7 {
		t.Fatalf("auth n = %#v, want 7", auth["n"])
	}
}

// BenchmarkIncoming: what converting every event costs, for a chat message as the engine
// decodes it.
func BenchmarkIncoming(b *testing.B) {
	const msg = `{"s":"abc","q":12,"t":1700000000000}`
	var template map[string]any
	if err := json.Unmarshal([]byte(msg), &template); err != nil {
		b.Fatal(err)
	}
	args := make([][]any, 1024) // fresh float64 values for each run, made outside the timer
	refill := func() {
		for i := range args {
			args[i] = []any{map[string]any{"s": template["s"], "q": template["q"], "t": template["t"]}}
		}
	}
	b.Run("chat message", func(b *testing.B) {
		b.ReportAllocs()
		refill()
		i := 0
		for b.Loop() {
			if i == len(args) {
				b.StopTimer()
				refill()
				i = 0
				b.StartTimer()
			}
			Incoming(args[i])
			i++
		}
	})
	b.Run("string only", func(b *testing.B) {
		args := []any{"hello"}
		b.ReportAllocs()
		for b.Loop() {
			Incoming(args)
		}
	})
}
