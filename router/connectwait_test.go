package router_test

import (
	"reflect"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/router"
)

// TestSocketRecordedLate: when the engine records a socket only after the guard stopped
// holding the connection's reads (a loaded machine; here a middleware after the guard that
// lets the socket through late), what the connect handler did to it still happens once it is
// connected, and its events are handled as the same socket's.
func TestSocketRecordedLate(t *testing.T) {
	router.SetConnectWait(t, 50*time.Millisecond)
	s := startRouter(t, `
version: 1
namespaces:
  /p:
    on:
      connect:
        - join_room: lobby
        - set: { name: ann }
        - emit: { event: welcome, data: hi }
      who:
        - ack: { data: { rooms: "${{ socket.rooms }}", name: "${{ socket.data.name }}" } }
`)
	s.Router.EngineNamespace("/p").Use(func(_ *sio.Socket, next func(*sio.ExtendedError)) {
		time.AfterFunc(300*time.Millisecond, func() { next(nil) })
	})
	c := s.dial(t, "/p", dialOpts{})
	if got := c.expect(t, "welcome"); !reflect.DeepEqual(got, []any{"hi"}) {
		t.Fatalf("welcome %v", got)
	}
	got := c.emitAck(t, "who")
	ack, _ := got[0].(map[string]any)
	rooms, _ := ack["rooms"].([]any)
	if len(rooms) != 2 || rooms[1] != "lobby" || ack["name"] != "ann" {
		t.Fatalf("the late socket is %v: want it in lobby, named ann", got)
	}
}
