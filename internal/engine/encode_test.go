package engine

import (
	"math"
	"testing"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
)

// TestEncodeTextAsTheEngine: encodeText writes what the engine's encoder writes for every
// text EVENT, and leaves the rest to it.
func TestEncodeTextAsTheEngine(t *testing.T) {
	id := uint64(12)
	cases := []struct {
		name   string
		packet parser.Packet
		ok     bool
	}{
		{"root namespace", parser.Packet{Type: parser.EVENT, Nsp: "/", Data: []any{"m", "hi"}}, true},
		{"namespace", parser.Packet{Type: parser.EVENT, Nsp: "/chat", Data: []any{"new-message", map[string]any{"b": 1, "a": []any{true, nil, 2.5}}}}, true},
		{"with an id", parser.Packet{Type: parser.EVENT, Nsp: "/chat", Id: &id, Data: []any{"q"}}, true},
		{"html and unicode", parser.Packet{Type: parser.EVENT, Nsp: "/a", Data: []any{"m", "<b>&\u2028é\x00"}}, true},
		{"empty namespace", parser.Packet{Type: parser.EVENT, Data: []any{"m", int64(1) << 60}}, true},
		{"binary data", parser.Packet{Type: parser.EVENT, Nsp: "/a", Data: []any{"m", []byte{1}}}, false},
		{"an ack", parser.Packet{Type: parser.ACK, Nsp: "/a", Id: &id, Data: []any{"x"}}, false},
		{"data JSON refuses", parser.Packet{Type: parser.EVENT, Nsp: "/a", Data: []any{"m", math.NaN()}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := textBuffers.Get().(*textBuffer)
			defer putTextBuffer(tb)
			buf := &tb.buf
			p := c.packet
			if ok := encodeText(&p, tb); ok != c.ok {
				t.Fatalf("encodeText = %v, want %v (%q)", ok, c.ok, buf.String())
			}
			if !c.ok {
				if buf.Len() != 0 {
					t.Fatalf("left %q in the buffer", buf.String())
				}
				return
			}
			engine := parser.NewEncoder().Encode(&p)
			if len(engine) != 1 || engine[0].String() != buf.String() {
				t.Fatalf("encodeText wrote %q, the engine %q", buf.String(), engine[0].String())
			}
		})
	}
}

// TestEncodeTextWithOfferedText: while an argument's text is offered, a packet holding that
// very value writes the text; an equal value decoded elsewhere is encoded as always.
func TestEncodeTextWithOfferedText(t *testing.T) {
	data := map[string]any{"b": 1, "a": 150.0}
	rt := OfferText(data, []byte(`{"b":1,"a":1.5e2}`))
	defer WithdrawText(rt)
	tb := textBuffers.Get().(*textBuffer)
	defer putTextBuffer(tb)
	cases := []struct {
		name string
		data []any
		want string
	}{
		{"the offered value", []any{"new-message", data}, `2/chat,["new-message",{"b":1,"a":1.5e2}]`},
		{"beside other values", []any{"m", "<x>", data, 2}, `2/chat,["m","\u003cx\u003e",{"b":1,"a":1.5e2},2]`},
		{"an equal value", []any{"m", map[string]any{"b": 1, "a": 150.0}}, `2/chat,["m",{"a":150,"b":1}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb.buf.Reset()
			if !encodeText(&parser.Packet{Type: parser.EVENT, Nsp: "/chat", Data: c.data}, tb) {
				t.Fatal("not encoded")
			}
			if got := tb.buf.String(); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
	WithdrawText(rt)
	tb.buf.Reset()
	if encodeText(&parser.Packet{Type: parser.EVENT, Nsp: "/chat", Data: []any{"m", data}}, tb); tb.buf.String() != `2/chat,["m",{"a":150,"b":1}]` {
		t.Fatalf("after the text was withdrawn: %s", tb.buf.String())
	}
}
