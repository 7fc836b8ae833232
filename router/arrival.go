package router

import (
	"bytes"
	"sync"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	engineio "github.com/zishang520/socket.io/servers/engine/v3"

	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/metrics"
)

// arrivals counts one client connection's events from their arrival to their dispatch. The
// engine reads a packet, decodes it and queues it on its socket's task queue, where the
// handlers run one after another; a handler that waits (a slow expression, a call to a
// backend) lets a fast client pile up queued events without bound. So limits apply at
// arrival, on the goroutine that read the packet: each event takes its rate budget then (the
// verdict travels with it to onEvent), and a connection with more than
// server.limits.pending_events events or pending_bytes bytes waiting is disconnected.
//
// One connection carries the sockets of every namespace it joined; the pending counts are the
// connection's, the rate budgets each socket's.
type arrivals struct {
	r  *Router
	es engineio.Socket

	mu      sync.Mutex
	pending int     // events arrived and not yet dispatched
	bytes   int     // their encoded size
	socks   []*conn // the connection's sockets
	over    bool    // disconnected for too many pending events
}

// arrival is what onEvent learns of an event counted at its arrival.
type arrival struct {
	size    int
	verdict verdict
	limit   string // the setting behind the verdict, for the log
	// placeholder is whether the packet's text names the binary placeholder key, which the
	// decoded arguments are then checked for (engine.HasPlaceholder); most events do not.
	placeholder bool
}

// placeholderKey is engine.PlaceholderKey as it appears as a key in a packet's JSON.
var placeholderKey = []byte(`"` + engine.PlaceholderKey + `"`)

// trackArrivals makes c's events counted at arrival: the first socket of a connection starts
// the count (a listener on the engine's packets), later ones join it.
func (r *Router) trackArrivals(c *conn) {
	es := c.s.Conn()
	v, loaded := r.arrivals.LoadOrStore(es.Id(), &arrivals{r: r, es: es})
	a := v.(*arrivals)
	if !loaded {
		_ = es.On("packet", a.onPacket)
		engine.ReceiveEvents(es, a)
		_ = es.Once("close", func(...any) { r.arrivals.Delete(es.Id()) })
		if es.ReadyState() == "closed" {
			r.arrivals.Delete(es.Id()) // closed before the listener was there to hear it
		}
		if r.ops.metrics != nil || r.admin != nil {
			_ = es.On("packetCreate", a.onPacketCreate)
		}
		if r.ops.metrics != nil {
			_ = es.Once("close", a.onClose)
		}
	}
	a.mu.Lock()
	a.socks = append(a.socks, c)
	a.mu.Unlock()
	c.arrivals = a
}

// forget stops counting c's events: its socket left.
func (a *arrivals) forget(c *conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, s := range a.socks {
		if s == c {
			a.socks = append(a.socks[:i], a.socks[i+1:]...)
			break
		}
	}
	for _, e := range c.queued {
		a.pending--
		a.bytes -= e.size
	}
	c.queued = nil
}

// onPacket counts one packet as it arrives: an event of one of the connection's sockets takes
// its rate budget now and is queued with the verdict.
func (a *arrivals) onPacket(args ...any) {
	p, ok := args[0].(*packet.Packet)
	if !ok || p.Type != packet.MESSAGE {
		return
	}
	data, ok := p.Data.(interface{ Bytes() []byte })
	if !ok {
		return
	}
	b := data.Bytes()
	a.received(len(b))
	nsp, event, isEvent := eventHead(b)
	a.mu.Lock()
	// whatever the engine queues for this packet, the sockets' next quick events queue
	// behind it (ReceiveEvent)
	for _, s := range a.socks {
		s.passed = true
	}
	if !isEvent {
		a.mu.Unlock()
		return
	}
	c := socketIn(a.socks, nsp)
	if c == nil || a.over {
		a.mu.Unlock()
		return // not a socket of ours (yet): the engine drops the packet
	}
	a.arrive(c, event, len(b), bytes.Contains(b, placeholderKey))
}

// received counts a packet of n bytes in the metrics and the Admin UI's figures.
func (a *arrivals) received(n int) {
	if m := a.r.ops.metrics; m != nil {
		m.BytesReceived(n)
	}
	if ad := a.r.admin; ad != nil {
		ad.packet("packetsIn", "bytesIn", n)
	}
}

