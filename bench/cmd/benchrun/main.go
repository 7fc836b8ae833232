// Command benchrun is the benchmark: it builds ioroute, the hand-written chats and the load
// generator, then for each scenario runs the same chat on ioroute (examples/chat/chat.yaml),
// on the hand-written Go server (handwritten: engine defaults; handtuned: on ioroute's engine
// write path), on the hand-made raw-websocket server (rawws: no engine at all) and on Node's
// socket.io, a fresh server process per run, and prints Markdown tables of medians with
// ratios to Node, of ioroute against handtuned, and of the fixed-rate scenarios against
// rawws. Next to the tables it writes a chart of them (results-*.svg).
//
//	go run ./bench/cmd/benchrun              # make bench: every scenario, 3 repetitions
//	go run ./bench/cmd/benchrun -smoke       # make bench-smoke: 5×20 against ioroute, no timing
//
// The server runs pinned to CPU 0 and the load generator to CPU 1 (taskset), so each has a
// core of its own. Run it from the repository's root.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/bench/internal/procfs"

	"github.com/ioroute/ioroute/bench/internal/chatload"
	"github.com/ioroute/ioroute/bench/internal/localport"
)

// scenario is one load generator setup.
type scenario struct {
	name     string
	args     []string
	idle     bool
	deadline time.Duration
	// offered, for a fixed-rate scenario, is the deliveries per second its clients ask for
	// (clients × clients × rate); 0 for the others.
	offered float64
}

var scenarios = []scenario{
	{name: "50x50", args: []string{"-clients", "50", "-messages", "50"}, deadline: 90 * time.Second},
	{name: "50x500", args: []string{"-clients", "50", "-messages", "500"}, deadline: 180 * time.Second},
	{name: "200x10", args: []string{"-clients", "200", "-messages", "10"}, deadline: 120 * time.Second},
	{name: "50@4/s", args: []string{"-clients", "50", "-messages", "40", "-rate", "4"}, deadline: 60 * time.Second},
	// Fixed offered loads near what one core delivers: 5 s of sending each. A server that
	// falls behind (Node, handwritten) takes longer to deliver everything; the deadline
	// bounds that.
	{name: "50@200/s", args: []string{"-clients", "50", "-messages", "1000", "-rate", "200"}, deadline: 120 * time.Second, offered: 50 * 50 * 200},
	{name: "200@20/s", args: []string{"-clients", "200", "-messages", "100", "-rate", "20"}, deadline: 120 * time.Second, offered: 200 * 200 * 20},
	{name: "idle2000", args: []string{"-idle", "2000", "-hold", "3s"}, idle: true, deadline: 90 * time.Second},
}

var smokeScenario = scenario{name: "smoke5x20", args: []string{"-clients", "5", "-messages", "20", "-stall", "3s"}, deadline: 30 * time.Second}

// server is one implementation of the chat.
type server struct {
	name string
	// argv starts the server on port.
	argv func(port int) []string
	// wsOnly: the server speaks only the websocket transport, so readiness is checked with
	// a websocket handshake instead of a polling one.
	wsOnly bool
}

type runner struct {
	root   string
	out    string
	bin    string
	pin    bool
	config string
	log    io.Writer
	// profile: the Go servers write CPU and allocation profiles of each run into out/profiles
	profile bool
}

func main() {
	os.Exit(mainErr())
}

