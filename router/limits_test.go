package router_test

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/router/table"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

func TestEventRateAndFlood(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits: { events_per_second: 1, event_burst: 5, flood_limit: 20 }
namespaces:
  /r:
    on:
      count:
        - print: "count ${{ data }}"
`+syncHandler)
	calm := s.dial(t, "/r", dialOpts{})
	noisy := s.dial(t, "/r", dialOpts{})
	for i := 1; i <= 10; i++ {
		noisy.emit("count", i)
	}
	s.out.WaitFor(t, "count 5")
	waitLog(t, s, "socket over its event rate: dropping events until it slows down", 1)
	if got := len(s.out.All()); got >= 10 {
		t.Fatalf("%d of 10 events were handled; the rate allows about 5", got)
	}

	gone := make(chan struct{})
	var once sync.Once // the Go client may report one disconnection twice
	noisy.s.On("disconnect", func(...any) { once.Do(func() { close(gone) }) })
	for i := 0; i < 40; i++ {
		noisy.emit("count", 100+i)
	}
	select {
	case <-gone:
	case <-time.After(wait):
		t.Fatal("a flooding socket was not disconnected")
	}
	waitLog(t, s, "socket kept flooding: disconnecting it", 1)
	if n := strings.Count(s.log.String(), "socket over its event rate"); n != 1 {
		t.Fatalf("the drop was logged %d times, want once per burst", n)
	}
	calm.sync(t) // the others are served as before
}

func TestRoomsPerSocket(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits: { rooms_per_socket: 2 }
namespaces:
  /r:
    on:
      join:
        - join_room: ${{ data }}
        - ack: joined
      count:
        - ack: ${{ len(socket.rooms) - 1 }}
`+syncHandler)
	c := s.dial(t, "/r", dialOpts{})
	for i := 0; i < 2; i++ {
		c.emitAck(t, "join", fmt.Sprintf("room-%d", i))
	}
	c.emit("join", "room-2") // fails: the handler stops before its ack
	waitLog(t, s, "may be in 2 at most (server.limits.rooms_per_socket)", 1)
	c.emitAck(t, "join", "room-0") // already in it: fine
	if got := c.emitAck(t, "count"); !reflect.DeepEqual(got, []any{2.0}) {
		t.Fatalf("rooms = %v, want 2", got)
	}
}

func TestMaxConnections(t *testing.T) {
	s := startRouter(t, "version: 1\nserver:\n  limits: { max_connections: 2 }\nnamespaces:\n  /a:\n")
	s.dial(t, "/a", dialOpts{})
	s.dial(t, "/a", dialOpts{})
	resp, err := http.Get(s.url + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "Server full") {
		t.Fatalf("third connection: %d %q", resp.StatusCode, body)
	}
}

// panicky is an action that panics, standing in for a bug in any action.
type panicky struct{}

func (panicky) Run(*actions.Context) error { panic("boom") }

func TestPanicIsRecoveredPerEvent(t *testing.T) {
	s := startRouter(t, "version: 1\nnamespaces:\n  /p:\n    on:\n      boom:\n        - print: never\n"+syncHandler)
	cur := s.Router.Table()
	next := *cur
	next.Namespaces = map[string]*table.Namespace{}
	for name, ns := range cur.Namespaces {
		copied := *ns
		copied.Events = map[string]*table.Handler{}
		for e, h := range ns.Events {
			hc := *h
			if e == "boom" {
				hc.Steps = actions.Steps{{Name: "panicky", Action: panicky{}, Pos: h.Pos, Path: h.Path + "[0]"}}
			}
			copied.Events[e] = &hc
		}
		next.Namespaces[name] = &copied
	}
	s.Router.Swap(&next)
	c := s.dial(t, "/p", dialOpts{})
	c.emit("boom")
	c.sync(t) // the socket goes on
	waitLog(t, s, "handler panicked; the socket and the server go on", 1)
	if s.Router.Panics() != 1 || !strings.Contains(s.log.String(), "panic=boom") || !strings.Contains(s.log.String(), "goroutine") {
		t.Fatalf("panics=%d, log:\n%s", s.Router.Panics(), s.log.String())
	}
}

func TestExpressionsAreBounded(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /e:
    on:
      big:
        - print: '${{ len(map(1..data, # * 2)) }}'
`+syncHandler)
	c := s.dial(t, "/e", dialOpts{})
	c.emit("big", 10)
	s.out.WaitFor(t, "10")
	c.emit("big", 1e9) // would build a billion-element list
	waitLog(t, s, "server.limits.expression_steps", 1)
	c.sync(t)
}

func TestOversizedPayloadClosesOnlyThatClient(t *testing.T) {
	s := startRouter(t, "version: 1\nserver:\n  max_payload: 1000\nnamespaces:\n  /m:\n    on:\n      msg:\n        - ack: ok\n"+syncHandler)
	small := s.dial(t, "/m", dialOpts{})
	big := s.dial(t, "/m", dialOpts{})
	gone := make(chan struct{})
	var once sync.Once // the Go client may report one disconnection twice
	big.s.On("disconnect", func(...any) { once.Do(func() { close(gone) }) })
	big.emit("msg", strings.Repeat("x", 5000))
	select {
	case <-gone:
	case <-time.After(wait):
		t.Fatal("a client over max_payload stayed connected")
	}
	if got := small.emitAck(t, "msg", "fine"); !reflect.DeepEqual(got, []any{"ok"}) {
		t.Fatalf("small client: %v", got)
	}
}

func TestPrintCannotForgeLogLines(t *testing.T) {
	s := startRouter(t, "version: 1\nnamespaces:\n  /l:\n    on:\n      say:\n        - print: \"said: ${{ data }}\"\n"+syncHandler)
	c := s.dial(t, "/l", dialOpts{})
	c.emit("say", "hi\n2026-11-27 ERROR admin logged in\x1b[2J")
	s.out.WaitFor(t, `said: hi\n2026-11-27 ERROR admin logged in\x1b[2J`)
	if n := len(s.out.All()); n != 1 {
		t.Fatalf("printed %d lines: %q", n, s.out.All())
	}
}

// TestOnAckHasABudgetOfItsOwn: on_ack runs when the client's reply comes, as a run of its own:
// it gets the whole server.limits.expression_steps, not what the handler that asked left.
func TestOnAckHasABudgetOfItsOwn(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits: { expression_steps: 1000 }
namespaces:
  /e:
    on:
      ask:
        - print: 'asked ${{ len(map(1..700, # * 2)) }}'
        - emit:
            event: question
            on_ack:
              - print: 'answered ${{ len(map(1..700, # * reply)) }}'
`+syncHandler)
	c := s.dial(t, "/e", dialOpts{})
	c.s.On("question", func(args ...any) {
		if ack, ok := args[len(args)-1].(sio.Ack); ok {
			ack([]any{3}, nil)
		}
	})
	c.emit("ask")
	s.out.WaitFor(t, "asked 700")
	s.out.WaitFor(t, "answered 700")
}
