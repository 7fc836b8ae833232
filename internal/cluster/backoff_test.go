package cluster

import (
	"context"
	"testing"
)

func TestBackoff(t *testing.T) {
	var b Backoff
	ctx := context.Background()
	for _, want := range []string{"200ms", "400ms"} {
		if !b.Wait(ctx) {
			t.Fatal("Wait ended without a cancelled context")
		}
		if got := b.next.String(); got != want {
			t.Fatalf("next wait %s, want %s (doubling from 100ms)", got, want)
		}
	}
	b.next = maxBackoff
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if b.Wait(cancelled) || b.next != maxBackoff {
		t.Fatalf("a cancelled wait: want false and the next wait unchanged, next is %s", b.next)
	}
	b.Reset()
	if b.next != 0 {
		t.Fatal("Reset left a longer wait")
	}
}