func mainErr() int {
	reps := flag.Int("reps", 3, "repetitions of each scenario and server; the table shows medians")
	only := flag.String("scenarios", "", "comma-separated scenario names to run (default all): "+names())
	serversFlag := flag.String("servers", "ioroute,handtuned,handwritten,rawws,node", "servers to run, in this order (handtuned: the hand-written chat on ioroute's engine write path; "+
		"rawws: the chat by hand over raw websockets, no engine; "+
		"ioroute-metrics: ioroute counting Prometheus metrics)")
	smoke := flag.Bool("smoke", false, "run one tiny scenario against ioroute and fail unless nothing was lost or duplicated")
	out := flag.String("out", "bench/out", "folder for binaries, server logs and raw results")
	pin := flag.Bool("pin", true, "pin the server to CPU 0 and the load generator to CPU 1 with taskset")
	config := flag.String("config", "examples/chat/chat.yaml", "the config ioroute serves")
	profile := flag.Bool("profile", false, "the Go servers write a CPU and an allocation profile of each run to OUT/profiles (pprof format)")
	quiet := flag.Float64("quiet", 0, "before each run, wait (up to -quiet-patience) until the CPU pressure of the last 10 s (/proc/pressure/cpu) is below this percentage; 0 does not wait")
	patience := flag.Duration("quiet-patience", 2*time.Minute, "the longest -quiet waits before a run")
	reportFrom := flag.String("report", "", "re-render the tables and the chart of a finished run from its results-*.jsonl, and run nothing")
	flag.Parse()

	if *reportFrom != "" {
		if err := report(*reportFrom, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "benchrun:", err)
			return 1
		}
		return 0
	}
	if _, err := os.Stat("go.mod"); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun: run me from the repository's root (make bench)")
		return 2
	}
	root, _ := os.Getwd()
	r := &runner{root: root, out: *out, bin: filepath.Join(*out, "bin"), config: *config, log: os.Stderr, profile: *profile}
	r.pin = *pin && runtime.NumCPU() >= 2
	if r.pin {
		if _, err := exec.LookPath("taskset"); err != nil {
			fmt.Fprintln(os.Stderr, "benchrun: taskset not found; running unpinned (-pin=false to silence)")
			r.pin = false
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *smoke {
		return r.smoke(ctx)
	}

	var chosen []scenario
	if *only == "" {
		chosen = scenarios
	} else {
		for _, n := range strings.Split(*only, ",") {
			i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == strings.TrimSpace(n) })
			if i < 0 {
				fmt.Fprintf(os.Stderr, "benchrun: unknown scenario %q; known: %s\n", n, names())
				return 2
			}
			chosen = append(chosen, scenarios[i])
		}
	}
	servers, err := r.servers(strings.Split(*serversFlag, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		return 2
	}
	if err := r.build(ctx, servers); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		return 1
	}

	stamp := time.Now().Format("20060102-150405")
	rawPath := filepath.Join(r.out, "results-"+stamp+".jsonl")
	raw, err := os.Create(rawPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		return 1
	}
	defer raw.Close()

	started := time.Now()
	total := len(chosen) * *reps * len(servers)
	results := map[string]map[string][]chatload.Result{} // scenario -> server -> runs
	n := 0
	for _, sc := range chosen {
		results[sc.name] = map[string][]chatload.Result{}
		for rep := range *reps {
			// rotate the order of the servers so none always runs first (or right after another)
			for i := range servers {
				s := servers[(i+rep)%len(servers)]
				n++
				waitQuiet(ctx, r.log, *quiet, *patience)
				pressure := cpuPressure()
				t0 := time.Now()
				res, err := r.runOne(ctx, s, sc, fmt.Sprintf("%s/%s/%d", sc.name, s.name, rep+1))
				if ctx.Err() != nil {
					fmt.Fprintln(os.Stderr, "benchrun: interrupted")
					return 1
				}
				if err != nil {
					res.Error = err.Error()
				}
				line, _ := json.Marshal(struct {
					Scenario string  `json:"scenario"`
					Server   string  `json:"server"`
					Rep      int     `json:"rep"`
					LoadAvg  string  `json:"loadavg_after"`       // the machine's load, to spot a noisy run
					Pressure float64 `json:"cpu_pressure_before"` // % of the 10 s before the run some task waited for a CPU
					chatload.Result
				}{sc.name, s.name, rep + 1, procfs.LoadAvg(), pressure, res})
				fmt.Fprintln(raw, string(line))
				results[sc.name][s.name] = append(results[sc.name][s.name], res)
				fmt.Fprintf(os.Stderr, "[%d/%d] %-10s %-11s rep %d: %s (%.1fs, load %s, CPU pressure before %.0f%%)\n", n, total, sc.name, s.name, rep+1, summary(res), time.Since(t0).Seconds(), procfs.LoadAvg(), pressure)
			}
		}
	}

	var md bytes.Buffer
	r.header(&md, *reps, time.Since(started))
	table(&md, chosen, servers, results)
	layerTable(&md, chosen, results)
	fixedTable(&md, chosen, servers, results)
	metricsTable(&md, chosen, results)
	fmt.Print(md.String())
	mdPath := filepath.Join(r.out, "results-"+stamp+".md")
	if err := os.WriteFile(mdPath, md.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		return 1
	}
	svgPath := filepath.Join(r.out, "results-"+stamp+".svg")
	svg := chart(chartTitle(started, *reps), chosen, servers, results)
	if err := os.WriteFile(svgPath, svg, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "raw results: %s\ntable: %s\nchart: %s\n", rawPath, mdPath, svgPath)
	return 0
}

