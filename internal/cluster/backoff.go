package cluster

import (
	"context"
	"time"
)

// Backoff spaces the attempts to reach Redis again after a failed read: 100 ms, doubling up
// to 2 s, back to 100 ms once a read succeeds (Reset). The zero value is ready.
type Backoff struct{ next time.Duration }

const (
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 2 * time.Second
)

// Wait waits before the next attempt; false when ctx ended first.
func (b *Backoff) Wait(ctx context.Context) bool {
	d := max(b.next, firstBackoff)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	b.next = min(2*d, maxBackoff)
	return true
}

// Reset makes the next wait the first one again.
func (b *Backoff) Reset() { b.next = 0 }
