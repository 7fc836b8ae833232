package router

import (
	"errors"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/metrics"
	"github.com/ioroute/ioroute/internal/ws"
	"github.com/ioroute/ioroute/router/table"
)

// setupMetrics makes the router's metrics when a listener is asked for (server.metrics, or
// listen from the command line, which wins); without one nothing is counted.
func (r *Router) setupMetrics(listen string) {
	if listen == "" && r.server.Metrics != nil {
		listen = r.server.Metrics.Listen
	}
	if listen == "" {
		return
	}
	o := metrics.Options{Connected: r.connectedByNamespace}
	if c := r.cluster; c != nil {
		o.Cluster = func() metrics.ClusterStats { return clusterStats(c.Stats()) }
	}
	r.ops.metrics = metrics.New(o)
	r.ops.metricsListen = listen
	engine.Observe(r.io, observer{r.ops.metrics})
	r.declareMetrics(r.current.Load())
}

func clusterStats(s cluster.Stats) metrics.ClusterStats {
	return metrics.ClusterStats{Published: s.Published, Received: s.Received, Dropped: s.Dropped, Up: s.Up}
}

// declareMetrics tells the metrics which namespaces and event names t declares, and which
// file is serving.
func (r *Router) declareMetrics(t *table.Table) {
	m := r.ops.metrics
	if m == nil {
		return
	}
	m.Declare(t.Names(), eventNames(t))
	content, err := os.ReadFile(t.File.Name)
	if err != nil {
		content = nil // a table not loaded from a file (tests): the hash is of nothing
	}
	m.ConfigLoaded(t.File.Name, content)
}

// eventNames lists the event names t declares: the events its handlers answer, and the
// names its steps emit when written literally (an `event:` without ${{ }}; `send` emits
// "message"). Names computed from a client's data are counted under "*", so a client cannot
// create series.
func eventNames(t *table.Table) []string {
	var out []string
	for _, ns := range t.Namespaces {
		for name := range ns.Events {
			out = append(out, name)
		}
	}
	var walk func(n *config.Node)
	walk = func(n *config.Node) {
		if n == nil {
			return
		}
		for _, e := range n.Entries {
			switch {
			case e.Key == "event" && e.Value.Kind == config.ScalarNode && !strings.Contains(e.Value.Text, "${{"):
				out = append(out, e.Value.Text)
			case e.Key == "send":
				out = append(out, "message")
			}
			walk(e.Value)
		}
		for _, it := range n.Items {
			walk(it)
		}
	}
	if t.File != nil {
		walk(t.File.Root)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// countReload counts one reload of the config file; ok is false for one that failed.
func (r *Router) countReload(ok bool) {
	if m := r.ops.metrics; m != nil {
		m.Reloaded(ok)
	}
}

// connectedByNamespace counts the sockets connected now, by namespace, for the scrape.
func (r *Router) connectedByNamespace() map[string]int {
	out := map[string]int{}
	r.nsps.Range(func(k, v any) bool {
		out[k.(string)] = int(v.(sio.Namespace).Sockets().Len())
		return true
	})
	return out
}

// observer counts the broadcast deliveries ioroute's adapter queues past the engine socket.
type observer struct{ m *metrics.Metrics }

func (o observer) Delivered(nsp, event string, recipients, size int) {
	o.m.Namespace(nsp).Event(event).Sent(recipients)
	o.m.BytesSent(recipients * size)
}

// countReceived counts one event received by a socket of namespace ns.
func (r *Router) countReceived(ns, event string) {
	if m := r.ops.metrics; m != nil {
		m.Namespace(ns).Event(event).Received()
	}
}

// countDropped counts n events of namespace ns dropped for reason.
func (r *Router) countDropped(ns string, reason metrics.DropReason, n int) {
	if m := r.ops.metrics; m != nil {
		m.Namespace(ns).Dropped(reason, n)
	}
}

// handlerStart is when a handler run starts, when runs are timed.
func (r *Router) handlerStart() time.Time {
	if r.ops.metrics == nil {
		return time.Time{}
	}
	return time.Now()
}

// ran times one run of handler (an event name, connect or disconnect) of c's namespace and
// counts it as failed when *err is an error other than a refusal.
func (r *Router) ran(c *conn, handler string, start time.Time, err *error) {
	m := r.ops.metrics
	if m == nil {
		return
	}
	ns := m.Namespace(c.ns)
	ns.Ran(start)
	var rej *actions.Rejection
	if *err != nil && !errors.As(*err, &rej) {
		m.HandlerFailed(ns.Name(), handler)
	}
}

// dropVerdict counts an event of namespace ns that a rate verdict dropped.
func (r *Router) dropVerdict(ns string, v verdict) {
	switch v {
	case dropFirst, drop:
		r.countDropped(ns, metrics.DropRate, 1)
	case flood:
		r.countDropped(ns, metrics.DropFlood, 1)
	}
}

// onPacketCreate counts what the engine socket of a sends: events and their bytes (the
// broadcasts queued past it are counted by observer).
func (a *arrivals) onPacketCreate(args ...any) {
	m := a.r.ops.metrics
	p, ok := args[0].(*packet.Packet)
	if !ok || p.Type != packet.MESSAGE {
		return
	}
	data, ok := p.Data.(interface{ Bytes() []byte })
	if !ok {
		return
	}
	b := data.Bytes()
	if ad := a.r.admin; ad != nil {
		ad.packet("packetsOut", "bytesOut", len(b))
	}
	if m == nil {
		return
	}
	m.BytesSent(len(b))
	if nsp, event, ok := eventHead(b); ok {
		m.Namespace(nsp).Event(event).Sent(1)
	}
}

// onClose counts the event a connection closed for being too large (the websocket reader
// closes it with 1009 before reading it whole) as dropped.
func (a *arrivals) onClose(args ...any) {
	if len(args) < 2 {
		return
	}
	err, _ := args[1].(error)
	var werr *ws.Error
	if errors.As(err, &werr) && werr.Code == ws.CloseTooBig {
		a.r.countDropped(metrics.Other, metrics.DropPayloadSize, 1)
	}
}

// countOversized counts a polling request whose body is over server.max_payload as a dropped
// event: the engine answers it 413 unread.
func (r *Router) countOversized(req *http.Request) {
	if req.Method == http.MethodPost && req.ContentLength > int64(r.server.MaxPayload) {
		r.countDropped(metrics.Other, metrics.DropPayloadSize, 1)
	}
}

// startMetrics binds the metrics listener, if any.
func (r *Router) startMetrics() error {
	if r.ops.metrics == nil {
		return nil
	}
	ln, err := metrics.Listen(r.ops.metricsListen, r.ops.metrics, r.log)
	if err != nil {
		return err
	}
	r.ops.metricsLn = ln
	r.log.Info("serving metrics", "addr", "http://"+ln.Addr().String()+"/metrics")
	return nil
}

// stopMetrics closes the metrics listener and forgets the engine's observer.
func (r *Router) stopMetrics() {
	if r.ops.metrics == nil {
		return
	}
	engine.Unobserve(r.io)
	if r.ops.metricsLn != nil {
		_ = r.ops.metricsLn.Close()
	}
}

// MetricsAddr is the metrics listener's address, once started; nil without metrics.
func (r *Router) MetricsAddr() net.Addr {
	if r.ops.metricsLn == nil {
		return nil
	}
	return r.ops.metricsLn.Addr()
}
