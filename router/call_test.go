package router_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/backend"
	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// callConfig is a chat that authorizes connections and stores messages through a backend,
// whose URL it reads from IOROUTE_TEST_BACKEND; limits is the server section's limits.
const callConfig = `
version: 1
server:
  limits: LIMITS
namespaces:
  /chat:
    on:
      connect:
        - call: { url: "${{ env.IOROUTE_TEST_BACKEND }}/auth?token=${{ auth.token }}", method: GET, timeout: 2s }
        - reject: { message: denied, data: { status: "${{ response.status }}" } }
          when: response.status != 200
        - set: { user: "${{ response.body.user }}" }
      send:
        do:
          - call:
              url: ${{ env.IOROUTE_TEST_BACKEND }}/rooms/${{ data.room }}/messages
              body: '${{ {"text": data.text, "from": socket.data.user} }}'
              timeout: 500ms
          - ack: '${{ {"status": response.status, "body": response.body} }}'
        on_error:
          - ack: '${{ {"error": error.message} }}'
` + syncHandler

// chatBackend is a backend for callConfig: /auth lets token "good" in as ann, POST
// /rooms/<room>/messages stores a message, and /rooms/slow/messages never answers until
// release is closed.
type chatBackend struct {
	*httptest.Server
	mu      sync.Mutex
	paths   []string
	held    chan struct{} // receives when a request to the slow room arrives
	release chan struct{}
}

func startChatBackend(t *testing.T) *chatBackend {
	t.Helper()
	b := &chatBackend{held: make(chan struct{}, 16), release: make(chan struct{})}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.paths = append(b.paths, r.Method+" "+r.URL.EscapedPath())
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/auth" && r.URL.Query().Get("token") == "good":
			_, _ = io.WriteString(w, `{"user": "ann"}`)
		case r.URL.Path == "/auth":
			w.WriteHeader(http.StatusForbidden)
		case r.URL.Path == "/rooms/slow/messages":
			b.held <- struct{}{}
			select {
			case <-b.release:
			case <-r.Context().Done():
			}
		default:
			var msg map[string]any
			_ = json.NewDecoder(r.Body).Decode(&msg)
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"id": 1, "text": msg["text"], "from": msg["from"]})
		}
	}))
	t.Cleanup(func() {
		close(b.release)
		b.Close()
	})
	t.Setenv("IOROUTE_TEST_BACKEND", b.URL)
	return b
}

func (b *chatBackend) seen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.paths...)
}

func callRouter(t *testing.T, limits string) *server {
	t.Helper()
	return startRouter(t, strings.Replace(callConfig, "LIMITS", limits, 1))
}

// TestCallAuthorizesAndStores: a connect handler lets in whom the backend lets in, an event's
// call reaches the backend with escaped path values, and later steps read its reply.
func TestCallAuthorizesAndStores(t *testing.T) {
	be := startChatBackend(t)
	s := callRouter(t, "{}")
	if msg := s.refused(t, "/chat", dialOpts{auth: map[string]any{"token": "bad"}}); msg != "denied" {
		t.Fatalf("refusal %q", msg)
	}
	c := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})
	got := c.emitAck(t, "send", map[string]any{"room": "../admin", "text": "hi"})
	want := []any{map[string]any{"status": float64(201), "body": map[string]any{"id": float64(1), "text": "hi", "from": "ann"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ack %v, want %v", got, want)
	}
	if paths := be.seen(); !reflect.DeepEqual(paths, []string{"GET /auth", "GET /auth", "POST /rooms/..%2Fadmin/messages"}) {
		t.Fatalf("backend saw %v", paths)
	}
}

// TestCallBackendThatNeverAnswers: a call that waits holds only its own run: other sockets are
// served at once, the server answers /healthz, and the waiting socket's next event is handled
// once the call has timed out and its on_error has answered.
func TestCallBackendThatNeverAnswers(t *testing.T) {
	be := startChatBackend(t)
	s := callRouter(t, "{}")
	slow := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})
	other := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})

	answers := make(chan []any, 2)
	_ = slow.s.Emit("send", map[string]any{"room": "slow", "text": "x"}, ackTo(answers))
	_ = slow.s.Emit("__sync", ackTo(answers))
	select {
	case <-be.held:
	case <-time.After(wait):
		t.Fatal("the slow call never reached the backend")
	}
	start := time.Now()
	for range 5 {
		other.sync(t)
		if got := other.emitAck(t, "send", map[string]any{"room": "lobby", "text": "meanwhile"}); got[0].(map[string]any)["status"] != float64(201) {
			t.Fatalf("other socket's send: %v", got)
		}
	}
	if status, _, _ := get(t, "GET", s.url+"/healthz"); status != http.StatusOK {
		t.Fatalf("/healthz: %d", status)
	}
	if d := time.Since(start); d >= 500*time.Millisecond {
		t.Fatalf("the other socket waited %s, as long as the slow call's timeout", d)
	}
	select {
	case a := <-answers:
		if msg, _ := a[0].(map[string]any)["error"].(string); !strings.Contains(msg, "no reply within 500ms") {
			t.Fatalf("the slow send's answer %v", a)
		}
	case <-time.After(wait):
		t.Fatal("the slow send was never answered")
	}
	select {
	case a := <-answers:
		if !reflect.DeepEqual(a, []any{"ok"}) {
			t.Fatalf("the slow socket's next event: %v", a)
		}
	case <-time.After(wait):
		t.Fatal("the slow socket's next event was never handled")
	}
}

