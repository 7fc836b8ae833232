package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// layoutExample is the small config shown at the top of the reference; a test loads it.
const layoutExample = `version: 1
server:
  listen: 127.0.0.1:3001
  cors: { origins: ["http://localhost:8080"] }
namespaces:
  /chat:
    on:
      connect:
        - join_room: lobby
      message:
        - broadcast:
            event: new-message
            data: { from: "${{ socket.id }}", text: "${{ data }}" }
          when: data != ""
      disconnect:
        - print: ${{ socket.id }} left (${{ reason }})
`

// forEachExample shows for_each in the reference; a test loads it as a handler's steps.
const forEachExample = `- emit: { event: invite, to: "${{ item }}", data: "${{ data.text }}" }
  for_each: ${{ data.users }}
  when: item != socket.id
`

// handlersExample shows the mapping form of handlers, on_error and the catch-all in the
// reference; a test loads it.
const handlersExample = `version: 1
namespaces:
  /chat:
    on_error:
      - emit: { event: failed, data: { message: "${{ error.message }}", at: "${{ error.step }}" } }
    on:
      kick:
        when: socket.data.role == "admin"
        do:
          - disconnect: ${{ data.id }}
        on_error:
          - ack: { data: { error: "${{ error.message }}" } }
      "*":
        - print: unhandled ${{ event }} from ${{ socket.id }}
`

// typeOrder lists the field types in the order the type legend presents them.
var typeOrder = []config.Type{
	config.String, config.Bool, config.Int, config.Duration, config.StringList,
	config.Object, config.Map, config.Text, config.TextList, config.Value,
	config.ValueList, config.ValueMap, config.Steps, config.Expr,
}

// typeNames are the readable names of the field types, as the tables show them.
var typeNames = map[config.Type]string{
	config.String:     "string",
	config.Bool:       "bool",
	config.Int:        "integer",
	config.Duration:   `duration ("25s")`,
	config.StringList: "list of strings",
	config.Object:     "object",
	config.Map:        "map",
	config.Value:      "any value",
	config.Text:       "text",
	config.TextList:   "string or list",
	config.ValueList:  "list",
	config.ValueMap:   "map of values",
	config.Steps:      "steps",
	config.Expr:       "expression",
}

// typeDocs explain each readable type name in the legend.
var typeDocs = map[config.Type]string{
	config.String:     "Literal text, used as written; `${{ }}` is not evaluated.",
	config.Bool:       "`true` or `false`.",
	config.Int:        "A whole number, 0 or more.",
	config.Duration:   "A number with a unit (`ns`, `us`, `ms`, `s`, `m`, `h`); units may be combined, as in `1m30s`.",
	config.StringList: "A list of literal strings.",
	config.Object:     "A mapping with the keys listed for it.",
	config.Map:        "A mapping whose keys you choose, such as namespace or event names.",
	config.Value:      "Any YAML value: scalar, list or mapping. `${{ }}` is evaluated in every string inside it, at any depth.",
	config.Text:       "A string that may embed `${{ }}`. A number or bool written here is taken as its text.",
	config.TextList:   "One text or a list of texts, each of which may embed `${{ }}`; an expression may also yield a list, which is flattened.",
	config.ValueList:  "A list of values (with `${{ }}` evaluated inside), or one `${{ }}` that yields a list.",
	config.ValueMap:   "A mapping whose keys you choose, each holding any value; `${{ }}` is evaluated in every string inside the values.",
	config.Steps:      "A list of steps, written as a handler's list is: `do` runs them as the handler, `on_ack` when the client acknowledges, `on_error` when a step fails.",
	config.Expr:       "A bare expression, written without `${{ }}`.",
}

