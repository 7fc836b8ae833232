package router_test

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"
	"testing"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

func TestChatBroadcastReachesEveryone(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
`+syncHandler)
	a := s.dial(t, "/chat", dialOpts{})
	b := s.dial(t, "/chat", dialOpts{})
	a.emit("message", "hello")
	for _, c := range []*client{a, b} {
		if got := c.expect(t, "new-message"); len(got) != 1 || got[0] != "hello" {
			t.Fatalf("new-message args = %v", got)
		}
	}
}

// targets exercises who receives what, the heart of Flask-SocketIO's emit semantics.
func TestEmitTargets(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /t:
    on:
      to-me:
        - emit: { event: for-you, data: "${{ data }}" }
      send-me:
        - send: ${{ data }}
      everyone-but-me:
        - broadcast: { event: news, data: "${{ data }}", include_self: false }
      join:
        - join_room: ${{ data }}
        - ack: joined
      leave:
        - leave_room: ${{ data }}
        - ack: left
      to-room:
        - emit: { event: room-news, data: "${{ data.text }}", to: "${{ data.room }}" }
      to-room-not-me:
        - emit: { event: room-news, data: "${{ data.text }}", to: "${{ data.room }}", include_self: false }
      to-socket:
        - emit: { event: direct, data: "from ${{ socket.id }}", to: "${{ data }}" }
`+syncHandler)
	a := s.dial(t, "/t", dialOpts{})
	b := s.dial(t, "/t", dialOpts{})

	t.Run("emit defaults to the sender", func(t *testing.T) {
		a.emit("to-me", map[string]any{"n": 1.0})
		if got := a.expect(t, "for-you"); !reflect.DeepEqual(got, []any{map[string]any{"n": 1.0}}) {
			t.Fatalf("for-you = %v", got)
		}
		b.expectNone(t)
	})
	t.Run("send is the unnamed message event", func(t *testing.T) {
		a.emit("send-me", "hi")
		if got := a.expect(t, "message"); !reflect.DeepEqual(got, []any{"hi"}) {
			t.Fatalf("message = %v", got)
		}
		b.expectNone(t)
	})
	t.Run("include_self false skips the sender", func(t *testing.T) {
		a.emit("everyone-but-me", "x")
		if got := b.expect(t, "news"); !reflect.DeepEqual(got, []any{"x"}) {
			t.Fatalf("news = %v", got)
		}
		a.expectNone(t)
	})
	t.Run("rooms reach members only", func(t *testing.T) {
		if got := b.emitAck(t, "join", "lobby"); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
		a.emit("to-room", map[string]any{"room": "lobby", "text": "hey"})
		if got := b.expect(t, "room-news"); !reflect.DeepEqual(got, []any{"hey"}) {
			t.Fatalf("room-news = %v", got)
		}
		a.expectNone(t)
		// a member sending to its own room gets it too, unless include_self is false
		b.emit("to-room", map[string]any{"room": "lobby", "text": "mine"})
		b.expect(t, "room-news")
		b.emit("to-room-not-me", map[string]any{"room": "lobby", "text": "quiet"})
		b.expectNone(t)
		if got := b.emitAck(t, "leave", "lobby"); !reflect.DeepEqual(got, []any{"left"}) {
			t.Fatalf("leave ack = %v", got)
		}
		a.emit("to-room", map[string]any{"room": "lobby", "text": "gone"})
		a.sync(t)
		b.expectNone(t)
	})
	t.Run("to a socket id", func(t *testing.T) {
		a.emit("to-socket", b.id)
		if got := b.expect(t, "direct"); !reflect.DeepEqual(got, []any{"from " + a.id}) {
			t.Fatalf("direct = %v", got)
		}
		a.expectNone(t)
	})
}

