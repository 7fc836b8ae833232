package router_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ioroute/ioroute/internal/ws"
)

// readingModes runs f with websocket connections read through the poller and with a
// goroutine each (the reading used without epoll).
func readingModes(t *testing.T, f func(t *testing.T)) {
	for _, m := range []struct {
		name string
		poll bool
	}{{"poller", true}, {"goroutine per connection", false}} {
		t.Run(m.name, func(t *testing.T) {
			defer ws.SetPolling(m.poll)()
			f(t)
		})
	}
}

const echoConfig = `
version: 1
server:
  max_payload: 1000
namespaces:
  /chat:
    on:
      message:
        - emit: { event: echo, data: "${{ data }}" }
      disconnect:
        - print: "${{ socket.id }} left"
`

// nsSocket is a websocket client that speaks Engine.IO 4 and Socket.IO by hand, connected
// to a namespace, for tests that need frames no client library sends.
type nsSocket struct {
	ws  *websocket.Conn
	sid string
}

func dialRaw(t *testing.T, s *server, ns string) *nsSocket {
	t.Helper()
	ws, sid := stalledReader(t, s, ns)
	t.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	return &nsSocket{ws: ws, sid: sid}
}

// expectText reads until a text message with prefix want comes, and returns it.
func (r *nsSocket) expectText(t *testing.T, want string) string {
	t.Helper()
	for {
		_, msg, err := r.ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if strings.HasPrefix(string(msg), want) {
			return string(msg)
		}
	}
}

// expectClose reads until the server's close frame and returns its code.
func (r *nsSocket) expectClose(t *testing.T) int {
	t.Helper()
	for {
		_, _, err := r.ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			t.Fatalf("no close frame: %v", err)
		}
	}
}

// TestWebSocketFrames: the transport answers pings and closes as RFC 6455 asks, puts
// fragmented messages together, and closes a connection that breaks the protocol with the
// right code, while everybody else goes on.
func TestWebSocketFrames(t *testing.T) {
	readingModes(t, func(t *testing.T) {
		s := startRouter(t, echoConfig)
		bystander := s.dial(t, "/chat", dialOpts{})
		stillServed := func(t *testing.T) {
			t.Helper()
			bystander.emit("message", "still here")
			if got := bystander.expect(t, "echo"); got[0] != "still here" {
				t.Fatalf("bystander got %v", got)
			}
		}

		t.Run("ping is answered with its payload", func(t *testing.T) {
			c := dialRaw(t, s, "/chat")
			pong := make(chan string, 1)
			c.ws.SetPongHandler(func(p string) error { pong <- p; return nil })
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("p-1"), time.Now().Add(wait)); err != nil {
				t.Fatal(err)
			}
			// pong handlers run while reading: an event after the ping gets the reader there
			_ = c.ws.WriteMessage(websocket.TextMessage, []byte(`42/chat,["message","after ping"]`))
			c.expectText(t, `42/chat,["echo","after ping"]`)
			select {
			case p := <-pong:
				if p != "p-1" {
					t.Fatalf("pong payload %q", p)
				}
			default:
				t.Fatal("no pong before the echo")
			}
		})

		t.Run("fragmented event with a ping between fragments", func(t *testing.T) {
			c := dialRaw(t, s, "/chat")
			frames := [][]byte{
				ws.ClientFrame(0x01, []byte(`42/chat,["mess`), true),
				ws.ClientFrame(0x89, []byte("between"), true),
				ws.ClientFrame(0x00, []byte(`age","in`), true),
				ws.ClientFrame(0x80, []byte(` three"]`), true),
			}
			for _, f := range frames {
				if _, err := c.ws.UnderlyingConn().Write(f); err != nil {
					t.Fatal(err)
				}
			}
			c.expectText(t, `42/chat,["echo","in three"]`)
		})

		t.Run("close is answered with its code", func(t *testing.T) {
			c := dialRaw(t, s, "/chat")
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye")
			if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wait)); err != nil {
				t.Fatal(err)
			}
			if code := c.expectClose(t); code != websocket.CloseGoingAway {
				t.Fatalf("close code %d", code)
			}
			s.out.WaitFor(t, c.sid+" left")
		})

		for _, tt := range []struct {
			name  string
			frame []byte
			code  int
		}{
			{"unmasked frame", ws.ClientFrame(0x81, []byte(`42/chat,["message",1]`), false), websocket.CloseProtocolError},
			{"reserved bit", ws.ClientFrame(0xc1, []byte(`42/chat,["message",1]`), true), websocket.CloseProtocolError},
			{"message over max_payload", ws.ClientFrame(0x81, []byte(`42/chat,["message","`+strings.Repeat("x", 1000)+`"]`), true), websocket.CloseMessageTooBig},
			{"text that is not UTF-8", ws.ClientFrame(0x81, []byte("42/chat,[\"message\",\"\xff\"]"), true), websocket.CloseInvalidFramePayloadData},
		} {
			t.Run(tt.name+" closes that connection only", func(t *testing.T) {
				c := dialRaw(t, s, "/chat")
				if _, err := c.ws.UnderlyingConn().Write(tt.frame); err != nil {
					t.Fatal(err)
				}
				if code := c.expectClose(t); code != tt.code {
					t.Fatalf("close code %d, want %d", code, tt.code)
				}
				s.out.WaitFor(t, c.sid+" left")
				stillServed(t)
			})
		}
	})
}