func names() string {
	var s []string
	for _, sc := range scenarios {
		s = append(s, sc.name)
	}
	return strings.Join(s, ", ")
}

func summary(res chatload.Result) string {
	var s string
	if res.Mode == "idle" {
		s = fmt.Sprintf("%d connected, %.1f MiB per 1k", res.Connected, res.RSSPer1kMB)
	} else {
		s = fmt.Sprintf("%.0f deliveries/s, p99 %.1f ms, server CPU %.2fs", res.DeliveriesPerS, res.LatencyP99Ms, res.ServerCPUS)
	}
	s += fmt.Sprintf(", lost %d, dup %d", res.Lost, res.Duplicates)
	if res.Error != "" {
		s += ", error: " + res.Error
	}
	return s
}

// servers resolves server names to how each is started.
func (r *runner) servers(names []string) ([]server, error) {
	all := map[string]server{
		"ioroute": {name: "ioroute", argv: func(port int) []string {
			return []string{filepath.Join(r.bin, "ioroute"), "run", "--listen", fmt.Sprintf("127.0.0.1:%d", port), r.config}
		}},
		// ioroute counting Prometheus metrics (never scraped during the run): against ioroute,
		// what counting costs
		"ioroute-metrics": {name: "ioroute-metrics", argv: func(port int) []string {
			return []string{filepath.Join(r.bin, "ioroute"), "run", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--metrics-listen", "127.0.0.1:0", r.config}
		}},
		"handwritten": {name: "handwritten", argv: func(port int) []string {
			return []string{filepath.Join(r.bin, "handwritten"), "-listen", fmt.Sprintf("127.0.0.1:%d", port)}
		}},
		"handtuned": {name: "handtuned", argv: func(port int) []string {
			return []string{filepath.Join(r.bin, "handwritten"), "-tuned", "-listen", fmt.Sprintf("127.0.0.1:%d", port)}
		}},
		"rawws": {name: "rawws", wsOnly: true, argv: func(port int) []string {
			return []string{filepath.Join(r.bin, "rawws"), "-listen", fmt.Sprintf("127.0.0.1:%d", port)}
		}},
		"node": {name: "node", argv: func(port int) []string {
			return []string{"node", filepath.Join("bench", "node", "server.js"), strconv.Itoa(port)}
		}},
	}
	var out []server
	for _, n := range names {
		s, ok := all[strings.TrimSpace(n)]
		if !ok {
			return nil, fmt.Errorf("unknown server %q (ioroute, ioroute-metrics, handtuned, handwritten, rawws, node)", n)
		}
		out = append(out, s)
	}
	return out, nil
}

// build compiles the Go programs into r.bin and checks the Node server's dependencies.
func (r *runner) build(ctx context.Context, servers []server) error {
	if err := os.MkdirAll(r.bin, 0o755); err != nil {
		return err
	}
	pkgs := map[string]string{"loadgen": "./bench/loadgen"}
	for _, s := range servers {
		switch s.name {
		case "ioroute", "ioroute-metrics":
			pkgs["ioroute"] = "./cmd/ioroute"
		case "handwritten", "handtuned":
			pkgs["handwritten"] = "./bench/handwritten"
		case "rawws":
			pkgs["rawws"] = "./bench/rawws"
		case "node":
			if !upToDate(filepath.Join("bench", "node", "node_modules", ".package-lock.json"), filepath.Join("bench", "node", "package-lock.json")) {
				fmt.Fprintln(r.log, "installing bench/node dependencies from package-lock.json (npm ci)")
				cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
				cmd.Dir = filepath.Join("bench", "node")
				cmd.Stdout, cmd.Stderr = r.log, r.log
				if err := cmd.Run(); err != nil {
					return fmt.Errorf("npm ci in bench/node: %w", err)
				}
			}
		}
	}
	for name, pkg := range pkgs {
		fmt.Fprintf(r.log, "go build -o %s %s\n", filepath.Join(r.bin, name), pkg)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(r.bin, name), pkg)
		cmd.Stdout, cmd.Stderr = r.log, r.log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %s: %w", pkg, err)
		}
	}
	return nil
}

