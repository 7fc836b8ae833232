package router_test

import "testing"

// TestBroadcastRecipientsFollowMembership: broadcasts keep their lists of recipients between
// messages, and every change of membership is seen by the next broadcast: a socket that
// connects, joins or leaves after broadcasts went out gets (or stops getting) the very next
// one, and a socket that has gone is not written to.
func TestBroadcastRecipientsFollowMembership(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /chat:
    on:
      all:
        - broadcast: { event: all, data: "${{ data }}" }
      join:
        - join_room: red
        - ack: joined
      leave:
        - leave_room: red
        - ack: left
      red:
        - emit: { event: red, data: "${{ data }}", to: red }
      disconnect:
        - print: "${{ socket.id }} left"
`+syncHandler)
	got := func(t *testing.T, c *client, event, want string) {
		t.Helper()
		if args := c.expect(t, event); len(args) != 1 || args[0] != want {
			t.Fatalf("%s: got %v, want %q", event, args, want)
		}
	}
	a := s.dial(t, "/chat", dialOpts{})
	b := s.dial(t, "/chat", dialOpts{})

	a.emit("all", "first") // the namespace's list is kept from here
	got(t, a, "all", "first")
	got(t, b, "all", "first")

	c := s.dial(t, "/chat", dialOpts{})
	a.emit("all", "after c connected")
	for _, x := range []*client{a, b, c} {
		got(t, x, "all", "after c connected")
	}

	a.emitAck(t, "join")
	a.emit("red", "only a") // red's list is kept from here
	got(t, a, "red", "only a")
	b.emitAck(t, "join")
	a.emit("red", "a and b")
	got(t, a, "red", "a and b")
	got(t, b, "red", "a and b")

	b.emitAck(t, "leave")
	a.emit("red", "a again")
	got(t, a, "red", "a again")
	b.expectNone(t)
	c.expectNone(t)

	c.close()
	s.out.WaitFor(t, c.id+" left")
	a.emit("all", "after c left")
	got(t, a, "all", "after c left")
	got(t, b, "all", "after c left")
}
