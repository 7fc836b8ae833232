package router_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCloseRunsDisconnectHandlers: a graceful shutdown disconnects every client with a reason
// and runs their disconnect handlers, then stops serving.
func TestCloseRunsDisconnectHandlers(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits: { shutdown_timeout: 3s }
namespaces:
  /a:
    on:
      disconnect:
        - print: "bye ${{ socket.id }}: ${{ reason }}"
`+syncHandler)
	clients := []*client{s.dial(t, "/a", dialOpts{}), s.dial(t, "/a", dialOpts{})}
	reasons := make(chan string, len(clients))
	for _, c := range clients {
		c.s.On("disconnect", func(a ...any) { reasons <- fmt.Sprint(a...) })
	}
	if err := s.Router.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		s.out.WaitFor(t, "bye "+c.id+": server shutting down")
	}
	if strings.Contains(s.log.String(), "shutdown timeout") {
		t.Fatalf("the shutdown ran into its timeout:\n%s", s.log.String())
	}
	for range clients {
		select {
		case r := <-reasons:
			if !strings.Contains(r, "io server disconnect") && !strings.Contains(r, "transport close") {
				t.Fatalf("client saw %q", r)
			}
		case <-time.After(wait):
			t.Fatal("a client was not disconnected")
		}
	}
}
