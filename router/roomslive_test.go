package router_test

import (
	"reflect"
	"testing"
)

// TestRoomsFollowTheHandler: socket.rooms shows the joins and leaves of earlier steps of the
// same handler, in a connect handler too (the joins it has made so far).
func TestRoomsFollowTheHandler(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /r:
    on:
      connect:
        - join_room: [lobby, zoo]
        - print: "connect sees ${{ len(socket.rooms) }} rooms: ${{ socket.rooms[1:] }}"
      move:
        - join_room: r1
        - leave_room: lobby
        - ack: ${{ socket.rooms[1:] }}
`+syncHandler)
	c := s.dial(t, "/r", dialOpts{})
	s.out.WaitFor(t, `connect sees 3 rooms: ["lobby","zoo"]`)
	if got := c.emitAck(t, "move"); !reflect.DeepEqual(got, []any{[]any{"r1", "zoo"}}) {
		t.Fatalf("ack = %v, want [[r1 zoo]]", got)
	}
}
