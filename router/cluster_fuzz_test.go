package router

import (
	"reflect"
	"testing"
)

// FuzzClusterWire: whatever another server (or anyone with access to Redis) publishes, the
// decoders return a value or an error and never panic; and what this node encodes decodes
// back to the same message.
func FuzzClusterWire(f *testing.F) {
	seed, err := encodeBroadcast("abcdef", wirePacket{Type: packetEvent, Data: []any{"new-message", "hi"}, Nsp: "/chat"},
		wireOpts{Rooms: []string{"lobby"}, Except: []string{"x"}, Flags: map[string]any{"volatile": true}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, "new-message", "hi")
	f.Add([]byte(`{"uid":"u","requestId":"r","type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b"]}`), "e", "")
	f.Add([]byte{0x93, 0xa6}, "", "")
	f.Add([]byte("not-msgpack"), "x", "\x00")
	f.Fuzz(func(t *testing.T, payload []byte, event, text string) {
		_, _ = decodeBroadcast(payload)
		_, _ = decodeRequest(payload)
		c := &cluster{}
		c.onResponse(payload)

		p := wirePacket{Type: packetEvent, Data: []any{event, text, []byte(text)}, Nsp: "/chat"}
		o := wireOpts{Rooms: []string{text}, Except: []string{}, Flags: map[string]any{}}
		b, err := encodeBroadcast("uid123", p, o)
		if err != nil {
			t.Fatal(err)
		}
		m, err := decodeBroadcast(b)
		if err != nil {
			t.Fatalf("decoding what this node encoded: %v", err)
		}
		if m.UID != "uid123" || !reflect.DeepEqual(m.Packet, p) || !reflect.DeepEqual(m.Opts.Rooms, o.Rooms) {
			t.Fatalf("round trip: got %+v, want %+v %+v", m, p, o)
		}
	})
}
