package table_test

import (
	"strings"
	"testing"
)

// TestActionLoadErrors: steps that would fail or do nothing on every event are load errors,
// with position, path and what to write instead.
func TestActionLoadErrors(t *testing.T) {
	handler := func(event, steps string) string {
		return "version: 1\nnamespaces:\n  /a:\n    on:\n      " + event + ":\n" + steps
	}
	const fixRoom = "write a string or a list of strings, such as join_room: ${{ data.room }}"
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"join_room of a constant object", handler("x", "        - join_room: ${{ {\"a\":1} }}\n"), []string{
			`c.yaml:6:22: namespaces./a.on.x[0].join_room: expected a room name or a list of them, got {"a":1}, whatever the event; ` + fixRoom}},
		{"join_room of an empty list", handler("x", "        - join_room: []\n"), []string{
			`c.yaml:6:22: namespaces./a.on.x[0].join_room: an empty list names no room; ` + fixRoom}},
		{"join_room of an empty name", handler("x", "        - join_room: { room: \"\" }\n"), []string{
			`c.yaml:6:30: namespaces./a.on.x[0].join_room.room: empty room name, whatever the event; ` + fixRoom}},
		{"a null room in a list", handler("x", "        - join_room: [lobby, \"${{ nil }}\"]\n"), []string{
			`c.yaml:6:30: namespaces./a.on.x[0].join_room[1]: room name is null, whatever the event; ` + fixRoom}},
		{"leave_room of a constant empty list", handler("x", "        - leave_room: ${{ [] }}\n"), []string{
			`c.yaml:6:23: namespaces./a.on.x[0].leave_room: this yields an empty list, whatever the event, so it names no room; ` +
				"write a string or a list of strings, such as leave_room: ${{ data.room }}"}},
		{"emit to an empty list", handler("x", "        - emit: { event: e, to: [] }\n"), []string{
			"c.yaml:6:33: namespaces./a.on.x[0].emit.to: an empty list names no room or socket id; " +
				"name rooms or socket ids, such as to: ${{ data.room }}, or leave out `to` to send to the sender"}},
		{"broadcast to an empty list", handler("x", "        - broadcast: { event: e, to: [] }\n"), []string{
			"c.yaml:6:38: namespaces./a.on.x[0].broadcast.to: an empty list names no room or socket id; " +
				"name rooms or socket ids, such as to: ${{ data.room }}, or leave out `to` to send to the whole namespace"}},
		{"send to a constant object", handler("x", "        - send: { data: hi, to: \"${{ {'r': 1} }}\" }\n"), []string{
			`c.yaml:6:33: namespaces./a.on.x[0].send.to: expected a room name or a list of them, got {"r":1}, whatever the event; ` +
				"name rooms or socket ids, such as to: ${{ data.room }}, or leave out `to` to send to the sender"}},
		{"ack in disconnect", handler("disconnect", "        - ack: bye\n"), []string{
			"c.yaml:6:16: namespaces./a.on.disconnect[0].ack: ack answers the client's acknowledgement callback, and in a disconnect " +
				"handler the client is gone; to tell the sockets that remain, use broadcast or emit with `to`"}},
		{"ack in on_ack in disconnect", handler("disconnect", "        - emit: { event: e, to: s1, timeout: 1s, on_ack: [ack: x] }\n"), []string{
			"c.yaml:6:64: namespaces./a.on.disconnect[0].emit.on_ack[0].ack: ack answers the client's acknowledgement callback, and in a " +
				"disconnect handler the client is gone; to tell the sockets that remain, use broadcast or emit with `to`"}},
		{"ack in connect", handler("connect", "        - ack: hi\n"), []string{
			"c.yaml:6:16: namespaces./a.on.connect[0].ack: ack answers an event's acknowledgement callback, and a connecting client " +
				"sent no event; to answer it, use emit (it goes to the connecting socket)"}},
		{"ack with an object", handler("x", "        - ack: { ok: true }\n"), []string{
			"c.yaml:6:18: namespaces./a.on.x[0].ack.ok: unknown field (known: args, data); to acknowledge with an object write ack: { data: { ok: true } }"}},
		{"send with an object", handler("x", "        - send: { text: \"a: b\", n: 1 }\n"), []string{
			"c.yaml:6:19: namespaces./a.on.x[0].send.text: unknown field (known: args, broadcast, data, include_self, namespace, on_ack, timeout, to); " +
				`to send an object write send: { data: { text: "a: b", n: 1 } }`}},
		{"ack with a misspelt field", handler("x", "        - ack: { dta: 1 }\n"), []string{
			`c.yaml:6:18: namespaces./a.on.x[0].ack.dta: unknown field; did you mean "data"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadString(tt.src)
			if err == nil {
				t.Fatal("loaded")
			}
			if got := err.Error(); got != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestActionLoadAccepts: what names rooms per event, or always names some, loads.
func TestActionLoadAccepts(t *testing.T) {
	for _, steps := range []string{
		"        - join_room: ${{ data.room }}\n",
		"        - join_room: [lobby, \"${{ data }}\", 5]\n",
		"        - leave_room: \"room-${{ data.n }}\"\n",
		"        - emit: { event: e, to: \"${{ socket.id }}\" }\n",
		"        - broadcast: { event: e, to: \"${{ ['a', 'b'] }}\" }\n",
		"        - ack: { data: { ok: true } }\n",
		"        - ack: {}\n",
		"        - emit: { event: e, on_ack: [ack: done] }\n",
	} {
		src := "version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n" + steps
		if _, err := loadString(src); err != nil {
			t.Errorf("%s: %v", strings.TrimSpace(steps), err)
		}
	}
}
