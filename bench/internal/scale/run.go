package scale

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/ioroute/ioroute/bench/internal/procfs"
)

// Config is one scale run against a started Cluster.
type Config struct {
	Clients    int // spread evenly over the nodes (client i on node i mod nodes)
	Procs      int // load-generator processes, each with its own loopback source address
	Broadcasts int // sent one after the other by client 0 (on node 0)
	// Stall clients (ids 1..Stall) join a room and stop reading; FloodCount messages of
	// FloodSize bytes then go to that room, more than their TCP buffers and the server's
	// queue bound hold.
	Stall, FloodCount, FloodSize int
	// KillAfter > 0 kills the last node (SIGKILL) after that many broadcasts.
	KillAfter int
	// ConnectTimeout bounds the connect phase, BroadcastTimeout each broadcast's wait for
	// every client, Gap the pause between broadcasts.
	ConnectTimeout, BroadcastTimeout, Gap time.Duration
	// Rest is how long the connections rest before their memory and CPU at rest are read
	// (default 5 s).
	Rest time.Duration
	// WorkerProcs, when set, is the workers' GOMAXPROCS: many processes on few cores spend less
	// on idle threads spinning for work with one each.
	WorkerProcs int
	// WorkerCmd makes a command running this program again; Run adds WorkerEnv to it.
	WorkerCmd func() *exec.Cmd
	// Progress receives a line per phase.
	Progress io.Writer
	// OnBroadcasts, when set, is called in its own goroutine as the broadcasts start (a
	// profile of a node may be taken then); Run waits for it to return.
	OnBroadcasts func()
}

// board is what the workers said so far; the parent polls it.
type board struct {
	mu        sync.Mutex
	connected []*answer
	sentAt    map[int]int64
	done      map[int]int
	stalled   int
	flooded   bool
	reports   []*workerReport
	exited    []bool
	err       error
}

func (b *board) record(w int, a answer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch a.Type {
	case "connected":
		b.connected[w] = &a
	case "sent":
		b.sentAt[a.Q] = a.At
	case "done":
		b.done[a.Q]++
	case "stalled":
		b.stalled++
	case "flooded":
		b.flooded = true
	case "report":
		b.reports[w] = a.Report
	case "error":
		if b.err == nil {
			b.err = fmt.Errorf("worker %d: %s", w, a.Err)
		}
	}
}

