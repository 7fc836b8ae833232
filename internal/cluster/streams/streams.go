package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/engine"
)

// Options are a streams cluster's settings.
type Options struct {
	// URL is the Redis server's URL.
	URL string
	// Key prefixes the pub/sub channels, as the Node adapter's channelPrefix.
	Key string
	// Stream is the stream's name, as streamName.
	Stream string
	// MaxLen caps the stream's length, approximately (XADD MAXLEN ~), as maxLen.
	MaxLen int64
	// SessionPrefix prefixes the keys of recovery sessions, as sessionKeyPrefix.
	SessionPrefix string
	// Recovery is server.recovery.max_disconnection: how long a session is kept; 0 when
	// recovery is off.
	Recovery time.Duration
	// RequestsTimeout bounds the wait for answers to fetchSockets; 0 means 5 s.
	RequestsTimeout time.Duration
	// Log receives the cluster's logs.
	Log *slog.Logger
}

// The Node adapter's defaults, which ioroute's config uses too.
const (
	DefaultStream        = "socket.io"
	DefaultMaxLen        = 10000
	DefaultSessionPrefix = "sio:session:"
)

const (
	readCount    = 500             // entries per XREAD (the Node adapter reads 100)
	blockTime    = 5 * time.Second // XREAD BLOCK, as blockTimeInMs
	dialTimeout  = 2 * time.Second
	queueSize    = 8192
	xaddTimeout  = time.Second // a batch of writes that takes longer is delivered locally at once
	restoreLimit = 2 * time.Second
)

// Streams joins a server to a streams cluster. Writes (XADD, PUBLISH, SET) leave through a
// bounded queue drained by one goroutine, in order; one goroutine reads the stream and one
// receives pub/sub messages.
type Streams struct {
	host   cluster.Host
	o      Options
	url    string // redacted
	uid    string
	client *redis.Client // commands
	reader *redis.Client // XREAD BLOCK, on a connection of its own
	ps     *redis.PubSub
	out    chan outbound
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *slog.Logger

	subMu sync.Mutex
	subs  map[string]bool

	requests sync.Map // request id -> *pendingFetch or *pendingAck

	// deliverMu orders the delivery of stream entries with the catch-up of restored
	// sockets; last is the newest entry the reader has handled, pending the restored
	// sockets not yet caught up (both under deliverMu).
	deliverMu sync.Mutex
	last      streamID
	pending   map[pendingKey]*restoring
	writer    engine.OffsetWriter
	early     seqSet // own broadcasts delivered before their entry was read back
	readOwn   seqSet // own entries the reader delivered before their write was answered
	// own are this node's broadcasts written and not yet read back, by id (oldest first;
	// under deliverMu, as early and readOwn), ownSeq the last number given to one.
	own    []*ownBroadcast
	ownSeq atomic.Uint64

	started atomic.Bool
	down    atomic.Bool
	since   atomic.Int64
	lostN   atomic.Int64 // writes that failed during the current outage
	stats   struct{ published, received, dropped atomic.Uint64 }
}

// outbound is one write waiting for Redis; with flushed set, a marker closed once what was
// queued before it has been written.
type outbound struct {
	xadd    []string // an entry's fields
	channel string   // PUBLISH
	key     string   // SET key value PX ttl
	value   string
	ttl     time.Duration
	payload []byte
	// failed, when set, is called if the write fails (the broadcast is then delivered
	// locally without offset).
	failed func()
	// own, when set, is the broadcast of an entry, delivered locally once read back.
	own     *ownBroadcast
	flushed chan struct{}
}

