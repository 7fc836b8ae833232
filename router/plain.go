package router

import (
	"reflect"
	"time"

	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/actions"
)

// eventConn is the socket as the actions of one handler run see it: c, knowing the arguments
// of the event being handled (plain), which its emissions need not prepare again.
type eventConn struct {
	*conn
	plain []any
}

// Emit delivers m as conn.Emit does.
func (e *eventConn) Emit(m actions.Message) error { return e.emit(m, e.plain) }

// EmitWithAck emits as conn.EmitWithAck does.
func (e *eventConn) EmitWithAck(m actions.Message, timeout time.Duration, cb func([]any, error)) error {
	return e.emitWithAck(m, timeout, cb, e.plain)
}

// plainOut prepares args for the engine as outgoing does, skipping the walk when every argument
// is a scalar or one of plain, the arguments of the event being handled: those were decoded
// from JSON and converted by incoming, so they hold nothing outgoing would change.
func plainOut(args, plain []any) []any {
	for _, a := range args {
		if !plainArg(a, plain) {
			return outgoing(args)
		}
	}
	return args
}

// plainArg tells whether outgoing would leave a as it is: a scalar, or a map or list that is
// itself one of the plain arguments.
func plainArg(a any, plain []any) bool {
	switch a.(type) {
	case map[string]string:
		return false
	case map[string]any, []any:
		for _, p := range plain {
			if sameValue(a, p) {
				return true
			}
		}
		return false
	}
	return true
}

// sameValue tells whether a and b are the same map, or the same list (same backing array and
// length).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	}
	return false
}

// mayHoldBuffers tells whether an event of c may carry binary attachments, which incoming must
// convert: false only for a socket that has been on ioroute's websocket transport from its
// handshake and has never received a binary packet on it.
func (c *conn) mayHoldBuffers() bool {
	engine := c.s.Conn()
	if engine.Upgraded() {
		return true // buffers decoded while polling may be handled after the upgrade
	}
	t, ok := engine.Transport().(*wsTransport)
	return !ok || t.binary.Load()
}

// isText tells whether an Engine.IO packet's data is text.
func isText(data any) bool {
	_, ok := data.(*types.StringBuffer)
	return ok
}
