package router_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

// clusterLanguageConfig is a node of a cluster using the actions whose meaning is
// cluster-wide: disconnect by id, close_room and sockets().
func clusterLanguageConfig(redisURL string) string {
	return fmt.Sprintf(`
version: 1
server:
  adapter:
    redis: { url: %q }
namespaces:
  /chat:
    on:
      join:
        - join_room: ${{ data }}
        - set: { name: "${{ auth.name }}" }
        - ack: joined
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
`+syncHandler, redisURL)
}

// TestClusterKickCloseRoomAndWhoIsOnline: sockets() lists the sockets of two ioroute nodes and
// a Node socket.io server with @socket.io/redis-adapter, with their data; disconnect by id
// and close_room act on the sockets of the other servers.
func TestClusterKickCloseRoomAndWhoIsOnline(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, clusterLanguageConfig(rd.URL))
	n2 := startRouter(t, clusterLanguageConfig(rd.URL))
	node := startNodeRequestsServer(t, rd.URL)
	a := n1.dial(t, "/chat", dialOpts{auth: map[string]any{"name": "a"}})
	b := n2.dial(t, "/chat", dialOpts{auth: map[string]any{"name": "b"}})
	c := node.dial(t, "/chat", dialOpts{auth: map[string]any{"name": "c"}})
	for _, x := range []*client{a, b, c} {
		if got := x.emitAck(t, "join", "lobby"); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
	}
	ids := func(cs ...*client) []any {
		var out []string
		for _, c := range cs {
			out = append(out, c.id)
		}
		slices.Sort(out)
		list := []any{}
		for _, id := range out {
			list = append(list, id)
		}
		return list
	}
	if got := a.emitAck(t, "online", "lobby"); !reflect.DeepEqual(got, []any{ids(a, b, c)}) {
		t.Fatalf("sockets(\"lobby\") on node 1 = %v, want %v", got, ids(a, b, c))
	}
	if got := b.emitAck(t, "names"); !reflect.DeepEqual(got, []any{[]any{"a", "b", "c"}}) {
		t.Fatalf("names on node 2 = %v, want a, b, c (from the sockets' data)", got)
	}

	if got := a.emitAck(t, "close", "lobby"); !reflect.DeepEqual(got, []any{"closed"}) {
		t.Fatalf("close ack = %v", got)
	}
	// the other servers apply the request when it reaches them (as with Node's adapter,
	// nothing is acknowledged), so b asks until its own node has done it
	deadline := time.Now().Add(wait)
	for got := b.emitAck(t, "online", "lobby"); !reflect.DeepEqual(got, []any{[]any{}}); got = b.emitAck(t, "online", "lobby") {
		if time.Now().After(deadline) {
			t.Fatalf("lobby after close_room = %v, want empty on every server", got)
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
	if got := a.emitAck(t, "online", nil); !reflect.DeepEqual(got, []any{ids(a)}) {
		t.Fatalf("sockets() after the kicks = %v, want only a", got)
	}
}
