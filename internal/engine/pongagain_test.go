package engine

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	eio "github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// TestPongBeforeThePingTimeoutIsArmed: a client whose PONG the engine handles before it has
// armed the ping timeout (its ping goroutine was descheduled right after sending the PING, as
// happens on a busy machine) stays connected. The test makes that order certain: a listener
// holds the ping goroutine, after the PING went out, until the engine has handled the PONG.
// Without the transport's repeated PONG the engine ends the connection ("ping timeout") one
// ping timeout later, although the client answered at once.
func TestPongBeforeThePingTimeoutIsArmed(t *testing.T) {
	const interval, timeout = 3 * time.Second, 2 * time.Second
	opts := sio.DefaultServerOptions()
	opts.SetPingInterval(interval)
	opts.SetPingTimeout(timeout)
	TuneEngine(opts, nil)
	srv := sio.NewServer(nil, opts)
	handler := srv.ServeHandler(nil) // makes the engine
	closed := make(chan string, 1)
	_ = srv.Engine().On("connection", func(a ...any) {
		es := a[0].(eio.Socket)
		var pingFlushed, held atomic.Bool
		handled := make(chan struct{}, 1)
		_ = es.On("flush", func(a ...any) {
			for _, p := range a[0].([]*packet.Packet) {
				if p.Type == packet.PING {
					pingFlushed.Store(true)
				}
			}
		})
		// "drain" comes on the ping goroutine once the PING is with the transport, before the
		// engine arms the timeout: the first time, wait there for the PONG to be handled
		_ = es.On("drain", func(...any) {
			if pingFlushed.Swap(false) && !held.Swap(true) {
				select {
				case <-handled:
				case <-time.After(2 * timeout):
				}
			}
		})
		_ = es.On("heartbeat", func(...any) {
			select {
			case handled <- struct{}{}:
			default:
			}
		})
		_ = es.Once("close", func(a ...any) {
			closed <- fmt.Sprint(a[0])
		})
	})
	hs := httptest.NewServer(handler)
	t.Cleanup(func() {
		hs.Close()
		srv.Close(nil)
	})

	c, _, err := websocket.DefaultDialer.Dial(strings.Replace(hs.URL, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, open, err := c.ReadMessage(); err != nil || !strings.HasPrefix(string(open), "0{") {
		t.Fatalf("open packet: %q %v", open, err)
	}
	// a namespace, so that the server's connect timeout does not end the connection
	if err := c.WriteMessage(websocket.TextMessage, []byte("40")); err != nil {
		t.Fatal(err)
	}
	// answer pings at once; the second ping comes after the first one's timeout would have
	// ended the connection
	pings := 0
	_ = c.SetReadDeadline(time.Now().Add(3*interval + 2*timeout))
	for pings < 2 {
		_, msg, err := c.ReadMessage()
		if err != nil {
			select {
			case reason := <-closed:
				t.Fatalf("after %d pings answered, the server ended the connection: %s", pings, reason)
			case <-time.After(time.Second):
				t.Fatalf("after %d pings answered: %v", pings, err)
			}
		}
		if string(msg) == "2" {
			pings++
			if err := c.WriteMessage(websocket.TextMessage, []byte("3")); err != nil {
				t.Fatal(err)
			}
		}
	}
	select {
	case reason := <-closed:
		t.Fatalf("the server ended the connection: %s", reason)
	default:
	}
}

// TestPongAgainAfter: the repeated PONG comes within a second, before the ping timeout's
// half and before the next PING.
func TestPongAgainAfter(t *testing.T) {
	for _, tt := range []struct {
		name              string
		interval, timeout time.Duration
		want              time.Duration
	}{
		{"defaults (25s, 20s)", 25 * time.Second, 20 * time.Second, time.Second},
		{"short timeout", 25 * time.Second, 400 * time.Millisecond, 200 * time.Millisecond},
		{"short interval", 300 * time.Millisecond, 20 * time.Second, 150 * time.Millisecond},
		{"unset", 0, 0, time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := pongAgainAfter(tt.interval, tt.timeout); got != tt.want {
				t.Fatalf("pongAgainAfter(%s, %s) = %s, want %s", tt.interval, tt.timeout, got, tt.want)
			}
		})
	}
}
