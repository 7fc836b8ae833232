package router_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/testutil"
)

// nodeRequestsServer is test/node/cluster-requests-server.mjs, running.
type nodeRequestsServer struct {
	*server // only url is set: clients dial it as they dial a router
	cmd     *exec.Cmd
	printed *testutil.SyncBuffer // what it printed
}

// startNodeRequestsServer runs the Node server of the requests tests in the cluster of
// redisURL, until the test ends.
func startNodeRequestsServer(t *testing.T, redisURL string) *nodeRequestsServer {
	t.Helper()
	return startNodeServer(t, "../test/node/cluster-requests-server.mjs", []string{"@socket.io/redis-adapter", "socket.io"}, redisURL)
}

// startNodeServer runs a Node server script of test/node (which needs the npm packages
// pkgs) with args, until the test ends; the script prints {"type":"listening","port":N}.
func startNodeServer(t *testing.T, path string, pkgs []string, args ...string) *nodeRequestsServer {
	t.Helper()
	node, script := testutil.NodeScript(t, path, pkgs...)
	cmd := exec.Command(node, append([]string{script}, args...)...)
	cmd.Dir = filepath.Dir(script)
	cmd.Stderr = os.Stderr // normally silent; Redis errors show in the test output
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	printed := &testutil.SyncBuffer{}
	port := make(chan int, 1)
	srv := &nodeRequestsServer{cmd: cmd, printed: printed}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			_, _ = printed.Write(append(sc.Bytes(), '\n'))
			var m struct {
				Type string
				Port int
			}
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Type == "listening" {
				port <- m.Port
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT) // in case the test stopped it
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("node server printed:\n%s", printed.String())
		}
	})
	select {
	case p := <-port:
		srv.server = &server{url: "http://127.0.0.1:" + strconv.Itoa(p)}
		return srv
	case <-time.After(3 * wait): // Node starting up on a loaded machine
		t.Fatalf("the node server never listened:\n%s", printed.String())
	}
	return nil
}

// fetched is what the engine's FetchSockets returned, and how long it took.
type fetched struct {
	sockets []*sio.RemoteSocket
	err     error
	took    time.Duration
}

// byID indexes the sockets by id.
func (f fetched) byID() map[string]*sio.RemoteSocket {
	out := map[string]*sio.RemoteSocket{}
	for _, s := range f.sockets {
		out[string(s.Id())] = s
	}
	return out
}

// fetcher is a namespace or a broadcast operator.
type fetcher interface {
	FetchSockets() func(func([]*sio.RemoteSocket, error))
}

// fetchSockets runs op's FetchSockets, as a handler would.
func fetchSockets(t *testing.T, op fetcher) fetched {
	t.Helper()
	start := time.Now()
	done := make(chan fetched, 1)
	op.FetchSockets()(func(s []*sio.RemoteSocket, err error) { done <- fetched{s, err, time.Since(start)} })
	select {
	case f := <-done:
		return f
	case <-time.After(3 * wait):
		t.Fatal("FetchSockets never called back")
	}
	return fetched{}
}

// fetchIDs fetches op's sockets, fails on an error, and returns their ids, sorted.
func fetchIDs(t *testing.T, op fetcher) []string {
	t.Helper()
	f := fetchSockets(t, op)
	if f.err != nil {
		t.Fatalf("FetchSockets: %v", f.err)
	}
	return slices.Sorted(maps.Keys(f.byID()))
}

func sortedIDs(clients ...*client) []string {
	out := make([]string, len(clients))
	for i, c := range clients {
		out[i] = c.id
	}
	slices.Sort(out)
	return out
}

// roomsOf is a socket's rooms, sorted.
func roomsOf(s *sio.RemoteSocket) []string {
	out := []string{}
	for _, r := range s.Rooms().Keys() {
		out = append(out, string(r))
	}
	slices.Sort(out)
	return out
}

// setData sets the data of socket id of namespace /chat on router n.
func setData(t *testing.T, n *server, id string, data map[string]any) {
	t.Helper()
	s, ok := n.Router.EngineNamespace("/chat").Sockets().Load(sio.SocketId(id))
	if !ok {
		t.Fatalf("socket %s is not on this router", id)
	}
	s.SetData(data)
}

// onDisconnect returns a channel that receives the reason of c's disconnection.
func onDisconnect(c *client) <-chan string {
	reasons := make(chan string, 1)
	c.s.On("disconnect", func(args ...any) {
		select {
		case reasons <- fmt.Sprint(args...):
		default:
		}
	})
	return reasons
}

