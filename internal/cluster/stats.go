package cluster

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// stats are a cluster's totals since it started, which metrics read (Stats). They only grow:
// the outage count of the log line (Cluster.dropped) starts again at each outage.
type stats struct {
	published atomic.Uint64 // messages Redis accepted
	received  atomic.Uint64 // messages Redis delivered from other nodes
	dropped   atomic.Uint64 // messages never published: the queue full, or Redis away
}

// Stats are a cluster's counts (see Cluster.Stats).
type Stats struct {
	Published, Received, Dropped uint64
	// Up is true while the cluster is started and its last exchange with Redis succeeded.
	Up bool
}

// Stats returns the cluster's totals since it started.
func (c *Cluster) Stats() Stats {
	return Stats{Published: c.stats.published.Load(), Received: c.stats.received.Load(),
		Dropped: c.stats.dropped.Load(), Up: c.started.Load() && !c.down.Load()}
}

// countReceived counts m unless it is this node's own broadcast coming back (the broadcast
// pattern delivers those too).
func (c *Cluster) countReceived(m *redis.Message) {
	if m.Pattern != "" && strings.HasPrefix(m.Payload, string(c.prefix)) {
		return
	}
	c.stats.received.Add(1)
}

// messages counts the messages of batch, its flush markers left out.
func messages(batch []outbound) uint64 {
	n := uint64(0)
	for _, m := range batch {
		if m.flushed == nil {
			n++
		}
	}
	return n
}

// readyTimeout bounds Ready's ping.
const readyTimeout = time.Second

// Ready tells whether this node is joined: started, and Redis answers a PING now (within a
// second). A readiness probe calls it; the pub/sub connection's own loss is noticed by the
// receive loop, which Ready also reports.
func (c *Cluster) Ready(ctx context.Context) error {
	if !c.started.Load() {
		return errors.New("not joined to Redis yet")
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := c.client.Ping(ctx).Err(); err != nil {
		return errors.New("Redis at " + c.url + " does not answer: " + err.Error())
	}
	if c.down.Load() {
		return errors.New("Redis at " + c.url + " answers, and the subscription is being restored")
	}
	return nil
}
