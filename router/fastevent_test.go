package router_test

import (
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// orderConfig has events whose handlers wait for a backend (slow, and the binary upload)
// beside one that does not (ev); each answers with got.
const orderConfig = `
version: 1
server:
  ping_interval: 200ms
  ping_timeout: 400ms
namespaces:
  /p:
    on:
      upload:
        - call: { url: "${{ env.IOROUTE_TEST_BACKEND }}/wait", method: GET, timeout: 5s }
        - emit: { event: got, data: upload }
      slow:
        - call: { url: "${{ env.IOROUTE_TEST_BACKEND }}/wait", method: GET, timeout: 5s }
        - emit: { event: got, data: slow }
      ev:
        - emit: { event: got, data: "${{ data }}" }
      disconnect:
        - print: "left: ${{ reason }}"
`

// startWaitingBackend serves /wait after d, and names itself in IOROUTE_TEST_BACKEND.
func startWaitingBackend(t *testing.T, d time.Duration) {
	t.Helper()
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(be.Close)
	t.Setenv("IOROUTE_TEST_BACKEND", be.URL)
}

// sendPacket sends one Socket.IO packet: its text frame, then its binary attachments.
func sendPacket(t *testing.T, conn *websocket.Conn, frames [][]byte) {
	t.Helper()
	for i, f := range frames {
		op := websocket.TextMessage
		if i > 0 {
			op = websocket.BinaryMessage
		}
		if err := conn.WriteMessage(op, f); err != nil {
			t.Fatal(err)
		}
	}
}

// readGot reads the data of the next n got events, answering the server's pings meanwhile
// (Engine.IO 4), and fails if the connection ends first.
func readGot(t *testing.T, s *server, conn *websocket.Conn, n int) []string {
	t.Helper()
	var got []string
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	for len(got) < n {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("after %v: %v (log: %q)", got, err, s.out.All())
		}
		switch m := string(msg); {
		case m == "2":
			if err := conn.WriteMessage(websocket.TextMessage, []byte("3")); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(m, `42/p,["got",`):
			got = append(got, strings.TrimSuffix(strings.TrimPrefix(m, `42/p,["got",`), "]"))
		}
	}
	return got
}

// TestEventsKeepTheirOrder: a client's events are handled in the order it sent them,
// whichever way each goes: a text event whose handler waits for nothing runs on the goroutine
// reading the connection, a binary event goes through the engine's decoder and task queue,
// and a handler that waits for a backend is queued. Events sent right behind one that waits
// are answered after it.
func TestEventsKeepTheirOrder(t *testing.T) {
	cases := []struct {
		name  string
		first [][]byte // the frames of the event that waits: text, then any binary attachments
	}{
		{"behind a binary event", [][]byte{[]byte(`451-/p,["upload",{"_placeholder":true,"num":0}]`), {1, 2, 3}}},
		{"behind a text event whose handler waits", [][]byte{[]byte(`42/p,["slow"]`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			startWaitingBackend(t, 300*time.Millisecond)
			s := startRouter(t, orderConfig)
			conn, _ := dialEIO(t, s, "/p", 4)
			sendPacket(t, conn, c.first)
			for _, n := range []string{"1", "2", "3"} {
				if err := conn.WriteMessage(websocket.TextMessage, []byte(`42/p,["ev",`+n+`]`)); err != nil {
					t.Fatal(err)
				}
			}
			want := strings.Trim(string(c.first[0][strings.IndexByte(string(c.first[0]), '"'):]), `"]`)
			want, _, _ = strings.Cut(want, `"`)
			got := readGot(t, s, conn, 4)
			if strings.Join(got, " ") != `"`+want+`" 1 2 3` {
				t.Fatalf("answers %v, want %q 1 2 3", got, want)
			}
			// and the quick way still answers in order once nothing waits
			for _, n := range []string{"4", "5"} {
				if err := conn.WriteMessage(websocket.TextMessage, []byte(`42/p,["ev",`+n+`]`)); err != nil {
					t.Fatal(err)
				}
			}
			if got := readGot(t, s, conn, 2); strings.Join(got, " ") != "4 5" {
				t.Fatalf("answers %v, want 4 5", got)
			}
		})
	}
}

// TestWaitingHandlerKeepsTheHeartbeat: while a handler waits for a backend longer than the
// heartbeat allows a silent client (ping_interval + ping_timeout), the connection is still
// read, so the client's pongs are heard and it stays connected to get its answer.
func TestWaitingHandlerKeepsTheHeartbeat(t *testing.T) {
	startWaitingBackend(t, 1500*time.Millisecond)
	s := startRouter(t, orderConfig)
	conn, _ := dialEIO(t, s, "/p", 4)
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`42/p,["slow"]`)); err != nil {
		t.Fatal(err)
	}
	if got := readGot(t, s, conn, 1); got[0] != `"slow"` {
		t.Fatalf("answer %v", got)
	}
	for _, line := range s.out.All() {
		if strings.Contains(line, "left:") {
			t.Fatalf("the client was disconnected while its handler waited: %q", line)
		}
	}
}

// suiteConfig answers as the server of the official socket.io protocol suite does: message
// is echoed as message-back, message-with-ack acknowledged with its arguments.
const suiteConfig = `
version: 1
namespaces:
  /p:
    on:
      message:
        - emit: { event: message-back, args: "${{ args }}" }
      message-with-ack:
        - ack: { args: "${{ args }}" }
`

