package router

import (
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/cluster"
)

// clusterHost is the router as its cluster sees it.
type clusterHost struct{ r *Router }

var _ cluster.Host = clusterHost{}

// Namespace is the engine's namespace of a name a table declared, or nil.
func (h clusterHost) Namespace(name string) sio.Namespace {
	if a := h.r.admin; a != nil && name == a.cfg.Namespace {
		return a.ns // the admin's: its reports and the UI's requests reach every node
	}
	return h.r.namespace(name)
}

// SocketAdmin is what Node's admin UI package keeps in socket.data._admin, for this node's
// answers to fetchSockets; nil without server.admin.
func (h clusterHost) SocketAdmin(d sio.SocketDetails) map[string]any {
	s, ok := d.(*sio.Socket)
	if h.r.admin == nil || !ok {
		return nil
	}
	clientID, transport := clientOf(s)
	return map[string]any{"clientId": clientID, "transport": transport}
}

// Recovered counts and logs a panic the cluster recovered from.
func (h clusterHost) Recovered(p any, msg string, attrs ...any) { h.r.panicked(p, msg, attrs...) }

// redisSettings is the Redis adapter to use: the config's, with url overridden by
// overrideURL when that is set; nil for the in-memory adapter.
func redisSettings(a *config.RedisAdapter, overrideURL string) *config.RedisAdapter {
	if overrideURL == "" {
		return a
	}
	out := config.RedisAdapter{URL: overrideURL, Key: config.DefaultRedisKey}
	if a != nil {
		out.Key = a.Key
	}
	return &out
}
