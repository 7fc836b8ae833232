package router_test

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/router/table"
)

// sleepy is an action that waits, standing in for any step that waits (a backend call, a
// cluster request). running counts the runs in progress, so a test can let them end before
// it does (goleak checks that no goroutine outlives the tests).
type sleepy struct {
	d       time.Duration
	running *atomic.Int64
}

// Waits is true, as for the steps sleepy stands for (actions.Steps.Waits).
func (sleepy) Waits() bool { return true }

func (s sleepy) Run(*actions.Context) error {
	s.running.Add(1)
	defer s.running.Add(-1)
	time.Sleep(s.d)
	return nil
}

// withSlowHandler swaps in a table whose handler for event waits d before its steps; the
// test ends only once the waits in progress have ended.
func withSlowHandler(t *testing.T, s *server, ns, event string, d time.Duration) {
	t.Helper()
	running := &atomic.Int64{}
	t.Cleanup(func() { // before the router closes (cleanups run last first)
		deadline := time.Now().Add(d + wait)
		for running.Load() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	})
	cur := s.Router.Table()
	next := *cur
	next.Namespaces = map[string]*table.Namespace{}
	for name, n := range cur.Namespaces {
		copied := *n
		copied.Events = map[string]*table.Handler{}
		for e, h := range n.Events {
			hc := *h
			if name == ns && e == event {
				hc.Steps = append(actions.Steps{{Name: "sleepy", Action: sleepy{d, running}, Pos: h.Pos, Path: h.Path + "[0]"}}, h.Steps...)
				hc.Waits = hc.Steps.Waits()
			}
			copied.Events[e] = &hc
		}
		next.Namespaces[name] = &copied
	}
	s.Router.Swap(&next)
}

// TestPendingEventsAreBounded: a client flooding a handler that waits is disconnected once
// too many of its events wait, instead of the server queueing them without bound; another
// client is served meanwhile.
func TestPendingEventsAreBounded(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits: { events_per_second: 1000000, event_burst: 1000000, flood_limit: 1000000, pending_events: 100 }
namespaces:
  /p:
    on:
      slow:
        - print: never seen twice
`+syncHandler)
	withSlowHandler(t, s, "/p", "slow", time.Second)
	other := s.dial(t, "/p", dialOpts{})

	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	if _, _, err := ws.ReadMessage(); err != nil { // open
		t.Fatal(err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("40/p,")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(msg), "40/p,") {
		t.Fatalf("connect: %q %v", msg, err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sent := 0
	for ; sent < 50_000; sent++ {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(`42/p,["slow","`+strings.Repeat("x", 200)+`"]`)); err != nil {
			break // disconnected: the server closed the connection
		}
	}
	waitLog(t, s, "client has too many events waiting for their handlers: disconnecting it", 1)
	other.sync(t) // the other client is served all along
	if n := strings.Count(strings.Join(s.out.All(), "\n"), "never seen twice"); n > 101 {
		t.Fatalf("the slow handler ran %d times for a connection allowed 100 pending events", n)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Fatalf("the heap grew by %d MiB while %d events were sent", grew>>20, sent)
	}
}
