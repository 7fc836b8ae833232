package router

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/engine"
)

// newEngine creates the Socket.IO server with the config's settings, on ioroute's transport
// and broadcast adapter (engine.TuneEngine), which log to log; with a cluster, each
// namespace's adapter also publishes its broadcasts to the other nodes.
func newEngine(s config.Server, log *slog.Logger, c cluster.Node) (*sio.Server, *engine.Upgrades) {
	opts := sio.DefaultServerOptions()
	opts.SetPath(s.Path)
	opts.SetServeClient(false)
	opts.SetAllowEIO3(s.AllowEIO3)
	opts.SetPingInterval(s.PingInterval)
	opts.SetPingTimeout(s.PingTimeout)
	opts.SetConnectTimeout(s.ConnectTimeout)
	opts.SetMaxHttpBufferSize(int64(s.MaxPayload))
	upgrades := engine.TuneEngine(opts, log)
	if s.Recovery != nil && s.Adapter.RedisStreams != nil {
		// the stream keeps the packets, and Redis the sessions (internal/cluster/streams)
		engine.EnableSharedRecovery(opts, s.Recovery.MaxDisconnection)
	} else if s.Recovery != nil {
		engine.EnableRecovery(opts, engine.Recovery{MaxDisconnection: s.Recovery.MaxDisconnection, MaxBytes: s.Limits.RecoveryBytes,
			MaxSessions: s.Limits.MaxConnections, Log: log})
	}
	if c != nil {
		opts.SetAdapter(c.AdapterBuilder(opts.Adapter()))
	}
	if len(s.Origins) > 0 {
		opts.SetCors(&types.Cors{Origin: corsOrigin(s.Origins), Credentials: s.Credentials})
	}
	return sio.NewServer(nil, opts), upgrades
}

func corsOrigin(origins []string) any {
	for _, o := range origins {
		if o == "*" {
			return "*"
		}
	}
	return origins
}

// attach installs the namespace registry: the root namespace and every namespace of the
// table, each behind the guard, which reads the current table. The engine refuses a name it
// has no namespace for ("Invalid namespace"), and the guard refuses one the table no longer
// declares.
func (r *Router) attach() {
	root := r.io.Sockets()
	root.Use(r.guard)
	root.On("connection", r.onConnection)
	r.nsps.Store("/", root)
	if r.admin != nil {
		r.admin.watch(root)
	}
	for _, name := range r.current.Load().Names() {
		r.declare(name)
	}
}

// declare creates the engine's namespace name up front, with the guard and the connection
// handler. (The engine can also create namespaces on a socket's first connection, through a
// parent namespace; it does so without a lock, so two first connections at once could each
// create their own "/chat", and the sockets split between the two would not hear each other's
// broadcasts. Declared ahead, a namespace exists before any socket asks for it.)
func (r *Router) declare(name string) {
	r.declareMu.Lock()
	defer r.declareMu.Unlock()
	if _, ok := r.nsps.Load(name); ok {
		return // created already (namespaces a reload removed stay, and the guard refuses them)
	}
	ns := r.io.Of(name, nil)
	ns.Use(r.guard)
	ns.On("connection", r.onConnection)
	r.nsps.Store(name, ns)
	if r.admin != nil {
		r.admin.watch(ns)
	}
}

