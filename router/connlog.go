package router

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ioroute/ioroute/internal/engine"
)

// connLogRate is how many connection and disconnection lines a second are written at most
// (with a burst as large); clients decide how often they connect, so beyond it lines are left
// out and counted.
const connLogRate = 50

// connected counts and logs a socket that connected: one line at info, sampled.
func (r *Router) connected(c *conn) {
	if m := r.ops.metrics; m != nil {
		m.Namespace(c.ns).Connected()
	}
	if !r.log.Enabled(context.Background(), slog.LevelInfo) || !r.ops.connLog.allow(time.Now()) {
		return
	}
	es := c.s.Conn()
	r.log.LogAttrs(context.Background(), slog.LevelInfo, "connected",
		slog.String("namespace", c.ns), slog.String("socket", c.ID()),
		slog.String("address", engine.Host(c.s.Handshake().Address)),
		slog.String("transport", es.Transport().Name()), slog.Int("protocol", es.Protocol()))
}

// endLogRate is how many lines a second tell of sockets the server disconnected (a ping
// timeout, a client cut off for not reading what it is sent, a protocol error, ...). They
// have a budget of their own, so that a busy connection log never leaves them out; a burst
// of them (every client after a stall, say) is still bounded.
const endLogRate = 50

// disconnected counts and logs a socket that left for reason (detail is the engine's
// description of it, or nil): one line at info, sampled, with how long it stayed and who
// ended it. Lines of sockets the server disconnected are sampled apart from the others.
func (r *Router) disconnected(c *conn, reason string, detail error) {
	if m := r.ops.metrics; m != nil {
		m.Disconnected(c.ns, reason)
	}
	by := endedBy(reason)
	budget := r.ops.connLog
	if by == "server" {
		budget = r.ops.endLog
	}
	if !r.log.Enabled(context.Background(), slog.LevelInfo) || !budget.allow(time.Now()) {
		return
	}
	h := c.s.Handshake()
	es := c.s.Conn()
	attrs := []slog.Attr{
		slog.String("namespace", c.ns), slog.String("socket", c.ID()), slog.String("connection", es.Id()),
		slog.String("address", engine.Host(h.Address)),
		slog.String("transport", es.Transport().Name()), slog.Int("protocol", es.Protocol()),
		slog.String("reason", reason), slog.String("ended_by", by),
	}
	if d := r.disconnectDetail(reason, detail, es.Protocol()); d != "" {
		attrs = append(attrs, slog.String("detail", d))
	}
	attrs = append(attrs, slog.Duration("connected_for", time.Since(time.UnixMilli(h.Issued)).Round(time.Millisecond)))
	r.log.LogAttrs(context.Background(), slog.LevelInfo, "disconnected", attrs...)
}

// endedBy tells who ended a socket that left for reason: "client" when the client left its
// namespace or its connection closed (the client went, or the network dropped it), "server"
// for every other reason the engine gives (ping timeout, parse error, transport error, forced
// close, forced server close, server namespace disconnect, server shutting down).
func endedBy(reason string) string {
	switch reason {
	case "client namespace disconnect", "transport close":
		return "client"
	}
	return "server"
}

// disconnectDetail says more about a disconnection than its reason: the engine's description
// (a transport error's cause, such as a full queue), or for a ping timeout what the client
// failed to do in time.
func (r *Router) disconnectDetail(reason string, detail error, protocol int) string {
	switch {
	case detail != nil:
		return detail.Error()
	case reason != "ping timeout":
		return ""
	case protocol == 3:
		return fmt.Sprintf("no ping from the client within %s (server.ping_interval + server.ping_timeout)", r.server.PingInterval+r.server.PingTimeout)
	default:
		return fmt.Sprintf("no pong within %s of the server's ping (server.ping_timeout)", r.server.PingTimeout)
	}
}

// logEvent writes one line per event received, at debug.
func (r *Router) logEvent(c *conn, event string) {
	if r.log.Enabled(context.Background(), slog.LevelDebug) {
		r.log.LogAttrs(context.Background(), slog.LevelDebug, "event",
			slog.String("namespace", c.ns), slog.String("socket", c.ID()), slog.String("event", event))
	}
}

// sampler lets through rate lines a second, with a burst as large; the lines it leaves out are
// counted and told in one line, written before the next line let through or at flush.
type sampler struct {
	log     *slog.Logger
	what    string // what the lines tell, for the count of those left out
	rate    float64
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	skipped int
}

func newSampler(log *slog.Logger, rate int, what string) *sampler {
	return &sampler{log: log, what: what, rate: float64(rate), tokens: float64(rate)}
}

// allow takes one line's budget at now, and tells whether to write it.
func (s *sampler) allow(now time.Time) bool {
	s.mu.Lock()
	if !s.last.IsZero() {
		s.tokens = min(s.rate, s.tokens+now.Sub(s.last).Seconds()*s.rate)
	}
	s.last = now
	if s.tokens < 1 {
		s.skipped++
		s.mu.Unlock()
		return false
	}
	s.tokens--
	skipped := s.skipped
	s.skipped = 0
	s.mu.Unlock()
	s.tell(skipped)
	return true
}

// flush tells the lines left out since the last line written.
func (s *sampler) flush() {
	s.mu.Lock()
	skipped := s.skipped
	s.skipped = 0
	s.mu.Unlock()
	s.tell(skipped)
}

func (s *sampler) tell(skipped int) {
	if skipped > 0 {
		s.log.Info(fmt.Sprintf("connection log: %d lines left out (more than %d %s a second)", skipped, int(s.rate), s.what),
			"left_out", skipped)
	}
}
