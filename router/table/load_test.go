package table_test

import (
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/router/table"
	"github.com/ioroute/ioroute/schema"
)

// TestSchemaAgreesWithChecks: the JSON Schema (what editors see) and the checks (what
// validate and run enforce) come from the same specs, so they accept and refuse alike.
func TestSchemaAgreesWithChecks(t *testing.T) {
	const head = "version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n"
	tests := []struct {
		name  string
		src   string
		valid bool
	}{
		{"every action, long and short", head + `        - print: { any: [value] }
        - emit: { event: e, data: 1, to: [r1, r2], broadcast: true, include_self: false, namespace: /a }
        - emit: { event: e, args: [1, 2], on_ack: [print: ok] }
        - send: hi
        - send: { data: hi, to: room }
        - broadcast: { event: e, args: "${{ args }}" }
        - join_room: [a, b]
        - leave_room: { room: a }
        - ack: ok
          when: data != nil
`, true},
		{"server settings", "version: 1\nserver: { listen: '127.0.0.1:1', path: /io, cors: { origins: ['http://a.test'], credentials: true }, static: ., ping_interval: 1s, ping_timeout: 2s, connect_timeout: 3s, max_payload: 10, allow_eio3: false }\nnamespaces:\n  /a:\n", true},
		{"event rate", "version: 1\nserver: { limits: { events: { x: { per_second: 5, burst: 9 } } } }\nnamespaces:\n  /a:\n    on:\n      x: []\n", true},
		{"event rate without per_second", "version: 1\nserver: { limits: { events: { x: { burst: 9 } } } }\nnamespaces:\n  /a:\n    on:\n      x: []\n", false},
		{"unknown action", head + "        - shout: hi\n", false},
		{"two actions", head + "        - send: a\n          ack: b\n", false},
		{"unknown field", head + "        - emit: { event: e, colour: red }\n", false},
		{"missing event", head + "        - emit: { data: 1 }\n", false},
		{"bad duration", "version: 1\nserver: { ping_interval: soon }\nnamespaces: {}\n", false},
		{"wrong type", "version: 1\nserver: { allow_eio3: sometimes }\nnamespaces: {}\n", false},
		{"namespace name", "version: 1\nnamespaces:\n  chat:\n", false},
		{"reserved handler", "version: 1\nnamespaces:\n  /a:\n    on:\n      newListener: []\n", false},
		{"version", "version: 2\nnamespaces: {}\n", false},
		{"shorthand mapping for join_room", head + "        - join_room: { name: a }\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, loadErr := table.LoadBytes("c.yaml", []byte(tt.src))
			f, _ := config.Parse("c.yaml", []byte(tt.src))
			if f == nil {
				t.Fatal("config did not parse as YAML")
			}
			schemaErr := schema.Validate(f.Root)
			if (loadErr == nil) != tt.valid || (schemaErr == nil) != tt.valid {
				t.Fatalf("valid=%v but load: %v; schema: %v", tt.valid, loadErr, schemaErr)
			}
		})
	}
}

// loadString loads config source as `ioroute validate c.yaml` would.
func loadString(src string) (*table.Table, error) {
	return table.LoadBytes("c.yaml", []byte(src))
}
