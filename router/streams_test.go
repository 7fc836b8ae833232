package router_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster/wire"
	"github.com/ioroute/ioroute/internal/testutil"
)

// streamsConfig is the chat of test/node/streams-server.mjs, on a streams cluster with
// recovery.
func streamsConfig(redisURL string) string {
	return fmt.Sprintf(`
version: 1
server:
  adapter:
    redis_streams: { url: %q }
  recovery: { max_disconnection: 30s }
namespaces:
  /chat:
    on:
      connect:
        - emit: { event: welcome, data: "${{ socket.id }}" }
          when: "!socket.recovered"
        - print: "connect ${{ socket.id }} recovered=${{ socket.recovered }}"
      join:
        - join_room: r
        - set: { name: "${{ data }}" }
        - ack: joined
      say:
        - emit: { event: msg, to: r, data: "${{ data }}" }
      other:
        - emit: { event: msg, to: other, data: "${{ data }}" }
      shout:
        - broadcast: { event: msg, data: "${{ data }}", include_self: false }
      whoami:
        - ack: { data: { id: "${{ socket.id }}", rooms: "${{ socket.rooms }}", data: "${{ socket.data }}", recovered: "${{ socket.recovered }}" } }
      count:
        - ack: ${{ len(sockets()) }}
      online:
        - ack: '${{ sort(map(data == nil ? sockets() : sockets(data), .id)) }}'
      names:
        - ack: '${{ sort(map(sockets(), string(.data.name))) }}'
      kick:
        - disconnect: ${{ data }}
        - ack: kicked
      close:
        - close_room: ${{ data }}
        - ack: closed
      ask:
        - emit:
            event: question
            data: who
            to: ${{ data }}
            timeout: 3s
            on_ack:
              - emit: { event: relayed, data: "${{ reply }}" }
      disconnect:
        - print: "gone ${{ reason }}"
`, redisURL)
}

// streamsHelper sends, from a client of url, m1 to room r, x to room other, m2 to everyone
// but itself and m3 to room r, and waits for an answer after them.
func streamsHelper(t *testing.T, url string) {
	t.Helper()
	msgs := runNode(t, "helper", nodeScript(url, 4,
		step{"wait": "connect"},
		step{"emit": "say", "args": []any{"m1"}},
		step{"emit": "other", "args": []any{"x"}},
		step{"emit": "shout", "args": []any{"m2"}},
		step{"emit": "say", "args": []any{"m3"}},
		step{"emit": "whoami", "ack": true},
	))
	mustConnect(t, "helper", msgs)
}

// checkRecovered asserts that msgs show a new socket, then the same socket recovered with its
// rooms and data, and m1 m2 m3 m4 once each, in order, each with an offset.
func checkRecovered(t *testing.T, msgs []nodeMsg) {
	t.Helper()
	var connects []nodeMsg
	var acks [][]any
	for _, m := range msgs {
		switch m.Type {
		case "connect":
			connects = append(connects, m)
		case "ack":
			if len(m.Args) > 0 {
				acks = append(acks, m.Args)
			}
		}
	}
	if len(connects) != 2 || connects[0].Recovered || !connects[1].Recovered || connects[0].ID != connects[1].ID {
		t.Fatalf("want a new socket, then the same id recovered; printed %s", rawLines(msgs))
	}
	var texts []any
	for _, args := range eventsOf(msgs, "msg") {
		if len(args) != 2 {
			t.Fatalf("msg args %v: want the text and an offset; printed %s", args, rawLines(msgs))
		}
		texts = append(texts, args[0])
	}
	if !reflect.DeepEqual(texts, []any{"m1", "m2", "m3", "m4"}) {
		t.Fatalf("msg texts %v, want m1 m2 m3 (missed) and m4 (live) once each in order; printed %s", texts, rawLines(msgs))
	}
	if len(acks) != 3 {
		t.Fatalf("want 3 acks; printed %s", rawLines(msgs))
	}
	before, after := acks[1][0].(map[string]any), acks[2][0].(map[string]any)
	if before["id"] != after["id"] || !sameRooms(before["rooms"], after["rooms"]) || !reflect.DeepEqual(before["data"], after["data"]) {
		t.Fatalf("before the cut %v, after the recovery %v: want the same id, rooms and data", before, after)
	}
	if after["recovered"] != true || !reflect.DeepEqual(after["data"], map[string]any{"name": "ana"}) {
		t.Fatalf("after the recovery %v: want recovered and data {name: ana}", after)
	}
}