func TestAcks(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /a:
    on:
      add:
        - ack: '${{ {"sum": data.a + data.b} }}'
      pair:
        - ack: { args: ["${{ data }}", 2] }
      twice:
        - ack: first
        - ack: second
      no-ack-wanted:
        - ack: unused
        - emit: { event: after-ack, data: ok }
      ask-me:
        - emit:
            event: question
            data: ${{ data }}
            on_ack:
              - print: "answer ${{ reply }} for ${{ data }}; all ${{ replies }}"
      ask-other:
        - emit:
            event: question
            data: who
            to: ${{ data }}
            timeout: 5s
            on_ack:
              - emit: { event: relayed, data: "${{ reply }}" }
`+syncHandler)
	a := s.dial(t, "/a", dialOpts{})
	b := s.dial(t, "/a", dialOpts{})

	if got := a.emitAck(t, "add", map[string]any{"a": 2, "b": 3}); !reflect.DeepEqual(got, []any{map[string]any{"sum": 5.0}}) {
		t.Fatalf("add ack = %v", got)
	}
	if got := a.emitAck(t, "pair", "x"); !reflect.DeepEqual(got, []any{"x", 2.0}) {
		t.Fatalf("pair ack = %v", got)
	}
	if got := a.emitAck(t, "twice"); !reflect.DeepEqual(got, []any{"first"}) {
		t.Fatalf("twice ack = %v", got)
	}
	a.emit("no-ack-wanted")
	a.expect(t, "after-ack")

	// the server asks the sender, the client answers, on_ack runs with the reply
	a.s.On("question", func(args ...any) {
		if ack, ok := args[len(args)-1].(sio.Ack); ok {
			ack([]any{"yes", 7}, nil)
		}
	})
	a.emit("ask-me", "q1")
	a.expect(t, "question")
	s.out.WaitFor(t, `answer yes for q1; all ["yes",7]`)

	// the server asks another socket; its answer comes back to the first
	b.s.On("question", func(args ...any) {
		if ack, ok := args[len(args)-1].(sio.Ack); ok {
			ack([]any{"b says hi"}, nil)
		}
	})
	a.emit("ask-other", b.id)
	if got := a.expect(t, "relayed"); !reflect.DeepEqual(got, []any{"b says hi"}) {
		t.Fatalf("relayed = %v", got)
	}
}

func TestLifecycleEvents(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /life:
    on:
      connect:
        - emit: { event: my response, data: { data: Connected } }
      enter:
        - join_room: [red, blue]
        - ack: ok
      disconnect:
        - print: "bye ${{ socket.id }} (reason given: ${{ reason != \"\" }}) rooms ${{ socket.rooms }}"
        - broadcast: { event: left, data: "${{ socket.id }}", to: red }
`+syncHandler)
	watcher := s.dial(t, "/life", dialOpts{})
	if got := watcher.expect(t, "my response"); !reflect.DeepEqual(got, []any{map[string]any{"data": "Connected"}}) {
		t.Fatalf("my response = %v", got)
	}
	watcher.emitAck(t, "enter")
	c := s.dial(t, "/life", dialOpts{})
	c.expect(t, "my response")
	c.emitAck(t, "enter")
	id := c.id
	c.close()
	s.out.WaitFor(t, `bye `+id+` (reason given: true) rooms ["`+id+`","blue","red"]`)
	if got := watcher.expect(t, "left"); !reflect.DeepEqual(got, []any{id}) {
		t.Fatalf("left = %v", got)
	}
}

func TestArgumentsAndBinary(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /b:
    on:
      echo:
        - emit: { event: echo, args: "${{ args }}" }
      count:
        - ack: ${{ len(args) }}
`+syncHandler)
	a := s.dial(t, "/b", dialOpts{})
	blob := []byte{0, 1, 2, 250, 255}
	a.emit("echo", "text", 3, blob, map[string]any{"nested": []byte("inner")})
	got := a.expect(t, "echo")
	if len(got) != 4 || got[0] != "text" || got[1] != 3.0 {
		t.Fatalf("echo = %#v", got)
	}
	if b := asBytes(got[2]); !bytes.Equal(b, blob) {
		t.Fatalf("binary came back as %#v", got[2])
	}
	nested, _ := got[3].(map[string]any)
	if b := asBytes(nested["nested"]); string(b) != "inner" {
		t.Fatalf("nested binary came back as %#v", got[3])
	}
	if got := a.emitAck(t, "count", 1, 2, 3); !reflect.DeepEqual(got, []any{3.0}) {
		t.Fatalf("count = %v", got)
	}
}

// asBytes reads a binary argument as the Go client delivers it.
func asBytes(v any) []byte {
	switch b := v.(type) {
	case []byte:
		return b
	case interface{ Bytes() []byte }:
		return b.Bytes()
	}
	return nil
}

func TestWhenAndRuntimeFailure(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /w:
    on:
      num:
        - emit: { event: big, data: "${{ data }}" }
          when: data > 10
        - emit: { event: any, data: "${{ data }}" }
      join-room:
        - join_room: ${{ data.roomName }}
        - ack: joined
`+syncHandler)
	a := s.dial(t, "/w", dialOpts{})
	a.emit("num", 5)
	a.expect(t, "any")
	a.emit("num", 50)
	a.expect(t, "big")
	a.expect(t, "any")

	// data is a string here, so data.roomName fails: logged with position, handler stopped
	a.emit("join-room", "not-an-object")
	a.sync(t)
	a.expectNone(t)
	log := s.log.String()
	for _, want := range []string{"event failed", "event=join-room", "socket=" + a.id, "test.yaml:11:26", "namespaces./w.on.join-room[0]", "join_room"} {
		if !contains(log, want) {
			t.Fatalf("log lacks %q:\n%s", want, log)
		}
	}
	// the socket and the server go on
	if got := a.emitAck(t, "join-room", map[string]any{"roomName": "r1"}); !reflect.DeepEqual(got, []any{"joined"}) {
		t.Fatalf("join ack = %v", got)
	}
	b := s.dial(t, "/w", dialOpts{})
	b.emit("num", 1)
	b.expect(t, "any")
}