// envDocs describe the names expressions can read, keyed by their dotted path in tmpl.Env.
var envDocs = map[string]string{
	"data":                     "The event's first argument; `nil` when the event has none.",
	"args":                     "All of the event's arguments, in order.",
	"event":                    "The name of the event being handled (`connect` and `disconnect` for the lifecycle events).",
	"namespace":                "The namespace the socket is connected to, such as `/chat`.",
	"socket":                   "The socket the event came from.",
	"socket.id":                "The socket's id. Every socket is in a room named by its id, so `to` can reach it alone.",
	"socket.rooms":             "The rooms the socket is in: its own id first, then the others in sorted order. Joins and leaves made by earlier steps of the same handler are included.",
	"socket.handshake":         "What the client sent when it connected, with the names of Node's `socket.handshake`.",
	"socket.handshake.auth":    "The client's `auth` payload; `{}` when it sent none.",
	"socket.handshake.query":   "The connection URL's query parameters: names as sent, the first value of each; a name not sent is `nil`.",
	"socket.handshake.headers": "The handshake request's HTTP headers: names in lower case, the first value of each; a header not sent is `nil`.",
	"socket.handshake.address": "The client's IP address, without the port.",
	"socket.handshake.time":    "When the connection was made, as text.",
	"socket.handshake.issued":  "When the connection was made, in milliseconds since 1970.",
	"socket.handshake.url":     "The path and query of the connection's first request.",
	"socket.handshake.xdomain": "Whether the connection came from a page of another origin.",
	"socket.handshake.secure":  "Whether the connection is over TLS.",
	"socket.data":              "The socket's data, written by `set` (Node's `socket.data`); `{}` until something is set. Later steps of the run read what earlier ones set.",
	"socket.recovered":         "true when the socket came back within `server.recovery` with its id, rooms and data (Node's `socket.recovered`): a connect handler can skip its welcome with `when: \"!socket.recovered\"`.",
	"auth":                     "The same as `socket.handshake.auth`.",
	"reason":                   "Why the socket disconnected, such as `transport close`. Only in `disconnect` handlers.",
	"env":                      "The environment variables of the ioroute process, read when it starts: `env.HOME`.",
	"reply":                    "The first argument of the client's acknowledgement. Only inside `on_ack`.",
	"replies":                  "All arguments of the client's acknowledgement. Only inside `on_ack`.",
	"item":                     "The item of the `for_each` list the step runs for. Only in a step with `for_each` (and its `on_ack`).",
	"index":                    "The position of `item` in the `for_each` list, from 0. Only in a step with `for_each`.",
	"error":                    "The failure `on_error` handles. Only inside `on_error`.",
	"error.message":            "What went wrong, such as `room: room name is null`, without the position (`error.step` says where).",
	"error.step":               "The config path of the step that failed, such as `namespaces./chat.on.message[1]`; for a guard that failed, the handler's `when`.",
	"response":                 "The reply to the latest `call` step of the run. Only in the steps after a `call` (and what they nest, such as `on_ack`).",
	"response.status":          "The reply's HTTP status code, such as `200`; `0` when no call has run yet (the call's `when` was false).",
	"response.headers":         "The reply's HTTP headers: names in lower case, the first value of each; a header not sent is `nil`.",
	"response.body":            "The reply's body: the decoded value when the reply is JSON (`application/json` or `…+json`), else the text; `nil` when the reply has no body.",
}

// envName is one name expressions can read, with the readable type of its value.
type envName struct {
	path string
	typ  string
}

// envNames lists the names of tmpl.Env and of its nested objects, in declaration order.
func envNames() []envName {
	var out []envName
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := f.Tag.Get("expr")
			if name == "" || !f.IsExported() {
				continue
			}
			out = append(out, envName{path: prefix + name, typ: goTypeName(f.Type)})
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+name+".")
			}
		}
	}
	walk(reflect.TypeOf(tmpl.Env{}), "")
	return out
}

// goTypeName names a Go type as a config author would see its value.
func goTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Interface:
		return "any"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Interface {
			return "list"
		}
		return "list of " + goTypeName(t.Elem()) + "s"
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return "map"
		}
		return "map of " + goTypeName(t.Elem()) + "s"
	case reflect.Struct:
		return "object"
	}
	return t.String()
}

