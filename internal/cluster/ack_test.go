package cluster

import (
	"sync"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// noHost is a host with no namespaces.
type noHost struct{}

func (noHost) Namespace(string) sio.Namespace { return nil }
func (noHost) Recovered(any, string, ...any)  {}

// TestRemoteAckShortTimeout: an emit with ack to a socket on no node, with a timeout so short
// that the timer may fire before the emit returns, always reaches its on_ack with the timeout,
// once, and leaves no entry behind.
func TestRemoteAckShortTimeout(t *testing.T) {
	c, err := New(noHost{}, Options{URL: "redis://127.0.0.1:1", Key: "socket.io"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(0)
	const n = 2000
	var wg sync.WaitGroup
	var mu sync.Mutex
	calls := map[int]int{}
	for i := range n {
		wg.Add(1)
		err := c.EmitWithAck("/chat", "nobody", "ping", nil, time.Millisecond, func(replies []any, err error) {
			defer wg.Done()
			if err == nil {
				t.Errorf("emit %d: acknowledged by nobody: %v", i, replies)
			}
			mu.Lock()
			calls[i]++
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		if i%256 == 255 { // keep the queue to Redis (not started here) from filling
			drain(c)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		mu.Lock()
		t.Fatalf("%d of %d emits never heard of their timeout", n-len(calls), n)
	}
	for i, k := range calls {
		if k != 1 {
			t.Fatalf("emit %d: on_ack ran %d times", i, k)
		}
	}
	left := 0
	c.acks.m.Range(func(any, any) bool { left++; return true })
	if left != 0 {
		t.Fatalf("%d entries left waiting", left)
	}
}

// drain empties the queue of messages for Redis.
func drain(c *Cluster) {
	for {
		select {
		case <-c.out:
		default:
			return
		}
	}
}
