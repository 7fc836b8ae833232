package router_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/testutil"
)

// clusterConfig is a chat whose nodes share one Redis.
func clusterConfig(redisURL string) string {
	return fmt.Sprintf(`
version: 1
server:
  adapter:
    redis: { url: %q }
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
      others:
        - broadcast: { event: new-message, data: "${{ data }}", include_self: false }
      join:
        - join_room: ${{ data }}
        - ack: joined
      leave:
        - leave_room: ${{ data }}
        - ack: left
      to-room:
        - emit: { event: room-news, data: "${{ data.text }}", to: "${{ data.room }}" }
      to-socket:
        - emit: { event: direct, data: "${{ data.text }}", to: "${{ data.id }}" }
      to-news:
        - broadcast: { event: headline, data: "${{ data }}", namespace: /news }
      disconnect:
        - broadcast: { event: new-message, data: "${{ socket.id }} left", include_self: false }
      ask:
        - emit:
            event: question
            data: who
            to: ${{ data }}
            timeout: 3s
            on_ack:
              - emit: { event: relayed, data: "${{ reply }}" }
`+syncHandler+`
  /news:
    on: {}
`, redisURL)
}

// expectArgs waits for event name carrying exactly want.
func (c *client) expectArgs(t *testing.T, name string, want ...any) {
	t.Helper()
	if got := c.expect(t, name); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s args = %v, want %v", name, got, want)
	}
}

func TestClusterDeliversAcrossNodes(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, clusterConfig(rd.URL))
	n2 := startRouter(t, clusterConfig(rd.URL))
	a := n1.dial(t, "/chat", dialOpts{}) // on node 1
	b := n2.dial(t, "/chat", dialOpts{}) // on node 2
	c := n2.dial(t, "/chat", dialOpts{}) // on node 2

	t.Run("broadcast reaches every node once", func(t *testing.T) {
		a.emit("message", "one")
		for _, x := range []*client{a, b, c} {
			x.expectArgs(t, "new-message", "one")
		}
		b.emit("message", "two")
		for _, x := range []*client{a, b, c} {
			x.expectArgs(t, "new-message", "two")
		}
	})
	t.Run("binary and structured payloads cross intact", func(t *testing.T) {
		payload := map[string]any{"n": 1.5, "list": []any{"x", true, nil}, "bin": []byte{0, 1, 2, 255}}
		a.emit("message", payload)
		for _, x := range []*client{a, b, c} {
			got := x.expect(t, "new-message")
			if len(got) != 1 || !reflect.DeepEqual(testutil.JSONValue(t, normaliseBinary(got[0])), testutil.JSONValue(t, payload)) {
				t.Fatalf("client %s: new-message = %#v, want %#v", x.id, got, payload)
			}
		}
	})
	t.Run("include_self false skips only the sender", func(t *testing.T) {
		b.emit("others", "three")
		a.expectArgs(t, "new-message", "three")
		c.expectArgs(t, "new-message", "three")
		// b's next event is the marker: "three" never reached it.
		a.emit("message", "marker")
		b.expectArgs(t, "new-message", "marker")
		a.expectArgs(t, "new-message", "marker")
		c.expectArgs(t, "new-message", "marker")
	})
	t.Run("room emit reaches members on every node only", func(t *testing.T) {
		if got := a.emitAck(t, "join", "lobby"); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
		if got := c.emitAck(t, "join", "lobby"); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
		b.emit("to-room", map[string]any{"room": "lobby", "text": "hi lobby"})
		a.expectArgs(t, "room-news", "hi lobby")
		c.expectArgs(t, "room-news", "hi lobby")
		b.emit("message", "after")
		b.expectArgs(t, "new-message", "after") // not a member: no room-news first
		a.expectArgs(t, "new-message", "after")
		c.expectArgs(t, "new-message", "after")
		c.emitAck(t, "leave", "lobby")
		a.emit("to-room", map[string]any{"room": "lobby", "text": "still here?"})
		a.expectArgs(t, "room-news", "still here?")
		a.emit("message", "after2")
		c.expectArgs(t, "new-message", "after2") // left: no room-news first
		b.expectArgs(t, "new-message", "after2")
		a.expectArgs(t, "new-message", "after2")
	})
	t.Run("emit to a socket id on another node", func(t *testing.T) {
		a.emit("to-socket", map[string]any{"id": c.id, "text": "psst"})
		c.expectArgs(t, "direct", "psst")
		a.emit("message", "after3")
		b.expectArgs(t, "new-message", "after3")
		c.expectArgs(t, "new-message", "after3")
		a.expectArgs(t, "new-message", "after3")
	})
	t.Run("emit with ack to a socket on another node", func(t *testing.T) {
		c.s.On("question", func(args ...any) {
			if ack, ok := args[len(args)-1].(sio.Ack); ok {
				ack([]any{"c says hi", "second arguments do not cross nodes"}, nil)
			}
		})
		a.emit("ask", c.id)
		if got := c.expect(t, "question"); len(got) != 2 || got[0] != "who" {
			t.Fatalf("question args = %v, want who and an acknowledgement", got)
		}
		a.expectArgs(t, "relayed", "c says hi")
		a.emit("ask", "nobody")
		testutil.WaitForLog(t, n1.log, `no acknowledgement within 3s (socket \"nobody\" is on no node`)
		a.expectNone(t)
	})
	t.Run("malformed messages on the channels are logged and skipped", func(t *testing.T) {
		for _, ch := range []string{"socket.io#/chat#", "socket.io-request#/chat#"} {
			if got, err := rd.Command("PUBLISH", ch, "not-msgpack"); err != nil || got != ":2" {
				t.Fatalf("PUBLISH %s = %q, %v; want both nodes subscribed", ch, got, err)
			}
		}
		testutil.WaitForLog(t, n2.log, "ignoring a malformed broadcast")
		testutil.WaitForLog(t, n2.log, "ignoring a malformed request")
		a.emit("message", "still fine")
		for _, x := range []*client{a, b, c} {
			x.expectArgs(t, "new-message", "still fine")
		}
	})
	t.Run("namespace with no socket on the sending node", func(t *testing.T) {
		reader := n2.dial(t, "/news", dialOpts{})
		a.emit("to-news", "extra")
		reader.expectArgs(t, "headline", "extra")
	})
}

