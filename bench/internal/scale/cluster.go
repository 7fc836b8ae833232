package scale

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/bench/internal/localport"
)

// Servers the cluster can be made of.
const (
	IORoute = "ioroute" // `ioroute run` with the Redis adapter
	Node    = "node"    // Node socket.io 4 with @socket.io/redis-adapter (test/node/cluster-server.mjs)
)

// ClusterOptions says what to start.
type ClusterOptions struct {
	Server string // IORoute or Node
	Nodes  int
	// Bin is the ioroute binary (IORoute); Script is test/node/cluster-server.mjs (Node).
	Bin, Script string
	// Dir holds the generated config and the nodes' logs.
	Dir string
	// Log receives the nodes' first log lines (the rest is only counted).
	Log io.Writer
	// Debug, for ioroute, serves node 0's Go profiles (/debug/pprof/) on this address.
	Debug string
	// PingTimeout, when set, is the ioroute nodes' server.ping_timeout (default 20s).
	PingTimeout string
	// GoMaxProcs, when set, is the ioroute nodes' GOMAXPROCS.
	GoMaxProcs int
	// LogLevel is ioroute's --log-level (default warn). At info the nodes log disconnections
	// with their reason (sampled: 50 lines a second at most), which the run tallies.
	LogLevel string
}

// Cluster is one redis-server and the nodes joined through it.
type Cluster struct {
	RedisURL string
	Nodes    []*ClusterNode
	redis    *exec.Cmd
}

// ClusterNode is one server process of the cluster.
type ClusterNode struct {
	URL    string
	cmd    *exec.Cmd
	exited chan struct{}
	log    *logCounter
	killed bool
}

// Disconnections is how many disconnections the node logged, by reason.
func (n *ClusterNode) Disconnections() map[string]int { return n.log.reasons() }

// PID is the node's process id.
func (n *ClusterNode) PID() int { return n.cmd.Process.Pid }

// QueueFull is how many times the node logged that it disconnected a client whose queue was
// full (ioroute's slow-consumer bound).
func (n *ClusterNode) QueueFull() int { return n.log.count() }

// queueFullLog is the line ioroute logs when it cuts a client that does not read.
const queueFullLog = "does not read what it is sent: its queue is full"

// chatConfig is examples/chat/chat.yaml's /chat on the Redis adapter, plus the two events the
// stall check uses (join a room, send to a room), as examples/cluster/cluster.yaml has them.
const chatConfig = `version: 1
server:
  listen: 127.0.0.1:3001
  ping_timeout: %s
  limits:
    max_connections: 60000
  adapter:
    redis:
      url: %s
namespaces:
  /chat:
    on:
      message:
        - broadcast:
            event: new-message
            data: ${{ data }}
      join:
        - join_room: ${{ data }}
        - ack: joined
      to-room:
        - emit: { event: room-news, data: "${{ data.text }}", to: "${{ data.room }}" }
`