// sameRooms compares two lists of rooms as sets (Node keeps the order a socket joined them).
func sameRooms(a, b any) bool {
	list := func(v any) []string {
		l, _ := v.([]any)
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, fmt.Sprint(x))
		}
		slices.Sort(out)
		return out
	}
	return len(list(a)) == 2 && reflect.DeepEqual(list(a), list(b))
}

// recoverBetween runs a client that connects to server from, joins r as ana, loses its
// transport and comes back to server to; meanwhile, once dropped has seen it go, a helper on
// server helper sends m1, x, m2 and m3. The client must be recovered with m1 m2 m3, then m4.
func recoverBetween(t *testing.T, from, to, helper string, dropped func(t *testing.T)) {
	t.Helper()
	a := startNode(t, "a", nodeScript(from+"/chat", 4,
		step{"wait": "connect"},
		step{"expect": "welcome"}, // an event, so the client has an offset
		step{"emit": "join", "args": []any{"ana"}, "ack": true},
		step{"emit": "whoami", "ack": true},
		step{"cut": true},
		step{"sleep": 3000},
		step{"connect": true, "url": to},
		step{"wait": "connect"},
		step{"expect": "msg", "count": 3},
		step{"emit": "whoami", "ack": true},
		step{"emit": "say", "args": []any{"m4"}},
		step{"expect": "msg", "count": 4},
		step{"sleep": 300},
	))
	dropped(t)
	streamsHelper(t, helper+"/chat")
	checkRecovered(t, a.Wait(t))
}

// gone waits until s printed that a socket dropped.
func gone(s *server) func(t *testing.T) {
	return func(t *testing.T) { s.out.WaitFor(t, "gone transport close") }
}

func TestStreamsRecoveryAcrossIorouteNodes(t *testing.T) {
	start := func(t *testing.T) (*server, *server) {
		rd := testutil.StartRedis(t)
		return startRouter(t, streamsConfig(rd.URL)), startRouter(t, streamsConfig(rd.URL))
	}
	t.Run("back on the same node", func(t *testing.T) {
		n1, n2 := start(t)
		recoverBetween(t, n1.url, n1.url, n2.url, gone(n1))
	})
	t.Run("moved to another node", func(t *testing.T) {
		n1, n2 := start(t)
		recoverBetween(t, n1.url, n2.url, n1.url, gone(n1))
	})
}

// startStreamsNodeServer runs test/node/streams-server.mjs in the cluster of redisURL.
func startStreamsNodeServer(t *testing.T, redisURL string) *nodeRequestsServer {
	t.Helper()
	return startNodeServer(t, "../test/node/streams-server.mjs",
		[]string{"@socket.io/redis-streams-adapter", "socket.io", "redis"}, redisURL)
}

