// Command idlemem measures what an idle websocket connection costs ioroute: for each size it
// starts a fresh `ioroute run` (bench/cmd/idlemem/chat.yaml, the chat example with room for more clients), connects that many websocket
// clients to /chat from separate client processes (each from its own loopback source
// address, so no process comes near the 20,000 open-file limit), holds them idle, and reads
// the server's resident memory, goroutines and Go memory statistics; it saves the heap and
// goroutine profiles; then one client broadcasts once and every idle client must receive it.
//
//	go run ./bench/cmd/idlemem -sizes 2000,15000 -hold 35s
//
// The hold should outlast one heartbeat (25 s by default), so every connection has been
// pinged and has answered at least once when the memory is read. The slope between two
// sizes is the cost of one more connection, without what the process holds anyway.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/bench/internal/localport"
	"github.com/ioroute/ioroute/bench/internal/procfs"
)

// result is what one size measured.
type result struct {
	Clients          int     `json:"clients"`
	EIO              int     `json:"eio"`
	ConnectS         float64 `json:"connect_s"`
	RSSBaseKiB       int64   `json:"rss_base_kib"`
	RSSIdleKiB       int64   `json:"rss_idle_kib"`
	KiBPerConn       float64 `json:"kib_per_conn"`
	Goroutines       int     `json:"goroutines"`
	GoroutinesBase   int     `json:"goroutines_base"`
	HeapAllocKiB     int64   `json:"heap_alloc_kib"` // live objects, after a forced GC
	HeapInuseKiB     int64   `json:"heap_inuse_kib"` // spans holding them
	StackInuseKiB    int64   `json:"stack_inuse_kib"`
	HeapBaseKiB      int64   `json:"heap_base_kib"`
	HeapAllocBaseKiB int64   `json:"heap_alloc_base_kib"`
	StackBaseKiB     int64   `json:"stack_base_kib"`
	Pings            int64   `json:"pings"`
	Received         int64   `json:"received"`
	Ended            int64   `json:"ended"`
	Load             string  `json:"load"`
	Error            string  `json:"error,omitempty"`
}

func main() {
	child := flag.Bool("child", false, "run as a client process (used by idlemem itself)")
	addr := flag.String("addr", "", "child: server address host:port")
	n := flag.Int("n", 0, "child: clients to hold")
	laddr := flag.String("laddr", "127.0.0.1", "child: local source address")
	eio := flag.Int("eio", 4, "Engine.IO version of the clients: 4 or 3")
	sizes := flag.String("sizes", "2000,15000", "numbers of idle clients, one fresh server each")
	hold := flag.Duration("hold", 35*time.Second, "how long the clients are held idle before measuring")
	perProc := flag.Int("per-proc", 5000, "clients per client process")
	bin := flag.String("bin", "", "ioroute binary (default: built from ./cmd/ioroute)")
	config := flag.String("config", "bench/cmd/idlemem/chat.yaml", "config the server runs (examples/chat/chat.yaml with max_connections raised)")
	out := flag.String("out", "bench/out/idlemem", "directory for profiles, logs and results")
	label := flag.String("label", "", "name of this run in the output files")
	profileRate := flag.Int("memprofilerate", 0, "when above 0, the server samples one allocation per this many bytes (GODEBUG=memprofilerate; 1 records every allocation, for a breakdown by owner, at the cost of memory of its own)")
	flag.Parse()
	if *child {
		os.Exit(runChild(*addr, *laddr, *n, *eio))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	if *bin == "" {
		*bin = filepath.Join(*out, "ioroute")
		cmd := exec.Command("go", "build", "-o", *bin, "./cmd/ioroute")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fatal(fmt.Errorf("building ioroute: %w", err))
		}
	}
	var results []result
	for _, s := range strings.Split(*sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || size <= 0 {
			fatal(fmt.Errorf("bad size %q", s))
		}
		m := measurer{bin: *bin, config: *config, out: *out, label: *label, hold: *hold, perProc: *perProc, eio: *eio, profileRate: *profileRate}
		res := m.run(size)
		line, _ := json.Marshal(res)
		fmt.Println(string(line))
		appendLine(filepath.Join(*out, "results.jsonl"), *label, line)
		results = append(results, res)
	}
	table(os.Stdout, results)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "idlemem:", err)
	os.Exit(1)
}

func appendLine(path, label string, line []byte) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "{\"label\":%q,\"time\":%q,\"result\":%s}\n", label, time.Now().UTC().Format(time.RFC3339), line)
}

// table prints the results as Markdown, with the slope between consecutive sizes.
func table(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| clients | connect s | RSS before MiB | RSS idle MiB | KiB per conn | goroutines per conn | live heap KiB per conn | heap spans KiB per conn | stacks KiB per conn | broadcast received | load |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rs {
		c := float64(r.Clients)
		fmt.Fprintf(w, "| %d | %.1f | %.1f | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %d/%d | %s |\n", r.Clients, r.ConnectS,
			float64(r.RSSBaseKiB)/1024, float64(r.RSSIdleKiB)/1024, r.KiBPerConn,
			float64(r.Goroutines-r.GoroutinesBase)/c, float64(r.HeapAllocKiB-r.HeapAllocBaseKiB)/c, float64(r.HeapInuseKiB-r.HeapBaseKiB)/c,
			float64(r.StackInuseKiB-r.StackBaseKiB)/c, r.Received, r.Clients, r.Load)
	}
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		if b.Clients != a.Clients {
			fmt.Fprintf(w, "\nslope %d → %d: %.1f KiB of RSS per connection\n", a.Clients, b.Clients,
				float64(b.RSSIdleKiB-a.RSSIdleKiB)/float64(b.Clients-a.Clients))
		}
	}
}