// guard admits sockets to a namespace. It refuses namespaces the current table does not
// declare (Socket.IO 2.x clients always join "/" first, so they are let in there without
// handlers), and it runs the namespace's connect handler as middleware, before the socket counts
// as connected: a reject step refuses the socket with its message, and what the handler does
// to the socket (joins, emits) is done only once the socket is connected. A connect handler
// that fails refuses the socket too: a connect handler is where access is checked, so it fails
// closed.
//
// It also closes a race in the engine: the engine sends the CONNECT packet from the socket's
// task queue before it records the socket on its client, and an event the client sends in
// that gap makes the engine drop the whole connection ("invalid state"). The guard runs on
// the connection's read goroutine, so it holds further reads until the socket is recorded
// (which onConnection signals), or until connectWait passes.
func (r *Router) guard(s *sio.Socket, next func(*sio.ExtendedError)) {
	name := string(s.Nsp().Name())
	if a := r.admin; a != nil && a.token != "" && a.viaListener(s.Handshake()) {
		next(sio.NewExtendedError("Invalid namespace", nil)) // the admin listener serves the admin namespace only
		return
	}
	ns, ok := r.current.Load().Namespaces[name]
	if !ok && (name != "/" || s.Conn().Protocol() != 3) {
		engine.Forget(s)
		next(sio.NewExtendedError("Invalid namespace", nil))
		return
	}
	if s.Recovered() && s.Conn().Protocol() == 3 {
		// A pid in a socket.io-client 2.x query: those clients get no pid and are never
		// recovered, and the engine already gave this one the session's socket id, so it is
		// refused; the session stays its owner's.
		engine.GiveBack(s)
		next(sio.NewExtendedError("Connection refused", nil))
		return
	}
	c := newConn(r, s)
	var deferred *deferredConn
	if ns != nil && ns.Connect != nil {
		deferred = &deferredConn{conn: c}
		skip := s.Recovered() && r.live().Recovery != nil && r.live().Recovery.SkipConnect
		if err := r.run(c, ns.Connect, invocation{event: "connect", deferred: deferred, skipRejects: skip}); err != nil {
			engine.Forget(s)
			next(refusal(s, err))
			if rej := (*actions.Rejection)(nil); errors.As(err, &rej) && rej.Close {
				// disconnect: { close: true } while connecting ends the whole connection,
				// once the refusal is written
				go s.Conn().Close(false)
			}
			return
		}
	}
	p := &pendingSocket{recorded: make(chan struct{}), c: c, deferred: deferred}
	r.pending.Store(s, p)
	r.watchDisconnect(c)
	r.trackArrivals(c)
	next(nil)
	select {
	case <-p.recorded:
	case <-time.After(connectWait):
		if p.state.CompareAndSwap(waiting, late) {
			// reads go on; onConnection finishes the socket's admission if the engine records
			// it later (recorded), and the connection's close forgets it otherwise
			es := s.Conn()
			_ = es.Once("close", func(...any) { r.pending.Delete(s) })
			if es.ReadyState() == "closed" {
				r.pending.Delete(s)
			}
			return
		}
		<-p.recorded // recorded meanwhile
	}
	p.replay()
}

// pendingSocket is a socket the guard let through, until the engine has recorded it.
type pendingSocket struct {
	recorded chan struct{} // closed when onConnection took the socket while the guard waited
	c        *conn
	deferred *deferredConn // what the connect handler did, for replay once recorded; may be nil
	state    atomic.Int32  // waiting, then recordedInTime or late, whichever comes first
}

// The states of a pendingSocket.
const (
	waiting int32 = iota
	recordedInTime
	late // the guard stopped waiting: onConnection replays the connect handler's actions
)

// replay does what the connect handler did to the socket, now that it is connected.
func (p *pendingSocket) replay() {
	if p.deferred != nil {
		p.deferred.replay()
	}
}

// refusal is the connect_error for a connect handler's error: a reject step's message (and
// data, which the Engine.IO 3 protocol cannot carry alongside the message), or a generic one.
func refusal(s *sio.Socket, err error) *sio.ExtendedError {
	var rej *actions.Rejection
	if !errors.As(err, &rej) {
		return sio.NewExtendedError("Connection refused", nil)
	}
	if s.Conn().Protocol() == 3 {
		return sio.NewExtendedError(rej.Message, nil)
	}
	return sio.NewExtendedError(rej.Message, rej.Data)
}

// connectWait bounds how long a connection's reads are held while its socket is recorded (a
// variable for the tests).
var connectWait = 5 * time.Second

// recorded tells the guard that the engine has recorded s, so reads may go on, and returns
// the socket's conn; when the guard stopped waiting (connectWait), it replays what the
// connect handler did to the socket itself.
func (r *Router) recorded(s *sio.Socket) *conn {
	v, ok := r.pending.LoadAndDelete(s)
	if !ok {
		return newConn(r, s)
	}
	p := v.(*pendingSocket)
	if p.state.CompareAndSwap(waiting, recordedInTime) {
		close(p.recorded) // the guard replays the connect handler's actions
	} else {
		p.replay() // the guard stopped waiting
	}
	return p.c
}
