package router_test

import (
	"reflect"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/ioroute/ioroute/internal/testutil"
)

// TestForgedPlaceholderIsRefused: a client that sends a binary event holding, beside its real
// attachment, a placeholder object naming no attachment gets that event refused. Broadcast
// as it was, the forged placeholder would make every socket.io-client 4 receiving it drop
// its connection ("parse error"). A real binary event and a later message still reach the
// receiver, which stays connected throughout.
func TestForgedPlaceholderIsRefused(t *testing.T) {
	s := startRouter(t, chatConfig)
	receiver := startNode(t, "receiver", nodeScript(s.url+"/chat", 4,
		step{"wait": "connect"},
		step{"emit": "ready", "args": []any{"receiver"}},
		step{"expect": "new-message", "count": 2},
	))
	s.out.WaitFor(t, "ready receiver")

	ws := rawSocket(t, s)
	send := func(kind int, frame string) {
		t.Helper()
		if err := ws.WriteMessage(kind, []byte(frame)); err != nil {
			t.Fatal(err)
		}
	}
	send(websocket.TextMessage, "40/chat,")
	// a real binary event: its placeholder names its one attachment
	send(websocket.TextMessage, `451-/chat,["message",{"file":{"_placeholder":true,"num":0}}]`)
	send(websocket.BinaryMessage, "\x01\x02")
	// forged: a second "placeholder" whose num is not an index, kept as an object by the decoder
	send(websocket.TextMessage, `451-/chat,["message",{"file":{"_placeholder":true,"num":0},"x":{"_placeholder":true,"num":"0"}}]`)
	send(websocket.BinaryMessage, "\x03")
	// forged in a text event, which the decoder never replaces
	send(websocket.TextMessage, `42/chat,["message",[{"_placeholder":true,"num":0}]]`)
	send(websocket.TextMessage, `42/chat,["message","hello"]`)

	msgs := receiver.Wait(t)
	for _, m := range msgs {
		if m.Type == "disconnect" {
			t.Fatalf("the receiver was disconnected: %s", rawLines(msgs))
		}
	}
	got := eventsOf(msgs, "new-message")
	want := [][]any{{map[string]any{"file": map[string]any{"$binary": "AQI="}}}, {"hello"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the receiver got %v, want the real binary event then hello", got)
	}
	testutil.WaitForLog(t, s.log, "event refused: it holds a binary placeholder object")
}