// Reference returns the Markdown config reference, derived from the same specs as Generate:
// config.TopFields, config.NamespaceFields, config.ServerFields and every action's Spec.
// The output depends only on those specs, so it is the same on every call.
func Reference() []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	specs := actions.Specs()

	w("# ioroute config reference\n\n")
	w("<!-- Generated by schema.Reference from the specs in config and actions; do not edit. ")
	w("Regenerate with: IOROUTE_UPDATE_DOCS=1 go test ./schema -->\n\n")
	w("An ioroute config is one YAML file that declares a whole Socket.IO server: where it listens, ")
	w("which namespaces it serves, and which steps run when a client emits an event. ")
	w("`ioroute validate FILE` reports every problem in a config at once, and `ioroute schema` prints ")
	w("the JSON Schema that editors can use for completion; it is derived from the same specs as this page.\n\n")

	w("## Layout\n\n")
	w("```yaml\n%s```\n\n", layoutExample)
	w("The top-level keys:\n\n")
	writeTable(&b, config.TopFields, "Key", true, false, false, false)
	w("\n")
	w("`namespaces` maps each namespace name, which starts with `/`, to its handlers. ")
	w("A namespace written with nothing after it (`/lobby:`) accepts connections and does nothing else. Its keys:\n\n")
	writeTable(&b, config.NamespaceFields, "Key", false, false, false, false)
	w("\n")
	lifecycle, reserved := []string{}, []string{}
	for _, r := range actions.ReservedEvents {
		if r == "connect" || r == "disconnect" {
			lifecycle = append(lifecycle, code(r))
		} else {
			reserved = append(reserved, code(r))
		}
	}
	w("Under `on`, each event name maps to its handler: a list of steps, run in order each time a client of the namespace ")
	w("emits that event, or the mapping form described in [Handlers](#handlers-when-do-and-on_error). ")
	w("%s are lifecycle events: their steps run when a socket connects to the namespace ", strings.Join(lifecycle, " and "))
	w("and when it disconnects. The other names Socket.IO reserves (%s) can be neither handled nor emitted. ", strings.Join(reserved, ", "))
	w("An event with no handler runs the namespace's catch-all handler, `\"*\"`, when it has one, and is otherwise ignored.\n\n")

	w("## Steps, `when` and `for_each`\n\n")
	w("A step is a mapping with exactly one action key (see [Actions](#actions)) and, optionally, `when` and `for_each`. ")
	w("To do two things, write two steps. When a step fails while running (an expression errors, say), ")
	w("the rest of that handler is skipped and, unless the handler has `on_error` (see [Handlers](#handlers-when-do-and-on_error)), ")
	w("the error is logged with the step's position in the file; the socket and the server carry on.\n\n")
	w("`when` is a bare expression, written without `${{ }}`, that must yield a bool: the step runs only when it is true ")
	w("(`when: true` and `when: false` are accepted as well). YAML reads ` #` as the start of a comment and `: ` as a mapping, ")
	w("so quote a condition that contains either.\n\n")
	w("```yaml\n- send: big number\n  when: data > 10\n```\n\n")
	w("`for_each` runs the step once per item of a list: a YAML list, or one `${{ }}` that yields a list. ")
	w("In the step, `item` is the item and `index` its position, from 0. `when` is evaluated for each item, so it may test `item`. ")
	w("A value that is not a list fails the step (a config error, when it is the same for every event), and so does a list ")
	w("of more items than `server.limits.loop_items`. An `on_ack` of the step reads the item it was emitted for.\n\n")
	w("```yaml\n%s```\n\n", forEachExample)

	w("## Handlers: `when`, `do` and `on_error`\n\n")
	w("Instead of a list of steps, a handler may be a mapping with the steps under `do`:\n\n")
	writeTable(&b, config.HandlerFields, "Key", true, false, false, false)
	w("\n")
	w("- `when` is the handler's guard: a bare expression, as a step's `when`. It is evaluated once per event, before any step; ")
	w("when it is false nothing runs (a `connect` handler whose guard is false accepts the socket).\n")
	w("- `on_error` steps run when a step fails, or the guard cannot be evaluated; the rest of `do` is skipped. ")
	w("In them `error.message` says what went wrong and `error.step` which step failed; the names of the event stay available, ")
	w("and `ack` answers the client if no step did. A failure that on_error handles is not logged.\n")
	w("- A handler without an `on_error` of its own uses its namespace's, `on_error` beside `on`; `on_error: []` opts out of it. ")
	w("The namespace's on_error applies to its `connect` and `disconnect` handlers too, so it may use only what those allow.\n")
	w("- A failure inside on_error is logged, with the failure it was handling, and ends the handler there: on_error has no on_error of its own.\n")
	w("- Refusing a connecting socket (`reject`, or `disconnect` in a `connect` handler) and disconnecting the sender end a handler ")
	w("on purpose: they are no failures, and on_error does not run for them.\n")
	w("- on_error runs on what is left of the handler run's `server.limits.expression_steps`.\n\n")
	w("A handler named `\"*\"` (quoted: YAML reads a bare `*` as an alias) is the namespace's catch-all: it runs for every event ")
	w("of the namespace that has no handler of its own, as Flask-SocketIO's `@socketio.on('*')`, with `event` the event's name ")
	w("and `data`, `args` and acknowledgements as usual. It never runs for `connect` or `disconnect`. `\"*\"` names no event: ")
	w("it cannot be emitted, nor given a rate under `server.limits.events`, where, with a catch-all in the config, any event name may have one.\n\n")
	w("```yaml\n%s```\n\n", handlersExample)
	w("## Values and `${{ }}`\n\n")
	w("Fields typed *text*, *string or list*, *any value* or *list* (see [Field types](#field-types)) may hold ")
	w("expressions written as `${{ expression }}`, ")
	w("evaluated each time the step runs. Expressions use the [expr](https://expr-lang.org) language, for example ")
	w("`data.room`, `len(args) > 1`, `\"user-\" + socket.id` or `{\"sum\": data.a + data.b}`.\n\n")
	w("- A value that is exactly one `${{ }}`, with nothing around it, keeps the type of the expression's result: ")
	w("`data: ${{ data }}` passes a number on as a number and a map as a map.\n")
	w("- Text around or between expressions yields a string: each result is inserted as it is when it is a string, ")
	w("and as compact JSON otherwise. `hello ${{ data.name }}` is a string.\n")
	w("- Inside a mapping or a list, every string is treated this way, at any depth; everything else is kept as written.\n")
	w("- Braces and quotes inside an expression are matched, so `${{ {\"a\": {\"b\": 1}} }}` is one expression. ")
	w("A value whose expression contains `: ` or ` #` must be quoted for YAML, as in `'${{ {\"sum\": data.a + data.b} }}'`.\n\n")
	w("An expression that uses a name not available where it is written is a config error, reported before the server starts.\n\n")
	w("### Names available to expressions\n\n")
	w("| Name | Type | Description |\n|---|---|---|\n")
	for _, n := range envNames() {
		w("| %s | %s | %s |\n", code(n.path), cell(n.typ), cell(envDocs[n.path]))
	}
	w("\n")
	w("Besides expr's own functions (`len`, `upper`, `now()`, `toJSON`, …), expressions may call ")
	w("`jwt(token, key)` or `jwt(token, key, audience)`: it returns the claims of a token signed with `key` ")
	w("(an HS256 secret, or an RS256/ES256 public key in PEM) that has not expired (an expiry is required) ")
	w("and, when given, is for `audience`; otherwise nil. Keep keys out of the config: `jwt(auth.token, env.JWT_SECRET)`, ")
	w("or name a key file, as in `jwt(auth.token, file(\"keys/jwt.pub\"))`. ")
	w("`file(\"path\")` takes a quoted path, relative to the config file, and is read when the config loads or reloads, ")
	w("never per event; trailing line breaks are dropped. A missing, unreadable or unusable key file is a config error. ")
	w("`file()` may only be jwt's key argument, so a key cannot reach a message, a print or a log. ")
	w("To rotate a key, replace the file and reload (SIGHUP; `--watch` follows the config file only).\n\n")
	w("`sockets()` lists the sockets of the namespace, each as `{id, rooms, data}` (`data` is its `socket.data`); ")
	w("`sockets(\"room\", …)`, with room names or lists of them, lists those in any of the rooms: ")
	w("`map(sockets(\"lobby\"), .data.nick)`. In a cluster it asks every node, as Node's `fetchSockets`, and waits for their ")
	w("answers, within a timeout. The wait spends nothing of the expression budget, but each call is a request to the whole cluster: ")
	w("call it once per expression (`let list = sockets(); …`), not inside a predicate (`map`, `filter`…), where it is a config error, ")
	w("and mind that a step with `for_each` evaluates it once per item.\n\n")
	w("Binary data is sent as a binary attachment (an `ArrayBuffer` or a `Buffer` for the client), and a client's binary ")
	w("attachments arrive as binary data. `bytes(\"text\")` makes it from the text's UTF-8 bytes, `base64_bytes(\"aGk=\")` from ")
	w("base64, and a YAML `!!binary aGk=` value is binary data as written; `is_binary(x)` tells whether `x` is binary data.\n\n")

	w("## Field types\n\n")
	w("The tables below name each field's type as follows.\n\n")
	w("| Type | Meaning |\n|---|---|\n")
	used := usedTypes(specs)
	for _, t := range typeOrder {
		if used[t] {
			w("| %s | %s |\n", cell(typeName(t)), cell(typeDocs[t]))
		}
	}
	w("\n")

	w("## Server settings\n\n")
	w("Everything under `server` is optional; a key left out takes its default. ")
	w("`ioroute run --listen ADDR` overrides `listen`.\n\n")
	w("A setting may read environment variables, written `${{ env.NAME }}` (alone, or inside text: `\"127.0.0.1:${{ env.PORT }}\"`); ")
	w("nothing else may be evaluated in a setting. They are read when the file is loaded (at start and at each reload); ")
	w("a variable that is not set is a load error naming it, and no message shows a value read. ")
	w("A value that is one variable alone takes the setting's type: `max_payload: ${{ env.MAX_PAYLOAD }}` is an integer.\n\n")
	w("The *On change* column tells what a changed setting needs. A reload applies the settings marked *%s*. ", onChange(false))
	w("Those marked *%s* configure what is built once at start (the listener, the Socket.IO engine, the adapter): ", onChange(true))
	w("when a reload changes one, ioroute logs `%s` with its name, keeps the value it started with ", onChange(true))
	w("and applies the rest of the reload. The keys inside a setting follow it.\n\n")
	writeTable(&b, config.ServerFields, "Key", false, true, true, true)
	w("\n")

	writeEmitting(&b, specs)

	w("## Actions\n\n")
	for _, s := range specs {
		w("- [%s](#%s)\n", s.Name, s.Name)
	}
	w("\n")
	for _, s := range specs {
		writeAction(&b, s)
	}
	writeTests(&b)
	return []byte(strings.TrimRight(b.String(), "\n") + "\n")
}

