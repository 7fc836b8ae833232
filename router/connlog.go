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

// disconnected counts and logs a socket that left for reason: one line at info, sampled,
// with how long it stayed.
func (r *Router) disconnected(c *conn, reason string) {
	if m := r.ops.metrics; m != nil {
		m.Disconnected(c.ns, reason)
	}
	if !r.log.Enabled(context.Background(), slog.LevelInfo) || !r.ops.connLog.allow(time.Now()) {
		return
	}
	h := c.s.Handshake()
	es := c.s.Conn()
	r.log.LogAttrs(context.Background(), slog.LevelInfo, "disconnected",
		slog.String("namespace", c.ns), slog.String("socket", c.ID()),
		slog.String("address", engine.Host(h.Address)),
		slog.String("transport", es.Transport().Name()), slog.Int("protocol", es.Protocol()),
		slog.String("reason", reason),
		slog.Duration("connected_for", time.Since(time.UnixMilli(h.Issued)).Round(time.Millisecond)))
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
	rate    float64
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	skipped int
}

func newSampler(log *slog.Logger, rate int) *sampler {
	return &sampler{log: log, rate: float64(rate), tokens: float64(rate)}
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
		s.log.Info(fmt.Sprintf("connection log: %d lines left out (more than %d connections and disconnections a second)", skipped, int(s.rate)),
			"left_out", skipped)
	}
}
