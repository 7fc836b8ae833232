package router

import (
	"bytes"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/router/table"
)

// chatConfig is examples/chat/chat.yaml without the static folder, with event rates no
// benchmark reaches (the budget is still checked for every event).
const chatConfig = `version: 1
server:
  limits:
    events_per_second: 1000000000
    event_burst: 1000000000
namespaces:
  /chat:
    on:
      message:
        - broadcast:
            event: new-message
            data: ${{ data }}
`

// chatBench is a router serving chatConfig with one websocket client in /chat, which counts the
// new-message frames it receives.
type chatBench struct {
	r        *Router
	socket   *sio.Socket // the client's socket on the server
	received atomic.Int64
}

// startChatBench starts the router and connects the client, speaking Engine.IO 4 itself.
func startChatBench(b *testing.B) *chatBench { return startChatBenchConfig(b, chatConfig) }

// startChatBenchConfig is startChatBench with another config (one that declares /chat).
func startChatBenchConfig(b *testing.B, config string) *chatBench {
	b.Helper()
	t, err := table.LoadBytes("chat.yaml", []byte(config))
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(t, Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Close() })
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+r.Addr().String()+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ws.Close() })
	if _, open, err := ws.ReadMessage(); err != nil || !bytes.HasPrefix(open, []byte("0{")) {
		b.Fatalf("open packet: %q, %v", open, err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("40/chat,")); err != nil {
		b.Fatal(err)
	}
	if _, connect, err := ws.ReadMessage(); err != nil || !bytes.HasPrefix(connect, []byte("40/chat,")) {
		b.Fatalf("connect packet: %q, %v", connect, err)
	}
	cb := &chatBench{r: r}
	go func() {
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if string(msg) == "2" {
				_ = ws.WriteMessage(websocket.TextMessage, []byte("3"))
			}
			// frames may be batched by the server, never merged: one frame, one packet
			if bytes.HasPrefix(msg, []byte(`42/chat,["new-message"`)) {
				cb.received.Add(1)
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for cb.socket == nil {
		r.namespace("/chat").Sockets().Range(func(_ sio.SocketId, s *sio.Socket) bool {
			if len(s.ListenersAny()) > 0 { // onConnection has run
				cb.socket = s
			}
			return false
		})
		if time.Now().After(deadline) {
			b.Fatal("the client's socket never connected")
		}
		time.Sleep(time.Millisecond)
	}
	return cb
}

// drained waits until the client has received n new-message events, outside the timer.
func (cb *chatBench) drained(b *testing.B, n int) {
	b.StopTimer()
	deadline := time.Now().Add(30 * time.Second)
	for cb.received.Load() < int64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("the client received %d of %d events", cb.received.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// chatMessage is a chat message as the engine decodes it from the benchmark's load generator.
func chatMessage() map[string]any {
	return map[string]any{"s": float64(3), "q": float64(17), "t": float64(1764259200000)}
}

// BenchmarkDispatchChat is one `message` event of the chat through ioroute, from the engine's
// handing it over to the broadcast's frame being queued, against the same broadcast written by
// hand (what bench/handwritten does): the difference is what the config layer costs per event.
func BenchmarkDispatchChat(b *testing.B) {
	b.Run("ioroute", func(b *testing.B) {
		cb := startChatBench(b)
		listener := cb.socket.ListenersAny()[0]
		data := chatMessage()
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			listener("message", data)
			n++
		}
		cb.drained(b, n)
	})
	b.Run("ioroute, quick way", func(b *testing.B) {
		// the packet as it comes off the websocket, through the arrival counter's decoding,
		// counting and handler (router/fastevent.go)
		cb := startChatBench(b)
		v, ok := cb.r.arrivals.Load(cb.socket.Conn().Id())
		if !ok {
			b.Fatal("the connection's arrivals are not tracked")
		}
		a := v.(*arrivals)
		packet := []byte(`2/chat,["message",{"s":3,"q":17,"t":1764259200000}]`)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if !a.ReceiveEvent(packet) {
				b.Fatal("the quick way refused a chat message")
			}
			n++
		}
		cb.drained(b, n)
	})
	benchBroadcasts(b, []benchConfig{{"handwritten", chatConfig}})
}
