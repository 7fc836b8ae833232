package scale

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// lateGapMs: a client that waited longer than this between two pings got one late (the
// server pings every 25 s).
const lateGapMs = 30_000

// WorkerEnv is the environment variable that makes a program run as a load-generator worker
// (RunWorker on its stdin and stdout) instead of itself; Run sets it on the processes it
// starts, and a program that can be one calls MaybeWorker first thing.
const WorkerEnv = "IOROUTE_SCALE_WORKER"

// worker is one load-generator process: its share of the clients and the counters the
// parent waits on.
type worker struct {
	job      job
	clients  []*client
	active   atomic.Int64   // reading clients still connected
	received []atomic.Int64 // per broadcast: reading clients that got it
	joined   sync.WaitGroup // stalled clients whose join the server acknowledged
	quitting atomic.Bool

	outMu sync.Mutex
	enc   *json.Encoder
}

// RunWorker serves the parent's commands, one JSON line each on in, answering on out, until
// "quit" or the end of in.
func RunWorker(in io.Reader, out io.Writer) error {
	w := &worker{enc: json.NewEncoder(out)}
	stop := make(chan struct{})
	defer w.quit()
	defer close(stop)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var cmd command
		if err := json.Unmarshal(sc.Bytes(), &cmd); err != nil {
			return fmt.Errorf("bad command %q: %w", sc.Text(), err)
		}
		var err error
		switch cmd.Cmd {
		case "start":
			if cmd.Job == nil {
				return errors.New("start without a job")
			}
			w.job = *cmd.Job
			w.start()
			go w.watch(stop)
		case "send":
			err = w.send(cmd.Q)
		case "stall":
			err = w.stall()
		case "flood":
			err = w.flood(cmd.Count, cmd.Size)
		case "report":
			w.say(answer{Type: "report", Report: w.report()})
		case "quit":
			return nil
		default:
			err = fmt.Errorf("unknown command %q", cmd.Cmd)
		}
		if err != nil {
			w.say(answer{Type: "error", Err: err.Error()})
		}
	}
	return sc.Err()
}

func (w *worker) say(a answer) {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	_ = w.enc.Encode(a)
}

// start connects the job's clients, InFlight at a time, and says how it went.
func (w *worker) start() {
	j := w.job
	w.received = make([]atomic.Int64, j.Broadcasts)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(j.ConnectTimeoutS*float64(time.Second)))
	defer cancel()
	reading, stalled := dialer(j.Source, false, 1024), dialer(j.Source, true, 1024)
	sender := dialer(j.Source, false, 1<<20) // floods in single frames
	ids := make(chan int)
	var (
		mu       sync.Mutex
		ok, fail int
		firstErr string
		lastNs   int64
		wg       sync.WaitGroup
	)
	for range max(j.InFlight, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				c := &client{w: w, id: id, node: id % len(j.URLs), stalled: id >= 1 && id < j.StallBelow,
					recvNs: make([]atomic.Int64, j.Broadcasts), latUs: make([]atomic.Int32, j.Broadcasts),
					resume: make(chan struct{}), ended: make(chan struct{})}
				d := reading
				switch {
				case id == 0:
					d = sender
				case c.stalled:
					d = stalled
				}
				if !c.stalled {
					w.active.Add(1) // before the reader may see the connection end
				}
				err := w.connect(ctx, c, d)
				mu.Lock()
				if err != nil {
					if !c.stalled {
						w.active.Add(-1)
					}
					fail++
					if firstErr == "" {
						firstErr = fmt.Sprintf("client %d: %v", id, err)
					}
				} else {
					c.connectedAt = time.Now().UnixNano()
					ok++
					lastNs = time.Now().UnixNano()
					w.clients = append(w.clients, c)
				}
				mu.Unlock()
			}
		}()
	}
	for id := j.First; id < j.First+j.Count; id++ {
		ids <- id
	}
	close(ids)
	wg.Wait()
	w.say(answer{Type: "connected", OK: ok, Failed: fail, FirstErr: firstErr, ConnectNs: lastNs})
}

// watch says "done" for each broadcast once every reading client still connected has it.
func (w *worker) watch(stop <-chan struct{}) {
	said := make([]bool, len(w.received))
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		for q := range w.received {
			if !said[q] && w.received[q].Load() > 0 && w.received[q].Load() >= w.active.Load() {
				said[q] = true
				w.say(answer{Type: "done", Q: q})
			}
		}
	}
}

// sender is client 0, which only the first worker holds.
func (w *worker) sender() (*client, error) {
	for _, c := range w.clients {
		if c.id == 0 {
			return c, nil
		}
	}
	return nil, errors.New("this worker has no client 0 (or it did not connect)")
}

