// Command loadgen drives a Socket.IO chat server (ioroute with examples/chat/chat.yaml, or the
// same chat written by hand) over WebSocket and prints one JSON line with what it measured.
//
// Chat mode: -clients C join -ns, then each emits -messages M `message` events (back to back,
// or -rate per second); the server broadcasts each as `new-message` to all C, so C·C·M
// deliveries are expected. Idle mode (-idle N): N connections are held for -hold, the
// server's resident memory is read, then one event is broadcast to all N.
//
//	loadgen -url http://127.0.0.1:3001 -clients 50 -messages 50 -pid "$(pgrep -n ioroute)"
//
// It exits 0 when every delivery arrived exactly once, 1 otherwise (the JSON line says why),
// 2 on bad flags; it always ends within -deadline (plus closing time).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

func main() {
	var cfg chatload.Config
	flag.StringVar(&cfg.URL, "url", "http://127.0.0.1:3001", "server base URL")
	flag.StringVar(&cfg.Path, "path", "/socket.io/", "Socket.IO path")
	flag.StringVar(&cfg.Namespace, "ns", "/chat", "namespace every client joins")
	flag.IntVar(&cfg.EIO, "eio", 4, "Engine.IO version: 4 (socket.io-client 3/4) or 3 (socket.io-client 2)")
	flag.IntVar(&cfg.Clients, "clients", 50, "clients (chat mode)")
	flag.IntVar(&cfg.Messages, "messages", 50, "events each client emits (chat mode)")
	flag.Float64Var(&cfg.Rate, "rate", 0, "events per second per client; 0 = as fast as possible")
	flag.IntVar(&cfg.Idle, "idle", 0, "idle mode: hold this many connections and report memory per 1,000")
	flag.DurationVar(&cfg.Hold, "hold", 3*time.Second, "idle mode: how long connections are held before the memory is read")
	flag.IntVar(&cfg.Pad, "pad", 0, "bytes of filler added to every payload")
	flag.IntVar(&cfg.PID, "pid", 0, "server process id, for its CPU time and memory from /proc (0 = skip)")
	flag.DurationVar(&cfg.Deadline, "deadline", 2*time.Minute, "bound on the whole run")
	flag.DurationVar(&cfg.Stall, "stall", 10*time.Second, "give up once all was sent and nothing arrived for this long")
	flag.DurationVar(&cfg.Settle, "settle", 200*time.Millisecond, "pause between the last client joining and the first send")
	flag.DurationVar(&cfg.Linger, "linger", 250*time.Millisecond, "keep listening this long after the last delivery, to count late duplicates")
	flag.IntVar(&cfg.DialConcurrency, "dial-concurrency", 64, "clients connecting at once")
	flag.StringVar(&cfg.Label, "label", "", "copied into the result")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res := chatload.Run(ctx, cfg)
	line, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	fmt.Println(string(line))
	if !res.OK {
		os.Exit(1)
	}
}
