package router_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// heartbeatConfig pings often and waits long for the answer, so a client that answers is
// never late, and one that does not is ended within a few seconds.
const heartbeatConfig = `
version: 1
server:
  ping_interval: 200ms
  ping_timeout: 2s
namespaces:
  /chat:
    on:
      disconnect:
        - print: "${{ socket.id }} left: ${{ reason }}"
`

// TestWebSocketHeartbeat: the heartbeat of websocket sessions, which ioroute runs itself (one
// scheduler for every session, internal/heartbeat), keeps the Engine.IO protocol's rules for
// both of its versions: in protocol 4 the server pings and a client that answers stays while
// one that does not is ended ("ping timeout"); in protocol 3 the client pings, the server
// answers each ping, and a client that stops pinging is ended.
func TestWebSocketHeartbeat(t *testing.T) {
	cases := []struct {
		name   string
		eio    int
		answer bool // the client keeps the session alive: answers pings (4), sends them (3)
	}{
		{"protocol 4, the client answers", 4, true},
		{"protocol 4, the client is silent", 4, false},
		{"protocol 3, the client pings", 3, true},
		{"protocol 3, the client is silent", 3, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := startRouter(t, heartbeatConfig)
			conn, sid := dialEIO(t, s, "/chat", c.eio)
			left := sid + " left: ping timeout"
			if !c.answer {
				s.out.WaitFor(t, left)
				return
			}
			beats := 0 // pings answered (4), or pongs received (3)
			if c.eio == 3 {
				if err := conn.WriteMessage(websocket.TextMessage, []byte("2")); err != nil {
					t.Fatal(err)
				}
			}
			for beats < 8 { // 8 heartbeats, past ping_interval + ping_timeout
				_, msg, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("after %d heartbeats: %v (log: %q)", beats, err, s.out.All())
				}
				switch {
				case c.eio == 4 && string(msg) == "2":
					beats++
					err = conn.WriteMessage(websocket.TextMessage, []byte("3"))
				case c.eio == 3 && string(msg) == "3":
					beats++
					time.Sleep(300 * time.Millisecond) // a client's pings are spaced out
					err = conn.WriteMessage(websocket.TextMessage, []byte("2"))
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, line := range s.out.All() {
				if strings.Contains(line, sid+" left") {
					t.Fatalf("a client that kept the heartbeat was disconnected: %q", line)
				}
			}
		})
	}
}

// dialEIO opens a websocket session of Engine.IO version eio, joins namespace ns and returns
// the connection and the socket id.
func dialEIO(t *testing.T, s *server, ns string, eio int) (*websocket.Conn, string) {
	t.Helper()
	url := strings.Replace(s.url, "http", "ws", 1) + "/socket.io/?transport=websocket&EIO=" + string(rune('0'+eio))
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	_, open, err := conn.ReadMessage()
	if err != nil || !strings.HasPrefix(string(open), "0{") {
		t.Fatalf("open packet: %q %v", open, err)
	}
	var handshake struct{ Sid string }
	if err := json.Unmarshal(open[1:], &handshake); err != nil {
		t.Fatalf("open packet: %q %v", open, err)
	}
	join := "40" + ns + ","
	if eio == 3 {
		join = "40" + ns
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(join)); err != nil {
		t.Fatal(err)
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("no CONNECT answer: %v", err)
		}
		rest, ok := strings.CutPrefix(string(msg), "40"+ns)
		if !ok {
			continue
		}
		if eio == 3 { // Socket.IO 2 names the socket after the namespace and the session
			return conn, ns + "#" + handshake.Sid
		}
		sid, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(rest, ","), `{"sid":"`), `"`)
		return conn, sid
	}
}
