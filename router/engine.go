package router

import (
	"time"

	"github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/config"
)

// newEngine creates the Socket.IO server with the config's settings.
func newEngine(s config.Server) *sio.Server {
	opts := sio.DefaultServerOptions()
	opts.SetPath(s.Path)
	opts.SetServeClient(false)
	opts.SetAllowEIO3(s.AllowEIO3)
	opts.SetPingInterval(s.PingInterval)
	opts.SetPingTimeout(s.PingTimeout)
	opts.SetConnectTimeout(s.ConnectTimeout)
	opts.SetMaxHttpBufferSize(int64(s.MaxPayload))
	opts.SetTransports(types.NewSet(engine.Polling, engine.WebSocket))
	if len(s.Origins) > 0 {
		opts.SetCors(&types.Cors{Origin: corsOrigin(s.Origins), Credentials: s.Credentials})
	}
	return sio.NewServer(nil, opts)
}

func corsOrigin(origins []string) any {
	for _, o := range origins {
		if o == "*" {
			return "*"
		}
	}
	return origins
}

// attach installs the namespace registry: a parent namespace whose match function and guard
// read the current table, so only declared namespaces accept sockets.
func (r *Router) attach() {
	match := func(name string, _ map[string]any, next func(error, bool)) {
		_, ok := r.table.Load().Namespaces[name]
		next(nil, ok)
	}
	r.parent = r.io.Of(sio.ParentNspNameMatchFn(&match), nil)
	r.parent.Use(r.guard)
	r.parent.On("connection", r.onConnection)
	root := r.io.Sockets()
	root.Use(r.guard)
	root.On("connection", r.onConnection)
}

// guard refuses sockets of namespaces the current table does not declare. Socket.IO 2.x
// clients always join "/" first, so they are let in there without handlers.
//
// It also closes a race in the engine: the engine sends the CONNECT packet from the socket's
// task queue before it records the socket on its client, and an event the client sends in
// that gap makes the engine drop the whole connection ("invalid state"). The guard runs on
// the connection's read goroutine, so it holds further reads until the socket is recorded
// (which onConnection signals), or until connectWait passes.
func (r *Router) guard(s *sio.Socket, next func(*sio.ExtendedError)) {
	name := string(s.Nsp().Name())
	if _, ok := r.table.Load().Namespaces[name]; !ok && (name != "/" || s.Conn().Protocol() != 3) {
		next(sio.NewExtendedError("Invalid namespace", nil))
		return
	}
	r.nsps.LoadOrStore(name, s.Nsp())
	recorded := make(chan struct{})
	r.pending.Store(s, recorded)
	next(nil)
	select {
	case <-recorded:
	case <-time.After(connectWait):
		r.pending.Delete(s)
	}
}

// connectWait bounds how long a connection's reads are held while its socket is recorded.
const connectWait = 5 * time.Second

// recorded tells the guard that the engine has recorded s, so reads may go on.
func (r *Router) recorded(s *sio.Socket) {
	if ch, ok := r.pending.LoadAndDelete(s); ok {
		close(ch.(chan struct{}))
	}
}
