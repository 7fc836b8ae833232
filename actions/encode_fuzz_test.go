package actions

import (
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/engine"
)

// FuzzEncodeOutgoing: whatever an action sends (values built from the fuzzer's bytes: any
// float, NaN and infinities included, nested maps and lists, strings of any bytes, []byte,
// typed Go values, and arguments of the event being handled, which came from JSON) is either
// refused with an error or converted into values that the engine's Socket.IO encoder writes
// as packets its decoder reads back, as EVENT and as ACK, holding the same values.
//
// Maps with the key "_placeholder" are left out: Socket.IO reads {"_placeholder": true, "num":
// n} in a binary packet as a reference to an attachment, and such an object in what a client
// sent is for the router to refuse where it comes in.
func FuzzEncodeOutgoing(f *testing.F) {
	f.Add([]byte{7, 3, 2, 0xff, 0xf8, 0, 0, 0, 0, 0, 1, 3, 1, 6, 2, 1, 2}, `[{"s":"abc","q":12,"t":1700000000000}]`)
	f.Add([]byte{8, 2, 1, 'a', 3, 2, 1, 'b', 7, 1, 3, 0}, `["x", [1, 2.5, null]]`)
	f.Add([]byte{12, 0, 1, 12, 1, 1, 11, 0, 5, 3, 0xff, 0xfe, 'x'}, `[{"a":{"b":[true]}}]`)
	f.Fuzz(func(t *testing.T, data []byte, eventJSON string) {
		var event []any
		if json.Unmarshal([]byte(eventJSON), &event) != nil || hasPlaceholderKey(event) {
			event = nil
		}
		event = engine.Incoming(event)
		g := &gen{b: data, event: event}
		args := make([]any, g.byte()%4)
		for i := range args {
			args[i] = g.value(0)
		}
		if g.placeholder {
			return
		}
		out, err := sendable(args, event, "args")
		if err != nil {
			if !g.unsendable {
				t.Fatalf("refused %#v: %v", args, err)
			}
			if !strings.HasPrefix(err.Error(), "args[") {
				t.Fatalf("error does not say which argument: %v", err)
			}
			return
		}
		if g.unsendable {
			t.Fatalf("sent %#v, which holds a value JSON cannot hold", args)
		}
		want := canonList(t, out)

		id := uint64(7)
		for _, p := range []*parser.Packet{
			{Type: parser.EVENT, Nsp: "/chat", Data: append([]any{"ev"}, out...)},
			{Type: parser.ACK, Nsp: "/chat", Id: &id, Data: out},
		} {
			got := roundTrip(t, p)
			l, ok := got.Data.([]any)
			if !ok {
				t.Fatalf("%s packet read back without a list: %#v", p.Type, got.Data)
			}
			gotData := canonList(t, l)
			if p.Type == parser.EVENT {
				if len(gotData) == 0 || gotData[0] != "ev" {
					t.Fatalf("event name lost: %#v", got.Data)
				}
				gotData = gotData[1:]
			}
			if !reflect.DeepEqual(gotData, want) {
				t.Fatalf("%s packet: sent %#v, read back %#v", p.Type, want, gotData)
			}
		}
	})
}

// roundTrip encodes p with the engine's encoder and decodes it with the engine's decoder.
func roundTrip(t *testing.T, p *parser.Packet) *parser.Packet {
	t.Helper()
	bufs := parser.NewEncoder().Encode(p)
	d := parser.NewDecoder()
	var got *parser.Packet
	_ = d.On("decoded", func(a ...any) { got, _ = a[0].(*parser.Packet) })
	for i, b := range bufs {
		if err := d.Add(b); err != nil {
			t.Fatalf("%s packet %q (part %d of %d) does not decode: %v", p.Type, bufs[0].String(), i+1, len(bufs), err)
		}
	}
	if got == nil {
		t.Fatalf("%s packet %q did not decode to a packet", p.Type, bufs[0].String())
	}
	return got
}