// New prepares (but does not connect) a streams cluster for host.
func New(host cluster.Host, o Options) (*Streams, error) {
	opts, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("server.adapter.redis_streams.url %s: %w", cluster.RedactURL(o.URL), err)
	}
	opts.DialTimeout = dialTimeout
	opts.ReadTimeout = 5 * time.Second
	opts.WriteTimeout = 5 * time.Second
	opts.MaxRetries = 1
	opts.ContextTimeoutEnabled = true
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Stream == "" {
		o.Stream = DefaultStream
	}
	if o.MaxLen <= 0 {
		o.MaxLen = DefaultMaxLen
	}
	if o.SessionPrefix == "" {
		o.SessionPrefix = DefaultSessionPrefix
	}
	if o.RequestsTimeout <= 0 {
		o.RequestsTimeout = 5 * time.Second
	}
	cluster.LogRedisTo(o.Log)
	readerOpts := *opts
	readerOpts.PoolSize = 1
	readerOpts.ContextTimeoutEnabled = false // XREAD BLOCK sets its own deadline
	s := &Streams{host: host, o: o, url: cluster.RedactURL(o.URL), uid: cluster.RandomID(16),
		client: redis.NewClient(opts), reader: redis.NewClient(&readerOpts), out: make(chan outbound, queueSize),
		log: o.Log, subs: map[string]bool{}, pending: map[pendingKey]*restoring{}}
	s.early, s.readOwn = seqSet{}, seqSet{}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Start connects to Redis, notes where the stream ends (what is added after Start returns
// reaches this node), subscribes to the namespaces' channels and starts the loops.
func (s *Streams) Start(namespaces []string) error {
	ctx, cancel := context.WithTimeout(s.ctx, 2*dialTimeout)
	defer cancel()
	fail := func(what string, err error) error {
		if s.ps != nil {
			_ = s.ps.Close()
		}
		_ = s.client.Close()
		_ = s.reader.Close()
		return fmt.Errorf("server.adapter.redis_streams: %s at %s: %w", what, s.url, err)
	}
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fail("cannot reach Redis", err)
	}
	last, err := s.client.XRevRangeN(ctx, s.o.Stream, "+", "-", 1).Result()
	if err != nil {
		return fail("reading the stream "+s.o.Stream, err)
	}
	if len(last) > 0 {
		s.last, _ = parseID(last[0].ID)
	}
	s.ps = s.client.Subscribe(ctx)
	want := 0
	for _, name := range namespaces {
		want += len(s.channels(name))
		s.subs[name] = true
		if err := s.ps.Subscribe(ctx, s.channels(name)...); err != nil {
			return fail("subscribing", err)
		}
	}
	for got := 0; got < want; {
		m, err := s.ps.Receive(ctx)
		if err != nil {
			return fail("subscribing", err)
		}
		if _, ok := m.(*redis.Subscription); ok {
			got++
		}
	}
	s.wg.Add(3)
	go s.publish()
	go s.read(s.last.String())
	go s.receive()
	s.started.Store(true)
	s.log.Info("cluster adapter: joined over a Redis stream", "redis", s.url, "stream", s.o.Stream, "key", s.o.Key, "uid", s.uid,
		"recovery", s.o.Recovery > 0)
	return nil
}

// The pub/sub channels of namespace nsp: every server's, and this node's own (answers).
func (s *Streams) publicChannel(nsp string) string { return s.o.Key + "#" + nsp + "#" }
func (s *Streams) privateChannel(nsp, uid string) string {
	return s.o.Key + "#" + nsp + "#" + uid + "#"
}
func (s *Streams) channels(nsp string) []string {
	return []string{s.publicChannel(nsp), s.privateChannel(nsp, s.uid)}
}

// Follow subscribes to namespaces a reload added and unsubscribes from removed ones.
func (s *Streams) Follow(namespaces []string) {
	if !s.started.Load() {
		return
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 2*dialTimeout)
	defer cancel()
	keep := map[string]bool{}
	for _, name := range namespaces {
		keep[name] = true
		if s.subs[name] {
			continue
		}
		s.subs[name] = true
		if err := s.ps.Subscribe(ctx, s.channels(name)...); err != nil {
			s.log.Warn("cluster adapter: subscribing a new namespace", "namespace", name, "error", err)
		}
	}
	for name := range s.subs {
		if !keep[name] {
			_ = s.ps.Unsubscribe(ctx, s.channels(name)...)
			delete(s.subs, name)
		}
	}
}

// subscribed reports whether this node serves nsp (Redis counts it among nsp's servers).
func (s *Streams) subscribed(nsp string) bool {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	return s.subs[nsp]
}

// Close writes what is queued (within timeout), then stops the loops and disconnects.
func (s *Streams) Close(timeout time.Duration) {
	if !s.started.Load() {
		s.cancel()
		_ = s.client.Close()
		_ = s.reader.Close()
		return
	}
	done := make(chan struct{})
	select {
	case s.out <- outbound{flushed: done}:
		select {
		case <-done:
		case <-time.After(timeout):
			s.log.Warn("cluster adapter: messages for other nodes were still queued at shutdown", "queued", len(s.out))
		}
	default:
	}
	s.cancel()
	_ = s.ps.Close()
	_ = s.reader.Close() // ends a blocked XREAD
	s.wg.Wait()
	s.requests.Range(func(id, _ any) bool {
		s.requests.Delete(id)
		return true
	})
	_ = s.client.Close()
}