func TestClusterSurvivesLosingRedis(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, clusterConfig(rd.URL))
	n2 := startRouter(t, clusterConfig(rd.URL))
	a := n1.dial(t, "/chat", dialOpts{})
	a2 := n1.dial(t, "/chat", dialOpts{})
	b := n2.dial(t, "/chat", dialOpts{})
	a.emit("message", "before")
	for _, x := range []*client{a, a2, b} {
		x.expectArgs(t, "new-message", "before")
	}

	rd.Stop()
	a.emit("message", "while down")
	a.expectArgs(t, "new-message", "while down")
	a2.expectArgs(t, "new-message", "while down")
	testutil.WaitForLog(t, n1.log, "lost Redis")
	testutil.WaitForLog(t, n2.log, "lost Redis")

	rd.Start()
	// Each direction comes back by itself, without a restart. While a node resubscribes,
	// messages may still be lost (delivery across nodes is at most once), so each direction
	// is probed until a message crosses. "while down" may cross too, if it was still being
	// sent when Redis came back.
	probeUntilCrossed(t, a, []*client{a2}, b)
	probeUntilCrossed(t, b, nil, a)
	// Then in order, both ways, once the probes still on their way have arrived.
	a.emit("message", "a again")
	for _, x := range []*client{a, a2, b} {
		expectAfterProbes(t, x, "a again")
	}
	b.emit("message", "b again")
	for _, x := range []*client{a, a2, b} {
		expectAfterProbes(t, x, "b again")
	}
	testutil.WaitForLog(t, n1.log, "Redis is back")
	// one outage, one line each way: a write that passes while Redis shuts down does not count
	// as Redis back
	for _, n := range []*server{n1, n2} {
		if lost, back := strings.Count(n.log.String(), "lost Redis"), strings.Count(n.log.String(), "Redis is back"); lost != 1 || back > 1 {
			t.Fatalf("one outage logged %d \"lost Redis\" and %d \"Redis is back\" lines, want one each:\n%s", lost, back, n.log.String())
		}
	}
}

