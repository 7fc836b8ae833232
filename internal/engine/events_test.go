package engine

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// offered is an EventReceiver that takes every packet it is offered and passes them on.
type offered chan string

func (o offered) ReceiveEvent(p []byte) bool { o <- string(p); return true }

// eventServer is a Socket.IO server on ioroute's transports whose root namespace's sessions
// offer their events to the returned receiver, and whose engine-way events of "/" arrive on
// the second channel.
func eventServer(t *testing.T, allowEIO3 bool) (*httptest.Server, offered, chan string) {
	t.Helper()
	opts := sio.DefaultServerOptions()
	opts.SetAllowEIO3(allowEIO3)
	TuneEngine(opts, nil)
	srv := sio.NewServer(nil, opts)
	handler := srv.ServeHandler(nil)
	rcv, engineWay := make(offered, 16), make(chan string, 16)
	// in a middleware, as the router's guard does: before the CONNECT answer is sent, after
	// which the client may send its events
	srv.Sockets().Use(func(s *sio.Socket, next func(*sio.ExtendedError)) {
		ReceiveEvents(s.Conn(), rcv)
		s.OnAny(func(args ...any) { engineWay <- args[0].(string) })
		next(nil)
	})
	hs := httptest.NewServer(handler)
	t.Cleanup(func() {
		hs.Close()
		srv.Close(nil)
	})
	return hs, rcv, engineWay
}

// TestWhichEventsAreOffered: a session's text events reach its EventReceiver over ioroute's
// websocket transport, from the start or once a polling session's upgrade is complete; an
// Engine.IO 3 session's, a polling session's and a text packet sent between a binary packet
// and its attachments go the engine's way.
func TestWhichEventsAreOffered(t *testing.T) {
	t.Run("websocket from the start", func(t *testing.T) {
		hs, rcv, _ := eventServer(t, false)
		ws := dialWS(t, hs, "EIO=4&transport=websocket", "40", "40")
		send(t, ws, websocket.TextMessage, `42["a",1]`)
		expect(t, rcv, `2["a",1]`)
		// a text event between a binary event and its attachment: the engine's decoder has it
		send(t, ws, websocket.TextMessage, `451-["b",{"_placeholder":true,"num":0}]`)
		send(t, ws, websocket.TextMessage, `42["c"]`)
		expectClosed(t, ws)
		quiet(t, rcv)
	})
	t.Run("polling, then upgraded", func(t *testing.T) {
		hs, rcv, engineWay := eventServer(t, false)
		sid := pollOpen(t, hs, "EIO=4")
		poll(t, hs, http.MethodPost, "EIO=4&sid="+sid, "40")
		if got := poll(t, hs, http.MethodGet, "EIO=4&sid="+sid, ""); !strings.HasPrefix(got, "40") {
			t.Fatalf("connect answer %q", got)
		}
		poll(t, hs, http.MethodPost, "EIO=4&sid="+sid, `42["on-polling"]`)
		expect(t, engineWay, "on-polling")
		ws := dialWS(t, hs, "EIO=4&transport=websocket&sid="+sid, "", "")
		send(t, ws, websocket.TextMessage, "2probe")
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "3probe" {
			t.Fatalf("probe answer %q %v", msg, err)
		}
		send(t, ws, websocket.TextMessage, "5")
		send(t, ws, websocket.TextMessage, `42["upgraded",2]`)
		expect(t, rcv, `2["upgraded",2]`)
	})
	t.Run("an event before the upgrade is complete", func(t *testing.T) {
		hs, rcv, _ := eventServer(t, false)
		sid := pollOpen(t, hs, "EIO=4")
		poll(t, hs, http.MethodPost, "EIO=4&sid="+sid, "40")
		poll(t, hs, http.MethodGet, "EIO=4&sid="+sid, "")
		ws := dialWS(t, hs, "EIO=4&transport=websocket&sid="+sid, "", "")
		send(t, ws, websocket.TextMessage, "2probe")
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "3probe" {
			t.Fatalf("probe answer %q %v", msg, err)
		}
		// the engine ends an upgrade that carries anything but the upgrade packet
		send(t, ws, websocket.TextMessage, `42["early"]`)
		expectClosed(t, ws)
		quiet(t, rcv)
	})
	t.Run("Engine.IO 3", func(t *testing.T) {
		hs, rcv, engineWay := eventServer(t, true)
		ws := dialWS(t, hs, "EIO=3&transport=websocket", "", "40")
		send(t, ws, websocket.TextMessage, `42["old"]`)
		expect(t, engineWay, "old")
		quiet(t, rcv)
	})
}

// dialWS opens a websocket session with query, reads the open packet (unless upgrading), and
// sends join and waits for its answer when given.
func dialWS(t *testing.T, hs *httptest.Server, query, join, answer string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(hs.URL, "http", "ws", 1)+"/socket.io/?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if !strings.Contains(query, "sid=") {
		if _, open, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(open), "0{") {
			t.Fatalf("open packet: %q %v", open, err)
		}
	}
	if join != "" {
		send(t, ws, websocket.TextMessage, join)
	}
	for answer != "" {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no connect answer: %v", err)
		}
		if strings.HasPrefix(string(msg), answer) {
			break
		}
	}
	return ws
}

func send(t *testing.T, ws *websocket.Conn, op int, msg string) {
	t.Helper()
	if err := ws.WriteMessage(op, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// pollOpen opens a polling session and returns its id.
func pollOpen(t *testing.T, hs *httptest.Server, query string) string {
	t.Helper()
	open := poll(t, hs, http.MethodGet, query, "")
	_, rest, ok := strings.Cut(open, `"sid":"`)
	sid, _, _ := strings.Cut(rest, `"`)
	if !ok || sid == "" {
		t.Fatalf("open packet %q", open)
	}
	return sid
}

// poll sends one polling request and returns the answer's body.
func poll(t *testing.T, hs *httptest.Server, method, query, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, hs.URL+"/socket.io/?transport=polling&"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, query, resp.StatusCode, b)
	}
	return string(b)
}

func expect(t *testing.T, c chan string, want string) {
	t.Helper()
	select {
	case got := <-c:
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%q never came", want)
	}
}

// quiet fails if the receiver was offered anything.
func quiet(t *testing.T, rcv offered) {
	t.Helper()
	select {
	case got := <-rcv:
		t.Fatalf("the receiver was offered %q", got)
	default:
	}
}

// expectClosed waits for the server to close ws.
func expectClosed(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				t.Fatal("the connection stayed open")
			}
			return
		}
	}
}
