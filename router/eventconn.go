package router

import (
	"time"

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
