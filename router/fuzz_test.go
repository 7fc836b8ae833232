package router

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// positioned matches an error line that starts with file:line (and maybe :col).
var positioned = regexp.MustCompile(`^f\.yaml:\d+(:\d+)?: `)

// FuzzLoad: any bytes as a config never panic, and every error carries a position.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"version: 1\nnamespaces:\n  /chat:\n    on:\n      message:\n        - broadcast: { event: new-message, data: \"${{ data }}\" }\n",
		"version: 1\nserver: { listen: ':1', cors: { origins: ['*'] }, limits: { rooms_per_socket: 3 } }\nnamespaces:\n  /a:\n    on:\n      connect:\n        - reject: no\n          when: auth.token == nil\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - emit: { event: e, to: \"${{ data }}\", timeout: 1s, on_ack: [print: '${{ reply }}'] }\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - ack: ${{ {\"a\": 1} }}\n",
		"version: 1\nnamespaces: &a\n  /a: *a\n",
		"- [",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := LoadBytes("f.yaml", src)
		var errs config.Errors
		if err == nil {
			return
		}
		if !errors.As(err, &errs) {
			t.Fatalf("error without positions: %v", err)
		}
		for _, e := range errs {
			if !positioned.MatchString(e.Error()) {
				t.Fatalf("error without a position: %q", e.Error())
			}
		}
	})
}

// recorder is the socket for fuzzing the event path without a network: it records what the
// actions ask for.
type recorder struct{ calls int }

func (r *recorder) ID() string                   { return "fuzz-socket" }
func (r *recorder) Join(rooms ...string) error   { r.calls++; return nil }
func (r *recorder) Leave(rooms ...string)        { r.calls++ }
func (r *recorder) Emit(m actions.Message) error { r.calls++; _ = outgoing(m.Args); return nil }
func (r *recorder) EmitWithAck(m actions.Message, _ time.Duration, cb func([]any, error)) error {
	r.calls++
	cb(incoming([]any{m.Args}), nil)
	return nil
}

// fuzzHandlers exercises every action and common expressions over whatever arrives.
const fuzzHandlers = `version: 1
namespaces:
  /f:
    on:
      ev:
        - print: "got ${{ data }} (${{ len(args) }} args) from ${{ socket.id }}"
        - join_room: ${{ data.room ?? "lobby" }}
          when: data != nil && type(data) == "map"
        - emit: { event: "${{ event }}", args: "${{ args }}", to: "${{ socket.id }}" }
        - send: { data: '${{ {"n": len(toJSON(data))} }}', broadcast: true, include_self: false }
        - broadcast: { event: b, data: { text: "${{ data }}", first: "${{ args[0] }}" } }
        - emit: { event: q, data: "${{ data }}", on_ack: [print: "${{ reply }} ${{ replies }}"] }
        - leave_room: ${{ string(data) }}
        - ack: '${{ args }}'
`

// FuzzEventPath: any JSON arguments run through every action without a panic; a failing
// expression is an error, not a crash.
func FuzzEventPath(f *testing.F) {
	for _, seed := range []string{`[]`, `["hi"]`, `[{"room":"r1","text":"x"}]`, `[1, 2.5, null, true]`, `[[[[]]]]`, `[{"room":{"a":1}}]`, `["\u0000\u001b[2J"]`, `[1e308]`} {
		f.Add([]byte(seed))
	}
	table, err := LoadBytes("f.yaml", []byte(fuzzHandlers))
	if err != nil {
		f.Fatal(err)
	}
	h := table.Namespaces["/f"].Events["ev"]
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var args []any
		if json.Unmarshal(raw, &args) != nil {
			return
		}
		args = incoming(args)
		env := &tmpl.Env{Args: args, Event: "ev", Namespace: "/f", Socket: tmpl.Socket{ID: "fuzz-socket", Rooms: []string{"fuzz-socket"}}, Auth: map[string]any{}}
		if len(args) > 0 {
			env.Data = args[0]
		}
		ctx := &actions.Context{Env: env, Conn: &recorder{}, Ack: func([]any) {}, Print: func(string) {}, Log: log}
		_ = h.Steps.Run(ctx)
	})
}
