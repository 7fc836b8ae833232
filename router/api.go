package router

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/api"
	"github.com/ioroute/ioroute/internal/backend"
)

// The HTTP API (server.api) acts through the engine's broadcast operators, which the cluster's
// adapter carries to every node: an emit, a join or a disconnect from the API reaches the
// sockets wherever they are connected, as the same config step would.

// apiTarget is the router as the API sees it.
type apiTarget struct{ r *Router }

var _ api.Server = apiTarget{}

// Declared reports whether the current table declares ns.
func (a apiTarget) Declared(ns string) bool {
	_, ok := a.r.current.Load().Namespaces[ns]
	return ok && a.r.namespace(ns) != nil
}

// operator is the broadcast operator of ns for the sockets in any of targets.
func (a apiTarget) operator(ns string, targets []string) (*sio.BroadcastOperator, error) {
	n := a.r.namespace(ns)
	if n == nil {
		return nil, fmt.Errorf("namespace %q is not served", ns)
	}
	return n.In(rooms(targets)...), nil
}

// Emit sends to the sockets of ns in any of to (all when to is empty) and in none of except.
func (a apiTarget) Emit(ns string, to, except []string, event string, args []any) error {
	op, err := a.operator(ns, to)
	if err != nil {
		return err
	}
	if len(except) > 0 {
		op = op.Except(rooms(except)...)
	}
	return op.Emit(event, args...)
}

// Disconnect disconnects the sockets of ns in any of targets, on every node.
func (a apiTarget) Disconnect(ns string, targets []string, close bool) error {
	op, err := a.operator(ns, targets)
	if err != nil {
		return err
	}
	op.DisconnectSockets(close)
	return nil
}

// Join makes the sockets of ns in any of targets join room, on every node. The rooms-per-socket
// limit bounds what clients ask for; the API is the backend's, and is not bounded by it.
func (a apiTarget) Join(ns string, targets []string, room string) error {
	op, err := a.operator(ns, targets)
	if err != nil {
		return err
	}
	op.SocketsJoin(sio.Room(room))
	return nil
}

// Leave makes the sockets of ns in any of targets leave room, on every node.
func (a apiTarget) Leave(ns string, targets []string, room string) error {
	op, err := a.operator(ns, targets)
	if err != nil {
		return err
	}
	op.SocketsLeave(sio.Room(room))
	return nil
}

// Sockets lists the sockets of ns (in any of rooms), cluster-wide, as sockets() does.
func (a apiTarget) Sockets(ns string, names []string) ([]map[string]any, error) {
	op, err := a.operator(ns, names)
	if err != nil {
		return nil, err
	}
	return describeSockets(op, "")
}

// apiHandler is the API's HTTP handler with the settings the router started with; nil
// without server.api.
func (r *Router) apiHandler() http.Handler {
	if r.server.API == nil {
		return nil
	}
	return api.Handler(apiTarget{r}, api.Options{Key: r.server.API.Key, MaxBody: r.server.MaxPayload, Log: r.log, Refused: r.clientLog})
}

// mountAPI serves the API under /api/ of the main listener, unless it has a listener of its own.
func (r *Router) mountAPI(mux *http.ServeMux) {
	if h := r.apiHandler(); h != nil && r.server.API.Listen == "" {
		mux.Handle(api.Prefix, h)
	}
}

// apiListener is the API's own listener (server.api.listen).
type apiListener struct {
	srv *http.Server
	ln  net.Listener
}

// startAPI binds the API's own listener, if it has one.
func (r *Router) startAPI() error {
	if r.server.API == nil || r.server.API.Listen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", r.server.API.Listen)
	if err != nil {
		return fmt.Errorf("api listen on %s: %w", r.server.API.Listen, err)
	}
	r.apiLn = &apiListener{ln: ln, srv: &http.Server{Handler: r.apiHandler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := r.apiLn.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("api server stopped", "error", err)
		}
	}()
	r.log.Info("api listening", "addr", "http://"+ln.Addr().String()+api.Prefix)
	return nil
}

// APIAddr is the address of the API's own listener, once started; nil when the API has none.
func (r *Router) APIAddr() net.Addr {
	if r.apiLn == nil {
		return nil
	}
	return r.apiLn.ln.Addr()
}

// apiShutdown bounds how long a shutdown waits for API requests in progress (a cluster-wide
// sockets listing waits for the other nodes at most 5 s).
const apiShutdown = 6 * time.Second

// stopAPI closes the API's own listener, letting requests in progress finish, and the
// kept-alive connections of call steps.
func (r *Router) stopAPI() {
	r.calls.CloseIdle()
	if r.apiLn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiShutdown)
	defer cancel()
	if err := r.apiLn.srv.Shutdown(ctx); err != nil {
		_ = r.apiLn.srv.Close()
	}
}

// callLimits are the bounds of call steps, from the settings that apply on reload.
func (r *Router) callLimits() backend.Limits {
	l := r.live().Limits
	return backend.Limits{InFlight: l.CallsInFlight, BodyBytes: l.CallBodyBytes}
}
