package cluster

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster/wire"
)

// Host is the server a cluster joins: this node's namespaces, where messages from other nodes
// are delivered.
type Host interface {
	// Namespace returns this node's namespace name, or nil when no config of this node
	// declared it.
	Namespace(name string) sio.Namespace
	// Recovered is told of a panic recovered while handling a message from Redis, with what
	// to log about it; the node goes on receiving.
	Recovered(p any, msg string, attrs ...any)
}

// AdminHost is a Host that describes its sockets for the Socket.IO Admin UI: what Node's
// @socket.io/admin-ui keeps in socket.data._admin (clientId, transport), which this node's
// answers to fetchSockets carry there, as Node's do. SocketAdmin returns nil when the host
// has no admin.
type AdminHost interface {
	SocketAdmin(d sio.SocketDetails) map[string]any
}

// Options are a cluster's settings.
type Options struct {
	// URL is the Redis server's URL (redis://host:port/db).
	URL string
	// Key prefixes every channel name, as the Node adapter's key option.
	Key string
	// Log receives the cluster's logs.
	Log *slog.Logger
	// RequestsTimeout bounds the wait for the other servers' answers to this node's requests
	// (fetchSockets), as Node's requestsTimeout; 0 means its default, 5 s.
	RequestsTimeout time.Duration
}

// Cluster joins a server to other Socket.IO servers (ioroute or Node with
// @socket.io/redis-adapter) over Redis pub/sub. Broadcasts leave through a bounded queue
// drained by one goroutine, so an event never waits for Redis and the order of one node's
// broadcasts is kept; what arrives is delivered to this node's sockets only.
//
// Delivery across nodes is at most once, as with Node's adapter: while Redis is away, local
// delivery goes on, cross-node messages are dropped (and counted), and both directions come
// back by themselves when Redis does.
type Cluster struct {
	host   Host
	url    string // as configured, for messages (password hidden)
	key    string
	uid    string
	prefix []byte // how this node's own broadcasts start, to skip them unread
	client *redis.Client
	ps     *redis.PubSub
	out    chan outbound
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *slog.Logger

	subMu sync.Mutex
	subs  map[string]bool // namespaces subscribed

	acks remoteAcks // emits with ack waiting for a socket on another node

	requests        pendingRequests // this node's requests waiting for answers
	requestsTimeout time.Duration

	started atomic.Bool // Start succeeded: both loops run
	down    atomic.Bool
	since   atomic.Int64 // unix nanos the outage began
	dropped atomic.Int64 // cross-node messages dropped during the current outage
	stats   stats        // totals since start, for metrics (Stats)
}

// outbound is one message waiting to be published; or, with flushed set, a marker the
// publisher closes once everything queued before it has been sent.
type outbound struct {
	channel string
	payload []byte
	flushed chan struct{}
}

// clusterQueue bounds the messages waiting for Redis; beyond it they are dropped.
const clusterQueue = 8192

// clusterDialTimeout bounds each attempt to reach Redis.
const clusterDialTimeout = 2 * time.Second