func TestNamespaces(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /user:
    on:`+syncHandler+`
      user-connected:
        - print: { data: "${{ data }}", ns: "${{ namespace }}" }
      tell-admins:
        - emit: { event: report, data: "${{ data }}", namespace: /admin, broadcast: true }
  /admin:
    on:
      hello:
        - ack: admin
`+syncHandler+`
  /user2:
    on:
`+syncHandler)
	u := s.dial(t, "/user", dialOpts{})
	adm := s.dial(t, "/admin", dialOpts{})
	u.emit("user-connected", map[string]any{"id": 1})
	s.out.WaitFor(t, `{"data":{"id":1},"ns":"/user"}`)
	u.emit("tell-admins", "psst")
	if got := adm.expect(t, "report"); !reflect.DeepEqual(got, []any{"psst"}) {
		t.Fatalf("report = %v", got)
	}
	u.expectNone(t)
	// an event of /admin is not handled in /user
	if got := adm.emitAck(t, "hello"); !reflect.DeepEqual(got, []any{"admin"}) {
		t.Fatalf("hello = %v", got)
	}
	u.emit("hello")
	u.expectNone(t)

	// undeclared namespaces, the root one included, are refused
	for _, ns := range []string{"/nope", "/"} {
		s.refused(t, ns, dialOpts{})
	}
}

func TestHandshakeIsNormalised(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /h:
    on:
      connect:
        - print:
            auth: ${{ auth }}
            token: ${{ socket.handshake.auth.token }}
            ua: ${{ socket.handshake.headers["x-test-header"] }}
            addr: ${{ socket.handshake.address == "127.0.0.1" }}
`+syncHandler)
	s.dial(t, "/h", dialOpts{auth: map[string]any{"token": "abc"}})
	s.out.WaitFor(t, `{"addr":true,"auth":{"token":"abc"},"token":"abc","ua":null}`)
	s.dial(t, "/h", dialOpts{})
	s.out.WaitFor(t, `{"addr":true,"auth":{},"token":null,"ua":null}`)
}

// TestSocketsAtOnceKeepTheirEvents: sockets sending at the same time each get back exactly
// what they sent, in order, with their own id; and `${{ $env }}` in a connect handler, sent
// only once the socket is connected, still shows the connect handler's environment.
func TestSocketsAtOnceKeepTheirEvents(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /e:
    on:
      connect:
        - emit: { event: env, data: "${{ $env }}" }
      echo:
        - emit: { event: echoed, data: "${{ data }}" }
        - emit: { event: from, data: "${{ socket.id }} ${{ data.n }}" }
`+syncHandler)
	const sockets, events = 4, 100
	clients := make([]*client, sockets)
	for i := range clients {
		clients[i] = s.dial(t, "/e", dialOpts{})
		got := clients[i].expect(t, "env")
		env, _ := got[0].(map[string]any)
		if env["Event"] != "connect" || env["Namespace"] != "/e" {
			t.Fatalf("$env at connect = %v", got)
		}
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range events {
				c.emit("echo", map[string]any{"socket": float64(i), "n": float64(n)})
			}
		}()
	}
	wg.Wait()
	for i, c := range clients {
		for n := range events {
			if got := c.expect(t, "echoed"); !reflect.DeepEqual(got, []any{map[string]any{"socket": float64(i), "n": float64(n)}}) {
				t.Fatalf("socket %d, event %d: echoed %v", i, n, got)
			}
			if got := c.expect(t, "from"); !reflect.DeepEqual(got, []any{fmt.Sprintf("%s %d", c.id, n)}) {
				t.Fatalf("socket %d, event %d: from %v", i, n, got)
			}
		}
	}
}

// TestHandshakeAfterConnect: without a connect handler the handshake is made on first use, and
// expressions of events and of the disconnect handler see it as a connect handler would,
// through socket.handshake, auth alone and $env.
func TestHandshakeAfterConnect(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /h:
    on:
      token:
        - ack: ${{ auth.token }}
      whole:
        - ack: ${{ $env.auth.token }}
      handshake:
        - ack:
            data:
              auth: ${{ socket.handshake.auth }}
              origin: ${{ socket.handshake.headers.origin }}
              addr: ${{ socket.handshake.address == "127.0.0.1" }}
      disconnect:
        - print: "bye ${{ auth.token }}"
`+syncHandler)
	c := s.dial(t, "/h", dialOpts{auth: map[string]any{"token": "abc"}, origin: s.url})
	if got := c.emitAck(t, "token"); !reflect.DeepEqual(got, []any{"abc"}) {
		t.Fatalf("auth.token = %v", got)
	}
	if got := c.emitAck(t, "whole"); !reflect.DeepEqual(got, []any{"abc"}) {
		t.Fatalf("$env.auth.token = %v", got)
	}
	want := map[string]any{"auth": map[string]any{"token": "abc"}, "origin": s.url, "addr": true}
	if got := c.emitAck(t, "handshake"); !reflect.DeepEqual(got, []any{want}) {
		t.Fatalf("socket.handshake = %v", got)
	}
	c.close()
	s.out.WaitFor(t, "bye abc")

	anon := s.dial(t, "/h", dialOpts{})
	if got := anon.emitAck(t, "handshake"); !reflect.DeepEqual(got, []any{map[string]any{"auth": map[string]any{}, "origin": nil, "addr": true}}) {
		t.Fatalf("socket.handshake without auth = %v", got)
	}
}