// isProbe reports whether e is a message probeUntilCrossed sent, or "while down", which may
// or may not cross.
func isProbe(e event) bool {
	if e.name != "new-message" || len(e.args) != 1 {
		return false
	}
	text := fmt.Sprint(e.args[0])
	return strings.HasPrefix(text, "probe ") || text == "while down"
}

// probeUntilCrossed emits numbered probes from sender until one reaches receiver, on another
// node, within wait. Each probe must reach sender and its local peers at once; the receiver
// may see earlier probes (or "while down") first.
func probeUntilCrossed(t *testing.T, sender *client, peers []*client, receiver *client) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for i, crossed := 0, false; !crossed; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("no message crossed to the other node after Redis came back")
		}
		probe := fmt.Sprintf("probe %s %d", sender.id, i)
		sender.emit("message", probe)
		for _, x := range append([]*client{sender}, peers...) {
			x.expectArgs(t, "new-message", probe)
		}
		timeout := time.After(200 * time.Millisecond)
	read:
		for !crossed {
			select {
			case e := <-receiver.events:
				if !isProbe(e) {
					t.Fatalf("the other node got %q %v", e.name, e.args)
				}
				crossed = e.args[0] == probe
			case <-timeout:
				break read
			}
		}
	}
}

// expectAfterProbes waits for new-message text, letting probes that were still on their way
// arrive first.
func expectAfterProbes(t *testing.T, c *client, text string) {
	t.Helper()
	for {
		select {
		case e := <-c.events:
			if e.name == "new-message" && len(e.args) == 1 && e.args[0] == text {
				return
			}
			if !isProbe(e) {
				t.Fatalf("got %q %v, want new-message %q", e.name, e.args, text)
			}
		case <-time.After(wait):
			t.Fatalf("new-message %q never arrived", text)
		}
	}
}

func TestClusterFollowsReloadAndFlushesOnShutdown(t *testing.T) {
	rd := testutil.StartRedis(t)
	base := clusterConfig(rd.URL)
	extra := base + `
  /extra:
    on:
      shout:
        - broadcast: { event: heard, data: "${{ data }}" }
`
	n1 := startRouter(t, base)
	n2 := startRouter(t, extra)

	t.Run("a namespace added by reload hears the cluster", func(t *testing.T) {
		n1.reload(t, extra)
		a := n1.dial(t, "/extra", dialOpts{})
		b := n2.dial(t, "/extra", dialOpts{})
		b.emit("shout", "hey")
		b.expectArgs(t, "heard", "hey")
		a.expectArgs(t, "heard", "hey")
	})
	t.Run("what disconnect handlers broadcast at shutdown reaches the other nodes", func(t *testing.T) {
		leaving := n1.dial(t, "/chat", dialOpts{})
		staying := n2.dial(t, "/chat", dialOpts{})
		leaving.emit("message", "bye soon")
		staying.expectArgs(t, "new-message", "bye soon")
		if err := n1.Router.Close(); err != nil {
			t.Fatal(err)
		}
		staying.expectArgs(t, "new-message", leaving.id+" left")
	})
}

// normaliseBinary turns the Go client's binary values into []byte.
func normaliseBinary(v any) any {
	switch x := v.(type) {
	case interface{ Bytes() []byte }:
		return x.Bytes()
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normaliseBinary(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normaliseBinary(e)
		}
		return out
	}
	return v
}
