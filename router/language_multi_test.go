package router_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const moderatedConfig = `
version: 1
server:
  limits: { socket_data_bytes: 200 }
namespaces:
  /m:
    on:
      connect:
        - set: { nick: "${{ auth.nick }}" }
        - join_room: lobby
      say:
        - broadcast: { event: said, data: "${{ data }}", to: lobby }
      kick:
        - disconnect: ${{ data }}
        - ack: kicked
      close:
        - close_room: lobby
        - ack: closed
      online:
        - ack: '${{ sort(map(sockets(), .data.nick)) }}'
      grow:
        - set: { blob: "${{ data }}" }
        - ack: stored
      blob:
        - ack: ${{ len(socket.data.blob ?? "") }}
      disconnect:
        - broadcast: { event: online, data: "${{ len(sockets()) }}", to: lobby }
`

// TestKickCloseRoomAndWhoIsOnline: a socket disconnects another by id, the disconnect handler
// of the kicked one sees the others only, closing a room empties it for every member, and
// socket.data over its limit fails the step and keeps the old data.
func TestKickCloseRoomAndWhoIsOnline(t *testing.T) {
	s := startRouter(t, moderatedConfig+syncHandler)
	mod := s.dial(t, "/m", dialOpts{auth: map[string]any{"nick": "mod"}})
	ana := s.dial(t, "/m", dialOpts{auth: map[string]any{"nick": "ana"}})
	bob := s.dial(t, "/m", dialOpts{auth: map[string]any{"nick": "bob"}})
	if got := mod.emitAck(t, "online"); !reflect.DeepEqual(got, []any{[]any{"ana", "bob", "mod"}}) {
		t.Fatalf("online = %v", got)
	}

	gone := make(chan struct{}, 1)
	bob.s.On("disconnect", func(...any) { gone <- struct{}{} })
	if got := mod.emitAck(t, "kick", bob.id); !reflect.DeepEqual(got, []any{"kicked"}) {
		t.Fatalf("kick ack = %v", got)
	}
	select {
	case <-gone:
	case <-time.After(wait):
		t.Fatal("the kicked socket stayed connected")
	}
	// the kicked socket's disconnect handler counts the sockets that stay
	for _, c := range []*client{mod, ana} {
		if got := c.expect(t, "online"); !reflect.DeepEqual(got, []any{float64(2)}) {
			t.Fatalf("online after the kick = %v, want 2", got)
		}
	}

	if got := ana.emitAck(t, "close"); !reflect.DeepEqual(got, []any{"closed"}) {
		t.Fatalf("close ack = %v", got)
	}
	mod.emit("say", "anyone?")
	mod.expectNone(t)
	ana.expectNone(t)

	if got := ana.emitAck(t, "grow", "small"); !reflect.DeepEqual(got, []any{"stored"}) {
		t.Fatalf("grow = %v", got)
	}
	ana.emit("grow", strings.Repeat("x", 500)) // over socket_data_bytes: the step fails
	waitLog(t, s, "server.limits.socket_data_bytes", 1)
	if got := ana.emitAck(t, "blob"); !reflect.DeepEqual(got, []any{float64(5)}) {
		t.Fatalf("socket.data.blob after a set over the limit has length %v, want the previous 5", got)
	}
}
