package router_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEventRateOfItsOwn: an event listed under server.limits.events has a bucket of its own on
// each socket. Its excess is dropped and logged once per burst while the socket's other events
// and the other sockets go on; a socket that keeps flooding it is disconnected.
func TestEventRateOfItsOwn(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits:
    flood_limit: 20
    events:
      message: { per_second: 1, burst: 3 }
namespaces:
  /chat:
    on:
      message:
        - print: "message ${{ data }}"
      typing:
        - print: "typing ${{ data }}"
`+syncHandler)
	noisy := s.dial(t, "/chat", dialOpts{})
	calm := s.dial(t, "/chat", dialOpts{})
	for i := 1; i <= 10; i++ {
		noisy.emit("message", i)
	}
	for i := 1; i <= 10; i++ {
		noisy.emit("typing", i) // other events share the socket's default bucket
	}
	noisy.sync(t) // events of one socket are handled in order: all 20 have been by now
	waitLog(t, s, "limit=server.limits.events.message", 1)
	messages, typing := count(s.out.All(), "message "), count(s.out.All(), "typing ")
	if messages >= 10 || messages < 3 || typing != 10 {
		t.Fatalf("handled %d of 10 messages (the rate allows about 3) and %d of 10 typing (want all)", messages, typing)
	}

	calm.emit("message", "from calm") // a bucket per socket: the other socket is not limited
	s.out.WaitFor(t, "message from calm")

	gone := make(chan struct{})
	var once sync.Once // the Go client may report its disconnect twice
	noisy.s.On("disconnect", func(...any) { once.Do(func() { close(gone) }) })
	for i := 0; i < 40; i++ {
		noisy.emit("message", 100+i)
	}
	select {
	case <-gone:
	case <-time.After(wait):
		t.Fatal("a socket flooding one event was not disconnected")
	}
	waitLog(t, s, "socket kept flooding: disconnecting it", 1)
	if n := strings.Count(s.log.String(), "socket over its event rate"); n != 1 {
		t.Fatalf("the drop was logged %d times, want once per burst", n)
	}
	calm.sync(t)
}

// count counts the lines starting with prefix.
func count(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