// writeEmitting explains the target and acknowledgement rules the emitting actions share.
func writeEmitting(b *strings.Builder, specs []*actions.Spec) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	var targeted, acked []string
	for _, s := range specs {
		if _, ok := config.Lookup(s.Fields, "to"); ok {
			targeted = append(targeted, link(s.Name))
		}
		if _, ok := config.Lookup(s.Fields, "on_ack"); ok {
			acked = append(acked, link(s.Name))
		}
	}
	w("## Emitting: recipients and acknowledgements\n\n")
	w("%s choose their recipients the same way:\n\n", strings.Join(targeted, ", "))
	w("- With neither `to` nor `broadcast`, the event goes to the sender alone.\n")
	w("- `to` names a room or a socket id, or a list of them; the event goes once to every socket in any of them. ")
	w("Every socket is in a room named by its id, so a socket id works wherever a room does. ")
	w("A `to` that evaluates to no names fails the step.\n")
	w("- `broadcast: true` sends to every socket of the namespace; the `broadcast` action always does. ")
	w("With `to` as well, only the sockets in those rooms receive it.\n")
	w("- The sender receives a room or broadcast emission it qualifies for, unless `include_self: false`. ")
	w("With the sender as the only recipient, `include_self: false` is an error.\n")
	w("- `namespace` sends into another namespace, which must be declared in the config. ")
	w("It needs `to` or `broadcast`, since the sender is not in that namespace.\n")
	w("- The event name must not be empty or one of the names Socket.IO reserves.\n\n")
	w("Acknowledgements (%s):\n\n", strings.Join(acked, ", "))
	w("- `on_ack` holds steps to run when the receiving client calls its acknowledgement callback. ")
	w("Inside them `reply` is the first argument the client passed and `replies` all of them; ")
	w("the names of the event that caused the emission stay available.\n")
	w("- It needs exactly one receiving socket: the sender (no `to`), or one socket id in `to`, ")
	w("not a list and not with `broadcast`. A `to` that names no connected socket, or evaluates to several names, fails the step.\n")
	w("- `timeout` is required when the receiver is another socket; for the sender it is optional, ")
	w("and without it the acknowledgement is awaited without limit. ")
	w("When the timeout passes first, a warning is logged and `on_ack` does not run. `timeout` without `on_ack` is an error.\n")
	w("- The step does not wait: the following steps run at once, and `on_ack` runs whenever the acknowledgement arrives.\n\n")
}