// TestStreamsMixedCluster: an ioroute node and a Node socket.io server with
// @socket.io/redis-streams-adapter share a cluster: broadcasts and fetchSockets cross both
// ways, with offsets that are the stream's ids, and a client recovers moving between them.
func TestStreamsMixedCluster(t *testing.T) {
	t.Run("broadcasts and fetchSockets both ways", func(t *testing.T) {
		rd := testutil.StartRedis(t)
		n1 := startRouter(t, streamsConfig(rd.URL))
		js := startStreamsNodeServer(t, rd.URL)
		ic := n1.dial(t, "/chat", dialOpts{})
		ic.expect(t, "welcome")
		if got := ic.emitAck(t, "join", "go"); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
		nc := startNode(t, "nc", nodeScript(js.url+"/chat", 4,
			step{"wait": "connect"},
			step{"expect": "welcome"},
			step{"emit": "join", "args": []any{"js"}, "ack": true},
			step{"emit": "count", "ack": true},
			step{"emit": "say", "args": []any{"from node"}},
			step{"expect": "msg", "count": 2},
		))
		got := ic.expect(t, "msg")
		if len(got) != 2 || got[0] != "from node" || !isStreamID(got[1]) {
			t.Fatalf("the ioroute client got msg %v, want \"from node\" and a stream id", got)
		}
		if n := ic.emitAck(t, "count"); !reflect.DeepEqual(n, []any{2}) && !reflect.DeepEqual(n, []any{2.0}) {
			t.Fatalf("count on ioroute = %v, want 2 (fetchSockets answered by the Node server)", n)
		}
		ic.emit("say", "from ioroute")
		got = ic.expect(t, "msg")
		if len(got) != 2 || got[0] != "from ioroute" || !isStreamID(got[1]) {
			t.Fatalf("the ioroute client got msg %v, want its own \"from ioroute\" and a stream id", got)
		}
		msgs := nc.Wait(t)
		var texts []any
		for _, args := range eventsOf(msgs, "msg") {
			if len(args) != 2 || !isStreamID(args[1]) {
				t.Fatalf("Node's client got msg %v, want a text and a stream id; printed %s", args, rawLines(msgs))
			}
			texts = append(texts, args[0])
		}
		if !reflect.DeepEqual(texts, []any{"from node", "from ioroute"}) {
			t.Fatalf("Node's client got %v; printed %s", texts, rawLines(msgs))
		}
		for _, m := range msgs {
			if m.Type == "ack" && m.Event == "count" && !reflect.DeepEqual(m.Args, []any{2.0}) {
				t.Fatalf("count on the Node server = %v, want 2 (fetchSockets answered by ioroute)", m.Args)
			}
		}
	})
	t.Run("a client of ioroute recovers on the Node server", func(t *testing.T) {
		rd := testutil.StartRedis(t)
		n1 := startRouter(t, streamsConfig(rd.URL))
		js := startStreamsNodeServer(t, rd.URL)
		recoverBetween(t, n1.url, js.url, js.url, gone(n1))
	})
	t.Run("a client of the Node server recovers on ioroute", func(t *testing.T) {
		rd := testutil.StartRedis(t)
		n1 := startRouter(t, streamsConfig(rd.URL))
		js := startStreamsNodeServer(t, rd.URL)
		recoverBetween(t, js.url, n1.url, n1.url, func(t *testing.T) { testutil.WaitForLog(t, js.printed, `"reason":"transport close"`) })
	})
}

// isStreamID reports whether v is a Redis stream id, as offsets are in a streams cluster.
func isStreamID(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	a, b, found := strings.Cut(s, "-")
	return found && a != "" && b != "" && strings.Trim(a+b, "0123456789") == ""
}

// TestStreamsRefusesForeignSessions: a forged pid, a malformed offset, an offset that is not
// in this stream (another cluster's, or trimmed) give a new socket, and a pid is used once,
// whichever node it is used on.
func TestStreamsRefusesForeignSessions(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, streamsConfig(rd.URL))
	n2 := startRouter(t, streamsConfig(rd.URL))
	// fresh tells whether a client with auth is a new socket, as the server sees it (the
	// client's own socket.recovered compares the pid with one it was given, which this
	// client never was)
	fresh := func(t *testing.T, url string, auth map[string]any) bool {
		t.Helper()
		script := nodeScript(url+"/chat", 4, step{"wait": "connect"}, step{"emit": "whoami", "ack": true})
		script["auth"] = auth
		msgs := runNode(t, "client", script)
		mustConnect(t, "client", msgs)
		for _, m := range msgs {
			if m.Type == "ack" && len(m.Args) == 1 {
				return m.Args[0].(map[string]any)["recovered"] != true
			}
		}
		t.Fatalf("no answer to whoami; printed %s", rawLines(msgs))
		return false
	}
	// a real session, and an offset of this stream
	a := runNode(t, "a", nodeScript(n1.url+"/chat", 4,
		step{"wait": "connect"}, step{"expect": "welcome"}, step{"cut": true}))
	welcome := eventsOf(a, "welcome")
	if len(welcome) != 1 || len(welcome[0]) != 2 || !isStreamID(welcome[0][1]) {
		t.Fatalf("want a welcome with an offset; printed %s", rawLines(a))
	}
	offset := welcome[0][1].(string)
	rc := redis.NewClient(&redis.Options{Addr: rd.Addr})
	defer rc.Close()
	pid := sessionPid(t, rc, a[0].ID)
	ttl, err := rc.PTTL(context.Background(), "sio:session:"+pid).Result()
	if err != nil || ttl <= 0 || ttl > 30*time.Second {
		t.Fatalf("PTTL of the session = %v, %v; want at most server.recovery.max_disconnection (30 s)", ttl, err)
	}

	for _, tt := range []struct {
		name string
		auth map[string]any
	}{
		{"forged pid", map[string]any{"pid": "forged", "offset": offset}},
		{"malformed offset", map[string]any{"pid": pid, "offset": "1"}},
		{"offset of another stream", map[string]any{"pid": pid, "offset": "1-0"}},
		{"pid and offset not strings", map[string]any{"pid": 42, "offset": []any{"x"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !fresh(t, n2.url, tt.auth) {
				t.Fatalf("auth %v recovered a session", tt.auth)
			}
		})
	}
	t.Run("a pid is used once, on any node", func(t *testing.T) {
		// the session was taken by "offset of another stream" above (as the Node adapter
		// does, a well-formed offset takes it): drop a socket again for a new one
		b := runNode(t, "b", nodeScript(n1.url+"/chat", 4,
			step{"wait": "connect"}, step{"expect": "welcome"}, step{"cut": true}))
		off := eventsOf(b, "welcome")[0][1]
		auth := map[string]any{"pid": sessionPid(t, rc, b[0].ID), "offset": off}
		// the first use stays connected while the second is tried (a restored socket that
		// drops keeps a session under its pid again, as in Node)
		script := nodeScript(n2.url+"/chat", 4, step{"wait": "connect"}, step{"emit": "whoami", "ack": true}, step{"sleep": 1500})
		script["auth"] = auth
		first := startNode(t, "first", script)
		n2.out.WaitFor(t, "connect "+b[0].ID+" recovered=true")
		if !fresh(t, n1.url, auth) {
			t.Fatal("the second use of the pid recovered the session again")
		}
		mustConnect(t, "first", first.Wait(t))
	})
}

