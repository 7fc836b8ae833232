package wire

import (
	"reflect"
	"testing"
)

// TestEncodeRequests: this node's requests have the JSON shape Node's RedisAdapter gives
// them (fetchSockets, addSockets, delSockets, disconnectSockets), and read back as the
// requests they are.
func TestEncodeRequests(t *testing.T) {
	o := Opts{Rooms: []string{"lobby"}, Flags: map[string]any{"local": false}}
	tests := []struct {
		name string
		enc  func() ([]byte, error)
		want string
		req  Request
	}{
		{"fetch", func() ([]byte, error) { return EncodeFetchRequest("u1", "r1", o) },
			`{"uid":"u1","requestId":"r1","type":5,"opts":{"rooms":["lobby"],"except":[]}}`,
			Request{UID: "u1", RequestID: "r1", Type: ReqRemoteFetch, Opts: &Opts{Rooms: RoomNames{"lobby"}, Except: RoomNames{}}}},
		{"join", func() ([]byte, error) { return EncodeRoomsRequest("u1", ReqRemoteJoin, o, []string{"vip", "a"}) },
			`{"uid":"u1","type":2,"opts":{"rooms":["lobby"],"except":[]},"rooms":["vip","a"]}`,
			Request{UID: "u1", Type: ReqRemoteJoin, Opts: &Opts{Rooms: RoomNames{"lobby"}, Except: RoomNames{}}, Rooms: RoomNames{"vip", "a"}}},
		{"leave nothing", func() ([]byte, error) { return EncodeRoomsRequest("u1", ReqRemoteLeave, Opts{}, nil) },
			`{"uid":"u1","type":3,"opts":{"rooms":[],"except":[]},"rooms":[]}`,
			Request{UID: "u1", Type: ReqRemoteLeave, Opts: &Opts{Rooms: RoomNames{}, Except: RoomNames{}}, Rooms: RoomNames{}}},
		{"disconnect", func() ([]byte, error) { return EncodeDisconnectRequest("u1", Opts{Except: []string{"x"}}, true) },
			`{"uid":"u1","type":4,"opts":{"rooms":[],"except":["x"]},"close":true}`,
			Request{UID: "u1", Type: ReqRemoteDisconnect, Opts: &Opts{Rooms: RoomNames{}, Except: RoomNames{"x"}}, Close: true}},
	}
	for _, tt := range tests {
		b, err := tt.enc()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(b) != tt.want {
			t.Errorf("%s: encoded %s\nwant %s", tt.name, b, tt.want)
		}
		req, err := DecodeRequest(b)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(req, tt.req) {
			t.Errorf("%s: decoded %+v\nwant %+v", tt.name, req, tt.req)
		}
	}
}
