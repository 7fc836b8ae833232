// Command soak is the soak test of `make soak`: it builds ioroute, runs `ioroute run` on a chat
// config (examples/chat-rooms by default) with its debug endpoint on loopback, holds thousands
// of users going round connect → join a room → chat → leave → disconnect for minutes, lets
// them all go and reports the server's peak and final resident memory, heap and goroutines.
// It fails when the server keeps goroutines above its baseline once every user left (a leak);
// connections that failed or that the server dropped are counted and reported, and the
// disconnections the server ended are counted by reason from its log.
//
//	go run ./bench/cmd/soak                          # 5,000 users for 3 minutes
//	go run ./bench/cmd/soak -users 200 -duration 30s
//
// Each user is one socket, so the server needs a file descriptor per user and this process
// another: the soft `ulimit -n` of both is raised to the hard limit (the server inherits it).
// Run it from the repository's root.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/bench/internal/localport"
	"github.com/ioroute/ioroute/bench/internal/soak"
)

func main() { os.Exit(run()) }

func run() int {
	cfg := soak.Config{Progress: os.Stdout}
	config := flag.String("config", "examples/chat-rooms/chat-rooms.yaml", "the chat config to serve; join/leave take a room, message takes {room, text}")
	bin := flag.String("bin", "", "an ioroute binary to run; default: build ./cmd/ioroute")
	out := flag.String("json", "", "also write the report as JSON to this file")
	serverLog := flag.String("server-log", "", "keep the server's log in this file (default: a temporary file, shown on failure)")
	logLevel := flag.String("log-level", "info", "the server's --log-level; at info (or debug) it logs every disconnection the server ended with its reason, which the report counts")
	flag.IntVar(&cfg.Users, "users", 5000, "users connected at once")
	flag.DurationVar(&cfg.Duration, "duration", 3*time.Minute, "how long users go round")
	flag.DurationVar(&cfg.MinStay, "min-stay", 10*time.Second, "shortest stay of a user between connecting and leaving")
	flag.DurationVar(&cfg.MaxStay, "max-stay", 60*time.Second, "longest stay")
	flag.DurationVar(&cfg.Every, "every", 5*time.Second, "how often a user sends a message, on average")
	flag.StringVar(&cfg.Namespace, "namespace", "/chat", "the chat's namespace")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := raiseFileLimit(2*cfg.Users + 1024); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "ioroute-soak-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "ioroute")
		fmt.Println("building ioroute")
		build := exec.CommandContext(ctx, "go", "build", "-o", *bin, "./cmd/ioroute")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "soak: go build:", err)
			return 1
		}
	}
	if *serverLog == "" {
		*serverLog = filepath.Join(tmp, "server.log")
	}
	srv, err := startServer(ctx, *bin, *config, *serverLog, *logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 1
	}
	defer srv.stop()
	cfg.URL = srv.url
	fmt.Printf("soak: %d users for %s against %s (pid %d)\n", cfg.Users, cfg.Duration, *config, srv.cmd.Process.Pid)
	rep, err := soak.Run(ctx, cfg, soak.ProcessProbe{PID: srv.cmd.Process.Pid, DebugURL: srv.debug})
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		srv.showLog()
		return 1
	}
	if f, err := os.Open(*serverLog); err == nil {
		if e, err := soak.ServerEnded(f); err == nil && (*logLevel == "info" || *logLevel == "debug") {
			rep.ServerEnded = &e
		}
		f.Close()
	}
	printReport(rep)
	if *out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
		}
	}
	if rep.Failed > 0 || rep.Dropped > 0 || rep.ServerEnded != nil && rep.ServerEnded.Total() > 0 {
		// not a leak, but worth a look: the server log (-server-log) has a line for each
		// disconnection the server ended, with its reason
		fmt.Printf("note: %d connections failed and the server dropped %d users; first error: %s\n", rep.Failed, rep.Dropped, rep.FirstError)
	}
	if rep.Leaked > 0 {
		fmt.Printf("FAIL: the server holds %d goroutines more than before the first user\n", rep.Leaked)
		srv.showLog()
		return 1
	}
	fmt.Println("ok: no goroutine leaked")
	return 0
}