// sessionPid waits for the recovery session of socket sid in Redis and returns its pid.
func sessionPid(t *testing.T, rc *redis.Client, sid string) string {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		keys, err := rc.Keys(ctx, "sio:session:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			v, err := rc.Get(ctx, k).Result()
			if err != nil {
				continue
			}
			if s, err := wire.DecodeSession(v); err == nil && s.Sid == sid {
				return strings.TrimPrefix(k, "sio:session:")
			}
		}
	}
	t.Fatalf("no session of socket %s was kept in Redis", sid)
	return ""
}

// TestStreamsSurvivesLosingRedis: with Redis gone, a node's broadcasts still reach its own
// sockets at once (without offset: nothing can be recovered from a stream that is not
// there), the loss is logged once, and the cluster comes back by itself with Redis.
func TestStreamsSurvivesLosingRedis(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, streamsConfig(rd.URL))
	n2 := startRouter(t, streamsConfig(rd.URL))
	a, a2, b := n1.dial(t, "/chat", dialOpts{}), n1.dial(t, "/chat", dialOpts{}), n2.dial(t, "/chat", dialOpts{})
	for _, c := range []*client{a, a2, b} {
		c.expect(t, "welcome")
	}
	a.emit("shout", "before")
	for _, c := range []*client{a2, b} {
		if got := c.expect(t, "msg"); len(got) != 2 || got[0] != "before" || !isStreamID(got[1]) {
			t.Fatalf("msg = %v, want before and a stream id", got)
		}
	}

	rd.Stop()
	for i := range 3 {
		text := fmt.Sprintf("while down %d", i)
		a.emit("shout", text)
		a2.expectArgs(t, "msg", text)
	}
	testutil.WaitForLog(t, n1.log, "lost Redis")
	if n := strings.Count(n1.log.String(), "lost Redis"); n != 1 {
		t.Fatalf("the loss of Redis was logged %d times, want once", n)
	}

	rd.Start()
	crossed := false
	for i := 0; !crossed; i++ {
		if i == 100 {
			t.Fatal("no broadcast crossed to the other node after Redis came back")
		}
		probe := fmt.Sprintf("probe %d", i)
		a.emit("shout", probe)
		skipTo(t, a2, probe)
		timeout := time.After(100 * time.Millisecond)
	read:
		for {
			select {
			case e := <-b.events:
				if e.name != "msg" || !strings.HasPrefix(fmt.Sprint(e.args[0]), "probe ") && !strings.HasPrefix(fmt.Sprint(e.args[0]), "while down ") {
					t.Fatalf("the other node got %q %v", e.name, e.args)
				}
				if e.args[0] == probe {
					crossed = true
					break read
				}
			case <-timeout:
				break read
			}
		}
	}
	// once the node has seen Redis back (its reader reads again), offsets are back too
	testutil.WaitForLog(t, n1.log, "Redis is back")
	a.emit("shout", "after")
	if got := skipTo(t, a2, "after"); len(got) != 2 || !isStreamID(got[1]) {
		t.Fatalf("msg = %v once Redis is back, want after and a stream id", got)
	}
}

