package wire

import (
	"reflect"
	"testing"
)

// FuzzClusterWire: whatever another server (or anyone with access to Redis) publishes, the
// decoders return a value or an error and never panic; and what this node encodes decodes
// back to the same message.
func FuzzClusterWire(f *testing.F) {
	seed, err := EncodeBroadcast("abcdef", Packet{Type: PacketEvent, Data: []any{"new-message", "hi"}, Nsp: "/chat"},
		Opts{Rooms: []string{"lobby"}, Except: []string{"x"}, Flags: map[string]any{"volatile": true}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, "new-message", "hi")
	f.Add([]byte(`{"uid":"u","requestId":"r","type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b"]}`), "e", "")
	f.Add([]byte(`{"requestId":"r","sockets":[{"id":"s","rooms":["s",1],"data":{"n":1},"handshake":{"auth":{}}}]}`), "", "")
	f.Add([]byte{0x93, 0xa6}, "", "")
	f.Add([]byte("not-msgpack"), "x", "\x00")
	f.Fuzz(func(t *testing.T, payload []byte, event, text string) {
		_, _ = DecodeBroadcast(payload)
		_, _ = DecodeRequest(payload)
		var answer Response
		_ = DecodeMessage(payload, &answer)
		var sockets FetchResponse
		_ = DecodeMessage(payload, &sockets)
		// a streams cluster's pub/sub messages, stream entries and sessions
		if m, err := DecodePubSub(payload); err == nil && m.RawData != nil {
			var d AnswerData
			_ = m.DecodeData(&d)
		}
		if m, ok, err := DecodeEntry(map[string]any{"nsp": "/", "type": "3", "data": string(payload)}); ok && err == nil && m.RawData != nil {
			var d BroadcastData
			_ = m.DecodeData(&d)
		}
		_, _ = DecodeSession(string(payload))

		p := Packet{Type: PacketEvent, Data: []any{event, text, []byte(text)}, Nsp: "/chat"}
		o := Opts{Rooms: []string{text}, Except: []string{}, Flags: map[string]any{}}
		b, err := EncodeBroadcast("uid123", p, o)
		if err != nil {
			t.Fatal(err)
		}
		m, err := DecodeBroadcast(b)
		if err != nil {
			t.Fatalf("decoding what this node encoded: %v", err)
		}
		if m.UID != "uid123" || !reflect.DeepEqual(m.Packet, p) || !reflect.DeepEqual(m.Opts.Rooms, o.Rooms) {
			t.Fatalf("round trip: got %+v, want %+v %+v", m, p, o)
		}
	})
}

func TestCheckMsgpack(t *testing.T) {
	valid, err := EncodeBroadcast("abcdef", Packet{Type: PacketEvent, Nsp: "/chat", Data: []any{"e", 1.5, -3, uint64(1) << 40,
		"long string that needs more than a fixstr to hold it", []byte{1, 2, 3}, map[string]any{"k": nil, "t": true, "f": false}}},
		Opts{Rooms: []string{"a", "b"}, Except: []string{}, Flags: map[string]any{"volatile": true}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"a broadcast this node encodes", valid, true},
		{"empty", nil, false},
		{"array32 declaring 818 million elements", []byte("\x93\xa60S0\x10\x00\x00\x00\x9b000000000\x9b00L\xdd0\xcc6\xb8\xdf"), false},
		{"str32 declaring 4 GB", []byte{0xdb, 0xff, 0xff, 0xff, 0xff, 'x'}, false},
		{"map16 declaring more pairs than bytes", []byte{0xde, 0x00, 0x10, 0xa1, 'k', 0xc0}, false},
		{"nested fixarrays that fit", []byte{0x91, 0x91, 0x91, 0xc0}, true},
		{"fixarray one element short", []byte{0x92, 0xc0}, false},
		{"the never-used code 0xc1", []byte{0xc1}, false},
		{"fixext4", []byte{0xd6, 0x01, 1, 2, 3, 4}, true},
		{"ext8 cut short", []byte{0xc7, 0x05, 0x01, 1, 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkMsgpack(tt.in); (err == nil) != tt.ok {
				t.Fatalf("checkMsgpack = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestRoomNamesFromOtherServers(t *testing.T) {
	want := RoomNames{"lobby", "7", "1.5"}
	fromJSON, err := DecodeRequest([]byte(`{"type":2,"opts":{"rooms":["lobby",7,1.5],"except":[]},"rooms":["lobby",7,1.5]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeMsgpack(map[string]any{"type": 2, "rooms": []any{"lobby", 7, 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	fromMsgpack, err := DecodeRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]RoomNames{"JSON opts": fromJSON.Opts.Rooms, "JSON rooms": fromJSON.Rooms, "msgpack rooms": fromMsgpack.Rooms} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, err := DecodeRequest([]byte(`{"type":2,"rooms":[{"a":1}]}`)); err == nil {
		t.Error("an object as a room name was accepted")
	}
}
