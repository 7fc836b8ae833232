package actions

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// TestDisconnect: disconnecting the sender ends the run with ErrStopped (a Rejection while it
// connects); disconnecting others goes on, unless the sender is among them.
func TestDisconnect(t *testing.T) {
	tests := []struct {
		name     string
		scope    tmpl.Scope
		steps    string
		data     any
		calls    []disconnectCall
		stopped  bool
		rejected *Rejection
	}{
		{"the sender", tmpl.EventScope, `[{disconnect: {}}, {print: after}]`, nil,
			[]disconnectCall{{nil, false}}, true, nil},
		{"the sender's whole connection", tmpl.EventScope, `[{disconnect: {close: true}}]`, nil,
			[]disconnectCall{{nil, true}}, true, nil},
		{"others, by the short form", tmpl.EventScope, `[{disconnect: "${{ data }}"}, {print: after}]`, []any{"s2", "s3"},
			[]disconnectCall{{[]string{"s2", "s3"}, false}}, false, nil},
		{"others and the sender", tmpl.EventScope, `[{disconnect: {socket: "${{ data }}", close: true}}, {print: after}]`, []any{"s2", "s1"},
			[]disconnectCall{{[]string{"s2", "s1"}, true}}, true, nil},
		{"no one this time", tmpl.EventScope, `[{disconnect: "${{ data }}"}]`, []any{}, nil, false, nil},
		{"the connecting sender", tmpl.ConnectScope, `[{disconnect: {}}, {print: after}]`, nil,
			nil, false, &Rejection{}},
		{"the connecting sender, closing", tmpl.ConnectScope, `[{disconnect: {close: true}}]`, nil,
			nil, false, &Rejection{Close: true}},
		{"others from a connect handler, and the sender", tmpl.ConnectScope, `[{disconnect: "${{ data }}"}]`, []any{"s1", "s2"},
			[]disconnectCall{{[]string{"s2"}, false}}, false, &Rejection{}},
		{"others from a disconnect handler", tmpl.DisconnectScope, `[{disconnect: "${{ data }}"}]`, "s2",
			[]disconnectCall{{[]string{"s2"}, false}}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := compileTest(t, tt.scope, tt.steps)
			ctx, conn := testContext(tt.data)
			printed := false
			ctx.Print = func(string) { printed = true }
			err := steps.Run(ctx)
			if !reflect.DeepEqual(conn.disconnects, tt.calls) {
				t.Errorf("Disconnect calls %v, want %v", conn.disconnects, tt.calls)
			}
			if got := errors.Is(err, ErrStopped); got != tt.stopped {
				t.Errorf("stopped = %v (err %v), want %v", got, err, tt.stopped)
			}
			var rej *Rejection
			if errors.As(err, &rej) != (tt.rejected != nil) || tt.rejected != nil && *rej != *tt.rejected {
				t.Errorf("err = %v, want rejection %v", err, tt.rejected)
			}
			if tt.stopped || tt.rejected != nil {
				if !Halted(err) || printed {
					t.Errorf("Halted = %v, a later step ran: %v", Halted(err), printed)
				}
			} else if err != nil || printed != strings.Contains(tt.steps, "after") {
				t.Errorf("err = %v, later step ran: %v", err, printed)
			}
		})
	}
}

// TestCloseRoom: close_room hands the rooms to the socket.
func TestCloseRoom(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{close_room: ["${{ data }}", lobby]}]`)
	ctx, conn := testContext("news")
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"news", "lobby"}}; !reflect.DeepEqual(conn.closed, want) {
		t.Fatalf("closed %v, want %v", conn.closed, want)
	}
}

// TestCatchAllIsNoEmittedEvent: an event name computed as "*" fails the step, as a constant
// one fails the load.
func TestCatchAllIsNoEmittedEvent(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{emit: {event: "${{ data }}"}}]`)
	ctx, conn := testContext("*")
	if err := steps.Run(ctx); err == nil || !strings.Contains(err.Error(), `"*" names the catch-all handler`) || len(conn.emitted) != 0 {
		t.Fatalf("err = %v, emitted %v", err, conn.emitted)
	}
}
