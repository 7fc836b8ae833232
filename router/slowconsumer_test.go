package router_test

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSlowConsumerIsDisconnectedAlone: a client that stops reading while a chat goes on is
// disconnected once its connection's queue is full, with a logged reason (a warning from the
// transport, and its socket's disconnection with the queue's bound), while a bystander
// receives every message in order. Messages of the three websocket frame-length forms (short,
// 16-bit, 64-bit) all go through.
func TestSlowConsumerIsDisconnectedAlone(t *testing.T) {
	s := startRouter(t, chatWithLeaves+syncHandler)
	slow, sid := stalledReader(t, s, "/chat")
	defer slow.Close()

	bystander := s.dial(t, "/chat", dialOpts{})
	// frame lengths below 126, below 65,536 and above; 60 messages are about 20 MB, more than
	// the stalled client's TCP buffers and its queue on the server hold
	sizes := []int{100, 5000, 500_000, 500_000, 500_000, 500_000}
	const messages = 60
	for i := range messages {
		bystander.emit("message", map[string]any{"i": i, "pad": strings.Repeat("x", sizes[i%len(sizes)])})
		got := bystander.expect(t, "new-message")
		m, _ := got[0].(map[string]any)
		if m["i"] != float64(i) || len(m["pad"].(string)) != sizes[i%len(sizes)] {
			t.Fatalf("message %d: got i=%v with %d bytes", i, m["i"], len(m["pad"].(string)))
		}
	}
	waitLog(t, s, "disconnecting a client that does not read what it is sent: its queue is full", 1)
	// and the socket's disconnection says why, with the queue's bound
	ended := regexp.MustCompile(`level=INFO msg=disconnected namespace=/chat socket=` + regexp.QuoteMeta(sid) +
		` connection=\S+ address=127.0.0.1 transport=websocket protocol=4 reason="transport error" ended_by=server` +
		` detail="transport failure: queue full \(the client does not read what it is sent: \d+ bytes waiting, more than the 8388608 one connection may hold\)"`)
	for deadline := time.Now().Add(wait); !ended.MatchString(s.log.String()); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %s:\n%s", ended, s.log.String())
		}
	}
	s.out.WaitFor(t, sid+" left")
	bystander.sync(t)
}

// stalledReader connects a raw Engine.IO 4 websocket client to namespace ns with a small
// receive buffer, and returns it with its socket id once connected; the test then never
// reads from it again.
func stalledReader(t *testing.T, s *server, ns string) (*websocket.Conn, string) {
	t.Helper()
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	ws, _, err := d.Dial(strings.Replace(s.url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	if _, open, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(open), "0{") {
		t.Fatalf("open packet: %q %v", open, err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("40"+ns+",")); err != nil {
		t.Fatal(err)
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no CONNECT answer: %v", err)
		}
		if rest, ok := strings.CutPrefix(string(msg), "40"+ns+","); ok {
			sid, _, _ := strings.Cut(strings.TrimPrefix(rest, `{"sid":"`), `"`)
			return ws, sid
		}
	}
}
