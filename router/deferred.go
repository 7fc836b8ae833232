package router

import (
	"slices"
	"sync"
	"time"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/internal/tmpl"
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
	// env is the connect handler's environment, whose socket.rooms lists the joins the handler
	// has made so far (nil when no expression of the handler reads the socket).
	env *tmpl.Env
	// joined are the rooms the handler has joined so far (its own id room first), for
	// sockets(): the socket is listed as connected with them.
	joined []string
}

var (
	_ actions.Conn      = (*deferredConn)(nil)
	_ tmpl.SocketLister = (*deferredConn)(nil)
)

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

// Join joins rooms once the socket is connected; the handler's later steps see them in
// socket.rooms at once.
func (d *deferredConn) Join(rooms ...string) error {
	d.mu.Lock()
	d.joined = withRooms(d.roomsSoFar(), rooms, true)
	d.mu.Unlock()
	if d.env != nil {
		d.env.Socket.Rooms = withRooms(d.env.Socket.Rooms, rooms, true)
	}
	return d.do(func() error { return d.conn.Join(rooms...) })
}

// Leave leaves rooms once the socket is connected; the handler's later steps no longer see
// them in socket.rooms.
func (d *deferredConn) Leave(rooms ...string) {
	d.mu.Lock()
	d.joined = withRooms(d.roomsSoFar(), rooms, false)
	d.mu.Unlock()
	if d.env != nil {
		d.env.Socket.Rooms = withRooms(d.env.Socket.Rooms, rooms, false)
	}
	_ = d.do(func() error { d.conn.Leave(rooms...); return nil })
}

// roomsSoFar is the socket's rooms as its connect handler left them so far (d.mu held).
func (d *deferredConn) roomsSoFar() []string {
	if d.joined == nil {
		return []string{d.ID()}
	}
	return d.joined
}

// ListSockets lists the namespace's sockets as conn.ListSockets does, and the connecting
// socket with them: for its connect handler it counts as connected (a "N online" notice sent
// from there includes it), though the engine admits it only once the handler has run.
func (d *deferredConn) ListSockets(names []string) ([]map[string]any, error) {
	out, err := d.conn.ListSockets(names)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live {
		return out, err // connected: the engine lists it
	}
	rooms := d.roomsSoFar()
	in := len(names) == 0
	for _, n := range names {
		in = in || slices.Contains(rooms, n)
	}
	if in {
		out = append(out, map[string]any{"id": d.ID(), "rooms": anyList(rooms), "data": d.Data()})
	}
	return out, err
}

// withRooms is the room list have (the socket's id first, then the others sorted) with rooms
// added (join) or removed, as a new list. The id room is never removed.
func withRooms(have, rooms []string, join bool) []string {
	if len(have) == 0 {
		return have
	}
	set := make(map[string]bool, len(have)+len(rooms))
	for _, r := range have[1:] {
		set[r] = true
	}
	for _, r := range rooms {
		if r != have[0] {
			set[r] = join
		}
	}
	out := []string{have[0]}
	for r, in := range set {
		if in {
			out = append(out, r)
		}
	}
	slices.Sort(out[1:])
	return out
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
