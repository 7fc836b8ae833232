package router

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ioroute/ioroute/router/table"
)

// attackConfig has a handler whose work the client sizes (the expression-budget attack of
// SECURITY.md) beside a cheap one.
const attackConfig = `version: 1
server:
  limits: { events_per_second: 1000000, event_burst: 1000000, flood_limit: 1000000 }
namespaces:
  /chat:
    on:
      ping:
        - ack: ${{ data }}
      attack:
        - ack: ${{ len(reduce(1..data, {#acc + "xxxxxxxxxx"}, "")) }}
`

// wsClient is a raw Engine.IO 4 websocket client joined to /chat.
func wsClient(b *testing.B, addr string) *websocket.Conn {
	b.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ws.Close() })
	if _, open, err := ws.ReadMessage(); err != nil || !bytes.HasPrefix(open, []byte("0{")) {
		b.Fatalf("open: %q %v", open, err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("40/chat,")); err != nil {
		b.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || !bytes.HasPrefix(msg, []byte("40/chat,")) {
		b.Fatalf("connect: %q %v", msg, err)
	}
	return ws
}

// BenchmarkChatUnderAttack measures a chat client's round trip (an event and its
// acknowledgement) alone and while another client sends 200 attack events a second with data
// 40000, each of which would hold a core for about 6 seconds without the expression budget.
// It reports p50 and p99 of the round trip.
func BenchmarkChatUnderAttack(b *testing.B) {
	for _, attack := range []bool{false, true} {
		b.Run(map[bool]string{false: "quiet", true: "attack"}[attack], func(b *testing.B) {
			t, err := table.LoadBytes("attack.yaml", []byte(attackConfig))
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
			chat := wsClient(b, r.Addr().String())
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if attack {
				attacker := wsClient(b, r.Addr().String())
				wg.Add(2)
				go func() { // answers the server's pings; the attack events get no ack (they fail)
					defer wg.Done()
					for {
						_, msg, err := attacker.ReadMessage()
						if err != nil {
							return
						}
						if len(msg) == 1 && msg[0] == '2' {
							_ = attacker.WriteMessage(websocket.TextMessage, []byte("3"))
						}
					}
				}()
				go func() { // 200 attack events a second, each about 6 s of work without a budget
					defer wg.Done()
					tick := time.NewTicker(5 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							_ = attacker.Close()
							return
						case <-tick.C:
						}
						if attacker.WriteMessage(websocket.TextMessage, []byte(`42/chat,["attack",40000]`)) != nil {
							return
						}
					}
				}()
			}
			var rtts []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if err := chat.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `42/chat,%d["ping",%d]`, i, i)); err != nil {
					b.Fatal(err)
				}
				for {
					_, msg, err := chat.ReadMessage()
					if err != nil {
						b.Fatal(err)
					}
					if msg[0] == '2' {
						_ = chat.WriteMessage(websocket.TextMessage, []byte("3"))
						continue
					}
					if bytes.HasPrefix(msg, []byte("43/chat,")) {
						break
					}
				}
				rtts = append(rtts, time.Since(start))
			}
			close(stop)
			wg.Wait()
			slices.Sort(rtts)
			b.ReportMetric(float64(rtts[len(rtts)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(rtts[len(rtts)*99/100].Microseconds()), "p99-µs")
		})
	}
}
