package router_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zishang520/socket.io/clients/engine/v3/transports"
	cio "github.com/zishang520/socket.io/clients/socket/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/testutil"
)

// wait bounds how long a test waits for something a user would see.
const wait = testutil.Wait

// server is a router started on a free loopback port for one test.
type server struct {
	*testutil.Server
	path string // the config file, for tests that rewrite it
	url  string
	out  *testutil.Lines
	log  *testutil.SyncBuffer
}

// startRouter writes src to a config file, loads it as `ioroute run` does and serves it.
func startRouter(t *testing.T, src string) *server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s := testutil.Serve(t, path)
	return &server{Server: s, path: path, url: s.URL, out: s.Out, log: s.Log}
}

// event is one event a client received.
type event struct {
	name string
	args []any
}

// client is a Go Socket.IO client connected to one namespace.
type client struct {
	m      *cio.Manager
	s      *cio.Socket
	events chan event
	id     string
	// connected and failed receive the outcome of connecting: the socket id, or the
	// connect_error message.
	connected chan string
	failed    chan string
}

type dialOpts struct {
	auth    map[string]any
	polling bool
	origin  string
}

// dial connects a Go client to namespace ns and waits until it is connected.
func (s *server) dial(t *testing.T, ns string, o dialOpts) *client {
	t.Helper()
	c, refusal := s.connect(t, ns, o)
	if c == nil {
		t.Fatalf("connect to %s refused: %s", ns, refusal)
	}
	return c
}

// refused connects to namespace ns expecting a refusal, and returns its message.
func (s *server) refused(t *testing.T, ns string, o dialOpts) string {
	t.Helper()
	c, refusal := s.connect(t, ns, o)
	if c != nil {
		t.Fatalf("connected to %s, which should be refused", ns)
	}
	return refusal
}

// connect returns a connected client, or nil and the server's refusal.
//
// The Go client v3.0.6 has two races on a fast loopback handshake: Manager.Open subscribes
// to the engine's "open" event after starting the engine, so the open can pass unseen and end
// in the manager's "timeout"; and Socket.Connect on a manager that is still opening can send
// CONNECT twice, which the server answers by closing the connection. So the harness opens the
// manager first, retrying an open that went unseen with a fresh manager, and connects the
// socket once the manager is open. A refusal by the server is returned at once.
func (s *server) connect(t *testing.T, ns string, o dialOpts) (*client, string) {
	t.Helper()
	c := s.newClient(t, ns, o)
	select {
	case c.id = <-c.connected:
		return c, ""
	case msg := <-c.failed:
		c.close()
		return nil, msg
	case <-time.After(wait):
		t.Fatalf("connect to %s: no connect and no connect_error", ns)
	}
	return nil, ""
}

// newClient creates a client for namespace ns and starts connecting it.
func (s *server) newClient(t *testing.T, ns string, o dialOpts) *client {
	opts := cio.DefaultOptions()
	tr := []transports.TransportCtor{cio.WebSocket}
	if o.polling {
		tr = []transports.TransportCtor{cio.Polling}
	}
	opts.SetTransports(types.NewSet(tr...))
	opts.SetReconnection(false)
	opts.SetAutoConnect(false)
	// Longer than any test: a third race can leave this timer running after the open, and it
	// would cut the connection when it fired; closing the client clears it.
	opts.SetTimeout(time.Minute)
	if o.origin != "" {
		h := http.Header{}
		h.Set("Origin", o.origin)
		opts.SetExtraHeaders(h)
	}
	var m *cio.Manager
	for attempt := 1; m == nil; attempt++ {
		m = cio.NewManager(s.url, opts)
		opened := make(chan error, 1)
		m.Open(func(err error) { opened <- err })
		select {
		case err := <-opened:
			if err != nil {
				m = nil
			}
		case <-time.After(wait):
			// the open went unseen: closing the manager's only socket closes the manager,
			// its engine and its timer
			m.Socket("/", cio.DefaultSocketOptions()).Disconnect()
			m = nil
		}
		if m == nil && attempt == 5 {
			t.Fatalf("the client could not open a connection in %d attempts", attempt)
		}
	}
	so := cio.DefaultSocketOptions()
	if o.auth != nil {
		so.SetAuth(o.auth)
	}
	c := &client{m: m, s: m.Socket(ns, so), events: make(chan event, 1000),
		connected: make(chan string, 1), failed: make(chan string, 1)}
	c.s.On("connect", func(...any) {
		select {
		case c.connected <- string(c.s.Id()):
		default:
		}
	})
	c.s.On("connect_error", func(a ...any) {
		msg := fmt.Sprint(a...)
		if len(a) > 0 {
			if err, ok := a[0].(error); ok {
				msg = err.Error()
			}
		}
		select {
		case c.failed <- msg:
		default:
		}
	})
	c.s.OnAny(func(a ...any) {
		if len(a) == 0 {
			return
		}
		name, _ := a[0].(string)
		c.events <- event{name: name, args: a[1:]}
	})
	t.Cleanup(c.close)
	c.s.Connect()
	return c
}

// close disconnects; the manager closes its engine once its last socket is gone.
func (c *client) close() {
	c.s.Disconnect()
}

// emit sends an event with arguments.
func (c *client) emit(name string, args ...any) {
	_ = c.s.Emit(name, args...)
}

// emitAck sends an event asking for an acknowledgement and waits for it.
func (c *client) emitAck(t *testing.T, name string, args ...any) []any {
	t.Helper()
	got := make(chan []any, 1)
	_ = c.s.Emit(name, append(args, sio.Ack(func(a []any, err error) { got <- a }))...)
	select {
	case a := <-got:
		return a
	case <-time.After(wait):
		t.Fatalf("no acknowledgement for %s", name)
	}
	return nil
}

// expect waits for the next event named name, skipping none: any other event first fails.
func (c *client) expect(t *testing.T, name string) []any {
	t.Helper()
	select {
	case e := <-c.events:
		if e.name != name {
			t.Fatalf("got event %q %v, want %q", e.name, e.args, name)
		}
		return e.args
	case <-time.After(wait):
		t.Fatalf("event %q never arrived", name)
	}
	return nil
}

// expectNone proves no event arrives: it sends a probe round trip through the server first,
// so anything the server sent before answering has arrived by then.
func (c *client) expectNone(t *testing.T) {
	t.Helper()
	c.sync(t)
	select {
	case e := <-c.events:
		t.Fatalf("unexpected event %q %v", e.name, e.args)
	default:
	}
}

// sync makes a round trip through the server (the `ping` event every test config answers
// with an ack), so that everything the server sent this client earlier has been received.
func (c *client) sync(t *testing.T) {
	t.Helper()
	if got := c.emitAck(t, "__sync"); len(got) != 1 || got[0] != "ok" {
		t.Fatalf("sync ack = %v", got)
	}
}

// syncHandler is appended to every namespace of a test config so clients can sync.
const syncHandler = `
      __sync:
        - ack: ok
`

func contains(s, sub string) bool { return strings.Contains(s, sub) }
