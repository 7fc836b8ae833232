package router_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const serverEndConfig = `
version: 1
server:
  ping_interval: 300ms
  ping_timeout: 400ms
namespaces:
  /chat:
    on:
      kick:
        - disconnect: {}
`

// TestServerEndedSocketsAreLogged: a socket the server ends is logged at info with its
// namespace, socket id, connection (Engine.IO session) id, reason, who ended it and what more
// the server knows; a client that leaves gets the same line with ended_by=client.
func TestServerEndedSocketsAreLogged(t *testing.T) {
	s := startRouter(t, serverEndConfig)
	for _, tt := range []struct {
		name string
		// pong: the client answers the server's pings
		pong bool
		// do is what the client sends once connected (raw bytes on the connection when raw)
		do     string
		raw    bool
		reason string
		by     string
		detail string // a regular expression; "" for no detail
	}{
		{name: "a client that stops answering pings", pong: false,
			reason: "ping timeout", by: "server", detail: `"no pong within 400ms of the server's ping \(server.ping_timeout\)"`},
		{name: "a client that breaks the websocket protocol", pong: true, raw: true, do: "\x81\x02hi",
			reason: "transport error", by: "server", detail: `"transport failure: websocket error \(websocket: unmasked client frame \(close code 1002\)\)"`},
		{name: "a disconnect step", pong: true, do: `42/chat,["kick"]`, reason: "server namespace disconnect", by: "server"},
		{name: "a client that leaves", pong: true, do: `41/chat,`, reason: "client namespace disconnect", by: "client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := dialSession(t, s, "/chat", tt.pong)
			if tt.raw {
				c.writeRaw(t, tt.do)
			} else if tt.do != "" {
				c.write(t, tt.do)
			}
			detail := ""
			if tt.detail != "" {
				detail = ` detail=` + tt.detail
			}
			line := regexp.MustCompile(`level=INFO msg=disconnected namespace=/chat socket=` + regexp.QuoteMeta(c.socket) +
				` connection=` + regexp.QuoteMeta(c.conn) + ` address=127.0.0.1 transport=websocket protocol=4 reason="` +
				regexp.QuoteMeta(tt.reason) + `" ended_by=` + tt.by + detail + ` connected_for=\S+\n`)
			deadline := time.Now().Add(wait)
			for !line.MatchString(s.log.String()) {
				if time.Now().After(deadline) {
					t.Fatalf("log lacks %s:\n%s", line, s.log.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// session is a raw Engine.IO 4 websocket client joined to one namespace, for tests that
// need to control its heartbeat: its reader answers the server's pings when pong is set.
type session struct {
	ws     *websocket.Conn
	conn   string // the Engine.IO session id
	socket string // the socket id in the namespace
	wmu    sync.Mutex
}

func dialSession(t *testing.T, s *server, ns string, pong bool) *session {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	c := &session{ws: ws}
	_, open, err := ws.ReadMessage()
	_, sid, ok := strings.Cut(string(open), `"sid":"`)
	if err != nil || !strings.HasPrefix(string(open), "0{") || !ok {
		t.Fatalf("open packet: %q %v", open, err)
	}
	c.conn, _, _ = strings.Cut(sid, `"`)
	c.write(t, "40"+ns+",")
	for c.socket == "" {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no CONNECT answer: %v", err)
		}
		if rest, ok := strings.CutPrefix(string(msg), "40"+ns+`,{"sid":"`); ok {
			c.socket, _, _ = strings.Cut(rest, `"`)
		}
	}
	done := make(chan struct{})
	t.Cleanup(func() { _ = ws.Close(); <-done })
	go func() {
		defer close(done)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if string(msg) == "2" && pong {
				c.wmu.Lock()
				_ = ws.WriteMessage(websocket.TextMessage, []byte("3"))
				c.wmu.Unlock()
			}
		}
	}()
	return c
}

// write sends one text message.
func (c *session) write(t *testing.T, msg string) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// writeRaw writes bytes on the connection as they are, framed or not.
func (c *session) writeRaw(t *testing.T, b string) {
	t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.ws.UnderlyingConn().Write([]byte(b)); err != nil {
		t.Fatal(err)
	}
}
