package router_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ioroute/ioroute/internal/testutil"
)

// nodeClientScript is the scriptable socket.io-client, relative to the router package dir.
const nodeClientScript = "../test/node/client.mjs"

type (
	nodeMsg  = testutil.NodeMsg
	nodeProc = testutil.NodeProc
	step     = testutil.Step
)

func startNode(t *testing.T, name string, script map[string]any) *nodeProc {
	t.Helper()
	return testutil.StartNode(t, nodeClientScript, name, script)
}

func runNode(t *testing.T, name string, script map[string]any) []nodeMsg {
	t.Helper()
	return testutil.RunNode(t, nodeClientScript, name, script)
}

var (
	nodeScript  = testutil.ClientScript
	eventsOf    = testutil.EventsOf
	mustConnect = testutil.MustConnect
	rawLines    = testutil.RawLines
	jsonValue   = testutil.JSONValue
)

// chatConfig is examples/chat/chat.yaml without static (and with the test's own listen
// address), plus a `ready` handler that lets a client tell the test it is connected.
const chatConfig = `
version: 1
namespaces:
  /chat:
    on:
      message:
        - broadcast:
            event: new-message
            data: ${{ data }}
      ready:
        - print: "ready ${{ data }}"
`

func TestNodeClientsChat(t *testing.T) {
	s := startRouter(t, chatConfig)
	payload := map[string]any{"user": "ana", "text": "hello, wörld ✓", "n": 3.5, "tags": []any{"a", nil, true}}

	receiver := startNode(t, "receiver", nodeScript(s.url+"/chat", 4,
		step{"wait": "connect"},
		step{"emit": "ready", "args": []any{"receiver"}},
		step{"expect": "new-message"},
	))
	s.out.WaitFor(t, "ready receiver")
	sender := startNode(t, "sender", nodeScript(s.url+"/chat", 4,
		step{"wait": "connect"},
		step{"emit": "message", "args": []any{payload}},
		step{"expect": "new-message"},
	))

	want := []any{jsonValue(t, payload)}
	for _, p := range []*nodeProc{sender, receiver} {
		msgs := p.Wait(t)
		mustConnect(t, p.Name, msgs)
		got := eventsOf(msgs, "new-message")
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Fatalf("%s: new-message args = %v, want one with %v; printed %s", p.Name, got, want, rawLines(msgs))
		}
	}
}

func TestNodeUndeclaredNamespace(t *testing.T) {
	s := startRouter(t, chatConfig)
	msgs := runNode(t, "client", nodeScript(s.url+"/nope", 4, step{"wait": "connect"}))
	if len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != "Invalid namespace" {
		t.Fatalf("want only connect_error \"Invalid namespace\"; printed %s", rawLines(msgs))
	}
	// The declared namespace next to it still works for a Node client.
	mustConnect(t, "chat client", runNode(t, "chat client", nodeScript(s.url+"/chat", 4, step{"wait": "connect"})))
}

func TestNodeV2Client(t *testing.T) {
	t.Run("chats with v4", func(t *testing.T) {
		s := startRouter(t, chatConfig)
		// v2 connects first and says so; v4 then sends, and v2 answers once it saw that, so
		// each message reaches a client that is certainly connected.
		v2 := startNode(t, "v2", nodeScript(s.url+"/chat", 2,
			step{"wait": "connect"},
			step{"emit": "ready", "args": []any{"v2"}},
			step{"expect": "new-message"},
			step{"emit": "message", "args": []any{map[string]any{"from": "v2"}}},
			step{"expect": "new-message", "count": 2},
		))
		s.out.WaitFor(t, "ready v2")
		v4 := startNode(t, "v4", nodeScript(s.url+"/chat", 4,
			step{"wait": "connect"},
			step{"emit": "message", "args": []any{map[string]any{"from": "v4"}}},
			step{"expect": "new-message", "count": 2},
		))
		want := [][]any{{map[string]any{"from": "v4"}}, {map[string]any{"from": "v2"}}}
		for _, p := range []*nodeProc{v4, v2} {
			msgs := p.Wait(t)
			mustConnect(t, p.Name, msgs)
			if got := eventsOf(msgs, "new-message"); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: new-message args = %v, want %v; printed %s", p.Name, got, want, rawLines(msgs))
			}
		}
	})

	t.Run("refused without allow_eio3", func(t *testing.T) {
		s := startRouter(t, `
version: 1
server: { allow_eio3: false }
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
`)
		// Default transports (polling first): the engine answers the EIO=3 handshake with
		// 400 Unsupported protocol version, which socket.io-client 2 reports as a transport
		// error; the server's reason does not reach it.
		msgs := runNode(t, "v2", nodeScript(s.url+"/chat", 2, step{"wait": "connect"}))
		if len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != "xhr poll error" {
			t.Fatalf("v2: want only connect_error \"xhr poll error\"; printed %s", rawLines(msgs))
		}

		// websocket only: the engine checks the protocol after the upgrade and closes the
		// websocket (1000 "Unsupported protocol version"), which socket.io-client 2 does not
		// report at all. Whatever it reports, it must not connect.
		script := nodeScript(s.url+"/chat", 2, step{"wait": "connect"})
		script["transports"] = []string{"websocket"}
		script["timeout"] = 1000
		msgs, err := startNode(t, "v2 websocket", script).Result(t)
		for _, m := range msgs {
			if m.Type == "connect" || m.Type == "event" {
				t.Fatalf("v2 websocket: connected although allow_eio3 is false; printed %s", rawLines(msgs))
			}
		}
		t.Logf("v2 websocket client (exit %v) printed:%s", err, rawLines(msgs))

		// A v4 client on the same server is unaffected.
		mustConnect(t, "v4", runNode(t, "v4", nodeScript(s.url+"/chat", 4, step{"wait": "connect"})))
	})
}

