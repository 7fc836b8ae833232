package config

import (
	"net/url"
)

// Adapter says how sockets on several ioroute nodes reach each other. The zero value is the
// in-memory adapter: one node.
type Adapter struct {
	// Redis, when set, joins this node to a cluster over Redis pub/sub.
	Redis *RedisAdapter
	// RedisStreams, when set, joins this node to a cluster over a Redis stream (never both).
	RedisStreams *RedisStreamsAdapter
}

// RedisStreamsAdapter is a cluster over a Redis stream that speaks the wire format of Node's
// @socket.io/redis-streams-adapter, and keeps connection state recovery sessions in Redis.
type RedisStreamsAdapter struct {
	// URL is the Redis server.
	URL string
	// Key prefixes the pub/sub channel names (the Node adapter's channelPrefix).
	Key string
	// Stream is the stream's name (streamName).
	Stream string
	// MaxLen caps the stream's length, approximately (maxLen).
	MaxLen int
	// SessionPrefix prefixes the keys of recovery sessions (sessionKeyPrefix).
	SessionPrefix string
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

// redisStreamsFields declares the keys of server.adapter.redis_streams.
var redisStreamsFields = []Field{
	{Name: "url", Type: String, Default: DefaultRedisURL, Doc: "Redis server (5.0 or later): redis://[user:password@]host:port/db, rediss:// for TLS."},
	{Name: "key", Type: String, Default: DefaultRedisKey, Doc: "Prefix of the pub/sub channel names (requests and their answers); must match the other servers' channelPrefix."},
	{Name: "stream", Type: String, Default: "socket.io", Doc: "Name of the stream every server writes to and reads; must match the other servers' streamName."},
	{Name: "maxlen", Type: Int, Default: 10000, Doc: "Entries the stream keeps, approximately (XADD MAXLEN ~); a client whose offset was trimmed away reconnects as a new socket."},
	{Name: "session_prefix", Type: String, Default: "sio:session:", Doc: "Prefix of the keys of recovery sessions; must match the other servers' sessionKeyPrefix."},
}

// AdapterFields declares the keys of server.adapter.
var AdapterFields = []Field{
	{Name: "redis", Type: Object, Fields: redisFields, Doc: "Join a cluster over Redis pub/sub, wire-compatible with Node's @socket.io/redis-adapter. " +
		"The environment variable IOROUTE_REDIS_URL overrides url (and turns the adapter on).", Example: "redis: { url: \"redis://127.0.0.1:6379/0\" }"},
	{Name: "redis_streams", Type: Object, Fields: redisStreamsFields, Doc: "Join a cluster over a Redis stream, wire-compatible with Node's @socket.io/redis-streams-adapter 0.3; " +
		"with server.recovery, sessions are kept in Redis and a client recovers on any server of the cluster. Not with redis. " +
		"IOROUTE_REDIS_URL overrides url.", Example: "redis_streams: { url: \"redis://127.0.0.1:6379/0\" }"},
}

// decodeAdapter reads server.adapter. Writing redis or redis_streams, even empty, turns that
// adapter on, so they have no Default; their own keys do.
func decodeAdapter(n *Node, errs *Errors) Adapter {
	var a Adapter
	if rs := n.Get("redis_streams"); rs != nil {
		a.RedisStreams = decodeRedisStreams(rs, errs)
		if r := n.Get("redis"); r != nil {
			errs.Add(r.Pos, r.Path, "a node joins one cluster: remove redis or redis_streams")
		}
		return a
	}
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

// decodeRedisStreams reads server.adapter.redis_streams.
func decodeRedisStreams(n *Node, errs *Errors) *RedisStreamsAdapter {
	a := &RedisStreamsAdapter{}
	for _, e := range withDefaults(n, redisStreamsFields) {
		v := e.Value
		switch e.Key {
		case "url":
			a.URL = v.Text
			if msg := checkRedisURL(v.Text); msg != "" {
				errs.Add(v.Pos, v.Path, "%s", msg)
			}
		case "key", "stream", "session_prefix":
			if v.Text == "" {
				errs.Add(v.Pos, v.Path, "must not be empty")
			}
			switch e.Key {
			case "key":
				a.Key = v.Text
			case "stream":
				a.Stream = v.Text
			default:
				a.SessionPrefix = v.Text
			}
		case "maxlen":
			a.MaxLen = v.Value.(int)
			if a.MaxLen < 1 {
				errs.Add(v.Pos, v.Path, "must be at least 1")
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
