package examples_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

// chatClient is the scriptable socket.io-client (4 and 2) the chat test drives.
const chatClient = "../test/node/client.mjs"

// TestChatWithClients4And2 drives examples/chat with socket.io-client 4 and 2 (Engine.IO 3)
// at once: what either sends, both receive as new-message.
func TestChatWithClients4And2(t *testing.T) {
	s := testutil.Serve(t, filepath.Join("chat", "chat.yaml"))
	url := s.URL + "/chat"
	// the v2 client listens first; the v4 client speaks once the router has it connected
	listener := testutil.StartNode(t, chatClient, "v2", testutil.ClientScript(url, 2,
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "new-message", "count": 1},
		testutil.Step{"emit": "message", "args": []any{"hi from 2.x"}},
		testutil.Step{"expect": "new-message", "count": 2},
	))
	waitConnected(t, s, "/chat", 1)
	speaker := testutil.RunNode(t, chatClient, "v4", testutil.ClientScript(url, 4,
		testutil.Step{"wait": "connect"},
		testutil.Step{"emit": "message", "args": []any{map[string]any{"username": "ann", "message": "hi from 4.x"}}},
		testutil.Step{"expect": "new-message", "count": 2},
	))
	heard := listener.Wait(t)
	want := [][]any{{map[string]any{"username": "ann", "message": "hi from 4.x"}}, {"hi from 2.x"}}
	for name, msgs := range map[string][]testutil.NodeMsg{"v4": speaker, "v2": heard} {
		testutil.MustConnect(t, name, msgs)
		if got := testutil.EventsOf(msgs, "new-message"); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: new-message = %v, want %v", name, got, want)
		}
	}
}

// waitConnected waits until the router's log shows n sockets connected to namespace ns.
func waitConnected(t *testing.T, s *testutil.Server, ns string, n int) {
	t.Helper()
	deadline := time.Now().Add(testutil.Wait)
	for strings.Count(s.Log.String(), "msg=connected namespace="+ns+" ") < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets never connected to %s:\n%s", n, ns, s.Log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
