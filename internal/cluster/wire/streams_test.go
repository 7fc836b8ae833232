package wire

import (
	"reflect"
	"testing"
)

// TestStreamEntries: entries this node writes read back as the message they are, with data in
// JSON or, when it holds binary, base64 msgpack (as Node's adapter writes them, read from an
// entry @msgpack/msgpack encoded); entries that are not an adapter's are skipped.
func TestStreamEntries(t *testing.T) {
	values := func(fields []string) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			m[fields[i]] = fields[i+1]
		}
		return m
	}
	text, err := EntryFields("u1", "/chat", MsgBroadcast, BroadcastData{Packet: Packet{Type: PacketEvent, Data: []any{"ev", "hi"}, Nsp: "/chat"},
		Opts: Opts{Rooms: []string{"r"}, Except: []string{}, Flags: map[string]any{}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"uid", "u1", "nsp", "/chat", "type", "3", "data",
		`{"packet":{"type":2,"data":["ev","hi"],"nsp":"/chat"},"opts":{"rooms":["r"],"except":[]}}`}; !reflect.DeepEqual(text, want) {
		t.Fatalf("fields = %q\nwant %q", text, want)
	}
	binary, err := EntryFields("u1", "/chat", MsgBroadcast, BroadcastData{Packet: Packet{Type: PacketEvent, Data: []any{"ev", []byte{1, 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	fromNode := map[string]any{"uid": "n", "nsp": "/", "type": "3",
		"data": "gqZwYWNrZXSCpHR5cGUCpGRhdGGSomV2xAIBAqRvcHRzg6Vyb29tc5GhcqZleGNlcHSQpWZsYWdzgA=="}
	tests := []struct {
		name     string
		values   map[string]any
		ok       bool
		failed   bool
		wantData []any
		rooms    RoomNames
	}{
		{"JSON", values(text), true, false, []any{"ev", "hi"}, RoomNames{"r"}},
		{"binary as base64 msgpack", values(binary), true, false, []any{"ev", []byte{1, 2}}, RoomNames{}},
		{"binary from Node", fromNode, true, false, []any{"ev", []byte{1, 2}}, RoomNames{"r"}},
		{"no nsp: not an adapter's", map[string]any{"uid": "x", "type": "3"}, false, false, nil, nil},
		{"type not a number", map[string]any{"nsp": "/", "type": "x"}, true, true, nil, nil},
		{"data neither JSON nor base64", map[string]any{"nsp": "/", "type": "3", "data": "%%%"}, true, true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok, err := DecodeEntry(tt.values)
			if ok != tt.ok || (err != nil) != tt.failed {
				t.Fatalf("ok %v, err %v; want ok %v, failed %v", ok, err, tt.ok, tt.failed)
			}
			if !ok || tt.failed {
				return
			}
			var d BroadcastData
			if err := m.DecodeData(&d); err != nil {
				t.Fatal(err)
			}
			if m.Type != MsgBroadcast || !reflect.DeepEqual(d.Packet.Data, tt.wantData) || d.RequestID != nil {
				t.Fatalf("decoded %+v %+v, want data %v", m, d, tt.wantData)
			}
			if tt.rooms != nil && !reflect.DeepEqual(d.Opts.Rooms, tt.rooms) {
				t.Fatalf("rooms %q, want %q", d.Opts.Rooms, tt.rooms)
			}
		})
	}
}

// TestSessions: a session reads back as written, and one Node's adapter wrote (with
// @msgpack/msgpack, a room named by a number, no namespace) reads too.
func TestSessions(t *testing.T) {
	s := Session{Sid: "abc", Pid: "p1", Rooms: RoomNames{"abc", "r"}, Data: map[string]any{"name": "ana"}, Nsp: "/chat"}
	v, err := EncodeSession(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSession(v)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, s)
	}
	got, err = DecodeSession("hKNzaWSjYWJjo3BpZKJwMaVyb29tc5OjYWJjoXIHpGRhdGGCpG5hbWWjYW5hoW4D")
	if err != nil || got.Sid != "abc" || got.Pid != "p1" || got.Nsp != "" || !reflect.DeepEqual(got.Rooms, RoomNames{"abc", "r", "7"}) {
		t.Fatalf("Node's session = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "!!", "kQ==" /* [] cut short */, "3wAAAAE=" /* map32 of 1 pair, no bytes */} {
		if _, err := DecodeSession(bad); err == nil {
			t.Errorf("DecodeSession(%q) accepted", bad)
		}
	}
}
