package router_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

// orderClientScript sends a burst of events at connect and prints the answers as they come,
// relative to the router package dir.
const orderClientScript = "../test/node/order-client.mjs"

// nodeOrderConfig answers every event with an emit and an ack naming it: ev at once, upload
// (sent with a binary argument) after a backend answered, bin with binary data. /c's connect
// handler sets what its read handler answers with.
const nodeOrderConfig = `
version: 1
namespaces:
  /o:
    on:
      ev:
        - emit: { event: got, data: "${{ data }}" }
        - ack: "ack ${{ data }}"
      upload:
        - call: { url: "${{ env.IOROUTE_TEST_BACKEND }}/wait", method: GET, timeout: 5s }
        - emit: { event: got, data: "${{ args[1] }}" }
        - ack: '${{ {"n": args[1], "binary": is_binary(data)} }}'
      bin:
        - ack: '${{ bytes("bytes for " + data) }}'
  /c:
    on:
      connect:
        - set: { x: "set in connect" }
        - join_room: joined-in-connect
        - emit: { event: welcome, data: "${{ socket.id }}" }
      read:
        - ack: '${{ {"x": socket.data.x, "rooms": socket.rooms, "data": data} }}'
`

// orderClient is one way a Node client talks to the server: its socket.io-client version
// and transports (nil: the default, polling then the upgrade to websocket). Text events over
// websocket from socket.io-client 4 (Engine.IO 4) take the quick way; the others are the
// engine's. With the default transports the upgrade is usually done by the time the client
// is connected; holdUpgrade makes the events sent at connect go over polling, and those sent
// at the upgrade over websocket behind them.
type orderClient struct {
	name        string
	version     int
	transports  []string
	holdUpgrade bool
}

var orderClients = []orderClient{
	{"v4 websocket", 4, []string{"websocket"}, false},
	{"v4 polling then websocket", 4, nil, false},
	{"v4 polling, upgraded after the first events", 4, nil, true},
	{"v2 websocket", 2, []string{"websocket"}, false},
	{"v2 polling then websocket", 2, nil, false},
}

// emitted is one event the order client sends: its name and arguments, and when: at connect,
// or (upgrade) once the connection is upgraded to websocket, which is at connect too when it
// started on websocket. Events sent at connect over polling take the engine's way; those sent
// at the upgrade come over websocket behind them.
type emitted struct {
	event   string
	args    []any
	upgrade bool
}

// runOrderClient connects oc to namespace ns of s, sends emits back to back (each burst at once,
// each event with an ack) and returns the answers as lines, in the order they arrived: `event NAME ARGS`
// for an event of listen, `ack EVENT SENT -> REPLY` for an ack (JSON as the client printed
// it). It waits for every ack and for expect events.
func runOrderClient(t *testing.T, s *server, ns string, oc orderClient, emits []emitted, listen []string, expect int) []string {
	t.Helper()
	var es []map[string]any
	for _, e := range emits {
		at := "connect"
		if e.upgrade {
			at = "upgrade"
		}
		es = append(es, map[string]any{"event": e.event, "args": e.args, "at": at})
	}
	script := map[string]any{"url": s.url + ns, "version": oc.version, "timeout": 10000,
		"emits": es, "listen": listen, "expect": expect}
	if oc.transports != nil {
		script["transports"] = oc.transports
	}
	if oc.holdUpgrade {
		script["holdUpgrade"] = true
	}
	msgs := testutil.RunNode(t, orderClientScript, oc.name, script)
	mustConnect(t, oc.name, msgs)
	var lines []string
	for _, m := range msgs[1:] {
		switch m.Type {
		case "event":
			lines = append(lines, fmt.Sprintf("event %s %s", m.Event, compactJSON(t, m.Args)))
		case "ack":
			lines = append(lines, fmt.Sprintf("ack %s %s -> %s", m.Event, m.Data, compactJSON(t, m.Args)))
		default:
			t.Fatalf("%s: unexpected line; printed %s", oc.name, rawLines(msgs))
		}
	}
	return lines
}

func compactJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// binary is a Buffer argument for the order client.
func binary(b []byte) map[string]any {
	return map[string]any{"$binary": base64.StdEncoding.EncodeToString(b)}
}

// TestNodeClientEventsKeepTheirOrder: the real socket.io-client sends text events, a binary
// event whose handler waits for a backend, and more text events back to back; each ack
// answers its own event, and the answers come in the order the events were sent, whichever
// way each event took (the quick way, the engine's decoder, the task queue behind the
// waiting handler).
func TestNodeClientEventsKeepTheirOrder(t *testing.T) {
	startWaitingBackend(t, 300*time.Millisecond)
	s := startRouter(t, nodeOrderConfig)
	emits := []emitted{
		{"ev", []any{"e1"}, false},
		{"ev", []any{"e2"}, false},
		{"upload", []any{binary([]byte{1, 2, 3}), "e3"}, false},
		{"ev", []any{"e4"}, true},
		{"ev", []any{"e5"}, true},
		{"ev", []any{"e6"}, true},
	}
	var want []string
	for _, e := range emits {
		n := e.args[len(e.args)-1].(string)
		want = append(want, fmt.Sprintf(`event got [%q]`, n))
		reply := fmt.Sprintf(`[%q]`, "ack "+n)
		if e.event == "upload" {
			reply = fmt.Sprintf(`[{"binary":true,"n":%q}]`, n)
		}
		want = append(want, fmt.Sprintf("ack %s %s -> %s", e.event, compactJSON(t, e.args), reply))
	}
	for _, oc := range orderClients {
		t.Run(oc.name, func(t *testing.T) {
			got := runOrderClient(t, s, "/o", oc, emits, []string{"got"}, len(emits))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("answers, in the order they came:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// TestNodeClientBinaryAck: a handler that acks with binary data (bytes()) answers the real
// socket.io-client with a Buffer, in its place among the answers to text events.
func TestNodeClientBinaryAck(t *testing.T) {
	startWaitingBackend(t, 0) // the config's upload calls it; these events do not
	s := startRouter(t, nodeOrderConfig)
	bytesFor := base64.StdEncoding.EncodeToString([]byte("bytes for e2"))
	want := []string{
		`event got ["e1"]`,
		`ack ev ["e1"] -> ["ack e1"]`,
		`ack bin ["e2"] -> [{"$binary":"` + bytesFor + `"}]`,
		`event got ["e3"]`,
		`ack ev ["e3"] -> ["ack e3"]`,
	}
	for _, oc := range orderClients {
		t.Run(oc.name, func(t *testing.T) {
			got := runOrderClient(t, s, "/o", oc, []emitted{{"ev", []any{"e1"}, false}, {"bin", []any{"e2"}, true}, {"ev", []any{"e3"}, true}}, []string{"got"}, 2)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("answers, in the order they came:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// TestNodeClientEventRightAfterConnect: an event the real socket.io-client sends the moment
// its connect fires is handled after the namespace's connect handler: it sees the socket data
// and the room the handler set, and its ack comes after the handler's emit.
func TestNodeClientEventRightAfterConnect(t *testing.T) {
	startWaitingBackend(t, 0) // the config's upload calls it; these events do not
	s := startRouter(t, nodeOrderConfig)
	for _, oc := range orderClients {
		t.Run(oc.name, func(t *testing.T) {
			got := runOrderClient(t, s, "/c", oc, []emitted{{"read", []any{"r1"}, false}, {"read", []any{"r2"}, true}}, []string{"welcome"}, 1)
			if len(got) == 0 || !strings.HasPrefix(got[0], `event welcome ["`) {
				t.Fatalf("answers, in the order they came:\n  %s\nwant the welcome first", strings.Join(got, "\n  "))
			}
			id := strings.TrimSuffix(strings.TrimPrefix(got[0], `event welcome ["`), `"]`)
			want := []string{got[0]}
			for _, r := range []string{"r1", "r2"} {
				want = append(want, fmt.Sprintf(`ack read [%q] -> [{"data":%q,"rooms":[%q,"joined-in-connect"],"x":"set in connect"}]`, r, r, id))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("answers, in the order they came:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}