// StartCluster starts redis-server on a free port and the nodes, and waits until each answers
// an Engine.IO handshake.
func StartCluster(ctx context.Context, o ClusterOptions) (*Cluster, error) {
	port, err := localport.Free()
	if err != nil {
		return nil, err
	}
	c := &Cluster{RedisURL: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
	if err := c.start(ctx, o, port); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, o ClusterOptions, port int) error {
	c.redis = exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--logfile", "", "--maxclients", "1000")
	if err := c.redis.Start(); err != nil {
		return fmt.Errorf("start redis-server (apt-get install redis-server): %w", err)
	}
	if err := waitTCP(ctx, port); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	var config string
	if o.Server == IORoute {
		config = filepath.Join(o.Dir, "scale-chat.yaml")
		if err := os.WriteFile(config, fmt.Appendf(nil, chatConfig, cmp.Or(o.PingTimeout, "20s"), c.RedisURL), 0o644); err != nil {
			return err
		}
	}
	for i := range o.Nodes {
		n, err := startNode(ctx, o, i, config, c.RedisURL)
		if err != nil {
			return fmt.Errorf("node %d: %w", i, err)
		}
		c.Nodes = append(c.Nodes, n)
	}
	return nil
}

func startNode(ctx context.Context, o ClusterOptions, i int, config, redisURL string) (*ClusterNode, error) {
	n := &ClusterNode{exited: make(chan struct{}), log: &logCounter{prefix: fmt.Sprintf("node %d: ", i), out: o.Log, show: 10}}
	var port int
	switch o.Server {
	case IORoute:
		p, err := localport.Free()
		if err != nil {
			return nil, err
		}
		port = p
		level := o.LogLevel
		if level == "" {
			level = "warn"
		}
		args := []string{"run", "--log-level", level, "--listen", "127.0.0.1:" + strconv.Itoa(port), config}
		if i == 0 && o.Debug != "" {
			args = append(args, "--debug-listen", o.Debug)
		}
		n.cmd = exec.Command(o.Bin, args...)
		if o.GoMaxProcs > 0 {
			n.cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", o.GoMaxProcs))
		}
		n.cmd.Stderr = n.log
	case Node:
		n.cmd = exec.Command("node", o.Script, redisURL)
		n.cmd.Stderr = n.log
	default:
		return nil, fmt.Errorf("unknown server %q", o.Server)
	}
	var stdout io.ReadCloser
	if o.Server == Node {
		var err error
		if stdout, err = n.cmd.StdoutPipe(); err != nil {
			return nil, err
		}
	}
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	exitErr := make(chan error, 1)
	go func() { exitErr <- n.cmd.Wait(); close(n.exited) }()
	if o.Server == Node {
		// the first line says the port; the rest (a line per connection) is drained
		p, err := readListening(stdout, exitErr)
		if err != nil {
			n.stop()
			return nil, err
		}
		port = p
	}
	n.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	if err := localport.WaitHandshake(ctx, n.URL, exitErr); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// readListening reads cluster-server.mjs's {"type":"listening","port":N} and drains the rest.
func readListening(stdout io.Reader, exited <-chan error) (int, error) {
	ports := make(chan int, 1)
	go func() {
		br := bufio.NewReader(stdout)
		line, _ := br.ReadBytes('\n')
		var l struct {
			Port int `json:"port"`
		}
		_ = json.Unmarshal(line, &l)
		ports <- l.Port
		_, _ = io.Copy(io.Discard, br)
	}()
	select {
	case p := <-ports:
		if p == 0 {
			return 0, errors.New("cluster-server.mjs did not say its port")
		}
		return p, nil
	case err := <-exited:
		return 0, fmt.Errorf("exited: %v", err)
	case <-time.After(20 * time.Second):
		return 0, errors.New("cluster-server.mjs not listening within 20 s")
	}
}

// Kill ends node i at once (SIGKILL), as a crash would.
func (c *Cluster) Kill(i int) {
	n := c.Nodes[i]
	n.killed = true
	_ = n.cmd.Process.Kill()
	<-n.exited
}

// Stop ends every node (SIGTERM, then SIGKILL after 10 s) and redis-server.
func (c *Cluster) Stop() {
	var wg sync.WaitGroup
	for _, n := range c.Nodes {
		wg.Add(1)
		go func() { defer wg.Done(); n.stop() }()
	}
	wg.Wait()
	if c.redis != nil && c.redis.Process != nil {
		_ = c.redis.Process.Kill()
		_ = c.redis.Wait()
	}
}

func (n *ClusterNode) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(10 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

// RedisPID is redis-server's process id.
func (c *Cluster) RedisPID() int { return c.redis.Process.Pid }

// logCounter counts a node's queue-full log lines and passes its first show lines on.
type logCounter struct {
	prefix string
	out    io.Writer
	show   int

	mu      sync.Mutex
	partial []byte
	shown   int
	n       int
	reason  map[string]int
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := l.partial[:i]
		if bytes.Contains(line, []byte(queueFullLog)) {
			l.n++
		} else if r, ok := disconnectReason(line); ok {
			if l.reason == nil {
				l.reason = map[string]int{}
			}
			l.reason[r]++
		} else if l.shown < l.show && l.out != nil && !bytes.Contains(line, []byte("msg=connected ")) {
			l.shown++
			fmt.Fprintf(l.out, "%s%s\n", l.prefix, line)
		}
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logCounter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func (l *logCounter) reasons() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.reason)
}

// disconnectReason is the reason of ioroute's "disconnected" log line (text format).
func disconnectReason(line []byte) (string, bool) {
	if !bytes.Contains(line, []byte("msg=disconnected ")) {
		return "", false
	}
	_, r, ok := bytes.Cut(line, []byte(" reason="))
	if !ok {
		return "", false
	}
	if len(r) > 0 && r[0] == '"' {
		if s, err := strconv.QuotedPrefix(string(r)); err == nil {
			u, _ := strconv.Unquote(s)
			return u, true
		}
	}
	v, _, _ := bytes.Cut(r, []byte(" "))
	return string(v), true
}
