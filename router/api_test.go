package router_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

const apiKey = "router-test-key-5f1c0a"

// apiConfig serves /chat and /news with the API reading its key from IOROUTE_TEST_API_KEY;
// extra is more of the server section.
func apiConfig(extra string) string {
	return `
version: 1
server:
  api: { key: "${{ env.IOROUTE_TEST_API_KEY }}"` + extra + ` }
namespaces:
  /chat:
    on:
      join:
        - join_room: ${{ data }}
        - ack: joined
      whoami:
        - ack: ${{ socket.rooms }}
` + syncHandler + `
  /news:
    on: {}
`
}

// apiDo sends a request to the API at base (http://host:port) with the key.
func apiDo(t *testing.T, method, base, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/api/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s /api/%s: %d %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// apiOK sends a request that must succeed.
func apiOK(t *testing.T, base, path, body string) {
	t.Helper()
	if status, out := apiDo(t, "POST", base, path, body); status != http.StatusOK || out["ok"] != true {
		t.Fatalf("POST /api/%s %s: %d %v", path, body, status, out)
	}
}

// socketIDs lists the ids GET /api/sockets answers with, sorted.
func socketIDs(t *testing.T, base, query string) []string {
	t.Helper()
	status, out := apiDo(t, "GET", base, "sockets?"+query, "")
	list, _ := out["sockets"].([]any)
	if status != http.StatusOK || list == nil {
		t.Fatalf("sockets?%s: %d %v", query, status, out)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.(map[string]any)["id"].(string))
	}
	sort.Strings(ids)
	return ids
}

// TestAPIOnTheMainListener drives every endpoint of the API mounted under /api/ of the main
// listener, against real clients.
func TestAPIOnTheMainListener(t *testing.T) {
	t.Setenv("IOROUTE_TEST_API_KEY", apiKey)
	s := startRouter(t, apiConfig(""))
	a := s.dial(t, "/chat", dialOpts{})
	b := s.dial(t, "/chat", dialOpts{})
	a.emitAck(t, "join", "lobby")

	apiOK(t, s.url, "emit", `{"namespace": "/chat", "event": "news", "data": {"text": "hello"}}`)
	a.expectArgs(t, "news", map[string]any{"text": "hello"})
	b.expectArgs(t, "news", map[string]any{"text": "hello"})

	apiOK(t, s.url, "emit", `{"namespace": "/chat", "event": "room-news", "args": ["x", 2], "to": ["lobby"]}`)
	a.expectArgs(t, "room-news", "x", float64(2))
	b.expectNone(t)

	apiOK(t, s.url, "emit", `{"namespace": "/chat", "event": "not-a", "except": ["`+a.id+`"]}`)
	b.expect(t, "not-a")
	a.expectNone(t)

	apiOK(t, s.url, "join", `{"namespace": "/chat", "sockets": ["`+b.id+`"], "room": "vip"}`)
	if got := socketIDs(t, s.url, "namespace=/chat&room=vip"); !reflect.DeepEqual(got, []string{b.id}) {
		t.Fatalf("vip = %v", got)
	}
	if got := b.emitAck(t, "whoami"); !reflect.DeepEqual(got, []any{[]any{b.id, "vip"}}) {
		t.Fatalf("b's rooms = %v", got)
	}
	apiOK(t, s.url, "leave", `{"namespace": "/chat", "rooms": ["vip"], "room": "vip"}`)
	if got := socketIDs(t, s.url, "namespace=/chat&room=vip"); len(got) != 0 {
		t.Fatalf("vip after leave = %v", got)
	}
	if got := socketIDs(t, s.url, "namespace=/chat"); !reflect.DeepEqual(got, sortedIDs(a, b)) {
		t.Fatalf("sockets = %v", got)
	}

	aGone := onDisconnect(a)
	apiOK(t, s.url, "disconnect", `{"namespace": "/chat", "rooms": ["lobby"]}`)
	waitGone(t, aGone)
	if got := socketIDs(t, s.url, "namespace=/chat"); !reflect.DeepEqual(got, []string{b.id}) {
		t.Fatalf("sockets after disconnect = %v", got)
	}

	if status, out := apiDo(t, "POST", s.url, "emit", `{"namespace": "/admin", "event": "e"}`); status != 400 || out["field"] != "namespace" {
		t.Fatalf("undeclared namespace: %d %v", status, out)
	}
	if status, _, _ := get(t, "POST", s.url+"/api/emit"); status != http.StatusUnauthorized {
		t.Fatalf("without the key: %d", status)
	}
	if status, _ := apiDo(t, "POST", s.url, "emit", `{"namespace": "/chat", "event": "e", "data": "`+strings.Repeat("x", 1100000)+`"}`); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("over max_payload: %d", status)
	}
	if strings.Contains(s.log.String(), apiKey) {
		t.Fatalf("the log shows the API key:\n%s", s.log.String())
	}
}

