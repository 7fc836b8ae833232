package streams

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/cluster/wire"
)

// receive reads the pub/sub messages (requests and answers), reconnecting with backoff.
func (s *Streams) receive() {
	defer s.wg.Done()
	var backoff cluster.Backoff
	for {
		m, err := s.ps.ReceiveTimeout(s.ctx, 15*time.Second)
		if s.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if perr := s.ps.Ping(s.ctx); perr == nil {
					continue
				}
			}
			s.log.Debug("cluster adapter: receive failed", "error", err)
			s.lost(err)
			if !backoff.Wait(s.ctx) {
				return
			}
			continue
		}
		backoff.Reset()
		if msg, ok := m.(*redis.Message); ok {
			s.onPubSub(msg)
		}
	}
}

// onPubSub handles a request or an answer. A panic while handling it is logged and counted.
func (s *Streams) onPubSub(msg *redis.Message) {
	defer func() {
		if p := recover(); p != nil {
			s.host.Recovered(p, "cluster adapter: handling a message from Redis panicked; the node goes on", "channel", msg.Channel)
		}
	}()
	m, err := wire.DecodePubSub([]byte(msg.Payload))
	if err != nil {
		s.log.Warn("cluster adapter: ignoring a malformed message", "channel", msg.Channel, "error", err)
		return
	}
	if m.UID == s.uid {
		return // this node's own request, on the channel every server reads
	}
	s.stats.received.Add(1)
	switch m.Type {
	case wire.MsgFetchSocketsResponse, wire.MsgBroadcastClientCount, wire.MsgBroadcastAck, wire.MsgServerSideEmitResponse:
		s.onAnswer(m)
		return
	}
	a := s.adapterOf(m.Nsp)
	if a == nil {
		return
	}
	switch m.Type {
	case wire.MsgBroadcast:
		var d wire.BroadcastData
		if err := m.DecodeData(&d); err != nil {
			s.log.Warn("cluster adapter: ignoring a malformed broadcast", "channel", msg.Channel, "error", err)
			return
		}
		if d.RequestID != nil {
			s.onBroadcastWithAck(a, m.UID, d)
			return
		}
		a.Adapter.Broadcast(&parser.Packet{Type: parser.EVENT, Nsp: a.nsp, Data: []any(d.Packet.Data)}, cluster.LocalOpts(&d.Opts))
	case wire.MsgSocketsJoin, wire.MsgSocketsLeave, wire.MsgDisconnectSockets:
		s.onRemoteChange(a, m)
	case wire.MsgFetchSockets:
		var d wire.FetchData
		if err := m.DecodeData(&d); err != nil {
			s.log.Warn("cluster adapter: ignoring a malformed request", "channel", msg.Channel, "error", err)
			return
		}
		ns := s.host.Namespace(a.nsp)
		s.respond(a.nsp, m.UID, wire.MsgFetchSocketsResponse, map[string]any{
			"requestId": d.RequestID, "sockets": cluster.DescribeSockets(s.host, ns, &d.Opts)})
	}
	// serverSideEmit: ioroute has no server-side listeners, and a Node server without
	// listeners does not answer either; heartbeats: the Node adapter 0.3 sends none.
}

// respond publishes an answer on the requester's own channel.
func (s *Streams) respond(nsp, requester string, typ int, data map[string]any) {
	b, err := wire.EncodePubSub(s.uid, nsp, typ, data)
	if err != nil {
		s.log.Warn("cluster adapter: cannot encode an answer", "namespace", nsp, "error", err)
		return
	}
	s.send(outbound{channel: s.privateChannel(nsp, requester), payload: b})
}

// request publishes a request for every server of nsp.
func (s *Streams) request(nsp string, typ int, data any) error {
	b, err := wire.EncodePubSub(s.uid, nsp, typ, data)
	if err != nil {
		return err
	}
	s.send(outbound{channel: s.publicChannel(nsp), payload: b})
	return nil
}

// onBroadcastWithAck delivers a broadcast that expects acknowledgements and answers with the
// number of recipients and each acknowledgement's first argument.
func (s *Streams) onBroadcastWithAck(a *adapter, requester string, d wire.BroadcastData) {
	id := *d.RequestID
	packet := &parser.Packet{Type: parser.EVENT, Nsp: a.nsp, Data: []any(d.Packet.Data)}
	cluster.AckedLocally(a.Adapter, packet, cluster.LocalOpts(&d.Opts), func(n uint64) {
		s.respond(a.nsp, requester, wire.MsgBroadcastClientCount, map[string]any{"requestId": id, "clientCount": n})
	}, func(arg any) {
		s.respond(a.nsp, requester, wire.MsgBroadcastAck, map[string]any{"requestId": id, "packet": arg})
	})
}

// pendingFetch is a fetchSockets waiting for the other servers' answers.
type pendingFetch struct {
	mu      sync.Mutex
	want    int
	got     int
	over    bool
	sockets []sio.SocketDetails
	all     chan struct{}
}