// TestEventsAsTheProtocolSuiteSendsThem: the message cases of the official socket.io
// protocol suite, in protocol 5 over a websocket, whichever way each packet goes: text
// events and their acks (the quick way), binary ones (the engine's), and packets the quick
// way leaves to the engine, which refuses them as before by closing the connection.
func TestEventsAsTheProtocolSuiteSendsThem(t *testing.T) {
	answers := []struct {
		name string
		send [][]byte // a text frame, then binary ones
		want []string // frames expected, binary ones as hex
	}{
		{"plain text", [][]byte{[]byte(`42/p,["message",1,"2",{"3":[true]}]`)}, []string{`42/p,["message-back",1,"2",{"3":[true]}]`}},
		{"plain text with an ack", [][]byte{[]byte(`42/p,456["message-with-ack",1,"2",{"3":[false]}]`)}, []string{`43/p,456[1,"2",{"3":[false]}]`}},
		{"binary attachments", [][]byte{[]byte(`452-/p,["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), {1, 2, 3}, {4, 5, 6}},
			[]string{`452-/p,["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, "010203", "040506"}},
		{"binary attachments with an ack", [][]byte{[]byte(`452-/p,789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`), {1, 2, 3}, {4, 5, 6}},
			[]string{`462-/p,789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, "010203", "040506"}},
	}
	for _, c := range answers {
		t.Run(c.name, func(t *testing.T) {
			s := startRouter(t, suiteConfig)
			conn, _ := dialEIO(t, s, "/p", 4)
			sendPacket(t, conn, c.send)
			var got []string
			for len(got) < len(c.want) {
				op, msg, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("after %q: %v", got, err)
				}
				switch {
				case op == websocket.BinaryMessage:
					got = append(got, hex.EncodeToString(msg))
				case string(msg) != "2": // pings aside
					got = append(got, string(msg))
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	refused := []struct{ name, send string }{
		{"a reserved event name", `42/p,["disconnect"]`},
		{"arguments cut short", `42/p,["message",`},
		{"arguments that are not a list", `42/p,{"message":1}`},
		{"no event name", `42/p,[]`},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			s := startRouter(t, suiteConfig)
			conn, _ := dialEIO(t, s, "/p", 4)
			if err := conn.WriteMessage(websocket.TextMessage, []byte(c.send)); err != nil {
				t.Fatal(err)
			}
			for {
				_, msg, err := conn.ReadMessage()
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("%s: the connection stayed open", c.send)
				}
				if err != nil {
					return // closed, as the engine closes a connection that breaks the protocol
				}
				if strings.Contains(string(msg), "message-back") {
					t.Fatalf("%s was handled: %q", c.send, msg)
				}
			}
		})
	}
}

// TestKickDoesNotHoldTheReader: a handler that disconnects another socket runs that socket's
// disconnect handler within its step; when the disconnect handler waits for a backend longer
// than the heartbeat allows, the kicking client's connection is still read meanwhile (its
// pongs heard), and it gets its answer.
func TestKickDoesNotHoldTheReader(t *testing.T) {
	startWaitingBackend(t, 1500*time.Millisecond)
	s := startRouter(t, `
version: 1
server:
  ping_interval: 200ms
  ping_timeout: 400ms
namespaces:
  /p:
    on:
      kick:
        - disconnect: "${{ data }}"
        - emit: { event: got, data: kicked }
      disconnect:
        - call: { url: "${{ env.IOROUTE_TEST_BACKEND }}/wait", method: GET, timeout: 5s }
`)
	kicker, _ := dialEIO(t, s, "/p", 4)
	_, victim := dialEIO(t, s, "/p", 4)
	if err := kicker.WriteMessage(websocket.TextMessage, []byte(`42/p,["kick","`+victim+`"]`)); err != nil {
		t.Fatal(err)
	}
	if got := readGot(t, s, kicker, 1); got[0] != `"kicked"` {
		t.Fatalf("answer %v", got)
	}
}

// TestHandedOnArgumentKeepsItsText: an argument a handler hands on unchanged reaches the
// other clients as the JSON text it came in (its keys in the sender's order, as Node sends
// it), while one the handler builds is encoded.
func TestHandedOnArgumentKeepsItsText(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /p:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
      built:
        - broadcast: { event: new-message, data: { b: "${{ data.b }}", a: "${{ data.a }}" } }
`)
	sender, _ := dialEIO(t, s, "/p", 4)
	receiver, _ := dialEIO(t, s, "/p", 4)
	for _, c := range []struct{ send, want string }{
		{`42/p,["message",{"b":1,"a":1.5e2,"t":"<é>"}]`, `42/p,["new-message",{"b":1,"a":1.5e2,"t":"<é>"}]`},
		{`42/p,["built",{"b":1,"a":1.5e2}]`, `42/p,["new-message",{"a":150,"b":1}]`},
	} {
		if err := sender.WriteMessage(websocket.TextMessage, []byte(c.send)); err != nil {
			t.Fatal(err)
		}
		_ = receiver.SetReadDeadline(time.Now().Add(wait))
		for {
			_, msg, err := receiver.ReadMessage()
			if err != nil {
				t.Fatalf("%s: %v", c.send, err)
			}
			if string(msg) == "2" {
				continue
			}
			if string(msg) != c.want {
				t.Fatalf("%s reached the others as %s, want %s", c.send, msg, c.want)
			}
			break
		}
	}
}
