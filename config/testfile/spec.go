// Package testfile reads the test files of `ioroute test`: YAML files named `<config>.test.yaml`
// that declare clients and the steps they take against a config. Like package config it knows
// YAML and positions, not Socket.IO; router/testrun runs what it reads.
//
// The fields below are the single source of the test files' checks, their JSON Schema
// (schema.GenerateTests) and their reference (docs/reference.md).
package testfile

import (
	"time"

	"github.com/ioroute/ioroute/config"
)

// DefaultTimeout is how long a step waits for what it expects, unless it or its test says.
const DefaultTimeout = time.Second

// DefaultQuiet is how long `nothing` watches a client for an event, unless the step says.
const DefaultQuiet = 200 * time.Millisecond

// TopFields declares the keys of a test file.
var TopFields = []config.Field{
	{Name: "config", Type: config.String, Doc: "The config under test, relative to this file. By default the file's own name without `.test`: `chat.test.yaml` tests `chat.yaml`."},
	{Name: "env", Type: config.ValueMap, Doc: "Environment variables for every test of the file, read by the config as `env.NAME`. Tests see only these and their own `env`, never the environment `ioroute test` runs in."},
	{Name: "clients", Type: config.Map, Fields: ClientFields, Doc: "Clients every test of the file may use, by name; a test's own `clients` add to them or replace one of the same name."},
	{Name: "redis", Type: config.Bool, Default: false, Doc: "Keep the config's Redis adapter (`server.adapter.redis`; `IOROUTE_REDIS_URL`, from the test's env or else the environment `ioroute test` runs in, " +
		"overrides its url, as for `ioroute run`). By default a test runs one node with the in-memory adapter, whatever the config says."},
	{Name: "calls", Type: config.Map, Fields: StubFields, Doc: "How the backend answers the config's `call` steps, by `METHOD URL`, for every test of the file " +
		"(see [Calls to a backend](#calls-to-a-backend)); a test's own `calls` are tried first, and replace one of the same `METHOD URL`."},
	{Name: "tests", Type: config.ValueList, Required: true, Doc: "The tests, run in order, each against a fresh server."},
}

// TestFields declares the keys of one test.
var TestFields = []config.Field{
	{Name: "name", Type: config.String, Required: true, Doc: "What the test shows, printed on its result line."},
	{Name: "env", Type: config.ValueMap, Doc: "Environment variables for this test, added to the file's."},
	{Name: "clients", Type: config.Map, Fields: ClientFields, Doc: "The test's clients, by name (`ann`, `bob`…). A client written as a string is its namespace: `ann: /chat`."},
	{Name: "calls", Type: config.Map, Fields: StubFields, Doc: "How the backend answers the config's `call` steps in this test, by `METHOD URL`, before the file's `calls`."},
	{Name: "timeout", Type: config.Duration, Default: "1s", Doc: "How long each step waits for what it expects, unless the step says otherwise."},
	{Name: "steps", Type: config.ValueList, Required: true, Doc: "What happens, in order; each step is one of the step kinds below, with an optional `timeout`."},
}

// ClientFields declares the keys of one client.
var ClientFields = []config.Field{
	{Name: "namespace", Type: config.String, Default: "/", Doc: "The namespace it connects to."},
	{Name: "auth", Type: config.ValueMap, Doc: "The auth payload it connects with (`auth.x` in the config)."},
	{Name: "query", Type: config.ValueMap, Doc: "Query parameters of its connection (`socket.handshake.query`)."},
	{Name: "jwt", Type: config.Object, Fields: JWTFields, Doc: "Sign an HS256 token into `auth.token`, as `ioroute token` does, for configs that check `jwt(auth.token, ...)`."},
	{Name: "protocol", Type: config.Int, Default: 4, Doc: "The Engine.IO protocol it speaks: 4 (socket.io-client 3 and 4) or 3 (socket.io-client 2)."},
}

// JWTFields declares the keys of a client's jwt.
var JWTFields = []config.Field{
	{Name: "secret", Type: config.String, Default: "${{ env.JWT_SECRET }}", Doc: "The HS256 secret; by default the test's `env.JWT_SECRET`."},
	{Name: "sub", Type: config.String, Doc: "The subject claim (`sub`)."},
	{Name: "aud", Type: config.String, Doc: "The audience claim (`aud`)."},
	{Name: "expires_in", Type: config.Duration, Default: "1h", Doc: "How long the token is valid from the start of the test."},
	{Name: "expired", Type: config.Bool, Default: false, Doc: "Sign a token that expired a minute ago instead."},
}

