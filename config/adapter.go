package config

import (
	"net/url"
)

// Adapter says how sockets on several ioroute nodes reach each other. The zero value is the
// in-memory adapter: one node.
type Adapter struct {
	// Redis, when set, joins this node to a cluster over Redis pub/sub.
	Redis *RedisAdapter
}

// RedisAdapter is a cluster over Redis that speaks the wire format of Node's
// @socket.io/redis-adapter, so ioroute and Node socket.io servers can share one cluster.
type RedisAdapter struct {
	// URL is the Redis server, such as redis://127.0.0.1:6379/0.
	URL string
	// Key prefixes every channel name; Node's adapter calls it key too.
	Key string
}

// DefaultRedisURL and DefaultRedisKey are used when server.adapter.redis leaves them out.
const (
	DefaultRedisURL = "redis://127.0.0.1:6379/0"
	DefaultRedisKey = "socket.io"
)

// AdapterFields declares the keys of server.adapter.
var AdapterFields = []Field{
	{Name: "redis", Type: Object, Doc: "Join a cluster over Redis pub/sub, wire-compatible with Node's @socket.io/redis-adapter. " +
		"The environment variable IOROUTE_REDIS_URL overrides url (and turns the adapter on).", Fields: []Field{
		{Name: "url", Type: String, Default: DefaultRedisURL, Doc: "Redis server: redis://[user:password@]host:port/db, rediss:// for TLS."},
		{Name: "key", Type: String, Default: DefaultRedisKey, Doc: "Prefix of the channel names; must match the other servers' adapter key."},
	}, Example: "redis: { url: \"redis://127.0.0.1:6379/0\" }"},
}

// decodeAdapter reads server.adapter.
func decodeAdapter(n *Node, errs *Errors) Adapter {
	var a Adapter
	r := n.Get("redis")
	if r == nil {
		return a
	}
	a.Redis = &RedisAdapter{URL: DefaultRedisURL, Key: DefaultRedisKey}
	if u := r.Get("url"); u != nil {
		a.Redis.URL = u.Text
		if msg := checkRedisURL(u.Text); msg != "" {
			errs.Add(u.Pos, u.Path, "%s", msg)
		}
	}
	if k := r.Get("key"); k != nil {
		a.Redis.Key = k.Text
		if k.Text == "" {
			errs.Add(k.Pos, k.Path, "must not be empty")
		}
	}
	return a
}

// checkRedisURL explains what is wrong with a Redis URL, or returns "".
func checkRedisURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "not a URL: " + err.Error()
	}
	switch u.Scheme {
	case "redis", "rediss", "unix":
		return ""
	}
	return "must start with redis://, rediss:// or unix://"
}