// TestClusterRequestsAcrossServers: the engine's broadcast-operator API on one ioroute node
// (FetchSockets, SocketsJoin, SocketsLeave, DisconnectSockets, and the RemoteSocket handles
// FetchSockets returns) acts on the sockets of another ioroute node and of a Node server with
// @socket.io/redis-adapter, as it would on a Node server of that cluster.
func TestClusterRequestsAcrossServers(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, clusterConfig(rd.URL))
	n2 := startRouter(t, clusterConfig(rd.URL))
	ns := startNodeRequestsServer(t, rd.URL)
	a := n1.dial(t, "/chat", dialOpts{})
	b := n2.dial(t, "/chat", dialOpts{})
	b2 := n2.dial(t, "/chat", dialOpts{})
	c := ns.dial(t, "/chat", dialOpts{auth: map[string]any{"name": "c"}})
	for _, x := range []*client{a, b, c} {
		if got := x.emitAck(t, "join", "lobby"); !reflect.DeepEqual(got, []any{"joined"}) {
			t.Fatalf("join ack = %v", got)
		}
	}
	setData(t, n1, a.id, map[string]any{"name": "a", "n": 1})
	setData(t, n2, b.id, map[string]any{"name": "b", "tags": []any{"x", true}})
	chat := n1.Router.EngineNamespace("/chat")

	t.Run("fetchSockets returns the sockets of every server", func(t *testing.T) {
		f := fetchSockets(t, chat.In("lobby"))
		if f.err != nil {
			t.Fatal(f.err)
		}
		got := f.byID()
		if ids := slices.Sorted(maps.Keys(got)); !reflect.DeepEqual(ids, sortedIDs(a, b, c)) {
			t.Fatalf("lobby = %v, want a, b and c: %v", ids, sortedIDs(a, b, c))
		}
		wantData := map[string]any{
			a.id: map[string]any{"name": "a", "n": 1},
			b.id: map[string]any{"name": "b", "tags": []any{"x", true}},
			c.id: map[string]any{"server": "node", "name": "c"},
		}
		for id, s := range got {
			if rooms, want := roomsOf(s), slices.Sorted(slices.Values([]string{"lobby", id})); !reflect.DeepEqual(rooms, want) {
				t.Errorf("%s: rooms %v, want %v", id, rooms, want)
			}
			if !reflect.DeepEqual(s.Data(), wantData[id]) {
				t.Errorf("%s: data %#v, want %#v", id, s.Data(), wantData[id])
			}
			h := s.Handshake()
			if h == nil || h.Address == "" || h.Issued == 0 || !strings.HasPrefix(h.Url, "/socket.io/") {
				t.Errorf("%s: handshake %#v", id, h)
			}
		}
		if auth := got[c.id].Handshake().Auth; !reflect.DeepEqual(auth, map[string]any{"name": "c"}) {
			t.Errorf("Node socket's handshake auth = %v", auth)
		}
		if v := got[b.id].Handshake().Query["EIO"]; v != "4" {
			t.Errorf("ioroute node 2's socket: handshake query EIO = %#v", v)
		}
		if ids, want := fetchIDs(t, chat.Except("lobby")), []string{b2.id}; !reflect.DeepEqual(ids, want) {
			t.Errorf("except lobby = %v, want %v", ids, want)
		}
		if ids, want := fetchIDs(t, chat.In("lobby").Except(sio.Room(b.id))), sortedIDs(a, c); !reflect.DeepEqual(ids, want) {
			t.Errorf("lobby except b = %v, want %v", ids, want)
		}
		if ids, want := fetchIDs(t, chat.Local().In("lobby")), []string{a.id}; !reflect.DeepEqual(ids, want) {
			t.Errorf("local lobby = %v, want %v", ids, want)
		}
	})
	t.Run("socketsJoin and socketsLeave reach every server", func(t *testing.T) {
		chat.In("lobby").SocketsJoin("vip", "vip2")
		if ids, want := fetchIDs(t, chat.In("vip")), sortedIDs(a, b, c); !reflect.DeepEqual(ids, want) {
			t.Fatalf("vip = %v, want %v", ids, want)
		}
		chat.To("vip").Emit("vip-news", "v")
		for _, x := range []*client{a, b, c} {
			x.expectArgs(t, "vip-news", "v")
		}
		b2.expectNone(t)

		chat.In("vip").SocketsLeave("lobby", "vip2")
		if ids := fetchIDs(t, chat.In("lobby", "vip2")); len(ids) != 0 {
			t.Fatalf("lobby and vip2 = %v, want nobody", ids)
		}
		for id, s := range fetchSockets(t, chat.In("vip")).byID() {
			if rooms := roomsOf(s); len(rooms) != 2 || !slices.Contains(rooms, "vip") || !slices.Contains(rooms, id) {
				t.Errorf("%s: rooms %v, want its own and vip", id, rooms)
			}
		}
	})
	t.Run("remote socket handles act on their server", func(t *testing.T) {
		remote := fetchSockets(t, chat.In(sio.Room(c.id))).byID()[c.id]
		if remote == nil {
			t.Fatal("the Node server's socket was not fetched")
		}
		remote.Join("solo")
		if ids, want := fetchIDs(t, chat.In("solo")), []string{c.id}; !reflect.DeepEqual(ids, want) {
			t.Fatalf("solo = %v, want %v", ids, want)
		}
		if err := remote.Emit("direct", "to c"); err != nil {
			t.Fatal(err)
		}
		c.expectArgs(t, "direct", "to c")
		remote.Leave("solo")
		if ids := fetchIDs(t, chat.In("solo")); len(ids) != 0 {
			t.Fatalf("solo = %v after leave", ids)
		}
	})
	t.Run("disconnectSockets reaches every server", func(t *testing.T) {
		gone := map[*client]<-chan string{a: onDisconnect(a), b: onDisconnect(b), c: onDisconnect(c)}
		chat.In(sio.Room(c.id)).DisconnectSockets(true)
		chat.In("vip").Except(sio.Room(c.id)).DisconnectSockets(false)
		for x, reasons := range gone {
			select {
			case <-reasons:
			case <-time.After(wait):
				t.Fatalf("socket %s was not disconnected", x.id)
			}
		}
		if ids, want := fetchIDs(t, chat), []string{b2.id}; !reflect.DeepEqual(ids, want) {
			t.Fatalf("left = %v, want %v", ids, want)
		}
		b2.sync(t)
	})
}