// canon is v as it reads after a trip through JSON: numbers as float64, strings as JSON
// writes them (invalid UTF-8 replaced), binary as binaryValue.
func canon(t *testing.T, v any) any {
	switch x := v.(type) {
	case nil, bool:
		return x
	case string:
		b, _ := json.Marshal(x)
		var s string
		_ = json.Unmarshal(b, &s)
		return s
	case []byte:
		return binaryValue(x)
	case types.BufferInterface:
		return binaryValue(x.Bytes())
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f
	case []any:
		if x == nil {
			return nil // JSON writes a nil list as null
		}
		return canonList(t, x)
	case map[string]any:
		// keys that differ only in invalid UTF-8 read back as one: JSON writes keys sorted,
		// and the last of equal keys is the one read
		keys := slices.Sorted(maps.Keys(x))
		out := make(map[string]any, len(x))
		for _, k := range keys {
			out[canon(t, k).(string)] = canon(t, x[k])
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float64:
		return rv.Float()
	}
	t.Fatalf("the engine was handed %T (%v)", v, v)
	return nil
}

// canonList is canon for an argument list, which an empty packet holds as [].
func canonList(t *testing.T, l []any) []any {
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = canon(t, e)
	}
	return out
}

type binaryValue string

func hasPlaceholderKey(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "_placeholder" || hasPlaceholderKey(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasPlaceholderKey(e) {
				return true
			}
		}
	}
	return false
}

// gen builds values from the fuzzer's bytes; when they run out it reads zeros.
type gen struct {
	b     []byte
	event []any
	// unsendable is set when a value with no JSON form was built, placeholder when a map
	// key "_placeholder" was.
	unsendable, placeholder bool
}

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *gen) bytes() []byte {
	n := min(int(g.byte()%32), len(g.b))
	out := g.b[:n]
	g.b = g.b[n:]
	return out
}

func (g *gen) float() float64 {
	var buf [8]byte
	copy(buf[:], g.bytes8())
	return math.Float64frombits(binary.BigEndian.Uint64(buf[:]))
}

func (g *gen) bytes8() []byte {
	n := min(8, len(g.b))
	out := g.b[:n]
	g.b = g.b[n:]
	return out
}

var specialFloats = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e21, 1e-7, 1 << 53, 1<<53 + 2, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1}

func (g *gen) value(depth int) any {
	kind := g.byte() % 16
	if depth > 6 && kind >= 7 && kind <= 10 {
		kind = 4 // containers stop nesting
	}
	switch kind {
	case 0:
		return nil
	case 1:
		return g.byte()%2 == 0
	case 2:
		return g.float()
	case 3:
		return specialFloats[int(g.byte())%len(specialFloats)]
	case 4:
		var buf [4]byte
		copy(buf[:], g.bytes8())
		return int64(int32(binary.BigEndian.Uint32(buf[:])))
	case 5:
		return string(g.bytes())
	case 6:
		return append([]byte(nil), g.bytes()...)
	case 7:
		l := make([]any, g.byte()%5)
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	case 8:
		m := map[string]any{}
		for range g.byte() % 5 {
			k := string(g.bytes())
			if k == "_placeholder" {
				g.placeholder = true
			}
			if _, dup := m[k]; !dup { // a value written over could be the unsendable one
				m[k] = g.value(depth + 1)
			}
		}
		return m
	case 9:
		return map[string]string{string(g.bytes()): string(g.bytes())}
	case 10:
		return []float64{g.float(), specialFloats[int(g.byte())%len(specialFloats)]}
	case 11:
		if len(g.event) > 0 {
			return g.event[int(g.byte())%len(g.event)]
		}
		return "no event"
	case 12:
		return map[any]any{int(g.byte()): float32(g.float()), "k": nil}
	case 13:
		return time.Unix(int64(g.byte())*1e6, 0).UTC()
	case 14:
		return struct {
			A float32 `json:"a"`
			B []byte  `json:"b"`
		}{float32(g.byte()) / 3, g.bytes()}
	}
	g.unsendable = true
	return func() {}
}
