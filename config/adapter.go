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

// DefaultRedisURL and DefaultRedisKey are the Defaults of server.adapter.redis's url and key,
// named for code that builds a RedisAdapter without a written one (from IOROUTE_REDIS_URL).
const (
	DefaultRedisURL = "redis://127.0.0.1:6379/0"
	DefaultRedisKey = "socket.io"
)

// redisFields declares the keys of server.adapter.redis.
var redisFields = []Field{
	{Name: "url", Type: String, Default: DefaultRedisURL, Doc: "Redis server: redis://[user:password@]host:port/db, rediss:// for TLS."},
	{Name: "key", Type: String, Default: DefaultRedisKey, Doc: "Prefix of the channel names; must match the other servers' adapter key."},
}

// AdapterFields declares the keys of server.adapter.
var AdapterFields = []Field{
	{Name: "redis", Type: Object, Fields: redisFields, Doc: "Join a cluster over Redis pub/sub, wire-compatible with Node's @socket.io/redis-adapter. " +
		"The environment variable IOROUTE_REDIS_URL overrides url (and turns the adapter on).", Example: "redis: { url: \"redis://127.0.0.1:6379/0\" }"},
}

// decodeAdapter reads server.adapter. Writing redis, even empty, turns the Redis adapter on,
// so redis has no Default; its own keys do.
func decodeAdapter(n *Node, errs *Errors) Adapter {
	var a Adapter
	r := n.Get("redis")
	if r == nil {
		return a
	}
	a.Redis = &RedisAdapter{}
	for _, e := range withDefaults(r, redisFields) {
		v := e.Value
		switch e.Key {
		case "url":
			a.Redis.URL = v.Text
			if msg := checkRedisURL(v.Text); msg != "" {
				errs.Add(v.Pos, v.Path, "%s", msg)
			}
		case "key":
			a.Redis.Key = v.Text
			if v.Text == "" {
				errs.Add(v.Pos, v.Path, "must not be empty")
			}
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
