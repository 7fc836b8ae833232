package table_test

import (
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/internal/tmpl"
	"github.com/ioroute/ioroute/router/table"
)

// runConn is a socket that records emissions and disconnections.
type runConn struct {
	emitted      []actions.Message
	disconnected bool
}

var _ actions.Conn = (*runConn)(nil)

func (c *runConn) ID() string                   { return "s1" }
func (c *runConn) Join(...string) error         { return nil }
func (c *runConn) Leave(...string)              {}
func (c *runConn) Data() map[string]any         { return map[string]any{} }
func (c *runConn) SetData(map[string]any) error { return nil }
func (c *runConn) CloseRoom([]string) error     { return nil }
func (c *runConn) Emit(m actions.Message) error {
	c.emitted = append(c.emitted, m)
	return nil
}
func (c *runConn) EmitWithAck(m actions.Message, _ time.Duration, _ func([]any, error)) error {
	return c.Emit(m)
}
func (c *runConn) Disconnect(ids []string, _ bool) error {
	c.disconnected = c.disconnected || len(ids) == 0
	return nil
}

// run loads src and runs the handler of event in namespace /a for data, as the router does.
func run(t *testing.T, src, event string, data any) (err error, emitted []string, acked []any) {
	t.Helper()
	tb, lerr := loadString(src)
	if lerr != nil {
		t.Fatal(lerr)
	}
	ns := tb.Namespaces["/a"]
	var h *table.Handler
	switch event {
	case "connect":
		h = ns.Connect
	default:
		if h = ns.Events[event]; h == nil {
			h = ns.CatchAll
		}
	}
	conn := &runConn{}
	ctx := &actions.Context{
		Env:   &tmpl.Env{Data: data, Args: []any{data}, Event: event, Namespace: "/a", Socket: tmpl.Socket{ID: "s1"}},
		Conn:  conn,
		Ack:   func(args []any) { acked = args },
		Print: func(string) {},
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	err = h.Run(ctx)
	for _, m := range conn.emitted {
		emitted = append(emitted, m.Event+"="+tmpl.Stringify(m.Args))
	}
	return err, emitted, acked
}

// TestHandlerRun: the guard decides once whether anything runs; a failure runs on_error with
// error.message and error.step, the handler's own replacing the namespace's.
func TestHandlerRun(t *testing.T) {
	const src = `version: 1
namespaces:
  /a:
    on_error:
      - emit: { event: ns-error, data: "${{ error.step }}" }
    on:
      guarded:
        when: data.go == true
        do:
          - emit: { event: ran, data: 1 }
      own:
        do:
          - emit: { event: first, data: 1 }
          - join_room: "${{ data.room }}"
          - emit: { event: never, data: 1 }
        on_error:
          - ack: { data: { message: "${{ error.message }}", step: "${{ error.step }}" } }
      default:
        - join_room: "${{ data.room }}"
      opted-out:
        do:
          - join_room: "${{ data.room }}"
        on_error: []
      bad-guard:
        when: data.x.y == 1
        do: []
`
	t.Run("guard false", func(t *testing.T) {
		err, emitted, _ := run(t, src, "guarded", map[string]any{"go": false})
		if err != nil || emitted != nil {
			t.Fatalf("err %v, emitted %v", err, emitted)
		}
	})
	t.Run("guard true", func(t *testing.T) {
		err, emitted, _ := run(t, src, "guarded", map[string]any{"go": true})
		if err != nil || !reflect.DeepEqual(emitted, []string{"ran=[1]"}) {
			t.Fatalf("err %v, emitted %v", err, emitted)
		}
	})
	t.Run("own on_error", func(t *testing.T) {
		err, emitted, acked := run(t, src, "own", map[string]any{"room": map[string]any{}})
		if err != nil || !reflect.DeepEqual(emitted, []string{"first=[1]"}) {
			t.Fatalf("err %v, emitted %v", err, emitted)
		}
		want := []any{map[string]any{"message": "room: expected a room name or a list of them, got {}", "step": "namespaces./a.on.own.do[1]"}}
		if tmpl.Stringify(acked) != tmpl.Stringify(want) {
			t.Fatalf("acked %s, want %s", tmpl.Stringify(acked), tmpl.Stringify(want))
		}
	})
	t.Run("namespace on_error", func(t *testing.T) {
		err, emitted, _ := run(t, src, "default", map[string]any{})
		if err != nil || !reflect.DeepEqual(emitted, []string{`ns-error=["namespaces./a.on.default[0]"]`}) {
			t.Fatalf("err %v, emitted %v", err, emitted)
		}
	})
	t.Run("an empty on_error opts out", func(t *testing.T) {
		err, emitted, _ := run(t, src, "opted-out", map[string]any{})
		var se *actions.StepError
		if !errors.As(err, &se) || se.Step.Path != "namespaces./a.on.opted-out.do[0]" || emitted != nil {
			t.Fatalf("err %v, emitted %v", err, emitted)
		}
	})
	t.Run("a guard that fails", func(t *testing.T) {
		err, emitted, _ := run(t, src, "bad-guard", map[string]any{})
		if err != nil || !reflect.DeepEqual(emitted, []string{`ns-error=["namespaces./a.on.bad-guard.when"]`}) {
			t.Fatalf("err %v, emitted %v", err, emitted)
		}
	})
}

// TestOnErrorFailure: a failure inside on_error ends the run there and is returned with the
// failure it was handling; a refusal or a disconnection of the sender is no failure.
func TestOnErrorFailure(t *testing.T) {
	const src = `version: 1
namespaces:
  /a:
    on_error:
      - join_room: "${{ data }}"
      - emit: { event: never }
    on:
      fails:
        - join_room: "${{ data }}"
      stops:
        - disconnect: {}
        - emit: { event: never }
      connect:
        do:
          - reject: no
            when: data == 1
          - join_room: "${{ data }}"
        on_error:
          - reject: "${{ error.message }}"
`
	err, emitted, _ := run(t, src, "fails", nil)
	var se *actions.StepError
	if !errors.As(err, &se) || se.Step.Path != "namespaces./a.on_error[0]" || emitted != nil ||
		!strings.HasPrefix(err.Error(), "c.yaml:5:9: namespaces./a.on_error[0] (join_room): room: room name is null; ") ||
		!strings.Contains(err.Error(), "on_error was handling: c.yaml:9:11: namespaces./a.on.fails[0] (join_room): room: room name is null") {
		t.Fatalf("err %v, emitted %v", err, emitted)
	}
	err, emitted, _ = run(t, src, "stops", nil)
	if !errors.Is(err, actions.ErrStopped) || !actions.Halted(err) || emitted != nil {
		t.Fatalf("disconnect: err %v, emitted %v", err, emitted)
	}
	var rej *actions.Rejection
	if err, _, _ = run(t, src, "connect", 1.0); !errors.As(err, &rej) || rej.Message != "no" {
		t.Fatalf("reject: err %v", err)
	}
	if err, _, _ = run(t, src, "connect", map[string]any{}); !errors.As(err, &rej) || rej.Message != "room: expected a room name or a list of them, got {}" {
		t.Fatalf("reject from on_error: err %v", err)
	}
}

// TestCatchAll: "*" compiles as the namespace's catch-all, not as an event, reads the event's
// name, and counts as a handler when tables are compared.
func TestCatchAll(t *testing.T) {
	const src = "version: 1\nnamespaces:\n  /a:\n    on:\n      \"*\":\n        - emit: { event: echo, data: \"${{ event }}\" }\n"
	tb, err := loadString(src)
	if err != nil {
		t.Fatal(err)
	}
	ns := tb.Namespaces["/a"]
	if ns.CatchAll == nil || len(ns.Events) != 0 || !reflect.DeepEqual(ns.EventNames(), []string{"*"}) {
		t.Fatalf("catch-all %v, events %v, names %v", ns.CatchAll, ns.Events, ns.EventNames())
	}
	if err, emitted, _ := run(t, src, "typing", nil); err != nil || !reflect.DeepEqual(emitted, []string{`echo=["typing"]`}) {
		t.Fatalf("err %v, emitted %v", err, emitted)
	}
	empty, _ := loadString("version: 1\nnamespaces:\n  /a:\n")
	if d := table.Compare(empty, tb); d.AddedEvents != 1 {
		t.Fatalf("diff %s", d)
	}
	changed, _ := loadString(strings.Replace(src, "echo", "echo2", 1))
	if d := table.Compare(tb, changed); d.ChangedEvents != 1 {
		t.Fatalf("diff %s", d)
	}
}

// TestNamespaceOnErrorChangesHandlers: a change to a namespace's on_error changes the handlers
// that use it, for the reload summary.
func TestNamespaceOnErrorChangesHandlers(t *testing.T) {
	const src = "version: 1\nnamespaces:\n  /a:\n    on_error: [print: a]\n    on:\n      x: []\n      y:\n        do: []\n        on_error: []\n"
	before, err := loadString(src)
	if err != nil {
		t.Fatal(err)
	}
	after, err := loadString(strings.Replace(src, "print: a", "print: b", 1))
	if err != nil {
		t.Fatal(err)
	}
	if d := table.Compare(before, after); d.ChangedEvents != 1 {
		t.Fatalf("diff %s, want x changed", d)
	}
}
