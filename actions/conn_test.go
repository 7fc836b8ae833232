package actions

import (
	"errors"
	"io"
	"log/slog"
	"maps"
	"time"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// testConn records what the actions ask of the socket.
type testConn struct {
	id          string
	emitted     []Message
	data        map[string]any
	setErr      error
	disconnects []disconnectCall
	closed      [][]string
	// acks are the acknowledgement callbacks of EmitWithAck, to call after the run
	acks []func([]any, error)
}

type disconnectCall struct {
	ids   []string
	close bool
}

var _ Conn = (*testConn)(nil)

func (c *testConn) ID() string                 { return c.id }
func (c *testConn) Join(...string) error       { return nil }
func (c *testConn) Leave(...string)            {}
func (c *testConn) Emit(m Message) error       { c.emitted = append(c.emitted, m); return nil }
func (c *testConn) Data() map[string]any       { return c.data }
func (c *testConn) CloseRoom(r []string) error { c.closed = append(c.closed, r); return nil }

func (c *testConn) EmitWithAck(m Message, _ time.Duration, cb func([]any, error)) error {
	c.emitted = append(c.emitted, m)
	c.acks = append(c.acks, cb)
	return nil
}

func (c *testConn) SetData(d map[string]any) error {
	if c.setErr != nil {
		return c.setErr
	}
	c.data = maps.Clone(d)
	return nil
}

func (c *testConn) Disconnect(ids []string, close bool) error {
	c.disconnects = append(c.disconnects, disconnectCall{ids, close})
	return nil
}

// testContext is a run's context for an event with data, from socket "s1".
func testContext(data any) (*Context, *testConn) {
	conn := &testConn{id: "s1", data: map[string]any{}}
	env := &tmpl.Env{Data: data, Args: []any{data}, Event: "x", Socket: tmpl.Socket{ID: "s1", Data: conn.data}}
	return &Context{Env: env, Conn: conn, Print: func(string) {}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, conn
}

var errFull = errors.New("full")