func TestNodeBinaryEcho(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /chat:
    on:
      echo:
        - emit: { event: echo, args: "${{ args }}" }
        - emit: { event: again, args: "${{ args }}" }
      text:
        - emit: { event: text, args: "${{ args }}" }
`)
	blob := make([]byte, 3000)
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	small := []byte{0x00, 0xff, 0x80, 0x0a, 0x0d, 'x'}
	bin := func(b []byte) map[string]any { return map[string]any{"$binary": base64.StdEncoding.EncodeToString(b)} }
	args := []any{bin(small), "text", map[string]any{"nested": bin(blob), "list": []any{bin(nil), 1.0}}}

	for _, tr := range []string{"websocket", "polling"} {
		// a text event first: the first binary packet of a connection must still be converted
		script := nodeScript(s.url+"/chat", 4,
			step{"wait": "connect"},
			step{"emit": "text", "args": []any{map[string]any{"plain": "text"}}},
			step{"expect": "text"},
			step{"emit": "echo", "args": args},
			step{"expect": "echo"},
			step{"expect": "again"},
		)
		script["transports"] = []string{tr}
		msgs := runNode(t, tr, script)
		mustConnect(t, tr, msgs)
		got := eventsOf(msgs, "echo")
		want := jsonValue(t, args)
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Fatalf("%s: echo args = %v, want %v", tr, got, want)
		}
		// the same buffers emitted a second time arrive whole too
		if again := eventsOf(msgs, "again"); len(again) != 1 || !reflect.DeepEqual(again[0], want) {
			t.Fatalf("%s: second emit of the same args = %v, want %v", tr, again, want)
		}
		// Compare the bytes themselves too, not only their encoding.
		b64, _ := got[0][0].(map[string]any)["$binary"].(string)
		if back, err := base64.StdEncoding.DecodeString(b64); err != nil || !bytes.Equal(back, small) {
			t.Fatalf("%s: echoed bytes = %x (%v), want %x", tr, back, err, small)
		}
	}
}

// corsProbe is the result of one handshake attempt on one transport.
type corsProbe struct {
	status int
	header http.Header
	body   string
}

// pollingHandshake opens an Engine.IO 4 session over polling with the given Origin ("" for none).
func pollingHandshake(t *testing.T, base, origin string) corsProbe {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/socket.io/?EIO=4&transport=polling", nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	client := &http.Client{Timeout: wait}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("polling handshake: %v", err)
	}
	defer resp.Body.Close()
	defer client.CloseIdleConnections()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("polling handshake body: %v", err)
	}
	return corsProbe{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// websocketHandshake opens an Engine.IO 4 session over websocket with the given Origin; on
// success body is the first frame (the open packet).
func websocketHandshake(t *testing.T, base, origin string) corsProbe {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: wait}
	ws, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", h)
	if err != nil {
		if resp == nil || !errors.Is(err, websocket.ErrBadHandshake) {
			t.Fatalf("websocket handshake: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return corsProbe{status: resp.StatusCode, header: resp.Header, body: string(body)}
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	_, frame, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("websocket open packet: %v", err)
	}
	return corsProbe{status: resp.StatusCode, header: resp.Header, body: string(frame)}
}

// isOpenPacket reports whether body is an Engine.IO open packet with a session id.
func isOpenPacket(body string) bool {
	var open struct {
		SID string `json:"sid"`
	}
	data, ok := strings.CutPrefix(body, "0")
	return ok && json.Unmarshal([]byte(data), &open) == nil && open.SID != ""
}

func TestCORS(t *testing.T) {
	const cfg = `
version: 1
%s
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
`
	accepted := func(t *testing.T, s *server, origin string) {
		t.Helper()
		p := pollingHandshake(t, s.url, origin)
		if p.status != http.StatusOK || !isOpenPacket(p.body) {
			t.Fatalf("polling with Origin %q: %d %q, want 200 and an open packet", origin, p.status, p.body)
		}
		w := websocketHandshake(t, s.url, origin)
		if w.status != http.StatusSwitchingProtocols || !isOpenPacket(w.body) {
			t.Fatalf("websocket with Origin %q: %d %q, want 101 and an open packet", origin, w.status, w.body)
		}
	}
	refused := func(t *testing.T, s *server, origin string) {
		t.Helper()
		if p := pollingHandshake(t, s.url, origin); p.status != http.StatusForbidden {
			t.Fatalf("polling with Origin %q: %d %q, want 403", origin, p.status, p.body)
		} else if got := p.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("polling with Origin %q: refused but Access-Control-Allow-Origin = %q", origin, got)
		}
		if w := websocketHandshake(t, s.url, origin); w.status != http.StatusForbidden {
			t.Fatalf("websocket with Origin %q: %d %q, want 403", origin, w.status, w.body)
		}
	}

	t.Run("same origin only by default", func(t *testing.T) {
		s := startRouter(t, strings.Replace(cfg, "%s", "", 1))
		refused(t, s, "http://evil.test")
		accepted(t, s, s.url)
		accepted(t, s, "")
	})

	t.Run("listed origin", func(t *testing.T) {
		s := startRouter(t, strings.Replace(cfg, "%s", `server: { cors: { origins: ["http://good.test"] } }`, 1))
		accepted(t, s, "http://good.test")
		p := pollingHandshake(t, s.url, "http://good.test")
		if got := p.header.Get("Access-Control-Allow-Origin"); got != "http://good.test" {
			t.Fatalf("polling with Origin http://good.test: Access-Control-Allow-Origin = %q, want http://good.test", got)
		}
		refused(t, s, "http://evil.test")
		accepted(t, s, "")
	})
}