// send emits broadcast q from client 0, carrying its send time in µs.
func (w *worker) send(q int) error {
	c, err := w.sender()
	if err != nil {
		return err
	}
	at := time.Now()
	msg := "42" + w.job.Namespace + `,["message",{"q":` + strconv.Itoa(q) + `,"t":` + strconv.FormatInt(at.UnixMicro(), 10) + `}]`
	if err := c.write([]byte(msg)); err != nil {
		return err
	}
	w.say(answer{Type: "sent", Q: q, At: at.UnixNano()})
	return nil
}

// stall makes the stalled clients join the stall room; each stops reading once the server
// acknowledged it.
func (w *worker) stall() error {
	var n int
	for _, c := range w.clients {
		if c.stalled {
			n++
			w.joined.Add(1)
			if err := c.write([]byte("42" + w.job.Namespace + `,0["join","` + w.job.StallRoom + `"]`)); err != nil {
				return err
			}
		}
	}
	ended := make(chan struct{})
	go func() { w.joined.Wait(); close(ended) }()
	select {
	case <-ended:
		w.say(answer{Type: "stalled", OK: n})
		return nil
	case <-time.After(20 * time.Second):
		return errors.New("stalled clients' joins not acknowledged within 20 s")
	}
}

// flood sends count messages of size bytes from client 0 to the stall room: what the
// stalled clients do not read piles up on the server until their queues overflow.
func (w *worker) flood(count, size int) error {
	c, err := w.sender()
	if err != nil {
		return err
	}
	msg := []byte("42" + w.job.Namespace + `,["to-room",{"room":"` + w.job.StallRoom + `","text":"` + strings.Repeat("x", size) + `"}]`)
	for range count {
		if err := c.write(msg); err != nil {
			return err
		}
	}
	w.say(answer{Type: "flooded", OK: count})
	return nil
}

// report resumes the stalled clients (they learn whether the server cut them) and counts
// what every client saw.
func (w *worker) report() *workerReport {
	for _, c := range w.clients {
		if c.stalled {
			close(c.resume)
		}
	}
	deadline := time.After(stallDrain + 2*time.Second)
	for _, c := range w.clients {
		if c.stalled {
			select {
			case <-c.ended:
			case <-deadline:
			}
		}
	}
	now := time.Now().UnixNano()
	r := &workerReport{Nodes: make([]nodeCount, len(w.job.URLs)), Last: make([]int64, w.job.Broadcasts)}
	for _, c := range w.clients {
		n := &r.Nodes[c.node]
		n.Clients++
		if c.stalled {
			n.Stalled++
			if c.cut.Load() {
				n.StalledCut++
			}
			continue
		}
		if c.closed.Load() {
			n.Closed++
			r.ClosedAt = append(r.ClosedAt, c.closedAt.Load())
			from := c.lastPing.Load()
			if from == 0 {
				from = c.connectedAt
			}
			r.ClosedPing = append(r.ClosedPing, float64(c.closedAt.Load()-from)/1e6)
			if e := c.closeErr.Load(); e != nil && r.CloseErr == "" {
				r.CloseErr = fmt.Sprintf("client %d (node %d): %s", c.id, c.node, *e)
			}
		}
		n.Dup += int(c.dup.Load())
		if !c.closed.Load() {
			from := c.lastPing.Load()
			if from == 0 {
				from = c.connectedAt
			}
			if float64(now-from)/1e6 > lateGapMs {
				r.PingOverdue++
			}
		}
		gap := float64(c.maxPingGap.Load()) / 1e6
		r.MaxPingGapMs = max(r.MaxPingGapMs, gap)
		if gap > lateGapMs {
			r.PingLate++
		}
		for q := range c.recvNs {
			at := c.recvNs[q].Load()
			if at == 0 {
				n.Lost++
				continue
			}
			r.Last[q] = max(r.Last[q], at)
			r.LatUs = append(r.LatUs, c.latUs[q].Load())
		}
	}
	return r
}

// quit closes every connection and waits (briefly) for the readers to end.
func (w *worker) quit() {
	w.quitting.Store(true)
	for _, c := range w.clients {
		if c.stalled {
			select {
			case <-c.resume:
			default:
				close(c.resume)
			}
		}
		_ = c.ws.Close()
	}
	deadline := time.After(5 * time.Second)
	for _, c := range w.clients {
		select {
		case <-c.ended:
		case <-deadline:
			return
		}
	}
}

// MaybeWorker runs RunWorker on stdin and stdout and exits when WorkerEnv is set; otherwise it
// returns at once. Programs whose WorkerCmd starts themselves call it first thing.
func MaybeWorker() {
	if os.Getenv(WorkerEnv) == "" {
		return
	}
	if _, err := RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "scale worker:", err)
	}
	if err := RunWorker(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scale worker:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
