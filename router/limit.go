package router

import (
	"sync"
	"time"

	"github.com/ioroute/ioroute/config"
)

// rate is what one bucket allows: perSecond on average, burst at once, and flood drops in a
// row before the socket is disconnected.
type rate struct {
	perSecond, burst, flood int
}

// bucket is one event budget of a socket: a token bucket refilled at rate.perSecond up to
// rate.burst. Events beyond it are dropped; a socket that keeps sending without letting the
// bucket refill is flooding.
type bucket struct {
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	dropped int // events dropped since the bucket was last full
}

// verdict is what happens to one incoming event.
type verdict int

const (
	accept verdict = iota
	dropFirst
	drop
	flood
)

// take decides about one event now, at rate r.
func (b *bucket) take(r rate, now time.Time) verdict {
	b.mu.Lock()
	defer b.mu.Unlock()
	burst := float64(r.burst)
	if b.last.IsZero() {
		b.tokens = burst
	} else {
		b.tokens += now.Sub(b.last).Seconds() * float64(r.perSecond)
	}
	b.last = now
	if b.tokens >= burst {
		b.tokens = burst
		b.dropped = 0 // calm again
	}
	if b.tokens >= 1 {
		b.tokens--
		return accept
	}
	b.dropped++
	switch {
	case b.dropped > r.flood:
		return flood
	case b.dropped == 1:
		return dropFirst
	}
	return drop
}

// budgets are a socket's buckets: one shared by its events, and one for each event that
// server.limits.events sets a rate for. Buckets are made only for configured events, so a
// client sending many event names cannot grow them.
type budgets struct {
	shared bucket
	mu     sync.Mutex
	events map[string]*bucket
}

// admit decides about one event named event under limits l. It returns the verdict and the
// setting that decided it, for the log.
func (b *budgets) admit(event string, l config.Limits, now time.Time) (verdict, string) {
	el, own := l.Events[event]
	if !own {
		return b.shared.take(rate{l.EventsPerSecond, l.EventBurst, l.FloodLimit}, now), "server.limits.events_per_second"
	}
	b.mu.Lock()
	eb := b.events[event]
	if eb == nil {
		if b.events == nil {
			b.events = map[string]*bucket{}
		}
		eb = &bucket{}
		b.events[event] = eb
	}
	b.mu.Unlock()
	return eb.take(rate{el.PerSecond, el.Burst, l.FloodLimit}, now), el.Path
}
