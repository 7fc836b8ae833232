package examples_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

// TestClusterWithNodeServer runs examples/cluster as two `ioroute run` processes and a Node
// socket.io 4 server with @socket.io/redis-adapter on one Redis, with one socket.io-client 4
// on each, and @socket.io/redis-emitter from Node (test/node/cluster-clients.mjs): every
// delivery happens exactly once, on whichever node its recipient is, and the Node server's
// cluster-wide operations (fetchSockets, emitWithAck to all, the emitter's socketsJoin) reach
// the ioroute nodes' sockets, and an ioroute emit with ack reaches a socket on another server
// (Node's or ioroute's) and gets its answer.
func TestClusterWithNodeServer(t *testing.T) {
	rd := testutil.StartRedis(t)
	bin := buildIoroute(t)
	a, _ := startIoroute(t, bin, filepath.Join("cluster", "cluster.yaml"), rd.URL)
	b, _ := startIoroute(t, bin, filepath.Join("cluster", "cluster.yaml"), rd.URL)
	urls := []string{a + "/chat", b + "/chat", startNodeServer(t, rd.URL) + "/chat"}
	node, script := testutil.NodeScript(t, "../test/node/cluster-clients.mjs", "@socket.io/redis-emitter")
	arg, _ := json.Marshal(map[string]any{"urls": urls, "redis": rd.URL})
	ctx, cancel := context.WithTimeout(context.Background(), testutil.NodeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, string(arg))
	cmd.Dir = filepath.Dir(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cluster clients: %v\n%s", err, out)
	}
	got := map[int][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m struct {
			Type    string
			Client  int
			Events  [][]any
			Count   int
			Replies any
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("cluster clients printed %q: %v", line, err)
		}
		switch m.Type {
		case "count":
			if m.Count != 3 {
				t.Errorf("fetchSockets on the Node server found %d sockets in /chat, want 3 (one per server)", m.Count)
			}
		case "poll":
			if want := []any{"a0", "a1", "a2"}; !reflect.DeepEqual(m.Replies, want) {
				t.Errorf("a broadcast with acknowledgements from the Node server got %v, want %v", m.Replies, want)
			}
		}
		if m.Type != "received" {
			continue
		}
		for _, e := range m.Events {
			got[m.Client] = append(got[m.Client], fmt.Sprintf("%v %v", e[0], e[1]))
		}
		sort.Strings(got[m.Client])
	}
	// Client 0 is on ioroute A and in lobby, client 1 on ioroute B, client 2 on Node and in lobby.
	everyone := []string{"new-message b0", "new-message b1", "new-message b2",
		"new-message emitter-end", "vip-news v", "poll-question ?", "new-message end0", "new-message end1", "new-message end2"}
	want := map[int][]string{
		0: append([]string{"new-message o2", "room-news from-emitter", "room-news r0", "room-news r1",
			"answer answer from 2", "question who"}, everyone...),
		1: append([]string{"new-message o0", "new-message o2", "answer answer from 0"}, everyone...),
		2: append([]string{"new-message o0", "room-news from-emitter", "room-news r0", "room-news r1", "question who"}, everyone...),
	}
	for i := range want {
		sort.Strings(want[i])
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("client %d (on %s) received\n  %s\nwant\n  %s", i, urls[i], strings.Join(got[i], "\n  "), strings.Join(want[i], "\n  "))
		}
	}
}

// buildIoroute builds cmd/ioroute into the test's temporary folder.
func buildIoroute(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ioroute")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/ioroute")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listeningAddr = regexp.MustCompile(`msg=listening addr=(http://\S+)`)

// startIoroute runs `ioroute run config` on a free port with IOROUTE_REDIS_URL=redisURL and
// returns its URL once it listens, and its log (at debug level: connections show).
func startIoroute(t *testing.T, bin, config, redisURL string) (string, *testutil.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "run", "--log-level", "debug", "--listen", "127.0.0.1:0", config)
	cmd.Env = append(os.Environ(), "IOROUTE_REDIS_URL="+redisURL)
	cmd.Stdout = io.Discard
	return startServerProcess(t, "ioroute", cmd, cmd.StderrPipe, func(line string) string {
		if m := listeningAddr.FindStringSubmatch(line); m != nil {
			return m[1]
		}
		return ""
	})
}