// TestIdleWebSocketsHoldNoReader: with the poller and ioroute's heartbeat scheduler, an idle
// websocket connection has no goroutine of its own: none reading it, none waiting for its
// next ping.
func TestIdleWebSocketsHoldNoReader(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the poller is Linux only; elsewhere each connection has a reading goroutine")
	}
	defer ws.SetPolling(true)()
	s := startRouter(t, echoConfig)
	settle := func(limit int) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		for {
			n := runtime.NumGoroutine()
			if n <= limit || ctx.Err() != nil {
				return n
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	before := runtime.NumGoroutine()
	const conns = 60
	for range conns {
		dialRaw(t, s, "/chat")
	}
	// the poller's workers end once nothing is ready, and the heartbeats of all sessions
	// share one timer; a reader or a heartbeat timer per connection would each hold a
	// goroutine for every connection
	if n := settle(before + conns/4); n > before+conns/4 {
		t.Fatalf("%d goroutines for %d idle connections (%d before): a goroutine per connection still reads or waits for its heartbeat", n-before, conns, before)
	}
}

// chatWithLeaves is a chat whose disconnect handler prints "<socket id> left".
const chatWithLeaves = `
version: 1
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
      disconnect:
        - print: "${{ socket.id }} left"
`

// TestVanishedClientsAreNoticed: clients that reset their connections while broadcasts are
// being written to them are disconnected at once (their disconnect handlers run), however the
// server learns of it first: by reading the reset, or by a write failing. Unnoticed, they would
// linger until the heartbeat timed out, 45 s later.
func TestVanishedClientsAreNoticed(t *testing.T) {
	readingModes(t, func(t *testing.T) {
		s := startRouter(t, chatWithLeaves)
		sender := s.dial(t, "/chat", dialOpts{})
		const vanishing = 20
		var gone []*nsSocket
		for range vanishing {
			gone = append(gone, dialRaw(t, s, "/chat"))
		}
		pad := strings.Repeat("x", 4000)
		for i := range 50 {
			sender.emit("message", map[string]any{"i": i, "pad": pad})
		}
		for _, c := range gone {
			tcp := c.ws.UnderlyingConn().(*net.TCPConn)
			_ = tcp.SetLinger(0)
			_ = tcp.Close()
			sender.emit("message", map[string]any{"pad": pad})
		}
		for _, c := range gone {
			s.out.WaitFor(t, c.sid+" left")
		}
	})
}