// New prepares (but does not connect) a cluster for host.
func New(host Host, o Options) (*Cluster, error) {
	opts, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("server.adapter.redis.url %s: %w", RedactURL(o.URL), err)
	}
	opts.DialTimeout = clusterDialTimeout
	opts.ReadTimeout = 5 * time.Second
	opts.WriteTimeout = 5 * time.Second
	opts.MaxRetries = 1
	opts.ContextTimeoutEnabled = true
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	LogRedisTo(o.Log)
	uid := RandomID(6)
	prefix, _ := wire.BroadcastPrefix(uid)
	c := &Cluster{host: host, url: RedactURL(o.URL), key: o.Key, uid: uid, prefix: prefix,
		client: redis.NewClient(opts), out: make(chan outbound, clusterQueue), log: o.Log,
		subs: map[string]bool{}, requestsTimeout: o.RequestsTimeout}
	if c.requestsTimeout <= 0 {
		c.requestsTimeout = defaultRequestsTimeout
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Start connects to Redis, subscribes to the namespaces' channels and waits until Redis has
// confirmed them, so a broadcast published after start returns reaches this node.
func (c *Cluster) Start(namespaces []string) error {
	ctx, cancel := context.WithTimeout(c.ctx, 2*clusterDialTimeout)
	defer cancel()
	if err := c.client.Ping(ctx).Err(); err != nil {
		_ = c.client.Close()
		return fmt.Errorf("server.adapter.redis: cannot reach Redis at %s: %w", c.url, err)
	}
	c.ps = c.client.Subscribe(ctx)
	want := 0
	for _, name := range namespaces {
		n, err := c.subscribe(ctx, name)
		if err != nil {
			return c.startFailed(err)
		}
		want += n
	}
	for got := 0; got < want; {
		m, err := c.ps.Receive(ctx)
		if err != nil {
			return c.startFailed(err)
		}
		if _, ok := m.(*redis.Subscription); ok {
			got++
		}
	}
	c.wg.Add(2)
	go c.receive()
	go c.publish()
	c.started.Store(true)
	c.log.Info("cluster adapter: joined over Redis", "redis", c.url, "key", c.key, "uid", c.uid)
	return nil
}

func (c *Cluster) startFailed(err error) error {
	_ = c.ps.Close()
	_ = c.client.Close()
	return fmt.Errorf("server.adapter.redis: subscribing at %s: %w", c.url, err)
}

// subscribe subscribes to namespace name's broadcast pattern and channels, records it, and
// returns how many subscriptions Redis will confirm.
func (c *Cluster) subscribe(ctx context.Context, name string) (int, error) {
	channels := c.channels(name)
	c.subs[name] = true
	if err := c.ps.PSubscribe(ctx, c.broadcastPattern(name)); err != nil {
		return 0, err
	}
	return 1 + len(channels), c.ps.Subscribe(ctx, channels...)
}

// Follow subscribes to namespaces a reload added and unsubscribes from removed ones.
func (c *Cluster) Follow(namespaces []string) {
	if !c.started.Load() {
		return // start subscribes to what the table holds then
	}
	c.subMu.Lock()
	defer c.subMu.Unlock()
	keep := map[string]bool{}
	ctx, cancel := context.WithTimeout(c.ctx, 2*clusterDialTimeout)
	defer cancel()
	for _, name := range namespaces {
		keep[name] = true
		if c.subs[name] {
			continue
		}
		if _, err := c.subscribe(ctx, name); err != nil {
			// The subscription is recorded by the client and made again when it reconnects.
			c.log.Warn("cluster adapter: subscribing a new namespace", "namespace", name, "error", err)
		}
	}
	for name := range c.subs {
		if keep[name] {
			continue
		}
		_ = c.ps.PUnsubscribe(ctx, c.broadcastPattern(name))
		_ = c.ps.Unsubscribe(ctx, c.channels(name)...)
		delete(c.subs, name)
	}
}

// Close sends what is queued (within timeout: what disconnect handlers broadcast on
// shutdown goes out too), then stops both loops and disconnects from Redis.
func (c *Cluster) Close(timeout time.Duration) {
	if !c.started.Load() {
		c.cancel()
		_ = c.client.Close()
		return
	}
	done := make(chan struct{})
	select {
	case c.out <- outbound{flushed: done}:
		select {
		case <-done:
		case <-time.After(timeout):
			c.log.Warn("cluster adapter: messages for other nodes were still queued at shutdown", "queued", len(c.out))
		}
	default:
	}
	c.cancel()
	if c.ps != nil {
		_ = c.ps.Close()
	}
	c.wg.Wait()
	c.acks.stop()
	c.requests.stop()
	_ = c.client.Close()
}

// The channel names of the adapter protocol.
func (c *Cluster) broadcastChannel(nsp string) string { return c.key + "#" + nsp + "#" }
func (c *Cluster) broadcastPattern(nsp string) string { return c.broadcastChannel(nsp) + "*" }
func (c *Cluster) requestChannel(nsp string) string   { return c.key + "-request#" + nsp + "#" }
func (c *Cluster) responseChannel(nsp string) string  { return c.key + "-response#" + nsp + "#" }

// channels are the channels of nsp a node subscribes to besides the broadcast pattern:
// requests, answers, and answers addressed to this node alone (where Node servers with
// publishOnSpecificResponseChannel send them).
func (c *Cluster) channels(nsp string) []string {
	return []string{c.requestChannel(nsp), c.responseChannel(nsp), c.responseChannel(nsp) + c.uid + "#"}
}

// send queues a message for Redis; when the queue is full the message is dropped.
func (c *Cluster) send(channel string, payload []byte) {
	select {
	case c.out <- outbound{channel: channel, payload: payload}:
	default:
		c.stats.dropped.Add(1)
		if c.dropped.Add(1) == 1 {
			c.log.Warn("cluster adapter: Redis is not keeping up; cross-node messages are being dropped", "redis", c.url)
		}
	}
}

// publish drains the queue, pipelining what is waiting.
func (c *Cluster) publish() {
	defer c.wg.Done()
	Batches(c.ctx, c.out, func(batch []outbound) {
		if err := c.publishBatch(batch); err != nil {
			if c.ctx.Err() != nil {
				return
			}
			c.dropped.Add(int64(len(batch)))
			c.stats.dropped.Add(messages(batch))
			c.log.Debug("cluster adapter: publish failed", "messages", len(batch), "error", err)
			c.lost(err)
			return
		}
		// Not a sign that Redis is back: a write can pass while Redis shuts down. The
		// receiver says when it is (it reads again).
		c.stats.published.Add(messages(batch))
	})
}

// publishBatch publishes batch in one round trip; flush markers in it are closed once the
// messages before them went out (or failed).
func (c *Cluster) publishBatch(batch []outbound) error {
	var markers []chan struct{}
	defer func() {
		for _, m := range markers {
			close(m)
		}
	}()
	msgs := make([]outbound, 0, len(batch))
	for _, m := range batch {
		if m.flushed != nil {
			markers = append(markers, m.flushed)
		} else {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	if len(msgs) == 1 {
		return c.client.Publish(ctx, msgs[0].channel, msgs[0].payload).Err()
	}
	_, err := c.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range msgs {
			p.Publish(ctx, m.channel, m.payload)
		}
		return nil
	})
	return err
}

// receive reads what Redis delivers, reconnecting with backoff when the connection is lost.
func (c *Cluster) receive() {
	defer c.wg.Done()
	var backoff Backoff
	for {
		m, err := c.ps.ReceiveTimeout(c.ctx, 15*time.Second)
		if c.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet for a while: make sure the connection is still there.
				if perr := c.ps.Ping(c.ctx); perr == nil {
					c.restored()
					continue
				}
			}
			c.log.Debug("cluster adapter: receive failed", "error", err)
			c.lost(err)
			if !backoff.Wait(c.ctx) {
				return
			}
			continue
		}
		backoff.Reset()
		switch m := m.(type) {
		case *redis.Message:
			c.restored()
			c.countReceived(m)
			c.onMessage(m)
		case *redis.Subscription:
			c.log.Debug("cluster adapter: subscribed", "kind", m.Kind, "channel", m.Channel)
			c.restored()
		}
	}
}