// send queues a write; when the queue is full it is dropped (a broadcast that needed an
// offset is then delivered locally without one).
func (s *Streams) send(m outbound) {
	select {
	case s.out <- m:
	default:
		s.stats.dropped.Add(1)
		if s.lostN.Add(1) == 1 {
			s.log.Warn("cluster adapter: Redis is not keeping up; cross-node messages are being dropped", "redis", s.url)
		}
		if m.failed != nil {
			m.failed()
		}
	}
}

// publish drains the queue, pipelining what is waiting.
func (s *Streams) publish() {
	defer s.wg.Done()
	cluster.Batches(s.ctx, s.out, s.write)
}

// write sends batch in one round trip. Writes that fail are counted; the broadcasts among
// them that wait for an offset are delivered locally.
func (s *Streams) write(batch []outbound) {
	var markers []chan struct{}
	defer func() {
		for _, m := range markers {
			close(m)
		}
	}()
	ctx, cancel := context.WithTimeout(s.ctx, xaddTimeout)
	defer cancel()
	pipe := s.client.Pipeline()
	cmds := make([]redis.Cmder, 0, len(batch))
	msgs := make([]outbound, 0, len(batch))
	for _, m := range batch {
		switch {
		case m.flushed != nil:
			markers = append(markers, m.flushed)
			continue
		case m.xadd != nil:
			cmds = append(cmds, pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.o.Stream, MaxLen: s.o.MaxLen, Approx: true, ID: "*", Values: m.xadd}))
		case m.key != "":
			cmds = append(cmds, pipe.Set(ctx, m.key, m.value, m.ttl))
		default:
			cmds = append(cmds, pipe.Publish(ctx, m.channel, m.payload))
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return
	}
	_, err := pipe.Exec(ctx)
	if s.ctx.Err() != nil && err != nil {
		return
	}
	failed := 0
	for i, cmd := range cmds {
		if cmd.Err() == nil {
			if o := msgs[i].own; o != nil {
				if id, ok := parseID(cmd.(*redis.StringCmd).Val()); ok {
					s.written(o, id)
				}
			}
			continue
		}
		failed++
		if err == nil {
			err = cmd.Err()
		}
		if f := msgs[i].failed; f != nil {
			f()
		}
	}
	s.stats.published.Add(uint64(len(msgs) - failed))
	if failed > 0 {
		s.stats.dropped.Add(uint64(failed))
		s.lostN.Add(int64(failed))
		s.lost(err)
	}
	// Redis is known to be back when the reader reads again (a write may still go through
	// while Redis shuts down)
}

// lost records that Redis is unreachable; the first failure of an outage is logged.
func (s *Streams) lost(err error) {
	if s.down.CompareAndSwap(false, true) {
		s.since.Store(time.Now().UnixNano())
		msg := "cluster adapter: lost Redis; local delivery goes on, cross-node delivery resumes when it is back"
		if s.o.Recovery > 0 {
			msg += "; meanwhile sockets are not recovered across nodes, and broadcasts carry no offset"
		}
		s.log.Warn(msg, "redis", s.url, "error", err)
	}
}

// restored records that Redis answers again, and logs the outage.
func (s *Streams) restored() {
	if s.down.CompareAndSwap(true, false) {
		s.log.Info("cluster adapter: Redis is back; cross-node delivery resumed", "redis", s.url,
			"outage", time.Since(time.Unix(0, s.since.Load())).Round(time.Millisecond), "dropped", s.lostN.Swap(0))
	}
}

// Ready tells whether this node is joined and Redis answers a PING now.
func (s *Streams) Ready(ctx context.Context) error {
	if !s.started.Load() {
		return errors.New("not joined to Redis yet")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.client.Ping(ctx).Err(); err != nil {
		return errors.New("Redis at " + s.url + " does not answer: " + err.Error())
	}
	if s.down.Load() {
		return errors.New("Redis at " + s.url + " answers, and the stream is being read again")
	}
	return nil
}

// Stats returns the totals since start.
func (s *Streams) Stats() cluster.Stats {
	return cluster.Stats{Published: s.stats.published.Load(), Received: s.stats.received.Load(),
		Dropped: s.stats.dropped.Load(), Up: s.started.Load() && !s.down.Load()}
}

var _ cluster.Node = (*Streams)(nil)
