package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster/wire"
)

// defaultRequestsTimeout bounds the wait for the other servers' answers when
// Options.RequestsTimeout is 0: the default of Node's requestsTimeout.
const defaultRequestsTimeout = 5 * time.Second

// RequestTimeoutError is the error of a request that some servers of the cluster did not
// answer in time; what the others answered comes with it. Answers do not say who sent them,
// so the servers that were silent are counted, not named.
type RequestTimeoutError struct {
	// Request is the request, named as the engine's method: "fetchSockets".
	Request string
	// Missing of the Asked other servers (the request channel's subscribers, less this
	// node) did not answer within Timeout.
	Missing, Asked int
	Timeout        time.Duration
}

// Error says which request timed out and how many servers were silent.
func (e *RequestTimeoutError) Error() string {
	return fmt.Sprintf("timeout reached while waiting for %s responses: %d of the %d other servers did not answer within %s",
		e.Request, e.Missing, e.Asked, e.Timeout)
}

// errClosing ends the requests still waiting when the cluster closes.
var errClosing = errors.New("the cluster adapter is closing")

// ServerCount is the number of servers of the cluster that serve namespace nsp, this node
// included when its config declares nsp: the subscribers of nsp's request channel (PUBSUB
// NUMSUB), which is how Node's adapter counts them. It asks Redis, within ctx.
func (c *Cluster) ServerCount(ctx context.Context, nsp string) (int, error) {
	channel := c.requestChannel(nsp)
	counts, err := c.client.PubSubNumSub(ctx, channel).Result()
	if err != nil {
		return 0, fmt.Errorf("cannot count the servers of namespace %s at %s: %w", nsp, c.url, err)
	}
	return int(counts[channel]), nil
}

// pendingRequests holds this node's requests that wait for the other servers' answers, by
// request id.
type pendingRequests struct{ m sync.Map }

// pendingFetch is a fetchSockets waiting for the other servers' answers.
type pendingFetch struct {
	mu      sync.Mutex
	want    int  // answers expected: one per other server
	got     int  // answers counted
	over    bool // the wait ended: answers still arriving are ignored
	sockets []sio.SocketDetails
	all     chan struct{} // closed when the last expected answer is counted
}

// fetchSockets returns local followed by the sockets of the other servers of nsp that o
// selects, as Node's adapter does: it counts the servers (ServerCount) and, when there are
// others, sends them a REMOTE_FETCH request and waits for one answer from each, all within
// the requests timeout. When Redis cannot count them, or some do not answer in time, it
// returns what it has and an error.
func (c *Cluster) fetchSockets(nsp string, o wire.Opts, local []sio.SocketDetails) ([]sio.SocketDetails, error) {
	deadline := time.Now().Add(c.requestsTimeout)
	ctx, cancel := context.WithDeadline(c.ctx, deadline)
	n, err := c.ServerCount(ctx, nsp)
	cancel()
	if err != nil {
		return local, fmt.Errorf("fetchSockets: this server's sockets only: %w", err)
	}
	if c.subscribed(nsp) {
		n-- // this node answers its own requests from local
	}
	if n <= 0 {
		return local, nil
	}
	return c.fetchRemote(nsp, o, local, n, deadline)
}

// subscribed reports whether this node subscribed to nsp's channels: whether Redis counts it
// among nsp's servers. (The root namespace always exists but is subscribed only when a
// config declares it; Node servers subscribe to every namespace they have.)
func (c *Cluster) subscribed(nsp string) bool {
	c.subMu.Lock()
	defer c.subMu.Unlock()
	return c.subs[nsp]
}

// fetchRemote asks the other servers of nsp for their sockets that o selects and waits until
// deadline for others answers.
func (c *Cluster) fetchRemote(nsp string, o wire.Opts, local []sio.SocketDetails, others int, deadline time.Time) ([]sio.SocketDetails, error) {
	id := RandomID(12)
	payload, err := wire.EncodeFetchRequest(c.uid, id, o)
	if err != nil {
		return local, fmt.Errorf("fetchSockets: cannot encode the request for the other servers: %w", err)
	}
	p := &pendingFetch{want: others, sockets: slices.Clone(local), all: make(chan struct{})}
	// Stored before the request leaves, so that no answer can come before its entry.
	c.requests.m.Store(id, p)
	c.send(c.requestChannel(nsp), payload)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var stopped error
	select {
	case <-p.all:
	case <-timer.C:
	case <-c.ctx.Done():
		stopped = errClosing
	}
	c.requests.m.Delete(id)
	p.mu.Lock()
	p.over = true
	sockets, got := p.sockets, p.got
	p.mu.Unlock()
	switch {
	case got == others:
		return sockets, nil
	case stopped != nil:
		return sockets, fmt.Errorf("fetchSockets: %w: %d of the %d other servers had not answered", stopped, others-got, others)
	}
	return sockets, &RequestTimeoutError{Request: "fetchSockets", Missing: others - got, Asked: others, Timeout: c.requestsTimeout}
}

// onFetchAnswer counts an answer to one of this node's fetchSockets requests, and keeps its
// sockets. An answer whose sockets cannot be read still counts, as in Node's adapter: that
// server did answer.
func (c *Cluster) onFetchAnswer(id string, payload []byte) {
	v, ok := c.requests.m.Load(id)
	if !ok {
		return // another server's request, or one that stopped waiting
	}
	p := v.(*pendingFetch)
	var answer wire.FetchResponse
	var sockets []sio.SocketDetails
	if err := wire.DecodeMessage(payload, &answer); err != nil {
		c.log.Debug("cluster adapter: ignoring the sockets of a malformed fetchSockets answer", "error", err)
	} else {
		sockets = make([]sio.SocketDetails, len(answer.Sockets))
		for i, s := range answer.Sockets {
			sockets[i] = NewRemoteSocket(s)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.over || p.got == p.want {
		return
	}
	p.sockets = append(p.sockets, sockets...)
	p.got++
	if p.got == p.want {
		close(p.all)
	}
}

// stop forgets every request, at shutdown; their waits end as the cluster's context does.
func (r *pendingRequests) stop() {
	r.m.Range(func(id, _ any) bool {
		r.m.Delete(id)
		return true
	})
}