// TestAPIOwnListener: with server.api.listen the API is served there only, and the key is in
// no log line, a reload's included.
func TestAPIOwnListener(t *testing.T) {
	t.Setenv("IOROUTE_TEST_API_KEY", apiKey)
	s := startRouter(t, apiConfig(`, listen: "127.0.0.1:0"`))
	addr := s.Router.APIAddr()
	if addr == nil {
		t.Fatal("no API listener")
	}
	base := "http://" + addr.String()
	c := s.dial(t, "/news", dialOpts{})
	apiOK(t, base, "emit", `{"namespace": "/news", "event": "headline", "data": "up"}`)
	c.expectArgs(t, "headline", "up")
	if status, _, _ := get(t, "POST", s.url+"/api/emit", "Authorization", "Bearer "+apiKey); status != http.StatusNotFound {
		t.Fatalf("the main listener answers /api/emit with %d", status)
	}
	if status, _, _ := get(t, "GET", base+"/socket.io/?EIO=4&transport=polling", "Authorization", "Bearer "+apiKey); status != http.StatusNotFound {
		t.Fatalf("the API listener serves Socket.IO: %d", status)
	}

	t.Setenv("IOROUTE_TEST_API_KEY", apiKey+"-rotated")
	s.reload(t, apiConfig(`, listen: "127.0.0.1:0"`)+"\n# touched\n")
	testutil.WaitForLog(t, s.log, "restart required for changed settings")
	apiOK(t, base, "emit", `{"namespace": "/news", "event": "headline", "data": "still the first key"}`)
	c.expectArgs(t, "headline", "still the first key")
	if strings.Contains(s.log.String(), apiKey) {
		t.Fatalf("the log shows the API key:\n%s", s.log.String())
	}
}

// TestAPIAcrossNodes: the API of one node reaches sockets on another through Redis: emit,
// join, leave, the socket list and disconnect.
func TestAPIAcrossNodes(t *testing.T) {
	t.Setenv("IOROUTE_TEST_API_KEY", apiKey)
	rd := testutil.StartRedis(t)
	cfg := strings.Replace(apiConfig(""), "server:\n", fmt.Sprintf("server:\n  adapter: { redis: { url: %q } }\n", rd.URL), 1)
	n1 := startRouter(t, cfg)
	n2 := startRouter(t, cfg)
	a := n1.dial(t, "/chat", dialOpts{})
	b := n2.dial(t, "/chat", dialOpts{})
	b.emitAck(t, "join", "lobby")

	apiOK(t, n1.url, "emit", `{"namespace": "/chat", "event": "news", "data": "everyone"}`)
	a.expectArgs(t, "news", "everyone")
	b.expectArgs(t, "news", "everyone")

	apiOK(t, n1.url, "emit", `{"namespace": "/chat", "event": "lobby-news", "data": "lobby only", "to": ["lobby"]}`)
	b.expectArgs(t, "lobby-news", "lobby only")
	a.expectNone(t)

	apiOK(t, n1.url, "emit", `{"namespace": "/chat", "event": "direct", "data": "to b", "to": ["`+b.id+`"]}`)
	b.expectArgs(t, "direct", "to b")

	// a join or leave for another node is published without an answer, as by Node's adapter:
	// it is applied when the message arrives there
	apiOK(t, n1.url, "join", `{"namespace": "/chat", "sockets": ["`+b.id+`"], "room": "vip"}`)
	eventually(t, "b's rooms after a join from node 1", func() any { return b.emitAck(t, "whoami") }, []any{[]any{b.id, "lobby", "vip"}})
	if got := socketIDs(t, n1.url, "namespace=/chat"); !reflect.DeepEqual(got, sortedIDs(a, b)) {
		t.Fatalf("sockets from node 1 = %v, want both nodes' %v", got, sortedIDs(a, b))
	}
	if got := socketIDs(t, n1.url, "namespace=/chat&room=vip"); !reflect.DeepEqual(got, []string{b.id}) {
		t.Fatalf("vip from node 1 = %v", got)
	}
	apiOK(t, n1.url, "leave", `{"namespace": "/chat", "sockets": ["`+b.id+`"], "room": "vip"}`)
	eventually(t, "b's rooms after a leave from node 1", func() any { return b.emitAck(t, "whoami") }, []any{[]any{b.id, "lobby"}})

	bGone := onDisconnect(b)
	apiOK(t, n1.url, "disconnect", `{"namespace": "/chat", "sockets": ["`+b.id+`"]}`)
	waitGone(t, bGone)
	eventually(t, "sockets after b's disconnect", func() any { return socketIDs(t, n1.url, "namespace=/chat") }, []string{a.id})
}

// waitGone waits for a disconnection onDisconnect watches.
func waitGone(t *testing.T, gone <-chan string) {
	t.Helper()
	select {
	case <-gone:
	case <-time.After(wait):
		t.Fatal("the socket was not disconnected")
	}
}

// eventually waits until get returns want.
func eventually(t *testing.T, what string, get func() any, want any) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := get()
		if reflect.DeepEqual(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