// lost records that Redis is unreachable; the first failure of an outage is logged.
func (c *Cluster) lost(err error) {
	if c.down.CompareAndSwap(false, true) {
		c.since.Store(time.Now().UnixNano())
		c.log.Warn("cluster adapter: lost Redis; local delivery goes on, cross-node delivery resumes when it is back",
			"redis", c.url, "error", err)
	}
}

// restored records that Redis answers again, and logs the outage.
func (c *Cluster) restored() {
	if c.down.Load() && c.down.CompareAndSwap(true, false) { // a load first: called per message
		c.log.Info("cluster adapter: Redis is back; cross-node delivery resumed", "redis", c.url,
			"outage", time.Since(time.Unix(0, c.since.Load())).Round(time.Millisecond),
			"dropped", c.dropped.Swap(0))
	}
}

// onMessage routes one delivery from Redis. A panic while handling it (a malformed message
// that got past decoding) is logged and counted; the node goes on receiving.
func (c *Cluster) onMessage(m *redis.Message) {
	defer func() {
		if p := recover(); p != nil {
			c.host.Recovered(p, "cluster adapter: handling a message from Redis panicked; the node goes on", "channel", m.Channel)
		}
	}()
	payload := []byte(m.Payload)
	if m.Pattern != "" {
		if len(payload) >= len(c.prefix) && string(payload[:len(c.prefix)]) == string(c.prefix) {
			return // this node's own broadcast, already delivered here
		}
		nsp := strings.TrimSuffix(strings.TrimPrefix(m.Pattern, c.key+"#"), "#*")
		c.onBroadcast(nsp, payload)
		return
	}
	if strings.HasPrefix(m.Channel, c.key+"-response#") {
		c.onResponse(payload)
		return
	}
	nsp := strings.TrimSuffix(strings.TrimPrefix(m.Channel, c.key+"-request#"), "#")
	c.onRequest(nsp, payload)
}

// RandomID returns n characters of [A-Za-z0-9].
func RandomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// RedactURL hides the password of a Redis URL.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Redacted()
}

// redisLog receives go-redis's own messages (dial retries, reconnects) at debug level. It is
// process-wide because go-redis's logger is (redis.SetLogger): the log of the cluster made
// last receives them.
var redisLog atomic.Pointer[slog.Logger]

var setRedisLogger sync.Once

// LogRedisTo sends go-redis's own messages to log, at debug level.
func LogRedisTo(log *slog.Logger) {
	redisLog.Store(log)
	setRedisLogger.Do(func() { redis.SetLogger(redisLogger{}) })
}

// redisLogger adapts go-redis's logger to slog.
type redisLogger struct{}

// Printf logs one go-redis message.
func (redisLogger) Printf(_ context.Context, format string, v ...any) {
	if l := redisLog.Load(); l != nil {
		l.Debug("redis client: " + fmt.Sprintf(format, v...))
	}
}
