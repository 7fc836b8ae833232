// Command clusterbench measures cross-node fan-out: the chat of examples/cluster/cluster.yaml
// with its clients spread over two ioroute nodes joined through Redis, against the same chat
// on one node (with and without the Redis adapter), in the same run.
//
//	go run ./bench/cmd/clusterbench            # make bench-cluster: 3 repetitions of 50×50
//	go run ./bench/cmd/clusterbench -reps 1 -clients 20 -messages 20
//
// It starts Debian's redis-server on a free loopback port, builds cmd/ioroute, and runs the
// load generator (bench/internal/chatload) in this process. Nothing is pinned: the nodes,
// Redis and the load generator share the machine's cores, so only the ratios within one run
// mean anything. Run it from the repository's root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/bench/internal/chatload"
	"github.com/ioroute/ioroute/bench/internal/localport"
)

// setup is one way of serving the chat.
type setup struct {
	name   string
	nodes  int
	config string
	redis  bool
}

var setups = []setup{
	{name: "1 node, in memory", nodes: 1, config: "examples/chat/chat.yaml"},
	{name: "1 node, Redis adapter", nodes: 1, config: "examples/cluster/cluster.yaml", redis: true},
	{name: "2 nodes, Redis adapter", nodes: 2, config: "examples/cluster/cluster.yaml", redis: true},
}

func main() {
	reps := flag.Int("reps", 3, "repetitions of each setup")
	clients := flag.Int("clients", 50, "clients, spread evenly over the nodes")
	messages := flag.Int("messages", 50, "messages each client sends")
	flag.Parse()
	if err := run(*reps, *clients, *messages); err != nil {
		fmt.Fprintln(os.Stderr, "clusterbench:", err)
		os.Exit(1)
	}
}

func run(reps, clients, messages int) error {
	bin := filepath.Join("bench", "out", "bin", "ioroute")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/ioroute").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	redisPort, err := localport.Free()
	if err != nil {
		return err
	}
	redis := exec.Command("redis-server", "--port", strconv.Itoa(redisPort), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--logfile", "")
	if err := redis.Start(); err != nil {
		return fmt.Errorf("start redis-server (apt-get install redis-server): %w", err)
	}
	defer func() { _ = redis.Process.Kill(); _ = redis.Wait() }()
	redisURL := fmt.Sprintf("redis://127.0.0.1:%d/0", redisPort)

	results := map[string][]chatload.Result{}
	for rep := 1; rep <= reps; rep++ {
		for _, s := range setups {
			res, err := runSetup(bin, s, redisURL, clients, messages)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			fmt.Fprintf(os.Stderr, "rep %d %-24s %8.0f deliveries/s  p99 %6.1f ms  lost %d  dup %d  ok %v\n",
				rep, s.name, res.DeliveriesPerS, res.LatencyP99Ms, res.Lost, res.Duplicates, res.OK)
			results[s.name] = append(results[s.name], res)
		}
	}
	fmt.Printf("chat %d×%d, clients spread over the nodes, medians of %d; ratio to \"%s\"\n\n", clients, messages, reps, setups[1].name)
	fmt.Println("| setup | deliveries/s | ratio | p50 ms | p99 ms | lost | dup |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	ref := median(results[setups[1].name], func(r chatload.Result) float64 { return r.DeliveriesPerS })
	for _, s := range setups {
		rs := results[s.name]
		d := median(rs, func(r chatload.Result) float64 { return r.DeliveriesPerS })
		lost, dup := int64(0), int64(0)
		for _, r := range rs {
			lost += r.Lost
			dup += r.Duplicates
		}
		fmt.Printf("| %s | %.0f | %.2f× | %.1f | %.1f | %d | %d |\n", s.name, d, d/ref,
			median(rs, func(r chatload.Result) float64 { return r.LatencyP50Ms }),
			median(rs, func(r chatload.Result) float64 { return r.LatencyP99Ms }), lost, dup)
	}
	return nil
}

// runSetup starts the setup's nodes, runs the load once and stops them.
func runSetup(bin string, s setup, redisURL string, clients, messages int) (chatload.Result, error) {
	var urls []string
	for i := 0; i < s.nodes; i++ {
		port, err := localport.Free()
		if err != nil {
			return chatload.Result{}, err
		}
		cmd := exec.Command(bin, "run", "--log-level", "warn", "--listen", "127.0.0.1:"+strconv.Itoa(port), s.config)
		cmd.Env = os.Environ()
		if s.redis {
			cmd.Env = append(cmd.Env, "IOROUTE_REDIS_URL="+redisURL)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return chatload.Result{}, err
		}
		defer func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}()
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		if err := localport.WaitHandshake(context.Background(), url, nil); err != nil {
			return chatload.Result{}, err
		}
		urls = append(urls, url)
	}
	res := chatload.Run(context.Background(), chatload.Config{URLs: urls, Clients: clients, Messages: messages,
		Deadline: 2 * time.Minute, Label: s.name})
	if res.Error != "" {
		return res, errors.New(res.Error)
	}
	return res, nil
}

func median(rs []chatload.Result, f func(chatload.Result) float64) float64 {
	var v []float64
	for _, r := range rs {
		v = append(v, f(r))
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
