package router

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// conn is one connected socket as the actions see it.
type conn struct {
	r      *Router
	s      *sio.Socket
	ns     string
	budget budgets
	// hs is the normalised handshake, made by handshake on first use: most handlers never read
	// it, and an idle connection need not hold a copy of its headers.
	hs     *tmpl.Handshake
	hsOnce sync.Once
	// arrivals counts the connection's events from their arrival; nil when not counted.
	arrivals *arrivals
	// queued are the socket's events counted at arrival and not yet dispatched, oldest first
	// (guarded by arrivals.mu).
	queued []arrival
	// leaving is set while the socket's disconnect handler runs: sockets() leaves it out.
	leaving atomic.Bool
	// settled is set once onConnection is done with the socket; passed and behind (guarded by
	// arrivals.mu) tell whether something may be waiting on its task queue (ReceiveEvent).
	settled atomic.Bool
	passed  bool
	behind  int
}

var _ actions.Conn = (*conn)(nil)

func newConn(r *Router, s *sio.Socket) *conn {
	auth := s.Handshake().Auth
	normaliseAuth(auth)
	if r.server.Recovery != nil && auth != nil {
		// the session id recovers this socket after its next drop too: expressions (and so
		// anything a config sends or prints) never see it
		delete(auth, "pid")
		delete(auth, "offset")
	}
	return &conn{r: r, s: s, ns: string(s.Nsp().Name())}
}

// handshake returns the socket's normalised handshake, made on the first call.
func (c *conn) handshake() *tmpl.Handshake {
	c.hsOnce.Do(func() {
		hs := handshake(c.s)
		c.hs = &hs
	})
	return c.hs
}

// ID is the socket's id.
func (c *conn) ID() string { return string(c.s.Id()) }

// Join adds the socket to rooms, within the rooms-per-socket limit (its own id room aside).
func (c *conn) Join(rooms ...string) error {
	current := c.s.Rooms()
	rs := make([]sio.Room, 0, len(rooms))
	for _, r := range rooms {
		if !current.Has(sio.Room(r)) {
			rs = append(rs, sio.Room(r))
		}
	}
	limit := c.r.live().Limits.RoomsPerSocket
	if in := current.Len() - 1; in+len(rs) > limit {
		return fmt.Errorf("join_room: the socket is in %d rooms and may be in %d at most (server.limits.rooms_per_socket)", in, limit)
	}
	c.s.Join(rs...)
	return nil
}

// Leave removes the socket from rooms.
func (c *conn) Leave(rooms ...string) {
	for _, r := range rooms {
		c.s.Leave(sio.Room(r))
	}
}

// rooms lists the socket's rooms: its own id room first, then the others sorted.
func (c *conn) rooms() []string { return idFirst(c.ID(), c.s.Rooms().Keys()) }

// target resolves the namespace of m.
func (c *conn) target(m actions.Message) (sio.Namespace, error) {
	if m.Namespace == "" || m.Namespace == c.ns {
		return c.s.Nsp(), nil
	}
	ns := c.r.namespace(m.Namespace)
	if _, ok := c.r.current.Load().Namespaces[m.Namespace]; !ok || ns == nil {
		return nil, fmt.Errorf("namespace %q is not declared in the config", m.Namespace)
	}
	return ns, nil
}

// Emit delivers m: to the sender, to rooms or socket ids, or to the whole namespace. The
// actions made m's arguments ready to send (JSON values only).
func (c *conn) Emit(m actions.Message) error {
	args := m.Args
	if !m.Broadcast && len(m.To) == 0 {
		return c.s.Emit(m.Event, args...)
	}
	ns, err := c.target(m)
	if err != nil {
		return err
	}
	exceptSelf := !m.IncludeSelf && ns == c.s.Nsp()
	if len(m.To) == 0 {
		// the whole namespace: one broadcast operator, not one per step of a chain
		if exceptSelf {
			return ns.Except(sio.Room(c.s.Id())).Emit(m.Event, args...)
		}
		return engine.BroadcastAll(ns, m.Event, args)
	}
	rooms := make([]sio.Room, len(m.To))
	for i, r := range m.To {
		rooms[i] = sio.Room(r)
	}
	op := ns.To(rooms...)
	if exceptSelf {
		op = op.Except(sio.Room(c.s.Id()))
	}
	return op.Emit(m.Event, args...)
}

// EmitWithAck emits to one socket and calls cb with its acknowledgement, or with an error
// after timeout. The engine's own timeout mutates per-socket state, so the timer is ours.
func (c *conn) EmitWithAck(m actions.Message, timeout time.Duration, cb func([]any, error)) error {
	var once sync.Once
	done := func(replies []any, err error) {
		once.Do(func() {
			defer func() {
				if p := recover(); p != nil {
					c.r.panicked(p, "on_ack panicked; the socket and the server go on", "namespace", c.ns, "event", m.Event, "socket", c.ID())
				}
			}()
			cb(engine.Incoming(replies), err)
		})
	}
	target := c.s
	if len(m.To) == 1 {
		ns, err := c.target(m)
		if err != nil {
			return err
		}
		s, _ := ns.Sockets().Load(sio.SocketId(m.To[0]))
		if s == nil && c.r.cluster != nil {
			// Perhaps on another node: ask the cluster, as Node's adapter does.
			return c.r.cluster.EmitWithAck(nsName(m.Namespace, c.ns), m.To[0], m.Event, m.Args, timeout, done)
		}
		if s == nil {
			return fmt.Errorf("to: no socket %q is connected to %s", m.To[0], nsName(m.Namespace, c.ns))
		}
		target = s
	}
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() {
			done(nil, fmt.Errorf("no acknowledgement within %s", timeout))
		})
	}
	ack := sio.Ack(func(replies []any, err error) {
		if timer != nil {
			timer.Stop()
		}
		done(replies, err)
	})
	return target.Emit(m.Event, append(m.Args, ack)...)
}

func nsName(ns, current string) string {
	if ns == "" {
		return current
	}
	return ns
}

// namespace finds the engine's namespace of a name a table declared (see declare), or nil.
func (r *Router) namespace(name string) sio.Namespace {
	if ns, ok := r.nsps.Load(name); ok {
		return ns.(sio.Namespace)
	}
	return nil
}

// normaliseAuth converts the engine's auth payload in place, once, as the socket is admitted:
// binary buffers become []byte, and the lists of an Engine.IO 3 client's query string single
// values. (Everything that reads auth, the cluster's description of the socket included, sees
// it converted.)
func normaliseAuth(auth map[string]any) {
	engine.IncomingMap(auth)
	for k, v := range auth {
		// Engine.IO 3 clients send auth in the namespace's query string: one value per key
		switch l := v.(type) {
		case []string:
			auth[k] = engine.First(l)
		}
	}
}

// handshake describes the socket's handshake as Node's socket.handshake does; the auth
// payload was converted by normaliseAuth.
func handshake(s *sio.Socket) tmpl.Handshake { return engine.Handshake(s.Handshake()) }
