package router

import (
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// EngineNamespace is the engine's namespace name (nil when no table declared it), so that
// tests can drive the engine's own API (FetchSockets, SocketsJoin, ...) through the
// namespace's adapter.
func (r *Router) EngineNamespace(name string) sio.Namespace { return r.namespace(name) }

// SetConnectWait shortens how long the guard holds a connection's reads while the engine
// records its socket, until the test ends.
func SetConnectWait(t testing.TB, d time.Duration) {
	old := connectWait
	connectWait = d
	t.Cleanup(func() { connectWait = old })
}