// upToDate tells whether target exists and is not older than source.
func upToDate(target, source string) bool {
	t, err := os.Stat(target)
	if err != nil {
		return false
	}
	s, err := os.Stat(source)
	return err == nil && !t.ModTime().Before(s.ModTime())
}

// smoke runs the tiny scenario once against ioroute: it fails unless every delivery arrived
// exactly once. It makes no timing assertion.
func (r *runner) smoke(ctx context.Context) int {
	servers, _ := r.servers([]string{"ioroute"})
	if err := r.build(ctx, servers); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		return 1
	}
	res, err := r.runOne(ctx, servers[0], smokeScenario, "smoke")
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
	counts := fmt.Sprintf("expected %d deliveries, received %d, lost %d, duplicated %d",
		res.Expected, res.Received, res.Lost, res.Duplicates)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench-smoke FAILED:", err)
	case res.Error != "" || res.TimedOut:
		fmt.Fprintf(os.Stderr, "bench-smoke FAILED: %s; %s (timed out: %v)\n", res.Error, counts, res.TimedOut)
	case res.Expected == 0 || res.Received != res.Expected || res.Lost != 0 || res.Duplicates != 0:
		fmt.Fprintln(os.Stderr, "bench-smoke FAILED:", counts)
	default:
		fmt.Fprintf(os.Stderr, "bench-smoke ok: %d clients × %d messages, %d deliveries, none lost or duplicated\n",
			res.Clients, res.Messages, res.Received)
		return 0
	}
	return 1
}