// await polls until cond holds (under the board's lock), a worker failed or exited, or
// timeout.
func (b *board) await(what string, timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for {
		b.mu.Lock()
		ok, err := cond(), b.err
		for w, gone := range b.exited {
			if gone && err == nil {
				err = fmt.Errorf("worker %d exited", w)
			}
		}
		b.mu.Unlock()
		if ok {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s", what, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Run connects the clients through the cluster, measures and returns what it saw. Nodes
// killed by the run are marked in the cluster.
func Run(ctx context.Context, cl *Cluster, cfg Config) (Result, error) {
	res := Result{Nodes: len(cl.Nodes), Clients: cfg.Clients, Procs: cfg.Procs, LoadStart: procfs.LoadAvg()}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
		}
	}
	if cfg.Procs < 1 || cfg.Procs > 250 || cfg.Clients < cfg.Procs {
		return res, errors.New("need 1 ≤ procs ≤ 250 and at least one client per process")
	}
	if cfg.Stall < 0 || cfg.Stall >= cfg.Clients-1 {
		return res, errors.New("need 0 ≤ stall < clients - 1: client 0 sends, and some must read")
	}
	urls := make([]string, len(cl.Nodes))
	rssBefore := make([]int64, len(cl.Nodes))
	for i, n := range cl.Nodes {
		urls[i] = n.URL
		rssBefore[i] = procfs.RSSKiB(n.PID())
	}

	b := &board{connected: make([]*answer, cfg.Procs), sentAt: map[int]int64{}, done: map[int]int{},
		reports: make([]*workerReport, cfg.Procs), exited: make([]bool, cfg.Procs)}
	procs, stop, err := startWorkers(cfg, b)
	defer stop()
	if err != nil {
		return res, err
	}
	per := (cfg.Clients + cfg.Procs - 1) / cfg.Procs

	// connect everyone
	progress("connecting %d clients to %d nodes from %d processes", cfg.Clients, len(cl.Nodes), cfg.Procs)
	start := time.Now()
	for w, p := range procs {
		first := w * per
		j := &job{URLs: urls, First: first, Count: min(per, cfg.Clients-first), Source: fmt.Sprintf("127.0.0.%d", 2+w),
			Namespace: "/chat", Broadcasts: cfg.Broadcasts, StallBelow: 1 + cfg.Stall, StallRoom: "stall",
			InFlight: 32, ConnectTimeoutS: cfg.ConnectTimeout.Seconds()}
		if err := p.tell(command{Cmd: "start", Job: j}); err != nil {
			return res, err
		}
	}
	err = b.await("connect", cfg.ConnectTimeout+10*time.Second, func() bool {
		return !slices.Contains(b.connected, nil)
	})
	if err != nil {
		return res, err
	}
	var lastNs int64
	for _, a := range b.connected {
		res.Connected += a.OK
		res.Failed += a.Failed
		if res.FirstError == "" {
			res.FirstError = a.FirstErr
		}
		lastNs = max(lastNs, a.ConnectNs)
	}
	res.ConnectS = float64(lastNs-start.UnixNano()) / 1e9
	res.ConnectedAtS = res.ConnectS
	progress("connected %d (%d failed) in %.1f s", res.Connected, res.Failed, res.ConnectS)
	if b.connected[0].OK == 0 {
		return res, fmt.Errorf("client 0 did not connect: %s", res.FirstError)
	}

	// memory once the connections settled, and the CPU they cost at rest (heartbeats)
	pids := workerPIDs(procs)
	rest := cmp.Or(cfg.Rest, 5*time.Second)
	idle0 := [2]float64{cpuOf(nodePIDs(cl)), cpuOf(pids)}
	time.Sleep(rest)
	res.IdleNodesCPU = (cpuOf(nodePIDs(cl)) - idle0[0]) / rest.Seconds()
	res.IdleWorkersCPU = (cpuOf(pids) - idle0[1]) / rest.Seconds()
	rssAfter := make([]int64, len(cl.Nodes))
	for i, n := range cl.Nodes {
		rssAfter[i] = procfs.RSSKiB(n.PID())
	}

	if cfg.Stall > 0 {
		for _, p := range procs {
			if err := p.tell(command{Cmd: "stall"}); err != nil {
				return res, err
			}
		}
		if err := b.await("stall", 30*time.Second, func() bool { return b.stalled == cfg.Procs }); err != nil {
			return res, err
		}
		progress("%d clients stopped reading; flooding their room with %d × %d bytes", cfg.Stall, cfg.FloodCount, cfg.FloodSize)
		if err := procs[0].tell(command{Cmd: "flood", Count: cfg.FloodCount, Size: cfg.FloodSize}); err != nil {
			return res, err
		}
		if err := b.await("flood", time.Minute, func() bool { return b.flooded }); err != nil {
			return res, err
		}
	}

	// the broadcasts
	cpu0 := [3]float64{cpuOf(nodePIDs(cl)), cpuOf(pids), procfs.CPUSeconds(cl.RedisPID())}
	t0 := time.Now()
	res.BroadcastsAtS = t0.Sub(start).Seconds()
	if cfg.OnBroadcasts != nil {
		var hook sync.WaitGroup
		hook.Add(1)
		go func() { defer hook.Done(); cfg.OnBroadcasts() }()
		defer hook.Wait()
	}
	for q := range cfg.Broadcasts {
		if err := procs[0].tell(command{Cmd: "send", Q: q}); err != nil {
			return res, err
		}
		err := b.await(fmt.Sprintf("broadcast %d", q), cfg.BroadcastTimeout, func() bool {
			_, sent := b.sentAt[q]
			return sent && b.done[q] == cfg.Procs
		})
		if err != nil {
			progress("%v (counted as lost)", err)
			b.mu.Lock()
			fatal := b.err
			b.mu.Unlock()
			if fatal != nil {
				return res, err
			}
		}
		if q+1 == cfg.KillAfter {
			victim := len(cl.Nodes) - 1
			progress("killing node %d (SIGKILL) after broadcast %d", victim, q)
			cpu0[0] -= procfs.CPUSeconds(cl.Nodes[victim].PID()) // its time so far leaves the sum with it
			cl.Kill(victim)
		}
		time.Sleep(cfg.Gap)
	}
	cpu1 := [3]float64{cpuOf(nodePIDs(cl)), cpuOf(pids), procfs.CPUSeconds(cl.RedisPID())}
	res.BroadcastPhaseS = time.Since(t0).Seconds()
	res.CPUNodesS, res.CPUWorkersS, res.CPURedisS = cpu1[0]-cpu0[0], cpu1[1]-cpu0[1], cpu1[2]-cpu0[2]

	for _, p := range procs {
		if err := p.tell(command{Cmd: "report"}); err != nil {
			return res, err
		}
	}
	if err := b.await("report", time.Minute, func() bool { return !slices.Contains(b.reports, nil) }); err != nil {
		return res, err
	}
	res.LoadEnd = procfs.LoadAvg()
	b.mu.Lock()
	defer b.mu.Unlock()
	res.summarize(cl, b, rssBefore, rssAfter, start.UnixNano())
	return res, nil
}

// nodePIDs are the nodes still running.
func nodePIDs(cl *Cluster) []int {
	var pids []int
	for _, n := range cl.Nodes {
		if !n.killed {
			pids = append(pids, n.PID())
		}
	}
	return pids
}

func cpuOf(pids []int) float64 {
	var s float64
	for _, p := range pids {
		s += procfs.CPUSeconds(p)
	}
	return s
}
