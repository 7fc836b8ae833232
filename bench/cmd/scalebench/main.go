// Command scalebench is `make bench-scale`: 100,000 websocket clients in /chat through a
// cluster of 6 nodes joined by one redis-server, all on this machine. It measures the time
// to connect everyone, each node's resident memory per connection, and for 10 broadcasts from
// one client the time until every client received it, with nothing lost or duplicated.
//
//	go run ./bench/cmd/scalebench                                # ioroute, 100,000 clients
//	go run ./bench/cmd/scalebench -server node -clients 30000    # Node socket.io 4 + redis-adapter
//	go run ./bench/cmd/scalebench -clients 6000 -kill-node       # a node dies after broadcast 5
//	go run ./bench/cmd/scalebench -clients 6000 -stall 20        # 20 clients stop reading
//
// Each process may hold at most RLIMIT_NOFILE files (20,000 here), so the clients are spread
// over nodes and over load-generator processes (this program again, run as workers, each
// binding its sockets to its own loopback source address 127.0.0.N so that each has the whole
// ephemeral port range). The soft limit is raised to the hard one and inherited by every
// process started. Run it from the repository's root.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/ioroute/ioroute/bench/internal/localport"
	"github.com/ioroute/ioroute/bench/internal/scale"
)

var (
	profileS, nodeProcs *int
	pingTimeout         *string
)

func main() {
	scale.MaybeWorker()
	server := flag.String("server", scale.IORoute, "the nodes: ioroute or node (socket.io 4 + @socket.io/redis-adapter)")
	nodes := flag.Int("nodes", 6, "nodes in the cluster")
	clients := flag.Int("clients", 100_000, "websocket clients, spread evenly over the nodes")
	procs := flag.Int("procs", 10, "load-generator processes")
	broadcasts := flag.Int("broadcasts", 10, "broadcasts sent by one client, one after the other")
	killNode := flag.Bool("kill-node", false, "kill the last node (SIGKILL) after the 5th broadcast")
	stall := flag.Int("stall", 0, "clients that join a room and stop reading; the room is then flooded")
	floodMB := flag.Int("flood-mb", 24, "megabytes sent to the stalled clients' room (in 500 kB messages)")
	connectTimeout := flag.Duration("connect-timeout", 3*time.Minute, "bound on connecting everyone")
	profile := flag.String("profile", "", "ioroute: write node 0's CPU profile, from the first broadcast on, to this file (go tool pprof)")
	profileS = flag.Int("profile-seconds", 8, "length of that profile; keep it shorter than the broadcasts")
	workerProcs := flag.Int("worker-gomaxprocs", 1, "GOMAXPROCS of each load-generator process (0: Go's default)")
	nodeProcs = flag.Int("node-gomaxprocs", 0, "GOMAXPROCS of each ioroute node (0: Go's default, the machine's cores)")
	pingTimeout = flag.String("ping-timeout", "20s", "ioroute nodes' server.ping_timeout")
	logLevel := flag.String("log-level", "warn", "ioroute nodes' --log-level; at info their disconnections are tallied by reason")
	out := flag.String("json", "bench/out/scale.jsonl", "append the result as one JSON line to this file (empty: none)")
	flag.Parse()
	if err := run(*server, *nodes, *out, *profile, *logLevel, scale.Config{Clients: *clients, Procs: *procs, Broadcasts: *broadcasts,
		WorkerProcs: *workerProcs, Stall: *stall, FloodCount: *floodMB * 2, FloodSize: 500_000, KillAfter: killAfter(*killNode),
		ConnectTimeout: *connectTimeout, BroadcastTimeout: 15 * time.Second, Gap: 500 * time.Millisecond,
		Progress: os.Stderr}); err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

func run(server string, nodes int, out, profile, logLevel string, cfg scale.Config) error {
	limit, err := scale.RaiseFileLimit()
	if err != nil {
		return err
	}
	if per := cfg.Clients/nodes + 100; uint64(per) > limit {
		return fmt.Errorf("%d clients per node need more open files than RLIMIT_NOFILE allows (%d): add nodes", per, limit)
	}
	if per := cfg.Clients/cfg.Procs + 100; uint64(per) > limit {
		return fmt.Errorf("%d clients per load generator need more open files than RLIMIT_NOFILE allows (%d): add -procs", per, limit)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cfg.WorkerCmd = func() *exec.Cmd { return exec.Command(self) }
	dir := filepath.Join("bench", "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	o := scale.ClusterOptions{Server: server, Nodes: nodes, Dir: dir, Log: os.Stderr, LogLevel: logLevel, GoMaxProcs: *nodeProcs, PingTimeout: *pingTimeout,
		Script: filepath.Join("test", "node", "cluster-server.mjs")}
	if server == scale.IORoute {
		o.Bin = filepath.Join(dir, "bin", "ioroute")
		fmt.Fprintln(os.Stderr, "building ioroute")
		if b, err := exec.Command("go", "build", "-o", o.Bin, "./cmd/ioroute").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, b)
		}
	}
	if profile != "" && server == scale.IORoute {
		port, err := localport.Free()
		if err != nil {
			return err
		}
		o.Debug = fmt.Sprintf("127.0.0.1:%d", port)
		cfg.OnBroadcasts = func() { cpuProfile("http://"+o.Debug, *profileS, profile) }
	}
	ctx := context.Background()
	cl, err := scale.StartCluster(ctx, o)
	if err != nil {
		return err
	}
	defer cl.Stop()
	res, err := scale.Run(ctx, cl, cfg)
	res.Server = server
	if err != nil {
		return err
	}
	fmt.Println()
	res.Print(os.Stdout)
	if out != "" {
		f, err := os.OpenFile(out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		b, _ := json.Marshal(struct {
			Time string `json:"time"`
			scale.Result
		}{time.Now().UTC().Format(time.RFC3339), res})
		if _, err := f.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	if res.Lost > 0 || res.Dup > 0 || res.Failed > 0 {
		return fmt.Errorf("%d lost, %d duplicated, %d failed to connect", res.Lost, res.Dup, res.Failed)
	}
	return nil
}

// cpuProfile saves a CPU profile of seconds, taken from the node serving debug, to file.
func cpuProfile(debug string, seconds int, file string) {
	c := &http.Client{Timeout: time.Duration(seconds+10) * time.Second}
	resp, err := c.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", debug, seconds))
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalebench: profile:", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalebench: profile:", err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "scalebench: profile:", err)
	}
}

// killAfter is how many broadcasts go out before -kill-node kills a node: half of the 10.
func killAfter(kill bool) int {
	if kill {
		return 5
	}
	return 0
}
