package router

import (
	"github.com/ioroute/ioroute/internal/tmpl"
)

// eventConn is the socket as the actions of one handler run see it: c, with the run's
// environment, whose socket.rooms follows the run's joins and leaves (env is nil when no
// expression of the handler reads the socket).
type eventConn struct {
	*conn
	env *tmpl.Env
}

// Join joins rooms as conn.Join does; later steps see them in socket.rooms.
func (e *eventConn) Join(rooms ...string) error {
	err := e.conn.Join(rooms...)
	if e.env != nil {
		e.env.Socket.Rooms = e.rooms()
	}
	return err
}

// Leave leaves rooms as conn.Leave does; later steps no longer see them in socket.rooms.
func (e *eventConn) Leave(rooms ...string) {
	e.conn.Leave(rooms...)
	if e.env != nil {
		e.env.Socket.Rooms = e.rooms()
	}
}
