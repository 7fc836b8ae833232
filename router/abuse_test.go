package router_test

import (
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawSocket opens an Engine.IO 4 websocket session by hand, for sending what no client would.
func rawSocket(t *testing.T, s *server) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	if _, open, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(open), "0{") {
		t.Fatalf("open packet: %q %v", open, err)
	}
	return ws
}

// closedOrRefused reads until the server closes the connection, or answers the namespace
// CONNECT with an error packet; anything else the server sends before is ignored.
func closedOrRefused(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	for {
		_, msg, err := ws.ReadMessage()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "still open"
		}
		if err != nil {
			return "closed"
		}
		if strings.HasPrefix(string(msg), "44") {
			return "refused: " + string(msg)
		}
	}
}

// TestAbusiveClientsOnlyHurtThemselves: malformed frames, broken packets, attachments that
// never arrive and undeclared namespaces each close or refuse that client only; a bystander
// chats on throughout.
func TestAbusiveClientsOnlyHurtThemselves(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  max_payload: 10000
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
`+syncHandler)
	bystander := s.dial(t, "/chat", dialOpts{})
	chat := func() {
		t.Helper()
		bystander.emit("message", "still here")
		if got := bystander.expect(t, "new-message"); !reflect.DeepEqual(got, []any{"still here"}) {
			t.Fatalf("bystander got %v", got)
		}
	}
	tests := []struct {
		name   string
		frames []string
		want   string // "closed", the prefix of a refusal, or "" when the client leaves first
	}{
		{"unknown engine packet type", []string{"9nonsense"}, "closed"},
		{"empty frame", []string{""}, "closed"},
		{"event before connecting a namespace", []string{`42/chat,["message","x"]`}, "closed"},
		{"broken JSON in an event", []string{"40/chat,", `42/chat,["message",{"a":`}, "closed"},
		{"event that is not a list", []string{"40/chat,", `42/chat,{"message":1}`}, "closed"},
		{"unknown socket.io packet type", []string{"40/chat,", "49/chat,[]"}, "closed"},
		{"attachments that never arrive", []string{"40/chat,", `452-/chat,["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, "41/chat,"}, ""},
		{"oversized payload", []string{"40/chat,", `42/chat,["message","` + strings.Repeat("x", 20000) + `"]`}, "closed"},
		{"undeclared namespace", []string{"40/admin,"}, `refused: 44/admin,{"message":"Invalid namespace"}`},
		{"connect with a bad auth payload", []string{`40/chat,"not an object"`}, "closed"},
	}
	abuse := func(t *testing.T, frames []string, want string) {
		t.Helper()
		ws := rawSocket(t, s)
		for _, f := range frames {
			if err := ws.WriteMessage(websocket.TextMessage, []byte(f)); err != nil {
				break
			}
		}
		if want == "" {
			// the engine waits for the attachments; the client leaving frees them
			_ = ws.Close()
		} else if got := closedOrRefused(t, ws); !strings.HasPrefix(got, want) {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	base := heapAfterGC()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			abuse(t, tt.frames, tt.want)
			chat()
		})
	}

	// Memory, measured rather than timed: after many more rounds of the same abuse, the
	// heap (the server's and this test's clients', after GC) returns near where it started.
	// The rounds run as a subtest so that its clients' cleanups have run when it is measured.
	const rounds = 50
	t.Run("many more rounds", func(t *testing.T) {
		for range rounds {
			for _, tt := range tests {
				abuse(t, tt.frames, tt.want)
			}
		}
		chat()
	})
	conns := (rounds + 1) * len(tests)
	after := settledHeap(base, heapSlack)
	// the test's debug log, which keeps two lines per connection, is part of the growth
	t.Logf("heap after GC: %d KiB before, %d KiB after %d abusive connections (%+d KiB, %d KiB of it log text; bound +%d KiB)",
		base>>10, after>>10, conns, (int64(after)-int64(base))>>10, len(s.log.String())>>10, heapSlack>>10)
	if after > base+heapSlack {
		t.Fatalf("heap grew by %d KiB over %d abusive connections", (after-base)>>10, conns)
	}
}
