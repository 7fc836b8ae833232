package router

import (
	"sync"
	"time"

	"github.com/ioroute/ioroute/config"
)

// bucket is one socket's event budget: a token bucket refilled at events_per_second up to
// event_burst. Events beyond it are dropped; a socket that keeps sending without letting the
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

// take decides about one event now, under limits l.
func (b *bucket) take(l config.Limits, now time.Time) verdict {
	b.mu.Lock()
	defer b.mu.Unlock()
	burst := float64(l.EventBurst)
	if b.last.IsZero() {
		b.tokens = burst
	} else {
		b.tokens += now.Sub(b.last).Seconds() * float64(l.EventsPerSecond)
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
	case b.dropped > l.FloodLimit:
		return flood
	case b.dropped == 1:
		return dropFirst
	}
	return drop
}