// startNodeServer runs test/node/cluster-server.mjs and returns its URL once it listens.
func startNodeServer(t *testing.T, redisURL string) string {
	t.Helper()
	node, script := testutil.NodeScript(t, "../test/node/cluster-server.mjs", "@socket.io/redis-adapter", "socket.io")
	cmd := exec.Command(node, script, redisURL)
	cmd.Dir = filepath.Dir(script)
	cmd.Stderr = os.Stderr // normally silent; Redis errors show in the test output
	url, _ := startServerProcess(t, "node server", cmd, cmd.StdoutPipe, func(line string) string {
		var m struct {
			Type string
			Port int
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Type == "listening" {
			return fmt.Sprintf("http://127.0.0.1:%d", m.Port)
		}
		return ""
	})
	return url
}

// startServerProcess starts cmd and reads the stream pipe opens until ready finds the
// server's URL in a line. The process is stopped with SIGTERM when the test ends; what it
// printed is shown if the test failed.
func startServerProcess(t *testing.T, name string, cmd *exec.Cmd, pipe func() (io.ReadCloser, error), ready func(line string) string) (string, *testutil.SyncBuffer) {
	t.Helper()
	out, err := pipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	log := &testutil.SyncBuffer{}
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			_, _ = log.Write(append(sc.Bytes(), '\n'))
			if u := ready(sc.Text()); u != "" {
				url <- u
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s printed:\n%s", name, log.String())
		}
	})
	select {
	case u := <-url:
		return u, log
	case <-time.After(testutil.Wait):
		t.Fatalf("%s never listened:\n%s", name, log.String())
	}
	return "", nil
}

// TestClusterWithClients2And4 runs examples/cluster on two `ioroute run` processes with a
// socket.io-client 2 (Engine.IO 3) on one and a socket.io-client 4 on the other: what either
// sends, binary included, reaches both across the nodes.
func TestClusterWithClients2And4(t *testing.T) {
	rd := testutil.StartRedis(t)
	bin := buildIoroute(t)
	a, _ := startIoroute(t, bin, filepath.Join("cluster", "cluster.yaml"), rd.URL)
	b, bLog := startIoroute(t, bin, filepath.Join("cluster", "cluster.yaml"), rd.URL)
	// the 4.x client on node b connects first and waits for the 2.x client's message from
	// node a before it sends its own, so each is there for the other's
	listener := testutil.StartNode(t, chatClient, "v4", testutil.ClientScript(b+"/chat", 4,
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "new-message", "count": 1},
		testutil.Step{"emit": "message", "args": []any{map[string]any{"text": "hi from 4.x", "bin": map[string]any{"$binary": "AAEC/w=="}}}},
		testutil.Step{"expect": "new-message", "count": 2},
	))
	testutil.WaitForLog(t, bLog, "msg=connected namespace=/chat")
	said := testutil.RunNode(t, chatClient, "v2", testutil.ClientScript(a+"/chat", 2,
		testutil.Step{"wait": "connect"},
		testutil.Step{"emit": "message", "args": []any{"hi from 2.x"}},
		testutil.Step{"expect": "new-message", "count": 2},
	))
	heard := listener.Wait(t)
	testutil.MustConnect(t, "v2", said)
	testutil.MustConnect(t, "v4", heard)
	fromV4 := map[string]any{"text": "hi from 4.x", "bin": map[string]any{"$binary": "AAEC/w=="}}
	want := [][]any{{"hi from 2.x"}, {fromV4}}
	for name, msgs := range map[string][]testutil.NodeMsg{"the 4.x client on node b": heard, "the 2.x client on node a": said} {
		if got := testutil.EventsOf(msgs, "new-message"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s got %v, want %v (the 2.x client's message, then the 4.x client's with its binary)", name, got, want)
		}
	}
}
