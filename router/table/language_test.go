package table_test

import (
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/schema"
)

// TestLanguageLoadErrors: the additions of the config language (set, for_each, disconnect,
// close_room, on_error, the catch-all, sockets()) refuse at load what would fail or do
// nothing on every event, with position, path and what to write instead.
func TestLanguageLoadErrors(t *testing.T) {
	handler := func(event, lines string) string {
		return "version: 1\nnamespaces:\n  /a:\n    on:\n      " + event + ":\n" + lines
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"set with a string", handler("x", "        - set: \"${{ data }}\"\n"), []string{
			`c.yaml:6:16: namespaces./a.on.x[0].set: set takes a mapping of keys to values, such as set: { nick: "${{ data.name }}" }, got string; ` +
				`to store one value, name its key: set: { profile: "${{ data }}" }`}},
		{"set with a list", handler("x", "        - set: [a, b]\n"), []string{
			`c.yaml:6:16: namespaces./a.on.x[0].set: set takes a mapping of keys to values, such as set: { nick: "${{ data.name }}" }, got list; ` +
				`to store one value, name its key: set: { profile: "${{ data }}" }`}},
		{"set with nothing to set", handler("x", "        - set: {}\n"), []string{
			`c.yaml:6:16: namespaces./a.on.x[0].set: set: {} sets nothing; name the keys to set, such as set: { nick: "${{ data.name }}" }`}},
		{"for_each of an expression without ${{ }}", handler("x", "        - print: hi\n          for_each: data.items\n"), []string{
			"c.yaml:7:21: namespaces./a.on.x[0].for_each: for_each needs a list, got string; an expression goes inside ${{ }}: for_each: ${{ data.items }}"}},
		{"for_each of a word", handler("x", "        - print: hi\n          for_each: lobby\n"), []string{
			"c.yaml:7:21: namespaces./a.on.x[0].for_each: for_each needs a list, got string; for one item write a list, for_each: [lobby]; " +
				"for an expression, put it inside ${{ }}: for_each: ${{ lobby }}"}},
		{"for_each of a number", handler("x", "        - print: hi\n          for_each: 3\n"), []string{
			"c.yaml:7:21: namespaces./a.on.x[0].for_each: for_each needs a list, got integer; write a YAML list, such as for_each: [lobby, news], " +
				"or one ${{ }} that yields a list, such as for_each: ${{ data.items }}"}},
		{"for_each of a mapping", handler("x", "        - print: hi\n          for_each: { a: 1 }\n"), []string{
			"c.yaml:7:21: namespaces./a.on.x[0].for_each: for_each needs a list, got mapping; write a YAML list, such as for_each: [lobby, news], " +
				"or one ${{ }} that yields a list, such as for_each: ${{ data.items }}"}},
		{"item outside for_each", handler("x", "        - print: ${{ item }}\n"), []string{
			`c.yaml:6:22: namespaces./a.on.x[0].print: "item" is available only in a step with for_each`}},
		{"disconnect of an empty list", handler("x", "        - disconnect: []\n"), []string{
			"c.yaml:6:23: namespaces./a.on.x[0].disconnect: an empty list names no socket id; " +
				"name socket ids, such as disconnect: ${{ data.id }}, or write disconnect: {} to disconnect the sender"}},
		{"disconnect of an empty socket list", handler("x", "        - disconnect: { socket: [], close: true }\n"), []string{
			"c.yaml:6:33: namespaces./a.on.x[0].disconnect.socket: an empty list names no socket id; " +
				"name socket ids, such as disconnect: ${{ data.id }}, or write disconnect: {} to disconnect the sender"}},
		{"disconnect of a constant empty list", handler("x", "        - disconnect: ${{ [] }}\n"), []string{
			"c.yaml:6:23: namespaces./a.on.x[0].disconnect: this yields an empty list, whatever the event, so it names no socket id; " +
				"name socket ids, such as disconnect: ${{ data.id }}, or write disconnect: {} to disconnect the sender"}},
		{"disconnect of nothing", handler("x", "        - disconnect:\n"), []string{
			"c.yaml:6:22: namespaces./a.on.x[0].disconnect: write disconnect: {} to disconnect the sender, or name socket ids, such as disconnect: ${{ data.id }}"}},
		{"disconnect of the sender that is leaving", handler("disconnect", "        - disconnect: {}\n"), []string{
			"c.yaml:6:23: namespaces./a.on.disconnect[0].disconnect: in a disconnect handler the sender is already leaving; " +
				"to disconnect other sockets, name them: disconnect: { socket: ... }"}},
		{"close_room of an empty list", handler("x", "        - close_room: []\n"), []string{
			"c.yaml:6:23: namespaces./a.on.x[0].close_room: an empty list names no room; write a string or a list of strings, such as close_room: ${{ data.room }}"}},
		{"close_room of a constant empty list", handler("x", "        - close_room: { room: \"${{ [] }}\" }\n"), []string{
			"c.yaml:6:31: namespaces./a.on.x[0].close_room.room: this yields an empty list, whatever the event, so it names no room; " +
				"write a string or a list of strings, such as close_room: ${{ data.room }}"}},
		{"on_error inside on_error", handler("x", "        do: []\n        on_error:\n          do: []\n          on_error: []\n"), []string{
			"c.yaml:9:11: namespaces./a.on.x.on_error.on_error: on_error inside on_error: an error in on_error is logged and ends the handler there; " +
				"remove the inner on_error, and write on_error as a list of steps"}},
		{"on_error inside a namespace's on_error", "version: 1\nnamespaces:\n  /a:\n    on_error:\n      - print: x\n        on_error: []\n", []string{
			"c.yaml:6:9: namespaces./a.on_error[0].on_error: on_error inside on_error: an error in on_error is logged and ends the handler there; remove it"}},
		{"error outside on_error", handler("x", "        - print: ${{ error.message }}\n"), []string{
			`c.yaml:6:22: namespaces./a.on.x[0].print: "error" is available only inside on_error`}},
		{"a misspelt name of error", handler("x", "        do: []\n        on_error: [print: '${{ error.mesage }}']\n"), []string{
			`c.yaml:7:38: namespaces./a.on.x.on_error[0].print: error has no field "mesage"; did you mean "message"?`}},
		{"a guard that does not compile", handler("x", "        when: data.x >\n        do: []\n"), []string{
			"c.yaml:6:22: namespaces./a.on.x.when: unexpected token EOF"}},
		{"emit of the catch-all", handler("x", "        - emit: { event: \"*\" }\n"), []string{
			`c.yaml:6:26: namespaces./a.on.x[0].emit.event: "*" names the catch-all handler, not an event, and cannot be emitted; name the event to send`}},
		{"broadcast of the catch-all", handler("x", "        - broadcast: { event: '*', data: 1 }\n"), []string{
			`c.yaml:6:31: namespaces./a.on.x[0].broadcast.event: "*" names the catch-all handler, not an event, and cannot be emitted; name the event to send`}},
		{"a rate for the catch-all", "version: 1\nserver:\n  limits:\n    events:\n      \"*\": { per_second: 5 }\nnamespaces:\n  /a:\n    on:\n      \"*\": []\n", []string{
			`c.yaml:5:7: server.limits.events.*: "*" names the catch-all handler, not an event clients send, so it cannot have a rate; ` +
				"name the events, or let events_per_second bound them"}},
		{"sockets() once per element", handler("x", "        - print: '${{ map(data, sockets()) }}'\n"), []string{
			"c.yaml:6:33: namespaces./a.on.x[0].print: sockets() asks every node for its sockets, so it may not run once per element " +
				"inside map, filter or another predicate; call it once, outside: let list = sockets(); filter(data, # in map(list, .id))"}},
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

// TestLanguageLoadAccepts: the additions load in the forms the reference shows, and the
// JSON Schema accepts them too.
func TestLanguageLoadAccepts(t *testing.T) {
	for _, src := range []string{
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - set: { nick: \"${{ data.name }}\", role: admin, old: null }\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      connect:\n        - set: { user: \"${{ jwt(auth.token, 'k') }}\" }\n        - disconnect: {}\n          when: socket.data.user == nil\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - emit: { event: e, to: \"${{ item }}\", data: \"${{ index }}\" }\n          for_each: ${{ data.ids }}\n          when: item != socket.id\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - join_room: ${{ item }}\n          for_each: [a, b]\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - disconnect: ${{ data.id }}\n        - disconnect: { socket: [s1, \"${{ data }}\"], close: true }\n        - disconnect: { close: true }\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      disconnect:\n        - disconnect: ${{ socket.data.partner }}\n        - close_room: [\"${{ socket.id }}-room\"]\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - close_room: ${{ data.room }}\n        - close_room: { room: [a, b] }\n",
		"version: 1\nnamespaces:\n  /a:\n    on_error:\n      - print: ${{ error.step }} ${{ error.message }}\n    on:\n      x:\n        when: data != nil\n        do:\n          - ack: ok\n        on_error:\n          - ack: { data: { error: \"${{ error.message }}\" } }\n      y: []\n      connect:\n        when: auth.token != nil\n        do: []\n        on_error: [reject: bad token]\n",
		// the namespace's on_error is the default of event handlers only, so ack is fine in it
		"version: 1\nnamespaces:\n  /a:\n    on_error:\n      - ack: failed\n    on:\n      connect: []\n      disconnect: []\n      x: []\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      \"*\":\n        - print: ${{ event }}\n        - ack: '${{ {\"unknown\": event} }}'\n",
		"version: 1\nserver:\n  limits: { loop_items: 5, socket_data_bytes: 1024, events: { typing: { per_second: 2 } } }\nnamespaces:\n  /a:\n    on:\n      \"*\": []\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - emit: { event: e, data: !!binary aGk= }\n        - ack: '${{ is_binary(data) ? data : bytes(string(data)) }}'\n        - print: '${{ len(base64_bytes(\"aGk=\")) }}'\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - ack: '${{ map(filter(sockets(\"lobby\"), .data.role == \"admin\"), .id) }}'\n",
	} {
		if _, err := loadString(src); err != nil {
			t.Errorf("%s\n%v", src, err)
			continue
		}
		f, _ := config.Parse("c.yaml", []byte(src))
		if err := schema.Validate(f.Root); err != nil {
			t.Errorf("%s\nschema: %v", src, err)
		}
	}
}

// TestLanguageSchemaRefuses: forms the checks refuse, the JSON Schema refuses too.
func TestLanguageSchemaRefuses(t *testing.T) {
	const head = "version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n"
	for _, src := range []string{
		head + "        - set: hello\n",
		head + "        - print: hi\n          for_each: 3\n",
		head + "        - print: hi\n          on_error: []\n",
		head + "        when: true\n",
		head + "        do: []\n        on_error: { do: [] }\n",
		head + "        print: hi\n",
		"version: 1\nnamespaces:\n  /a:\n    on_error: { print: x }\n",
	} {
		if _, err := loadString(src); err == nil {
			t.Errorf("%s: loaded", src)
		}
		f, _ := config.Parse("c.yaml", []byte(src))
		if f == nil {
			t.Fatalf("%s: not YAML", src)
		}
		if err := schema.Validate(f.Root); err == nil {
			t.Errorf("%s: the schema accepts it", src)
		}
	}
}
