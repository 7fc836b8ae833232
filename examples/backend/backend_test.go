package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/internal/testutil"
)

// TestMain fails the package when a server or socket goroutine outlives the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

const (
	apiKey       = "backend-example-test-key"
	backendToken = "backend-example-token"
	nodeClient   = "../../test/node/client.mjs"
)

// startStore serves the message store in-process, recording the paths it is asked for.
func startStore(t *testing.T) (*store, func() []string) {
	t.Helper()
	st := newStore(backendToken)
	var mu sync.Mutex
	var paths []string
	h := st.handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.EscapedPath())
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("BACKEND_URL", srv.URL)
	t.Setenv("BACKEND_TOKEN", backendToken)
	t.Setenv("IOROUTE_API_KEY", apiKey)
	return st, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
}

// chatScript is a client.mjs script for nick in room.
func chatScript(url, nick, room string, steps ...testutil.Step) map[string]any {
	s := testutil.ClientScript(url+"/chat", 4, steps...)
	s["auth"] = map[string]any{"nick": nick}
	s["query"] = map[string]any{"room": room}
	return s
}

// readmeCurl is the curl line of README.md that announces through the API.
func readmeCurl(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sh\n(curl [^`]*/api/emit)\n```").FindSubmatch(src)
	if m == nil {
		t.Fatal("README.md has no curl line for /api/emit")
	}
	return string(m[1])
}

// TestChatWithBackend: with socket.io-client 4, history comes from the store on connect,
// messages are stored and delivered to their room, a hostile room name stays one path
// segment, and the README's curl line announces to everyone.
func TestChatWithBackend(t *testing.T) {
	st, paths := startStore(t)
	s := testutil.Serve(t, "chat.yaml")

	ann := testutil.StartNode(t, nodeClient, "ann", chatScript(s.URL, "ann", "lobby",
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "history"},
		testutil.Step{"emit": "message", "args": []any{"hello from ann"}},
		testutil.Step{"expect": "message"},
		testutil.Step{"expect": "announcement"},
	))
	deadline := time.Now().Add(testutil.Wait)
	for stored(st, "lobby") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("ann's message was never stored; the store saw %v", paths())
		}
		time.Sleep(20 * time.Millisecond)
	}
	bob := testutil.StartNode(t, nodeClient, "bob", chatScript(s.URL, "bob", "lobby",
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "history"},
		testutil.Step{"expect": "announcement"},
	))
	eve := testutil.RunNode(t, nodeClient, "eve", chatScript(s.URL, "eve", "../admin",
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "joined"},
		testutil.Step{"expect": "history"},
		testutil.Step{"emit": "message", "args": []any{"sneaky"}},
		testutil.Step{"expect": "message"},
		testutil.Step{"emit": "message", "args": []any{"   "}},
		testutil.Step{"expect": "failed"},
	))
	waitSockets(t, s.URL, 2)

	cmd := exec.Command("sh", "-c", strings.ReplaceAll(readmeCurl(t), "http://127.0.0.1:3001", s.URL))
	cmd.Env = append(os.Environ(), "IOROUTE_API_KEY="+apiKey)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != `{"ok":true}` {
		t.Fatalf("the README's curl line: %v\n%s", err, out)
	}

	annSaw, bobSaw := ann.Wait(t), bob.Wait(t)
	for name, msgs := range map[string][]testutil.NodeMsg{"ann": annSaw, "bob": bobSaw, "eve": eve} {
		testutil.MustConnect(t, name, msgs)
	}
	sent := testutil.EventsOf(annSaw, "message")
	if len(sent) != 1 || sent[0][0].(map[string]any)["text"] != "hello from ann" || sent[0][0].(map[string]any)["from"] != "ann" || sent[0][0].(map[string]any)["id"] != float64(1) {
		t.Fatalf("ann's message came back as %v", sent)
	}
	if h := testutil.EventsOf(annSaw, "history"); !reflect.DeepEqual(h, [][]any{{[]any{}}}) {
		t.Fatalf("ann's history = %v, want an empty list", h)
	}
	if h := testutil.EventsOf(bobSaw, "history"); !reflect.DeepEqual(h, [][]any{{[]any{sent[0][0]}}}) {
		t.Fatalf("bob's history = %v, want [%v]", h, sent[0][0])
	}
	for name, msgs := range map[string][]testutil.NodeMsg{"ann": annSaw, "bob": bobSaw} {
		if a := testutil.EventsOf(msgs, "announcement"); !reflect.DeepEqual(a, [][]any{{"The chat closes at 6pm"}}) {
			t.Fatalf("%s's announcements = %v", name, a)
		}
	}
	if m := testutil.EventsOf(eve, "message"); len(m) != 1 || m[0][0].(map[string]any)["room"] != "../admin" {
		t.Fatalf("eve's message = %v", m)
	}
	if f := testutil.EventsOf(eve, "failed"); !reflect.DeepEqual(f, [][]any{{"the message is empty"}}) {
		t.Fatalf("eve's failure = %v", f)
	}
	if len(testutil.EventsOf(annSaw, "message")) != 1 {
		t.Fatal("a message of another room reached ann")
	}
	for _, p := range paths() {
		if !strings.HasPrefix(p, "GET /rooms/") && !strings.HasPrefix(p, "POST /rooms/") || strings.Contains(p, "/admin/") && !strings.Contains(p, "..%2Fadmin") {
			t.Fatalf("the store was asked for %q; all: %v", p, paths())
		}
	}
	if strings.Contains(s.Log.String(), apiKey) || strings.Contains(s.Log.String(), backendToken) {
		t.Fatalf("the log shows a secret:\n%s", s.Log.String())
	}
}

