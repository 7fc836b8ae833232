package router_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// rewrite replaces the config file's content as an editor that truncates and writes would.
func (s *server) rewrite(t *testing.T, src string) {
	t.Helper()
	if err := os.WriteFile(s.path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reload rewrites the config and reloads it, failing the test if the reload fails.
func (s *server) reload(t *testing.T, src string) {
	t.Helper()
	s.rewrite(t, src)
	if err := s.Router.ReloadFile(s.path); err != nil {
		t.Fatalf("reload: %v", err)
	}
}

const roomsV1 = `
version: 1
namespaces:
  /chat:
    on:
      enter:
        - join_room: lobby
        - ack: in
      message:
        - emit: { event: new-message, data: "${{ data }}", to: lobby }
` + syncHandler

func TestReloadKeepsConnectionsAndRooms(t *testing.T) {
	s := startRouter(t, roomsV1)
	member := s.dial(t, "/chat", dialOpts{})
	other := s.dial(t, "/chat", dialOpts{})
	member.emitAck(t, "enter")
	member.emit("message", "before")
	member.expect(t, "new-message")

	s.reload(t, strings.Replace(roomsV1, "event: new-message", "event: chat-message", 1))
	if !strings.Contains(s.log.String(), "reloaded test.yaml in ") || !strings.Contains(s.log.String(), ": +0 events, ~1 event, -0 events, +0 namespaces, -0 namespaces") {
		t.Fatalf("reload log:\n%s", s.log.String())
	}
	member.emit("message", "after")
	if got := member.expect(t, "chat-message"); !reflect.DeepEqual(got, []any{"after"}) {
		t.Fatalf("chat-message = %v", got)
	}
	other.expectNone(t) // not in the room: the membership still holds, and only it
	if !member.s.Connected() || string(member.s.Id()) != member.id {
		t.Fatalf("member reconnected: connected=%v id %s, was %s", member.s.Connected(), member.s.Id(), member.id)
	}
}

func TestReloadErrorsKeepTheOldConfig(t *testing.T) {
	s := startRouter(t, roomsV1)
	c := s.dial(t, "/chat", dialOpts{})
	c.emitAck(t, "enter")
	for _, tt := range []struct{ name, src, logged string }{
		{"bad YAML", "version: 1\nnamespaces:\n  /chat:\n    on: [\n", "test.yaml:4: YAML: did not find expected node content"},
		{"bad expression", strings.Replace(roomsV1, "${{ data }}", "${{ dat }}", 1), `test.yaml:10:50: namespaces./chat.on.message[0].emit.data: unknown name`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.rewrite(t, tt.src)
			if err := s.Router.ReloadFile(s.path); err == nil {
				t.Fatal("reload of a broken file succeeded")
			}
			if !strings.Contains(s.log.String(), tt.logged) || !strings.Contains(s.log.String(), "reload failed; still serving the previous config") {
				t.Fatalf("log lacks %q:\n%s", tt.logged, s.log.String())
			}
			c.emit("message", tt.name)
			if got := c.expect(t, "new-message"); !reflect.DeepEqual(got, []any{tt.name}) {
				t.Fatalf("old config: new-message = %v", got)
			}
		})
	}
	s.reload(t, strings.Replace(roomsV1, "event: new-message", "event: fixed", 1))
	c.emit("message", "x")
	c.expect(t, "fixed")
}

func TestReloadAddsAndRemovesNamespaces(t *testing.T) {
	s := startRouter(t, roomsV1)
	c := s.dial(t, "/chat", dialOpts{})
	s.refused(t, "/news", dialOpts{})

	withNews := roomsV1 + "  /news:\n    on:\n      hi:\n        - ack: news here\n"
	s.reload(t, withNews)
	n := s.dial(t, "/news", dialOpts{})
	if got := n.emitAck(t, "hi"); !reflect.DeepEqual(got, []any{"news here"}) {
		t.Fatalf("hi = %v", got)
	}

	gone := make(chan string, 1)
	n.s.On("disconnect", func(a ...any) { gone <- fmt.Sprint(a...) })
	s.reload(t, roomsV1)
	select {
	case reason := <-gone:
		if !strings.Contains(reason, "io server disconnect") {
			t.Fatalf("disconnect reason %q", reason)
		}
	case <-time.After(wait):
		t.Fatal("socket of a removed namespace was not disconnected")
	}
	if !strings.Contains(s.log.String(), "namespace removed by reload") {
		t.Fatalf("log:\n%s", s.log.String())
	}
	s.refused(t, "/news", dialOpts{})
	c.sync(t) // the other namespace is untouched
}

func TestPendingAckRunsAfterReload(t *testing.T) {
	cfg := `
version: 1
namespaces:
  /a:
    on:
      ask:
        - emit:
            event: question
            on_ack:
              - print: "answered ${{ reply }} (v1)"
` + syncHandler
	s := startRouter(t, cfg)
	c := s.dial(t, "/a", dialOpts{})
	acks := make(chan sio.Ack, 1)
	c.s.On("question", func(args ...any) {
		if ack, ok := args[len(args)-1].(sio.Ack); ok {
			acks <- ack
		}
	})
	c.emit("ask")
	var ack sio.Ack
	select {
	case ack = <-acks:
	case <-time.After(wait):
		t.Fatal("no question")
	}
	s.reload(t, strings.Replace(cfg, "(v1)", "(v2)", 1))
	ack([]any{"yes"}, nil)
	s.out.WaitFor(t, "answered yes (v1)")
}

// TestReloadUnderLoad: clients send continuously while the file is reloaded again and again;
// every message is answered exactly once, by the old or the new config.
func TestReloadUnderLoad(t *testing.T) {
	cfg := func(v int) string {
		return fmt.Sprintf(`
version: 1
namespaces:
  /load:
    on:
      msg:
        - emit: { event: echo, data: { id: "${{ data }}", v: %d } }
`, v) + syncHandler
	}
	s := startRouter(t, cfg(0))
	const clients, perClient = 4, 150
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = s.dial(t, "/load", dialOpts{})
	}
	ctx, cancel := context.WithCancel(context.Background())
	reloads := make(chan int, 1)
	go func() {
		n := 0
		defer func() { reloads <- n }()
		for ctx.Err() == nil {
			n++
			s.rewrite(t, cfg(n))
			if err := s.Router.ReloadFile(s.path); err != nil {
				t.Errorf("reload: %v", err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	seen := make([]map[string]int, clients)
	versions := make([]map[float64]bool, clients)
	for i, c := range cs {
		seen[i], versions[i] = map[string]int{}, map[float64]bool{}
		wg.Add(1)
		go func(i int, c *client) {
			defer wg.Done()
			for j := 0; j < perClient; j++ {
				c.emit("msg", fmt.Sprintf("%d-%d", i, j))
			}
			deadline := time.After(4 * wait)
			for got := 0; got < perClient; got++ {
				select {
				case e := <-c.events:
					m, _ := e.args[0].(map[string]any)
					id, _ := m["id"].(string)
					seen[i][id]++
					versions[i][m["v"].(float64)] = true
				case <-deadline:
					t.Errorf("client %d: %d of %d echoes", i, got, perClient)
					return
				}
			}
		}(i, c)
	}
	wg.Wait()
	cancel()
	n := <-reloads
	for i := range cs {
		cs[i].expectNone(t) // no duplicates arrive late
		for j := 0; j < perClient; j++ {
			if id := fmt.Sprintf("%d-%d", i, j); seen[i][id] != 1 {
				t.Fatalf("message %s answered %d times", id, seen[i][id])
			}
		}
	}
	t.Logf("%d reloads during %d messages; versions seen by client 0: %d", n, clients*perClient, len(versions[0]))
	if n < 2 {
		t.Fatalf("only %d reloads happened during the load", n)
	}
}

func TestWatchReloadsOncePerSave(t *testing.T) {
	s := startRouter(t, roomsV1)
	c := s.dial(t, "/chat", dialOpts{})
	c.emitAck(t, "enter")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Router.Watch(ctx, s.path) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch: %v", err)
		}
	}()
	waitLog(t, s, "watching for changes", 1)

	saves := []struct {
		name  string
		event string
		save  func(t *testing.T, src string)
	}{
		{"truncate and write", "e1", func(t *testing.T, src string) { s.rewrite(t, src) }},
		{"write a temp file and rename it", "e2", func(t *testing.T, src string) {
			tmp := filepath.Join(filepath.Dir(s.path), ".test.yaml.swp")
			if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, s.path); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated, then written", "e3", func(t *testing.T, src string) {
			f, err := os.Create(s.path) // truncates: an empty file is not loaded, and no error
			if err != nil {
				t.Fatal(err)
			}
			waitLog(t, s, "the config file is empty", 1)
			if _, err := f.WriteString(src); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for i, sv := range saves {
		t.Run(sv.name, func(t *testing.T) {
			sv.save(t, strings.Replace(roomsV1, "event: new-message", "event: "+sv.event, 1))
			waitLog(t, s, "reloaded test.yaml", i+1)
			c.emit("message", "x")
			c.expect(t, sv.event)
		})
	}
	if got := strings.Count(s.log.String(), "reloaded test.yaml"); got != len(saves) {
		t.Fatalf("%d reloads for %d saves:\n%s", got, len(saves), s.log.String())
	}
	if strings.Contains(s.log.String(), "level=ERROR") {
		t.Fatalf("a save logged an error:\n%s", s.log.String())
	}

	// deleted: logged, and the previous config keeps serving until the file is back
	if err := os.Remove(s.path); err != nil {
		t.Fatal(err)
	}
	waitLog(t, s, "the config file was deleted; still serving the previous config", 1)
	c.emit("message", "x")
	c.expect(t, "e3")
	s.rewrite(t, strings.Replace(roomsV1, "event: new-message", "event: e4", 1))
	waitLog(t, s, "reloaded test.yaml", len(saves)+1)
	c.emit("message", "x")
	c.expect(t, "e4")
}

// waitLog waits until the router's log holds want at least n times.
func waitLog(t *testing.T, s *server, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for strings.Count(s.log.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("log never had %q %d times:\n%s", want, n, s.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRestartComparedWithServing: a restart-only setting changed by one reload and changed
// back by the next is reported once, for the first: the second matches what is serving.
func TestRestartComparedWithServing(t *testing.T) {
	s := startRouter(t, roomsV1)
	changed := strings.Replace(roomsV1, "version: 1\n", "version: 1\nserver: { ping_interval: 7s }\n", 1)
	s.reload(t, changed)
	waitLog(t, s, "restart required for changed settings", 1)
	if !strings.Contains(s.log.String(), "settings=server.ping_interval") {
		t.Fatalf("log:\n%s", s.log.String())
	}
	s.reload(t, roomsV1)
	waitLog(t, s, "reloaded test.yaml", 2)
	if n := strings.Count(s.log.String(), "restart required"); n != 1 {
		t.Fatalf("restart required logged %d times, want 1:\n%s", n, s.log.String())
	}
}
