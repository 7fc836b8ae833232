package router

import (
	"errors"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/cluster/streams"
)

// joinCluster prepares the cluster the config asks for (adapter.redis or
// adapter.redis_streams, whose url overrideURL replaces when set; overrideURL alone turns
// adapter.redis on), or returns nil for one node in memory.
func (r *Router) joinCluster(overrideURL string) (cluster.Node, error) {
	if a := r.server.Adapter.RedisStreams; a != nil {
		o := streams.Options{URL: a.URL, Key: a.Key, Stream: a.Stream, MaxLen: int64(a.MaxLen), SessionPrefix: a.SessionPrefix, Log: r.log}
		if overrideURL != "" {
			o.URL = overrideURL
		}
		if rec := r.server.Recovery; rec != nil {
			o.Recovery = rec.MaxDisconnection
		}
		return streams.New(clusterHost{r}, o)
	}
	a := redisSettings(r.server.Adapter.Redis, overrideURL)
	if a == nil {
		return nil, nil
	}
	if r.server.Recovery != nil {
		// the config refuses recovery with adapter.redis; IOROUTE_REDIS_URL turns it on here
		return nil, errors.New("server.recovery needs the packets a cluster sent, which Redis pub/sub (IOROUTE_REDIS_URL turns on adapter.redis) does not keep: " +
			"configure server.adapter.redis_streams (IOROUTE_REDIS_URL then sets its url), or remove server.recovery")
	}
	return cluster.New(clusterHost{r}, cluster.Options{URL: a.URL, Key: a.Key, Log: r.log})
}

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