// TestChatWithStoreDown: a store that does not answer gives a socket no history and its
// messages a failure, and the socket stays connected.
func TestChatWithStoreDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("BACKEND_URL", "http://"+ln.Addr().String())
	_ = ln.Close()
	t.Setenv("IOROUTE_API_KEY", apiKey)
	s := testutil.Serve(t, "chat.yaml")
	msgs := testutil.RunNode(t, nodeClient, "ann", chatScript(s.URL, "ann", "lobby",
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "failed"},
		testutil.Step{"emit": "message", "args": []any{"anyone?"}},
		testutil.Step{"expect": "failed", "count": 2},
	))
	testutil.MustConnect(t, "ann", msgs)
	want := [][]any{{"the message store is not answering; no history"}, {"the message store is not answering; try again"}}
	if f := testutil.EventsOf(msgs, "failed"); !reflect.DeepEqual(f, want) {
		t.Fatalf("failures = %v, want %v", f, want)
	}
}

// stored counts the messages st keeps for room.
func stored(st *store, room string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.rooms[room])
}

// waitSockets waits until the API lists n sockets in /chat.
func waitSockets(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(testutil.Wait)
	for {
		req, _ := http.NewRequest("GET", base+"/api/sockets?namespace=/chat", nil)
		req.Header.Set("Authorization", "Bearer "+apiKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var list struct{ Sockets []any }
		_ = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if len(list.Sockets) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API lists %d sockets, want %d", len(list.Sockets), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChatWithBackendInBrowser runs the "backend" scenario of test/node/browser.mjs in two
// tabs of headless Chromium: messages stored and received, history after a reload, markup as
// text, an announcement through the API.
func TestChatWithBackendInBrowser(t *testing.T) {
	node, script := testutil.NodeScript(t, "../../test/node/browser.mjs", "playwright-core")
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatalf("Chromium is not installed (apt-get install chromium): %v", err)
	}
	startStore(t)
	s := testutil.Serve(t, "chat.yaml")
	shot, err := filepath.Abs(filepath.Join("..", "..", "artifacts", "backend.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	arg, _ := json.Marshal(map[string]any{"url": s.URL + "/", "script": "backend", "apiKey": apiKey, "screenshot": shot})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, script, string(arg))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser.mjs backend: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	seen := map[string]int{}
	done := false
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var m struct {
			Check string `json:"check"`
			OK    bool   `json:"ok"`
			Done  bool   `json:"done"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("browser.mjs printed a line that is not JSON: %q", sc.Text())
		}
		t.Log(sc.Text())
		if m.OK {
			seen[m.Check]++
		}
		done = done || m.Done
	}
	for check, n := range map[string]int{"connected": 2, "stored-and-received": 2, "history": 1, "announced": 1, "announcement": 2, "no-xss": 2} {
		if seen[check] != n {
			t.Errorf("check %q passed %d times, want %d", check, seen[check], n)
		}
	}
	if !done {
		t.Error("browser.mjs never printed done")
	}
}