// measurer runs one size against a fresh server.
type measurer struct {
	bin, config, out, label string
	hold                    time.Duration
	perProc, eio            int
	profileRate             int
}

func (m measurer) run(size int) (res result) {
	res = result{Clients: size, EIO: m.eio}
	port, err1 := localport.Free()
	dport, err2 := localport.Free()
	if err1 != nil || err2 != nil {
		res.Error = "no free port"
		return res
	}
	name := fmt.Sprintf("%s%d", prefix(m.label), size)
	logf, err := os.Create(filepath.Join(m.out, name+".log"))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer logf.Close()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	debug := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", dport)
	srv := exec.Command(m.bin, "run", "--listen", addr, "--debug-listen", fmt.Sprintf("127.0.0.1:%d", dport), m.config)
	srv.Stdout, srv.Stderr = logf, logf
	if m.profileRate > 0 {
		srv.Env = append(os.Environ(), fmt.Sprintf("GODEBUG=memprofilerate=%d", m.profileRate))
	}
	if err := srv.Start(); err != nil {
		res.Error = err.Error()
		return res
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = srv.Process.Kill()
			<-exited
		}
	}()
	if err := localport.WaitHandshake(context.Background(), "http://"+addr, exited); err != nil {
		res.Error = "server did not start: " + err.Error()
		return res
	}
	time.Sleep(2 * time.Second)
	pid := srv.Process.Pid
	res.RSSBaseKiB = procfs.RSSKiB(pid)
	res.GoroutinesBase = goroutines(debug)
	base := memStats(debug + "heap?debug=1&gc=1")
	res.HeapAllocBaseKiB = base["HeapAlloc"] / 1024
	res.HeapBaseKiB, res.StackBaseKiB = base["HeapInuse"]/1024, base["Stack"]/1024

	start := time.Now()
	var children []*childProc
	defer func() {
		for _, c := range children {
			c.stop()
		}
	}()
	for i := 0; i*m.perProc < size; i++ {
		k := min(m.perProc, size-i*m.perProc)
		c, err := startChild(addr, fmt.Sprintf("127.0.0.%d", 10+i), k, m.eio)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		children = append(children, c)
	}
	for _, c := range children {
		if err := c.waitJoined(); err != nil {
			res.Error = err.Error()
			return res
		}
	}
	res.ConnectS = round1(time.Since(start).Seconds())
	time.Sleep(m.hold)
	res.RSSIdleKiB = procfs.RSSKiB(pid)
	res.KiBPerConn = round1(float64(res.RSSIdleKiB-res.RSSBaseKiB) / float64(size))
	res.Goroutines = goroutines(debug)
	res.Load = procfs.LoadAvg()
	save(debug+"goroutine?debug=1", filepath.Join(m.out, name+".goroutines.txt"))
	save(debug+"heap?gc=1", filepath.Join(m.out, name+".heap.pprof")) // gc=1: the profile shows what lives now, not at the last collection
	ms := memStats(debug + "heap?debug=1&gc=1")
	save(debug+"heap?debug=1", filepath.Join(m.out, name+".heap.txt"))
	res.HeapAllocKiB = ms["HeapAlloc"] / 1024
	res.HeapInuseKiB, res.StackInuseKiB = ms["HeapInuse"]/1024, ms["Stack"]/1024

	// one broadcast from a fresh client: every idle client must receive it
	sender, err := dialClient(addr, "/socket.io/", "127.0.0.2", "/chat", m.eio, 10*time.Second)
	if err != nil {
		res.Error = "sender: " + err.Error()
		return res
	}
	defer sender.conn.Close()
	if err := sender.writeText(`42/chat,["message",{"idle":true}]`); err != nil {
		res.Error = "sender: " + err.Error()
		return res
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st childStats
		for _, c := range children {
			s, err := c.count()
			if err != nil {
				res.Error = err.Error()
				return res
			}
			st.add(s)
		}
		res.Pings, res.Received, res.Ended = st.pings, st.received, st.ended
		if st.received >= int64(size) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return res
}

func prefix(label string) string {
	if label == "" {
		return ""
	}
	return label + "-"
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// goroutines is the server's goroutine count, from its goroutine profile.
func goroutines(debug string) int {
	b, err := get(debug + "goroutine?debug=1")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	n, _ := strconv.Atoi(strings.TrimPrefix(line, "goroutine profile: total "))
	return n
}

// memStats reads the runtime.MemStats lines ("# Name = value") at the end of a heap profile
// in text form; Stack is StackInuse.
func memStats(url string) map[string]int64 {
	m := map[string]int64{}
	b, err := get(url)
	if err != nil {
		return m
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "# "), " = ")
		if !ok {
			continue
		}
		v, _, _ = strings.Cut(v, " ")
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			m[k] = n
		}
	}
	return m
}

func save(url, path string) {
	if b, err := get(url); err == nil {
		_ = os.WriteFile(path, b, 0o644)
	}
}