// Methods are the HTTP methods a `call` step may use (package actions), so those a stub or a
// called step may name.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// MaxDelay bounds a stub's delay: the runner has no fake clock, so a delay is waited out in
// real time, and a test must not hang on one.
const MaxDelay = 10 * time.Second

// StubFields declares how a stub answers a call, under `calls`.
var StubFields = []config.Field{
	{Name: "status", Type: config.Int, Default: 200, Doc: "The reply's HTTP status."},
	{Name: "headers", Type: config.ValueMap, Doc: "The reply's headers. A reply with a body says `Content-Type: application/json` unless these name another."},
	{Name: "body", Type: config.Value, Doc: "The reply's body, sent as JSON; a string is sent as it is when `headers` give another Content-Type. Without it, no body."},
	{Name: "delay", Type: config.Duration, Doc: "How long the backend takes to answer, in real time (at most 10s). A delay past the call's `timeout` fails the call, as a backend that does not answer does."},
	{Name: "fail", Type: config.String, Doc: "Do not answer: the call fails with this message, as when the backend cannot be reached (`connection refused`), and the config's `on_error` runs."},
}

// CalledFields declares what a called step checks of one request, beside its `METHOD URL`.
var CalledFields = []config.Field{
	{Name: "body", Type: config.Value, Doc: "Its body equals this (a JSON body as its value, any other as its text)."},
	{Name: "contains", Type: config.Value, Doc: "Its body contains this (see `contains` in expect)."},
	{Name: "headers", Type: config.ValueMap, Doc: "It has these headers with these values (names in any case); it may have others too."},
}

// StepKind declares one kind of step: its key, what it does and, for the mapping form, its
// fields.
type StepKind struct {
	Name string
	Doc  string
	// Fields are the keys of the mapping form, or nil when the kind takes no mapping of fields.
	Fields []config.Field
	// Example is a step of this kind, as a test file writes it.
	Example string
}

// StepFields are the keys any step may have beside its kind.
var StepFields = []config.Field{
	{Name: "timeout", Type: config.Duration, Doc: "How long this step waits (for `nothing`: how long it watches); by default the test's timeout (`nothing`: 200ms)."},
}

// EmitFields declares the keys of an emit step.
var EmitFields = []config.Field{
	{Name: "client", Type: config.String, Required: true, Doc: "The client that emits."},
	{Name: "event", Type: config.String, Required: true, Doc: "The event's name."},
	{Name: "data", Type: config.Value, Doc: "The event's one argument (`data` in the config)."},
	{Name: "args", Type: config.ValueList, Doc: "The event's arguments, for more than one (`args` in the config)."},
	{Name: "ack", Type: config.Value, Doc: "Ask for an acknowledgement and expect its first argument to equal this."},
	{Name: "ack_args", Type: config.ValueList, Doc: "Ask for an acknowledgement and expect exactly these arguments."},
	{Name: "ack_contains", Type: config.Value, Doc: "Ask for an acknowledgement and expect its first argument to contain this (see `contains`)."},
}

// RefusedFields declares the keys of a refused step.
var RefusedFields = []config.Field{
	{Name: "client", Type: config.String, Required: true, Doc: "The client that tries to connect."},
	{Name: "message", Type: config.String, Doc: "The refusal's message, as the client's `connect_error` shows it."},
	{Name: "data", Type: config.Value, Doc: "The refusal's data (`reject`'s `data`)."},
}

// EventFields declares the keys of one expected event.
var EventFields = []config.Field{
	{Name: "event", Type: config.String, Required: true, Doc: "The event's name."},
	{Name: "data", Type: config.Value, Doc: "Its one argument equals this."},
	{Name: "args", Type: config.ValueList, Doc: "Its arguments equal these."},
	{Name: "contains", Type: config.Value, Doc: "Its first argument contains this: a mapping has at least these keys (each containing its value), " +
		"a list has an item containing each of these items, a string has this text in it; other values are equal."},
	{Name: "reply", Type: config.Value, Doc: "When the server asked for an acknowledgement (an `emit` with `on_ack`), answer with this value, " +
		"which the config reads as `reply`. Without it the client does not answer."},
}

