package router

import (
	"sync"
	"time"

	"github.com/ioroute/ioroute/actions"
)

// deferredConn is the socket as its connect handler sees it. The socket is not connected while
// the handler runs (the handler may still refuse it), so what the handler does to it or on its
// behalf is recorded, then done in order once the socket is connected, or dropped if refused.
// After that (an on_ack of the connect handler, say) it acts at once.
type deferredConn struct {
	*conn
	mu   sync.Mutex
	ops  []func() error
	live bool
}

var _ actions.Conn = (*deferredConn)(nil)

// do runs op now if the socket is connected, or records it.
func (d *deferredConn) do(op func() error) error {
	d.mu.Lock()
	if !d.live {
		d.ops = append(d.ops, op)
		d.mu.Unlock()
		return nil
	}
	d.mu.Unlock()
	return op()
}

// Join joins rooms once the socket is connected.
func (d *deferredConn) Join(rooms ...string) error {
	return d.do(func() error { return d.conn.Join(rooms...) })
}

// Leave leaves rooms once the socket is connected.
func (d *deferredConn) Leave(rooms ...string) {
	_ = d.do(func() error { d.conn.Leave(rooms...); return nil })
}

// Emit emits once the socket is connected.
func (d *deferredConn) Emit(m actions.Message) error {
	return d.do(func() error { return d.conn.Emit(m) })
}

// EmitWithAck emits, waiting for an acknowledgement, once the socket is connected.
func (d *deferredConn) EmitWithAck(m actions.Message, timeout time.Duration, cb func([]any, error)) error {
	return d.do(func() error { return d.conn.EmitWithAck(m, timeout, cb) })
}

// replay does what the connect handler asked, now that the socket is connected.
func (d *deferredConn) replay() {
	d.mu.Lock()
	ops := d.ops
	d.ops, d.live = nil, true
	d.mu.Unlock()
	for _, op := range ops {
		if err := op(); err != nil {
			d.r.log.Error("connect handler", "namespace", d.ns, "socket", d.ID(), "error", err.Error())
		}
	}
}