// writeAction writes one action's section: doc, short form, fields and example.
func writeAction(b *strings.Builder, s *actions.Spec) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("### %s\n\n", s.Name)
	w("%s\n\n", s.Doc)
	switch {
	case s.ShorthandOnly:
		w("**Form:** `%s: <%s>`. Whatever follows `%s:`, a mapping included, is the `%s` field; there is no long form.\n\n",
			s.Name, s.Shorthand, s.Name, s.Shorthand)
	case s.Shorthand != "":
		w("**Short form:** `%s: <%s>` stands for `%s: { %s: <%s> }`. Any value other than a mapping is read as the short form; ",
			s.Name, s.Shorthand, s.Name, s.Shorthand, s.Shorthand)
		w("a mapping is read as the fields below.\n\n")
	}
	if len(s.Fields) > 0 {
		writeTable(b, s.Fields, "Field", true, true, false, true)
		w("\n")
	}
	if s.Example != "" {
		w("**Example:**\n\n```yaml\n%s\n```\n\n", strings.TrimRight(s.Example, "\n"))
	}
}

// writeTable writes a Markdown table of fields, with the optional columns asked for; with
// recurse, the keys of object fields follow their object as dotted names and its On change.
func writeTable(b *strings.Builder, fields []config.Field, first string, required, defaults, reload, recurse bool) {
	head := []string{first, "Type"}
	if required {
		head = append(head, "Required")
	}
	if defaults {
		head = append(head, "Default")
	}
	if reload {
		head = append(head, "On change")
	}
	head = append(head, "Description")
	fmt.Fprintf(b, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	var rows func(fields []config.Field, prefix string, parentRestart bool)
	rows = func(fields []config.Field, prefix string, parentRestart bool) {
		for _, f := range fields {
			restart := parentRestart || f.Restart
			row := []string{code(prefix + f.Name), cell(typeName(f.Type))}
			if required {
				row = append(row, yes(f.Required))
			}
			if defaults {
				row = append(row, defaultText(f.Default))
			}
			if reload {
				row = append(row, onChange(restart))
			}
			row = append(row, cell(f.Doc))
			fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
			switch {
			case recurse && f.Type == config.Object:
				rows(f.Fields, prefix+f.Name+".", restart)
			case recurse && f.Type == config.Map && f.Fields != nil:
				rows(f.Fields, prefix+f.Name+".<name>.", restart)
			}
		}
	}
	rows(fields, "", false)
}

// onChange says what a changed server setting needs, from its Restart mark.
func onChange(restart bool) string {
	if restart {
		return "restart required"
	}
	return "applies on reload"
}

// usedTypes reports the field types that appear anywhere in the reference.
func usedTypes(specs []*actions.Spec) map[config.Type]bool {
	used := map[config.Type]bool{}
	var mark func(fields []config.Field)
	mark = func(fields []config.Field) {
		for _, f := range fields {
			used[f.Type] = true
			mark(f.Fields)
		}
	}
	mark(config.TopFields)
	mark(config.NamespaceFields)
	mark(config.HandlerFields)
	for _, s := range specs {
		mark(s.Fields)
	}
	return used
}

// typeName renders a field type readably, falling back to its spec name.
func typeName(t config.Type) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return string(t)
}

// defaultText renders a field's default as inline code, or "" when it has none; a mapping
// is written as JSON, as YAML reads it too.
func defaultText(v any) string {
	switch v.(type) {
	case nil:
		return ""
	case map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // a default is a plain value; this cannot fail
		}
		return code(string(b))
	}
	return code(fmt.Sprint(v))
}

// yes renders a bool as a table cell.
func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// code renders s as inline code.
func code(s string) string { return "`" + s + "`" }

// link renders an action's name as a link to its section.
func link(name string) string { return "[" + name + "](#" + name + ")" }

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
