package router_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ioroute/ioroute/internal/testutil"
)

// nonFiniteConfig is test/node/json-server.mjs as a config: handlers that send numbers JSON
// cannot hold.
const nonFiniteConfig = `
version: 1
namespaces:
  /chat:
    on:
      inf:
        - ack: ${{ 1/0 }}
      nan:
        - emit: { event: nan, data: "${{ 0/0 }}" }
        - emit:
            event: nested
            data: { a: "${{ -1/0 }}", b: ["${{ 0/0 }}", 1, 2.5], c: "${{ -0.0 }}", d: 1e21, e: 1e-7, f: x }
`

// TestNodeClientsReadNonFiniteAsNull: NaN and ±Infinity reach socket.io-client 4 and 2 as
// null, as from a Node server (JSON.stringify), and neither client throws.
func TestNodeClientsReadNonFiniteAsNull(t *testing.T) {
	s := startRouter(t, nonFiniteConfig)
	nested := map[string]any{"a": nil, "b": []any{nil, 1.0, 2.5}, "c": 0.0, "d": 1e21, "e": 1e-7, "f": "x"}
	for _, version := range []int{4, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			msgs := runNode(t, "client", nodeScript(s.url+"/chat", version,
				step{"wait": "connect"},
				step{"emit": "inf", "ack": true},
				step{"emit": "nan"},
				step{"expect": "nested"},
			))
			mustConnect(t, "client", msgs)
			var ack []any
			for _, m := range msgs {
				if m.Type == "ack" && m.Event == "inf" {
					ack = m.Args
				}
			}
			if !reflect.DeepEqual(ack, []any{nil}) {
				t.Fatalf("inf acknowledged with %v, want [null]; printed %s", ack, rawLines(msgs))
			}
			if got := eventsOf(msgs, "nan"); !reflect.DeepEqual(got, [][]any{{nil}}) {
				t.Fatalf("nan = %v, want [[null]]; printed %s", got, rawLines(msgs))
			}
			if got := eventsOf(msgs, "nested"); !reflect.DeepEqual(got, [][]any{{nested}}) {
				t.Fatalf("nested = %v, want [[%v]]; printed %s", got, nested, rawLines(msgs))
			}
		})
	}
}

// TestNonFiniteWireMatchesNode: for the same handlers, ioroute writes the very packets Node's
// socket.io server writes.
func TestNonFiniteWireMatchesNode(t *testing.T) {
	s := startRouter(t, nonFiniteConfig)
	node := startJSONServer(t)
	want := []string{
		`43/chat,1[null]`,
		`42/chat,["nan",null]`,
		`42/chat,["nested",{"a":null,"b":[null,1,2.5],"c":0,"d":1e+21,"e":1e-7,"f":"x"}]`,
	}
	for _, srv := range []struct{ name, url string }{{"node", node}, {"ioroute", s.url}} {
		if got := nonFiniteFrames(t, srv.url); !reflect.DeepEqual(got, want) {
			t.Errorf("%s wrote\n  %s\nwant\n  %s", srv.name, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
}

// nonFiniteFrames connects to /chat over a raw Engine.IO 4 websocket, sends "inf" with an
// ack and "nan", and returns the frames the server answers with.
func nonFiniteFrames(t *testing.T, base string) []string {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	read := func() string {
		t.Helper()
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("%s: %v", base, err)
			}
			if s := string(msg); s != "2" { // a ping is no answer
				return s
			}
			_ = ws.WriteMessage(websocket.TextMessage, []byte("3"))
		}
	}
	send := func(s string) {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if open := read(); !strings.HasPrefix(open, "0{") {
		t.Fatalf("%s: open packet %q", base, open)
	}
	send("40/chat,")
	if connected := read(); !strings.HasPrefix(connected, "40/chat,{") {
		t.Fatalf("%s: CONNECT answered with %q", base, connected)
	}
	send(`42/chat,1["inf"]`)
	got := []string{read()}
	send(`42/chat,["nan"]`)
	return append(got, read(), read())
}

// startJSONServer runs test/node/json-server.mjs and returns its URL once it listens.
func startJSONServer(t *testing.T) string {
	t.Helper()
	node, script := testutil.NodeScript(t, "../test/node/json-server.mjs", "socket.io")
	cmd := exec.Command(node, script)
	cmd.Dir = filepath.Dir(script)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	port := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m struct {
				Type string
				Port int
			}
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Type == "listening" {
				port <- m.Port
			}
		}
	}()
	select {
	case p := <-port:
		return fmt.Sprintf("http://127.0.0.1:%d", p)
	case <-time.After(testutil.NodeTimeout):
		t.Fatal("json-server.mjs never listened")
	}
	return ""
}

// TestIntegralNumbersInExpressions: a number a client sends without a fraction is an integer
// to expressions, as in JavaScript: %, indexes and comparisons work, and / still divides.
func TestIntegralNumbersInExpressions(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /n:
    on:
      parity:
        - ack: ${{ data % 2 }}
      pick:
        - ack: '${{ ["a", "b", "c"][data.i] }}'
      half:
        - ack: ${{ data / 2 }}
      five:
        - ack: five
          when: data == 5
        - ack: other
      stamp:
        - ack: ${{ data.t % 1000 }}
`+syncHandler)
	c := s.dial(t, "/n", dialOpts{})
	tests := []struct {
		event string
		arg   any
		want  any
	}{
		{"parity", 5.0, 1.0},
		{"parity", -4.0, 0.0},
		{"pick", map[string]any{"i": 1.0}, "b"},
		{"half", 5.0, 2.5},
		{"five", 5.0, "five"},
		{"five", 5.5, "other"},
		{"stamp", map[string]any{"t": 1700000000123.0}, 123.0},
	}
	for _, tt := range tests {
		if got := c.emitAck(t, tt.event, tt.arg); !reflect.DeepEqual(got, []any{tt.want}) {
			t.Errorf("%s %v: ack %v, want [%v]", tt.event, tt.arg, got, tt.want)
		}
	}
}

// TestIntegralNumbersInRepliesAndAuth: acknowledgement replies (on_ack) and the auth payload
// hold integers too.
func TestIntegralNumbersInRepliesAndAuth(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /n:
    on:
      connect:
        - emit: { event: parity, data: "${{ auth.n % 2 }}" }
      ask:
        - emit:
            event: question
            on_ack:
              - print: "reply parity ${{ reply % 2 }}"
`)
	script := nodeScript(s.url+"/n", 4,
		step{"wait": "connect"},
		step{"expect": "parity"},
		step{"emit": "ask"},
		step{"expect": "question"},
	)
	script["auth"] = map[string]any{"n": 7}
	script["ackReply"] = []any{10}
	msgs := runNode(t, "client", script)
	mustConnect(t, "client", msgs)
	if got := eventsOf(msgs, "parity"); !reflect.DeepEqual(got, [][]any{{1.0}}) {
		t.Fatalf("parity of auth.n = %v, want [[1]]; printed %s", got, rawLines(msgs))
	}
	s.out.WaitFor(t, "reply parity 0")
}
