package router

import (
	"bytes"
	"encoding/json"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"

	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/router/table"
)

var _ engine.EventReceiver = (*arrivals)(nil)

// ReceiveEvent takes one text EVENT packet of the connection from ioroute's websocket
// transport (engine.EventReceiver). It is counted at arrival as onPacket counts the packets
// the engine decodes, and its arguments are decoded as the engine decodes them (JSON numbers
// as float64). Anything it does not take goes the engine's way, which handles or refuses it
// as before: a namespace the connection has no socket in (yet), arguments that are not a
// JSON array starting with a string, a reserved event name.
//
// The handler then runs at once, on this goroutine (the one reading the connection), when
// nothing of the socket can still be waiting on its task queue: the socket's connection
// handling is done (settled), no packet went the engine's way since the last event queued
// (passed), no event of its own is queued (behind), and the handler waits for nothing outside
// the server (table.Handler.Waits: no call to a backend, no print to a standard output that
// may block, no disconnect step while a disconnect handler waits; and no cluster, whose
// requests wait for other nodes). Otherwise it is queued on the socket's task queue like the engine's events, behind
// whatever is there. Running at once saves a goroutine and a hand-over per event; a handler
// that waits would hold the connection's reading (and its pongs) with it.
func (a *arrivals) ReceiveEvent(p []byte) bool {
	nsp, id, hasID, raw, ok := eventParts(p)
	if !ok || a.es.ReadyState() != "open" {
		return false
	}
	a.mu.Lock()
	c := socketIn(a.socks, nsp)
	over := a.over
	a.mu.Unlock()
	if c == nil {
		return false
	}
	if over {
		a.received(len(p))
		return true // disconnected for too much waiting: nothing more of it is handled
	}
	var in []any
	if json.Unmarshal(raw, &in) != nil || len(in) == 0 {
		return false
	}
	event, ok := in[0].(string)
	if !ok || parser.ReservedEvents.Has(event) {
		return false
	}
	if hasID {
		in = append(in, engine.Ack(c.s, id))
	}
	a.received(len(p))
	t := a.r.current.Load()
	h := handlerFor(t, c.ns, event)
	quick := a.r.cluster == nil && (h == nil || !h.Waits)
	placeholder := bytes.Contains(raw, placeholderKey)
	a.mu.Lock()
	if socketIn(a.socks, nsp) != c {
		a.mu.Unlock()
		return true // the socket left while the event was decoded: as Node, it is not handled
	}
	if quick && c.settled.Load() && !c.passed && c.behind == 0 {
		e := a.arriveNow(c, event, len(p), placeholder)
		var rt *engine.RawText // the first argument's text, for the broadcasts that hand it on
		if len(in) > 1 {
			rt = engine.OfferText(in[1], argText(raw, 1))
		}
		a.r.onEventNow(c, in, e, t)
		engine.WithdrawText(rt)
		return true
	}
	c.passed = false // the task queued below comes after whatever the engine queued
	c.behind++
	a.arrive(c, event, len(p), placeholder)
	c.s.Enqueue(func() {
		defer func() {
			a.mu.Lock()
			c.behind--
			a.mu.Unlock()
		}()
		a.r.onEvent(c, in)
	})
	return true
}

// onEventNow handles an event counted by arriveNow (handleEvent), with the table it was
// judged quick against, on the goroutine reading the connection, which must go on reading
// other connections whatever the handler does: a panic outside the handler's own recovery
// is caught and logged here, as the engine's task queue would.
func (r *Router) onEventNow(c *conn, in []any, e arrival, t *table.Table) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked(p, "event handling panicked; the socket and the server go on", "namespace", c.ns, "socket", c.ID())
		}
	}()
	r.handleEvent(c, in, e, true, t)
}

// handlerFor is the handler of event in namespace ns of t (its catch-all when it has no
// handler of its own), or nil.
func handlerFor(t *table.Table, ns, event string) *table.Handler {
	n := t.Namespaces[ns]
	if n == nil {
		return nil
	}
	if h := n.Events[event]; h != nil {
		return h
	}
	return n.CatchAll
}