// ackTo is an acknowledgement callback that hands its arguments to ch.
func ackTo(ch chan<- []any) func([]any, error) {
	return func(a []any, _ error) { ch <- a }
}

// TestCallLimits: past server.limits.calls_in_flight a call fails at once, and a reply over
// call_body_bytes fails its step; both run on_error.
func TestCallLimits(t *testing.T) {
	be := startChatBackend(t)
	s := callRouter(t, "{ calls_in_flight: 2, call_body_bytes: 60 }")
	a := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})
	b := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})
	c := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})

	if got := c.emitAck(t, "send", map[string]any{"room": "r", "text": strings.Repeat("long ", 20)}); !strings.Contains(errorOf(got), "more than the 60 of server.limits.call_body_bytes") {
		t.Fatalf("oversized reply: %v", got)
	}
	answers := make(chan []any, 2)
	for _, x := range []*client{a, b} {
		_ = x.s.Emit("send", map[string]any{"room": "slow", "text": "held"}, ackTo(answers))
		select {
		case <-be.held:
		case <-time.After(wait):
			t.Fatal("a held call never reached the backend")
		}
	}
	start := time.Now()
	got := c.emitAck(t, "send", map[string]any{"room": "r", "text": "third"})
	if !strings.Contains(errorOf(got), "2 calls are already waiting for their backends, the most server.limits.calls_in_flight allows") {
		t.Fatalf("third call: %v", got)
	}
	if d := time.Since(start); d >= 500*time.Millisecond {
		t.Fatalf("the third call failed after %s; it must fail at once", d)
	}
	for range 2 {
		<-answers // the held calls time out
	}
	if got := c.emitAck(t, "send", map[string]any{"room": "r", "text": "after"}); got[0].(map[string]any)["status"] != float64(201) {
		t.Fatalf("a call once the others ended: %v", got)
	}
}

// errorOf is the error an on_error acknowledgement carries, or "".
func errorOf(ack []any) string {
	if len(ack) == 0 {
		return ""
	}
	m, _ := ack[0].(map[string]any)
	s, _ := m["error"].(string)
	return s
}

// TestCallTransport: the router's calls go through Options.CallTransport, the seam `ioroute
// test` stubs backends with: the stub sees each request and its reply is what later steps read.
func TestCallTransport(t *testing.T) {
	t.Setenv("IOROUTE_TEST_BACKEND", "http://backend.invalid")
	var mu sync.Mutex
	var seen []string
	stub := backend.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String()+" "+string(body))
		mu.Unlock()
		reply := `{"user": "stubbed"}`
		if r.Method == http.MethodPost {
			reply = `{"id": 99}`
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(reply)), Request: r}, nil
	})
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(callConfig, "LIMITS", "{}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tbl, err := table.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	log := &testutil.SyncBuffer{}
	r, err := router.New(tbl, router.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(log, nil)), CallTransport: stub})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	s := &server{url: "http://" + r.Addr().String(), log: log}
	c := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "t"}})
	got := c.emitAck(t, "send", map[string]any{"room": "a b", "text": "hi"})
	if want := []any{map[string]any{"status": float64(200), "body": map[string]any{"id": float64(99)}}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ack %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"GET http://backend.invalid/auth?token=t ", `POST http://backend.invalid/rooms/a%20b/messages {"from":"stubbed","text":"hi"}`}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("stub saw %q, want %q", seen, want)
	}
}

// TestCallLimitsApplyOnReload: call_body_bytes and calls_in_flight apply on reload, as the
// reference says, without a restart.
func TestCallLimitsApplyOnReload(t *testing.T) {
	startChatBackend(t)
	s := callRouter(t, "{}")
	c := s.dial(t, "/chat", dialOpts{auth: map[string]any{"token": "good"}})
	if got := c.emitAck(t, "send", map[string]any{"room": "r", "text": "before"}); got[0].(map[string]any)["status"] != float64(201) {
		t.Fatalf("before the reload: %v", got)
	}
	s.reload(t, strings.Replace(callConfig, "LIMITS", "{ call_body_bytes: 10 }", 1))
	if got := c.emitAck(t, "send", map[string]any{"room": "r", "text": "after"}); !strings.Contains(errorOf(got), "more than the 10 of server.limits.call_body_bytes") {
		t.Fatalf("after the reload: %v", got)
	}
	if contains(s.log.String(), "restart required") {
		t.Fatalf("the reload asked for a restart:\n%s", s.log.String())
	}
}