// runOne starts a fresh server, runs the load generator against it once and stops it.
func (r *runner) runOne(ctx context.Context, s server, sc scenario, label string) (chatload.Result, error) {
	var res chatload.Result
	port, err := localport.Free()
	if err != nil {
		return res, err
	}
	logPath := filepath.Join(r.out, "logs", strings.NewReplacer("/", "_", "@", "at").Replace(label)+".log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return res, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return res, err
	}
	defer logf.Close()

	argv := s.argv(port)
	if r.pin {
		argv = append([]string{"taskset", "-c", "0"}, argv...)
	}
	srv := exec.Command(argv[0], argv[1:]...)
	srv.Stdout, srv.Stderr = logf, logf
	if r.profile && s.name != "node" {
		env, err := r.profileEnv(label)
		if err != nil {
			return res, err
		}
		srv.Env = append(os.Environ(), env...)
	}
	if err := srv.Start(); err != nil {
		return res, fmt.Errorf("start %s: %w", s.name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer stopServer(srv, exited)

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	wait := localport.WaitHandshake
	if s.wsOnly {
		wait = localport.WaitWebSocket
	}
	if err := wait(ctx, base, exited); err != nil {
		return res, fmt.Errorf("%s did not start: %w (log: %s)", s.name, err, logPath)
	}

	lctx, cancel := context.WithTimeout(ctx, sc.deadline+30*time.Second)
	defer cancel()
	largv := append([]string{filepath.Join(r.bin, "loadgen"), "-url", base, "-pid", strconv.Itoa(srv.Process.Pid),
		"-deadline", sc.deadline.String(), "-stall", "20s", "-label", label}, sc.args...)
	if r.pin {
		largv = append([]string{"taskset", "-c", "1"}, largv...)
	}
	lg := exec.CommandContext(lctx, largv[0], largv[1:]...)
	var stdout bytes.Buffer
	lg.Stdout, lg.Stderr = &stdout, logf
	lg.WaitDelay = 5 * time.Second
	runErr := lg.Run()
	line := lastLine(stdout.Bytes())
	if len(line) == 0 {
		return res, fmt.Errorf("load generator printed nothing: %v (log: %s)", runErr, logPath)
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return res, fmt.Errorf("load generator output %q: %w", line, err)
	}
	return res, nil
}

// profileEnv names the profile files of one run, in the environment variables ioroute and
// the hand-written servers read (internal/profiling).
func (r *runner) profileEnv(label string) ([]string, error) {
	dir := filepath.Join(r.out, "profiles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(dir, strings.NewReplacer("/", "_", "@", "at").Replace(label))
	return []string{"IOROUTE_CPUPROFILE=" + base + ".cpu.pprof", "IOROUTE_MEMPROFILE=" + base + ".allocs.pprof"}, nil
}

func lastLine(b []byte) []byte {
	var last []byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			last = append(last[:0], l...)
		}
	}
	return last
}

// stopServer asks the server to stop, then kills it if it takes more than 15s.
func stopServer(srv *exec.Cmd, exited <-chan error) {
	_ = srv.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = srv.Process.Kill()
		<-exited
	}
}

// header describes the machine and the software measured.
func (r *runner) header(w io.Writer, reps int, took time.Duration) {
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %s; Go %s; Node %s; socket.io %s; zishang520 socket.io %s; ioroute %s.\n",
		runtime.NumCPU(), cpuModel(), memTotal(), strings.TrimPrefix(runtime.Version(), "go"), cmdOut("node", "--version"),
		nodeModuleVersion("socket.io"), goModVersion("github.com/zishang520/socket.io/servers/socket/v3"), gitDescribe())
	pinned := "server pinned to CPU 0, load generator to CPU 1 (taskset)"
	if !r.pin {
		pinned = "not pinned"
	}
	fmt.Fprintf(w, "Run %s: %d repetitions per scenario and server, medians shown (lost, dup and order are totals over all repetitions); %s; took %s.\n\n",
		time.Now().Format("2006-01-02 15:04"), reps, pinned, took.Round(time.Second))
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "unknown RAM"
}

func cmdOut(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func nodeModuleVersion(mod string) string {
	b, err := os.ReadFile(filepath.Join("bench", "node", "node_modules", mod, "package.json"))
	if err != nil {
		return "?"
	}
	var p struct{ Version string }
	_ = json.Unmarshal(b, &p)
	return p.Version
}

func goModVersion(mod string) string {
	b, _ := os.ReadFile("go.mod")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == mod {
			return f[1]
		}
	}
	return "?"
}

func gitDescribe() string {
	rev := cmdOut("git", "rev-parse", "--short", "HEAD")
	if rev == "?" {
		return "(no git)"
	}
	if cmdOut("git", "status", "--porcelain", "--untracked-files=no") != "" {
		rev += " with uncommitted changes"
	}
	return rev
}
