package router_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/tmpl"
	"github.com/ioroute/ioroute/router/table"
)

// recorder is the socket for fuzzing the event path without a network: it records what the
// actions ask for.
type recorder struct{ calls int }

func (r *recorder) ID() string                                { return "fuzz-socket" }
func (r *recorder) Join(rooms ...string) error                { r.calls++; return nil }
func (r *recorder) Leave(rooms ...string)                     { r.calls++ }
func (r *recorder) Emit(m actions.Message) error              { r.calls++; return nil }
func (r *recorder) Data() map[string]any                      { return map[string]any{} }
func (r *recorder) SetData(map[string]any) error              { r.calls++; return nil }
func (r *recorder) Disconnect(ids []string, close bool) error { r.calls++; return nil }
func (r *recorder) CloseRoom(rooms []string) error            { r.calls++; return nil }
func (r *recorder) EmitWithAck(m actions.Message, _ time.Duration, cb func([]any, error)) error {
	r.calls++
	cb(engine.Incoming([]any{m.Args}), nil)
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
        - set: { last: "${{ data }}", n: "${{ len(args) }}" }
        - close_room: ${{ string(data) }}
          when: data != nil
        - print: "item ${{ index }}: ${{ item }}"
          for_each: ${{ args }}
        - ack: '${{ args }}'
`

// FuzzEventPath: any JSON arguments run through every action without a panic; a failing
// expression is an error, not a crash.
func FuzzEventPath(f *testing.F) {
	for _, seed := range []string{`[]`, `["hi"]`, `[{"room":"r1","text":"x"}]`, `[1, 2.5, null, true]`, `[[[[]]]]`, `[{"room":{"a":1}}]`, `["\u0000\u001b[2J"]`, `[1e308]`} {
		f.Add([]byte(seed))
	}
	t, err := table.LoadBytes("f.yaml", []byte(fuzzHandlers))
	if err != nil {
		f.Fatal(err)
	}
	h := t.Namespaces["/f"].Events["ev"]
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var args []any
		if json.Unmarshal(raw, &args) != nil {
			return
		}
		args = engine.Incoming(args)
		env := &tmpl.Env{Args: args, Event: "ev", Namespace: "/f", Socket: tmpl.Socket{ID: "fuzz-socket", Rooms: []string{"fuzz-socket"}}, Auth: map[string]any{}}
		if len(args) > 0 {
			env.Data = args[0]
		}
		ctx := &actions.Context{Env: env, Conn: &recorder{}, Ack: func([]any) {}, Print: func(string) {}, Log: log}
		_ = h.Run(ctx)
	})
}