// skipTo returns the args of c's next msg whose text is text, skipping earlier ones.
func skipTo(t *testing.T, c *client, text string) []any {
	t.Helper()
	for {
		if got := c.expect(t, "msg"); got[0] == text {
			return got
		}
	}
}

// TestStreamsRequestsAcrossServers: sockets() lists the sockets of two ioroute nodes and a
// Node server with the streams adapter, with their data; close_room and disconnect by id
// (entries of the stream) act on the other servers' sockets.
func TestStreamsRequestsAcrossServers(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, streamsConfig(rd.URL))
	n2 := startRouter(t, streamsConfig(rd.URL))
	js := startStreamsNodeServer(t, rd.URL)
	a, b, c := n1.dial(t, "/chat", dialOpts{}), n2.dial(t, "/chat", dialOpts{}), js.dial(t, "/chat", dialOpts{})
	for i, x := range []*client{a, b, c} {
		x.expect(t, "welcome")
		if got := x.emitAck(t, "join", string(rune('a'+i))); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
	}
	ids := []string{a.id, b.id, c.id}
	slices.Sort(ids)
	want := []any{}
	for _, id := range ids {
		want = append(want, id)
	}
	if got := a.emitAck(t, "online", "r"); !reflect.DeepEqual(got, []any{want}) {
		t.Fatalf("sockets(\"r\") on node 1 = %v, want %v", got, want)
	}
	if got := b.emitAck(t, "names"); !reflect.DeepEqual(got, []any{[]any{"a", "b", "c"}}) {
		t.Fatalf("names on node 2 = %v, want a, b, c (from the sockets' data)", got)
	}
	if got := a.emitAck(t, "close", "r"); !reflect.DeepEqual(got, []any{"closed"}) {
		t.Fatalf("close ack = %v", got)
	}
	// the other servers act when the entry reaches them (nothing is acknowledged, as in Node)
	deadline := time.Now().Add(wait)
	for got := b.emitAck(t, "online", "r"); !reflect.DeepEqual(got, []any{[]any{}}); got = b.emitAck(t, "online", "r") {
		if time.Now().After(deadline) {
			t.Fatalf("r after close_room = %v, want empty on every server", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, victim := range []*client{b, c} {
		gone := onDisconnect(victim)
		if got := a.emitAck(t, "kick", victim.id); !reflect.DeepEqual(got, []any{"kicked"}) {
			t.Fatalf("kick ack = %v", got)
		}
		if reason := <-gone; !strings.HasPrefix(reason, "io server disconnect") {
			t.Fatalf("kicked with reason %q", reason)
		}
	}
	if got := a.emitAck(t, "online", nil); !reflect.DeepEqual(got, []any{[]any{a.id}}) {
		t.Fatalf("sockets() after the kicks = %v, want only a", got)
	}
}

// TestStreamsAcknowledgementsAcrossServers: an emit with on_ack from ioroute to a socket of a
// Node server, and a Node server's emitWithAck to every socket, ioroute's included, cross
// over pub/sub (broadcasts with acknowledgement are never stream entries).
func TestStreamsAcknowledgementsAcrossServers(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, streamsConfig(rd.URL))
	js := startStreamsNodeServer(t, rd.URL)
	a, c := n1.dial(t, "/chat", dialOpts{}), js.dial(t, "/chat", dialOpts{})
	for _, x := range []*client{a, c} {
		x.expect(t, "welcome")
		x.s.On("question", func(args ...any) {
			if ack, ok := args[len(args)-1].(sio.Ack); ok {
				ack([]any{"answer of " + x.id}, nil)
			}
		})
	}
	a.emit("ask", c.id)
	if got := c.expect(t, "question"); len(got) != 2 || got[0] != "who" {
		t.Fatalf("question args = %v, want who and an acknowledgement", got)
	}
	if got := a.expect(t, "relayed"); len(got) != 2 || got[0] != "answer of "+c.id || !isStreamID(got[1]) {
		t.Fatalf("relayed args = %v, want c's answer and an offset", got)
	}

	got := c.emitAck(t, "poll")
	answers, _ := got[0].([]any)
	slices.SortFunc(answers, func(x, y any) int { return strings.Compare(fmt.Sprint(x), fmt.Sprint(y)) })
	want := []any{"answer of " + a.id, "answer of " + c.id}
	slices.SortFunc(want, func(x, y any) int { return strings.Compare(fmt.Sprint(x), fmt.Sprint(y)) })
	if !reflect.DeepEqual(answers, want) {
		t.Fatalf("the Node server's emitWithAck got %v, want %v", got, want)
	}
}