// TestClusterFetchSocketsWithASilentServer: a server that is subscribed but does not answer
// (a Node server, stopped) makes FetchSockets on an ioroute node end at the requests timeout
// with the sockets of those that answered and an error counting the silent one; once it
// answers again, so does FetchSockets, and its late answer is ignored.
func TestClusterFetchSocketsWithASilentServer(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, clusterConfig(rd.URL))
	n2 := startRouter(t, clusterConfig(rd.URL))
	ns := startNodeRequestsServer(t, rd.URL)
	a := n1.dial(t, "/chat", dialOpts{})
	b := n2.dial(t, "/chat", dialOpts{})
	c := ns.dial(t, "/chat", dialOpts{})
	chat := n1.Router.EngineNamespace("/chat")
	if ids, want := fetchIDs(t, chat), sortedIDs(a, b, c); !reflect.DeepEqual(ids, want) {
		t.Fatalf("sockets = %v, want %v", ids, want)
	}

	if err := ns.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	f := fetchSockets(t, chat)
	var te *cluster.RequestTimeoutError
	if !errors.As(f.err, &te) || te.Request != "fetchSockets" || te.Missing != 1 || te.Asked != 2 {
		t.Fatalf("err = %v, want a timeout with 1 of 2 servers missing", f.err)
	}
	if !strings.Contains(f.err.Error(), "1 of the 2 other servers did not answer within 5s") {
		t.Errorf("err = %q", f.err)
	}
	if ids, want := slices.Sorted(maps.Keys(f.byID())), sortedIDs(a, b); !reflect.DeepEqual(ids, want) {
		t.Errorf("sockets = %v, want those that answered: %v", ids, want)
	}
	if f.took < 4*time.Second || f.took > 7*time.Second {
		t.Errorf("took %s, want the 5s timeout", f.took)
	}

	if err := ns.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if ids, want := fetchIDs(t, chat), sortedIDs(a, b, c); !reflect.DeepEqual(ids, want) {
		t.Fatalf("sockets = %v after the server came back, want %v", ids, want)
	}
}

// TestClusterRequestsWithoutRedis: with Redis gone, FetchSockets returns this node's sockets
// and an error within the requests timeout, SocketsJoin still acts on this node, and the
// request it could not send is counted with the dropped messages.
func TestClusterRequestsWithoutRedis(t *testing.T) {
	rd := testutil.StartRedis(t)
	n1 := startRouter(t, clusterConfig(rd.URL))
	n2 := startRouter(t, clusterConfig(rd.URL))
	a := n1.dial(t, "/chat", dialOpts{})
	b := n2.dial(t, "/chat", dialOpts{})
	chat := n1.Router.EngineNamespace("/chat")
	if ids, want := fetchIDs(t, chat), sortedIDs(a, b); !reflect.DeepEqual(ids, want) {
		t.Fatalf("sockets = %v, want %v", ids, want)
	}

	rd.Stop()
	testutil.WaitForLog(t, n1.log, "lost Redis")
	f := fetchSockets(t, chat)
	if f.err == nil || !strings.Contains(f.err.Error(), "this server's sockets only: cannot count the servers of namespace /chat") {
		t.Fatalf("err = %v, want the count failing", f.err)
	}
	if ids, want := slices.Sorted(maps.Keys(f.byID())), []string{a.id}; !reflect.DeepEqual(ids, want) {
		t.Errorf("sockets = %v, want this node's: %v", ids, want)
	}
	if f.took > 6*time.Second {
		t.Errorf("took %s, more than the 5s timeout", f.took)
	}

	chat.SocketsJoin("vip")
	if ids, want := fetchIDs(t, chat.Local().In("vip")), []string{a.id}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("vip on this node = %v, want %v", ids, want)
	}
	testutil.WaitForLog(t, n1.log, "publish failed")
	rd.Start()
	testutil.WaitForLog(t, n1.log, "Redis is back")
	if m := regexp.MustCompile(`Redis is back.* dropped=(\d+)`).FindStringSubmatch(n1.log.String()); m == nil || m[1] == "0" {
		t.Fatalf("the request was not counted as dropped: %v", m)
	}
}