// pendingAck is an emit with ack to a socket on another server.
type pendingAck struct {
	once  sync.Once
	timer *time.Timer
	done  func([]any, error)
}

func (p *pendingAck) finish(replies []any, err error) {
	p.once.Do(func() {
		if p.timer != nil {
			p.timer.Stop()
		}
		go p.done(replies, err) // not on the goroutine that receives for everyone
	})
}

// onAnswer takes an answer to one of this node's requests.
func (s *Streams) onAnswer(m wire.Message) {
	var d wire.AnswerData
	if err := m.DecodeData(&d); err != nil {
		s.log.Debug("cluster adapter: ignoring a malformed answer", "error", err)
		return
	}
	v, ok := s.requests.Load(d.RequestID)
	if !ok {
		return
	}
	switch p := v.(type) {
	case *pendingAck:
		if m.Type == wire.MsgBroadcastAck {
			s.requests.Delete(d.RequestID)
			p.finish([]any{d.Packet}, nil)
		}
	case *pendingFetch:
		if m.Type != wire.MsgFetchSocketsResponse {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.over || p.got == p.want {
			return
		}
		for _, f := range d.Sockets {
			p.sockets = append(p.sockets, cluster.NewRemoteSocket(f))
		}
		if p.got++; p.got == p.want {
			close(p.all)
		}
	}
}

// maxAckWait bounds an emit with ack to a remote socket that sets no timeout.
const maxAckWait = 5 * time.Minute

// EmitWithAck asks the server that holds socket sid of nsp to emit event to it and to send
// its acknowledgement back (a broadcast with acknowledgement to that socket's room, as Node's
// io.to(id).timeout(ms).emit). done is called once.
func (s *Streams) EmitWithAck(nsp, sid, event string, args []any, timeout time.Duration, done func([]any, error)) error {
	if timeout <= 0 || timeout > maxAckWait {
		timeout = maxAckWait
	}
	id := cluster.RandomID(16)
	p := &pendingAck{done: done}
	s.requests.Store(id, p)
	p.timer = time.AfterFunc(timeout, func() {
		s.requests.Delete(id)
		p.finish(nil, fmt.Errorf("no acknowledgement within %s (socket %q is on no node, or did not answer)", timeout, sid))
	})
	err := s.request(nsp, wire.MsgBroadcast, map[string]any{
		"packet":    wire.Packet{Type: wire.PacketEvent, Data: append([]any{event}, args...), Nsp: nsp},
		"requestId": id,
		"opts":      wire.Opts{Rooms: []string{sid}, Except: []string{}, Flags: map[string]any{"timeout": timeout.Milliseconds()}},
	})
	if err != nil {
		s.requests.Delete(id)
		p.timer.Stop()
		return fmt.Errorf("to: cannot encode the emit for the other nodes: %w", err)
	}
	return nil
}

// serverCount is the number of servers of nsp: the subscribers of its public channel.
func (s *Streams) serverCount(ctx context.Context, nsp string) (int, error) {
	ch := s.publicChannel(nsp)
	counts, err := s.client.PubSubNumSub(ctx, ch).Result()
	if err != nil {
		return 0, fmt.Errorf("cannot count the servers of namespace %s at %s: %w", nsp, s.url, err)
	}
	return int(counts[ch]), nil
}

// fetchSockets returns local followed by the sockets the other servers of nsp have that o
// selects, waiting for one answer from each up to the requests timeout.
func (s *Streams) fetchSockets(nsp string, o wire.Opts, local []sio.SocketDetails) ([]sio.SocketDetails, error) {
	deadline := time.Now().Add(s.o.RequestsTimeout)
	ctx, cancel := context.WithDeadline(s.ctx, deadline)
	n, err := s.serverCount(ctx, nsp)
	cancel()
	if err != nil {
		return local, fmt.Errorf("fetchSockets: this server's sockets only: %w", err)
	}
	if s.subscribed(nsp) {
		n--
	}
	if n <= 0 {
		return local, nil
	}
	id := cluster.RandomID(16)
	p := &pendingFetch{want: n, sockets: slices.Clone(local), all: make(chan struct{})}
	s.requests.Store(id, p)
	defer s.requests.Delete(id)
	if err := s.request(nsp, wire.MsgFetchSockets, wire.FetchData{Opts: o, RequestID: id}); err != nil {
		return local, fmt.Errorf("fetchSockets: cannot encode the request: %w", err)
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var stopped bool
	select {
	case <-p.all:
	case <-timer.C:
	case <-s.ctx.Done():
		stopped = true
	}
	p.mu.Lock()
	p.over = true
	sockets, got := p.sockets, p.got
	p.mu.Unlock()
	switch {
	case got == n:
		return sockets, nil
	case stopped:
		return sockets, fmt.Errorf("fetchSockets: the cluster adapter is closing: %d of the %d other servers had not answered", n-got, n)
	}
	return sockets, &cluster.RequestTimeoutError{Request: "fetchSockets", Missing: n - got, Asked: n, Timeout: s.o.RequestsTimeout}
}