func printReport(r soak.Report) {
	fmt.Printf("\n| soak | figure |\n|---|---|\n")
	fmt.Printf("| users at once (peak seen) | %d (%d) over %d rooms |\n", r.Users, r.PeakUsers, r.Rooms)
	fmt.Printf("| duration | %.0f s |\n", r.DurationS)
	fmt.Printf("| connections made / failed / dropped by the server | %d / %d / %d |\n", r.Connections, r.Failed, r.Dropped)
	fmt.Printf("| events sent / received | %d / %d |\n", r.Sent, r.Received)
	fmt.Printf("| goroutines: baseline / peak / final | %d / %d / %d (leaked %d, settled in %.1f s) |\n",
		r.Baseline.Goroutines, r.Peak.Goroutines, r.Final.Goroutines, r.Leaked, r.SettleS)
	fmt.Printf("| RSS: baseline / peak / final | %.1f / %.1f / %.1f MiB |\n", mib(r.Baseline.RSSKB), mib(r.PeakRSSKB), mib(r.Final.RSSKB))
	fmt.Printf("| heap after GC: baseline / peak / final | %.1f / %.1f / %.1f MiB |\n", mib(r.Baseline.HeapKB), mib(r.Peak.HeapKB), mib(r.Final.HeapKB))
	fmt.Printf("| longest gap between samples (taken every %.0f s) | %.1f s |\n", r.SampleS, r.MaxSampleGapS)
	if e := r.ServerEnded; e != nil {
		fmt.Printf("| disconnections the server ended (its log) | %s |\n", describeEnded(*e))
	}
	if r.FirstError != "" {
		fmt.Printf("| first error | %s |\n", r.FirstError)
	}
}

// describeEnded renders the server's disconnections by reason: "0", or "3: ping timeout 2,
// transport error 1".
func describeEnded(e soak.Ended) string {
	if e.Total() == 0 {
		return "0"
	}
	reasons := make([]string, 0, len(e.Reasons))
	for r := range e.Reasons {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	parts := make([]string, 0, len(reasons)+1)
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%s %d", r, e.Reasons[r]))
	}
	if e.LeftOut > 0 {
		parts = append(parts, fmt.Sprintf("%d left out of the log", e.LeftOut))
	}
	return fmt.Sprintf("%d: %s", e.Total(), strings.Join(parts, ", "))
}

func mib(kb int64) float64 { return float64(kb) / 1024 }

// raiseFileLimit raises the soft limit on open files to the hard limit, which children
// inherit, and fails when even that is below need.
func raiseFileLimit(need int) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	before := l.Cur
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	fmt.Printf("ulimit -n: %d, raised to the hard limit %d\n", before, l.Max)
	if l.Max < uint64(need) {
		return fmt.Errorf("ulimit -n hard limit %d is below the %d files this soak needs; raise it (ulimit -Hn) or use fewer -users", l.Max, need)
	}
	return nil
}

// server is the `ioroute run` process under test.
type server struct {
	cmd     *exec.Cmd
	url     string
	debug   string
	logPath string
	exited  chan struct{}
}

// startServer runs `ioroute run` on free loopback ports, its prints discarded and its log in
// logPath, and waits until it serves.
func startServer(ctx context.Context, bin, config, logPath, logLevel string) (*server, error) {
	port, err1 := localport.Free()
	dport, err2 := localport.Free()
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &server{url: fmt.Sprintf("http://127.0.0.1:%d", port), debug: fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", dport),
		logPath: logPath, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "run", "--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--debug-listen", fmt.Sprintf("127.0.0.1:%d", dport), "--log-level", logLevel, config)
	s.cmd.Stderr = logf // print output (one line per join, leave...) goes to /dev/null
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); logf.Close(); close(s.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		// ready once both ports accept; no Engine.IO session is opened, since one left
		// waiting would hold goroutines in the baseline until its ping timeout
		if c, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://")); err == nil {
			c.Close()
			if _, err := (soak.ProcessProbe{PID: s.cmd.Process.Pid, DebugURL: s.debug}).Goroutines(); err == nil {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			s.showLog()
			return nil, fmt.Errorf("ioroute exited before serving")
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("ioroute did not serve within 30s")
		}
	}
}

// stop sends SIGTERM and waits for the process, killing it after 30s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// showLog prints the end of the server's log.
func (s *server) showLog() {
	if b, err := os.ReadFile(s.logPath); err == nil && len(b) > 0 {
		const most = 4000
		if len(b) > most {
			b = append([]byte("…"), b[len(b)-most:]...)
		}
		fmt.Printf("server log:\n%s\n", b)
	}
}