// StepKinds are the kinds of step, in the order the reference lists them.
var StepKinds = []StepKind{
	{Name: "connect", Doc: "Connect clients (a name or a list), one after another: each once the server accepted the one before, so their `connect` handlers run in this order.",
		Example: "- connect: [ann, bob]"},
	{Name: "refused", Doc: "Try to connect a client and expect the server to refuse it (`reject`, an unknown namespace…).", Fields: RefusedFields,
		Example: "- refused: { client: eve, message: invalid or expired token, data: { code: 401 } }"},
	{Name: "emit", Doc: "A client emits an event. With `ack`, `ack_args` or `ack_contains` it asks for an acknowledgement and waits for it.", Fields: EmitFields,
		Example: "- emit: { client: ann, event: add, data: { a: 1, b: 2 }, ack: { sum: 3 } }"},
	{Name: "expect", Doc: "What clients receive, by client name: an event (a mapping of the fields below), a list of events in the order " +
		"they must arrive, `nothing` (it has received no event that no step expected, and none arrives while the step watches) " +
		"or `disconnected` (the server disconnects it). " +
		"Each expected event is the first not yet expected one of that name that matches; events of other names may arrive in between.",
		Fields:  EventFields,
		Example: "- expect:\n    bob: { event: new-message, data: hello }\n    ann: nothing"},
	{Name: "printed", Doc: "Lines the config prints (`print`), in order: a string is the whole line; a mapping or a list is compared with a line of JSON.",
		Example: "- printed: new user ann"},
	{Name: "called", Doc: "The requests the config's `call` steps made, in order: `METHOD URL` (a `*` in the URL stands for any text), " +
		"or a mapping from `METHOD URL` to the fields below, or a list of these. Each is the first request not yet checked that matches, " +
		"after the one before; the step waits for it up to its timeout. Requests no stub answered count too.",
		Fields:  CalledFields,
		Example: "- called:\n    POST http://store.test/rooms/lobby/messages: { body: { from: ann, text: hello } }"},
	{Name: "rooms", Doc: "The rooms each client's socket is in on the server, by client name, besides its own id, in any order.",
		Example: "- rooms: { ann: [lobby], bob: [] }"},
	{Name: "disconnect", Doc: "Disconnect clients (a name or a list) by closing their connection, as closing a browser tab does: " +
		"their `disconnect` handlers run with `reason` `transport close`.",
		Example: "- disconnect: ann"},
}

// Kind returns the step kind named name.
func Kind(name string) (StepKind, bool) {
	for _, k := range StepKinds {
		if k.Name == name {
			return k, true
		}
	}
	return StepKind{}, false
}

// KindNames returns the names of the step kinds, in order.
func KindNames() []string {
	out := make([]string, len(StepKinds))
	for i, k := range StepKinds {
		out[i] = k.Name
	}
	return out
}

// Example is a whole test file, shown by the reference and written by `ioroute init`.
const Example = `# chat.test.yaml: run with ioroute test chat.test.yaml
tests:
  - name: a message reaches everyone in /chat
    clients:
      ann: /chat
      bob: /chat
    steps:
      - connect: [ann, bob]
      - emit: { client: ann, event: message, data: hello }
      - expect:
          ann: { event: new-message, data: hello }
          bob: { event: new-message, data: hello }
`

// CallsExample is a test file with stubs, shown by the reference.
const CallsExample = `env: { BACKEND_URL: http://store.test }
calls:
  GET http://store.test/rooms/lobby/messages: { body: [{ from: bob, text: hi }] }
  POST http://store.test/rooms/*/messages: { status: 201, body: { id: 7, text: hello } }
tests:
  - name: a store that cannot be reached
    clients: { ann: /chat }
    calls:
      POST http://store.test/rooms/*/messages: { fail: connection refused }
    steps:
      - connect: ann
      - emit: { client: ann, event: message, data: hello }
      - expect: { ann: { event: failed } }
      - called: POST http://store.test/rooms/lobby/messages
`