// socketIn is the socket in namespace nsp among socks, or nil; the name may be bytes of a
// packet (compared without a copy).
func socketIn[T string | []byte](socks []*conn, nsp T) *conn {
	for _, s := range socks {
		if s.ns == string(nsp) {
			return s
		}
	}
	return nil
}

// arrive counts one event of c of size bytes as it arrives: it takes its rate budget and is
// queued with the verdict; a connection with too much waiting is disconnected, a flood ends
// the socket. Called with mu held, which it releases.
func (a *arrivals) arrive(c *conn, event string, size int, placeholder bool) {
	e := a.admit(c, event, size, placeholder)
	c.queued = append(c.queued, e)
	a.pending++
	a.bytes += size
	limits := a.r.live().Limits
	over := a.pending > limits.PendingEvents || a.bytes > limits.PendingBytes
	if over {
		a.over = true
	}
	pending, bytes := a.pending, a.bytes
	a.mu.Unlock()
	if over {
		a.r.countDropped(c.ns, metrics.DropPending, pending) // every event waiting is lost with the connection
		a.r.clientLog.Warn("client has too many events waiting for their handlers: disconnecting it",
			"namespace", c.ns, "socket", c.ID(), "pending_events", pending, "pending_bytes", bytes,
			"limits", "server.limits.pending_events, server.limits.pending_bytes")
		go a.es.Close(true) // not on the goroutine reading the connection; nothing queued for it is owed
		return
	}
	a.judged(c, event, e)
}

// arriveNow counts one event of c that is handled at once, without waiting (it is never
// pending): it takes its rate budget, and a flood ends the socket. Called with mu held, which
// it releases.
func (a *arrivals) arriveNow(c *conn, event string, size int, placeholder bool) arrival {
	e := a.admit(c, event, size, placeholder)
	a.mu.Unlock()
	a.judged(c, event, e)
	return e
}

// admit takes the rate budget of one event of c. Called with mu held (the budget is guarded
// by it).
func (a *arrivals) admit(c *conn, event string, size int, placeholder bool) arrival {
	v, limit := c.budget.admit(event, a.r.live().Limits, time.Now())
	return arrival{size: size, verdict: v, limit: limit, placeholder: placeholder}
}

// judged counts and logs the verdict on an event of c, and ends the socket for a flood.
func (a *arrivals) judged(c *conn, event string, e arrival) {
	if a.r.rateVerdict(c, event, e.verdict, e.limit, a.r.live().Limits.FloodLimit) == flood {
		go c.s.Disconnect(true) // not on the goroutine reading the connection
	}
}

// rateVerdict counts and logs what the rate budget decided about one event of c, wherever it
// was decided (at arrival, or when dispatched for an event that was not counted at arrival),
// and returns it; the caller drops the event unless it is accepted, and disconnects a flood.
func (r *Router) rateVerdict(c *conn, event string, v verdict, limit string, floodLimit int) verdict {
	r.dropVerdict(c.ns, v)
	switch v {
	case dropFirst:
		r.clientLog.Warn("socket over its event rate: dropping events until it slows down", "namespace", c.ns, "socket", c.ID(), "event", event, "limit", limit)
	case flood:
		r.clientLog.Warn("socket kept flooding: disconnecting it", "namespace", c.ns, "socket", c.ID(), "event", event, "limit", limit, "dropped", floodLimit)
	}
	return v
}

// dispatched takes the arrival of the event c's handler is about to see; ok is false when it
// was not counted (then its limits are applied now).
func (a *arrivals) dispatched(c *conn) (arrival, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(c.queued) == 0 {
		return arrival{}, false
	}
	e := c.queued[0]
	c.queued[0] = arrival{}
	c.queued = c.queued[1:]
	if len(c.queued) == 0 {
		c.queued = nil
	}
	a.pending--
	a.bytes -= e.size
	return e, true
}

// arrived takes the arrival of the event c's handler is about to see (arrivals.dispatched).
func (c *conn) arrived() (arrival, bool) {
	if c.arrivals == nil {
		return arrival{}, false
	}
	return c.arrivals.dispatched(c)
}
