// Package logonce keeps log lines that clients can cause from flooding the log: a line is
// written the first time, and lines like it (same level, message and key attributes) within a
// window are only counted; the next one written after the window says how many were left out.
//
// It is a slog.Handler around another one. slog has no sampling of its own, and the
// sampling handlers of other logging libraries key on the message alone, where here the
// config position of the failing step belongs to the key.
package logonce

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// maxKeys bounds the lines remembered at once. Key attributes can hold what a client sent (an
// origin, say), so past this many every new key shares one entry: such lines are then written
// once per window in all.
const maxKeys = 1024

// Handler writes a line once per window for each key and counts the rest.
type Handler struct {
	next   slog.Handler
	keys   []string
	window time.Duration
	st     *state
}

var _ slog.Handler = (*Handler)(nil)

// state is shared by a Handler and those derived from it (WithAttrs, WithGroup).
type state struct {
	mu    sync.Mutex
	now   func() time.Time
	lines map[string]*line
}

// line is one key's window: when it started, how many lines it left out, and the last of
// them (for Flush).
type line struct {
	start   time.Time
	skipped int
	last    slog.Record
	next    slog.Handler // the handler that would have written last
}

// New returns a handler that writes to next the first line of each key in every window and
// counts the others. A key is a line's level and message with the values of the attributes
// named by keys.
func New(next slog.Handler, window time.Duration, keys ...string) *Handler {
	return &Handler{next: next, keys: keys, window: window,
		st: &state{now: time.Now, lines: map[string]*line{}}}
}

// Enabled reports whether next writes lines of level l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle writes r when it is the first of its key in the window, with the count of the lines
// of that key left out before it ("repeated"); otherwise it counts r.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	key := h.key(r)
	s := h.st
	s.mu.Lock()
	now := s.now()
	l := s.lines[key]
	if l == nil {
		if len(s.lines) >= maxKeys {
			key = "\x00overflow"
			l = s.lines[key]
		}
		if l == nil {
			l = &line{start: now}
			s.lines[key] = l
			s.mu.Unlock()
			return h.next.Handle(ctx, r)
		}
	}
	if now.Sub(l.start) < h.window {
		l.skipped++
		l.last, l.next = r.Clone(), h.next
		s.mu.Unlock()
		return nil
	}
	skipped := l.skipped
	l.start, l.skipped, l.last, l.next = now, 0, slog.Record{}, nil
	s.mu.Unlock()
	if skipped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeated", skipped), slog.Duration("repeated_within", h.window))
	}
	return h.next.Handle(ctx, r)
}

// Flush writes, for each key that left lines out since its last written line, the last line
// left out with their count ("repeated"), so the counts reach the log even when no later line
// of that key comes. Windows go on: lines within them are still counted.
func (h *Handler) Flush(ctx context.Context) {
	type pending struct {
		r    slog.Record
		next slog.Handler
	}
	var out []pending
	s := h.st
	s.mu.Lock()
	for _, l := range s.lines {
		if l.skipped == 0 {
			continue
		}
		r := l.last
		r.AddAttrs(slog.Int("repeated", l.skipped), slog.Duration("repeated_within", h.window))
		out = append(out, pending{r, l.next})
		l.skipped, l.last, l.next = 0, slog.Record{}, nil
	}
	s.mu.Unlock()
	for _, p := range out {
		_ = p.next.Handle(ctx, p.r)
	}
}

// key is r's level, message and key attributes.
func (h *Handler) key(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Level.String())
	b.WriteByte(0)
	b.WriteString(r.Message)
	if len(h.keys) == 0 {
		return b.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		for _, k := range h.keys {
			if a.Key == k {
				b.WriteByte(0)
				b.WriteString(k)
				b.WriteByte('=')
				b.WriteString(a.Value.String())
			}
		}
		return true
	})
	return b.String()
}

// WithAttrs returns a handler whose lines carry attrs, sharing h's counts.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	return &c
}

// WithGroup returns a handler whose lines' attributes are in group name, sharing h's counts.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}
