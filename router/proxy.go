package router

import (
	"strings"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/engine"
)

// watchNamespaces puts clientAddress in front of every namespace's other middleware (the
// guard): the root namespace now, and each later one as the engine creates it. It must run
// before the namespaces are declared.
func (r *Router) watchNamespaces() {
	root := r.io.Sockets()
	root.Use(r.clientAddress)
	root.On("new_namespace", func(args ...any) {
		if ns, ok := args[0].(sio.Namespace); ok {
			ns.Use(r.clientAddress)
		}
	})
}

// clientAddress sets the socket's handshake address to the client's, as X-Forwarded-For
// gives it, when the connection comes from a proxy listed in server.trust_proxy; everything
// that reads the address later (socket.handshake.address, the connection log, other nodes'
// fetchSockets) sees the client. The engine takes the address from the TCP connection,
// which behind a proxy is the proxy's.
func (r *Router) clientAddress(s *sio.Socket, next func(*sio.ExtendedError)) {
	if trusted := r.live().TrustProxy; len(trusted) > 0 {
		h := s.Handshake()
		h.Address = engine.ClientAddress(h.Address, forwardedFor(h.Headers), trusted)
	}
	next(nil)
}

// forwardedFor is the X-Forwarded-For values of the engine's handshake headers.
func forwardedFor(headers map[string]any) []string {
	for k, v := range headers {
		if !strings.EqualFold(k, "X-Forwarded-For") {
			continue
		}
		switch v := v.(type) {
		case []string:
			return v
		case string:
			return []string{v}
		}
	}
	return nil
}
