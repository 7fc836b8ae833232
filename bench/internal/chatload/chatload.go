// Package chatload is the benchmark's load generator: WebSocket clients that speak Engine.IO 4 /
// Socket.IO 5 (socket.io-client 3.x/4.x) or Engine.IO 3 (socket.io-client 2.x) directly, join
// a chat namespace, emit numbered and time-stamped `message` events and check every
// `new-message` broadcast they receive.
//
// A run connects every client first, then starts all senders at once. Each delivery is
// recorded per receiver and per (sender, sequence number), so a run reports what was lost,
// what came twice and what came out of a sender's order, not only how fast it went. The run
// is bounded by Config.Deadline and always returns a Result.
package chatload

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ioroute/ioroute/bench/internal/procfs"
)

// Config describes one run.
type Config struct {
	// URL is the server's base address, such as http://127.0.0.1:3001.
	URL string
	// URLs, when set, spreads the clients over several servers of one cluster: client i
	// connects to URLs[i % len(URLs)]. URL is then ignored.
	URLs []string
	// Path is the Socket.IO path; default /socket.io/.
	Path string
	// Namespace is joined by every client; default /chat.
	Namespace string
	// EIO is the Engine.IO protocol version: 4 (default) or 3.
	EIO int
	// Clients connect and each emits Messages events (chat mode).
	Clients  int
	Messages int
	// Rate is each client's sending rate in events per second; 0 sends as fast as possible.
	Rate float64
	// Idle, when above 0, switches to idle mode: Idle connections are held for Hold, the
	// server's memory is read, then one client emits one event that all must receive.
	Idle int
	Hold time.Duration
	// Pad adds this many bytes of filler to every payload.
	Pad int
	// PID is the server's process id, for its CPU time and memory from /proc; 0 skips them.
	PID int
	// Deadline bounds the whole run; default 2 minutes.
	Deadline time.Duration
	// Stall ends the run once every event was sent and nothing arrived for this long;
	// default 10s.
	Stall time.Duration
	// Settle is the pause between the last client joining and the first send; default 200ms.
	Settle time.Duration
	// Linger is how long the clients keep listening once everything arrived, so that late
	// duplicates are counted too; default 250ms. It is not part of any measured time.
	Linger time.Duration
	// DialConcurrency bounds how many clients connect at once; default 64.
	DialConcurrency int
	// Label is copied into the Result.
	Label string
}

func (c *Config) defaults() {
	if c.Path == "" {
		c.Path = "/socket.io/"
	}
	if c.Namespace == "" {
		c.Namespace = "/chat"
	}
	if c.EIO == 0 {
		c.EIO = 4
	}
	if c.Hold == 0 {
		c.Hold = 3 * time.Second
	}
	if c.Deadline == 0 {
		c.Deadline = 2 * time.Minute
	}
	if c.Stall == 0 {
		c.Stall = 10 * time.Second
	}
	if c.Settle == 0 {
		c.Settle = 200 * time.Millisecond
	}
	if c.Linger == 0 {
		c.Linger = 250 * time.Millisecond
	}
	if c.DialConcurrency <= 0 {
		c.DialConcurrency = 64
	}
}

// Result is what one run measured. Durations are in seconds, latencies in milliseconds,
// memory in MiB. Server figures are zero when Config.PID is 0.
type Result struct {
	Label    string  `json:"label,omitempty"`
	Mode     string  `json:"mode"` // chat or idle
	EIO      int     `json:"eio"`
	Clients  int     `json:"clients"`
	Senders  int     `json:"senders"`
	Messages int     `json:"messages"` // per sender
	Rate     float64 `json:"rate"`     // per sender, events/s; 0 = as fast as possible
	Pad      int     `json:"pad"`

	Connected   int     `json:"connected"`
	ConnectS    float64 `json:"connect_s"`
	Disconnects int64   `json:"disconnects"` // connections the server dropped during the run

	Expected        int64   `json:"expected"` // senders × messages × clients
	Received        int64   `json:"received"` // distinct (receiver, sender, seq) delivered
	Lost            int64   `json:"lost"`
	Duplicates      int64   `json:"duplicates"`
	OrderViolations int64   `json:"order_violations"` // deliveries older than one already seen from that sender
	Malformed       int64   `json:"malformed"`
	SendS           float64 `json:"send_s"`     // first send to last send written
	DurationS       float64 `json:"duration_s"` // first send to last delivery
	DeliveriesPerS  float64 `json:"deliveries_per_s"`
	LatencyP50Ms    float64 `json:"latency_p50_ms"`
	LatencyP90Ms    float64 `json:"latency_p90_ms"`
	LatencyP99Ms    float64 `json:"latency_p99_ms"`
	LatencyMaxMs    float64 `json:"latency_max_ms"`

	ServerCPUS      float64 `json:"server_cpu_s"`       // during the messages (first send to end)
	ServerCPUTotalS float64 `json:"server_cpu_total_s"` // since the server started
	ServerCPUUtil   float64 `json:"server_cpu_util"`    // server_cpu_s / duration_s; 1 = one core busy
	ServerRSSPeakMB float64 `json:"server_rss_peak_mb"` // VmHWM at the end
	ServerRSSEndMB  float64 `json:"server_rss_end_mb"`
	IdleRSSBaseMB   float64 `json:"idle_rss_base_mb,omitempty"` // before connecting (idle mode)
	IdleRSSMB       float64 `json:"idle_rss_mb,omitempty"`      // after holding the connections
	RSSPer1kMB      float64 `json:"rss_per_1k_mb,omitempty"`    // (idle − base) per 1,000 connections
	LoadgenCPUS     float64 `json:"loadgen_cpu_s"`
	LoadgenCPUUtil  float64 `json:"loadgen_cpu_util"` // loadgen_cpu_s / duration_s

	TimedOut bool   `json:"timed_out"`
	Error    string `json:"error,omitempty"`
	// OK: no error, no timeout, every delivery arrived exactly once.
	OK bool `json:"ok"`
}

// Run performs one run. It returns when the run is complete, failed, or reached its deadline,
// with every connection closed and every goroutine it started finished.
func Run(ctx context.Context, cfg Config) Result {
	cfg.defaults()
	res := Result{Label: cfg.Label, Mode: "chat", EIO: cfg.EIO, Clients: cfg.Clients, Senders: cfg.Clients,
		Messages: cfg.Messages, Rate: cfg.Rate, Pad: cfg.Pad}
	if cfg.Idle > 0 {
		res.Mode, res.Clients, res.Senders, res.Messages, res.Rate = "idle", cfg.Idle, 1, 1, 0
	}
	if err := cfg.check(res); err != nil {
		res.Error = err.Error()
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()
	r := newRun(cfg, res.Senders, res.Messages)
	r.measure(ctx, &res)
	res.OK = res.Error == "" && !res.TimedOut && res.Lost == 0 && res.Duplicates == 0 && res.Malformed == 0
	return res
}

func (c *Config) check(res Result) error {
	if c.EIO != 3 && c.EIO != 4 {
		return fmt.Errorf("eio must be 3 or 4, not %d", c.EIO)
	}
	if res.Clients <= 0 || res.Messages <= 0 {
		return fmt.Errorf("need clients > 0 and messages > 0 (got %d and %d)", res.Clients, res.Messages)
	}
	if c.Rate < 0 {
		return fmt.Errorf("rate must not be negative")
	}
	if !strings.HasPrefix(c.Namespace, "/") {
		return fmt.Errorf("namespace %q must start with /", c.Namespace)
	}
	for _, s := range c.urls() {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("url %q: want http://host:port", s)
		}
	}
	return nil
}

// urls lists the servers the clients connect to.
func (c *Config) urls() []string {
	if len(c.URLs) > 0 {
		return c.URLs
	}
	return []string{c.URL}
}

// run is the shared state of one run.
type run struct {
	cfg      Config
	base     time.Time // time stamps in payloads are microseconds since base
	wsURLs   []string  // client i dials wsURLs[i % len]
	senders  int
	messages int
	words    int // uint64 words per sender in a receiver's bitmap

	unique      atomic.Int64
	dups        atomic.Int64
	order       atomic.Int64
	malformed   atomic.Int64
	last        atomic.Int64 // µs since base of the latest new delivery
	disconnects atomic.Int64
	closing     atomic.Bool

	wg sync.WaitGroup // readers and pingers
}

func newRun(cfg Config, senders, messages int) *run {
	r := &run{cfg: cfg, base: time.Now(), senders: senders, messages: messages, words: (messages + 63) / 64}
	for _, s := range cfg.urls() {
		u, _ := url.Parse(s)
		if u.Scheme == "https" {
			u.Scheme = "wss"
		} else {
			u.Scheme = "ws"
		}
		u.Path = cfg.Path
		u.RawQuery = fmt.Sprintf("EIO=%d&transport=websocket", cfg.EIO)
		r.wsURLs = append(r.wsURLs, u.String())
	}
	return r
}

func (r *run) now() int64 { return time.Since(r.base).Microseconds() }

func (r *run) measure(ctx context.Context, res *Result) {
	pid := r.cfg.PID
	var baseRSS float64
	if pid > 0 {
		if st, err := procfs.Read(pid); err == nil {
			baseRSS = mb(st.RSSKiB)
		} else {
			res.Error = fmt.Sprintf("server pid %d: %v", pid, err)
			return
		}
	}

	start := time.Now()
	clients, err := r.connectAll(ctx, res.Clients)
	res.Connected = len(clients)
	res.ConnectS = round(time.Since(start).Seconds())
	defer func() {
		r.closeAll(clients)
		r.collect(clients, res)
		res.Disconnects = r.disconnects.Load()
		if pid > 0 {
			if st, err := procfs.Read(pid); err == nil {
				res.ServerCPUTotalS = round(st.CPUSeconds)
				res.ServerRSSPeakMB = mb(st.PeakRSSKiB)
				res.ServerRSSEndMB = mb(st.RSSKiB)
			}
		}
	}()
	if err != nil {
		res.Error = err.Error()
		res.TimedOut = ctx.Err() != nil
		return
	}

	if res.Mode == "idle" {
		if !sleep(ctx, r.cfg.Hold) {
			res.TimedOut = true
			return
		}
		if pid > 0 {
			if st, err := procfs.Read(pid); err == nil {
				res.IdleRSSBaseMB, res.IdleRSSMB = baseRSS, mb(st.RSSKiB)
				res.RSSPer1kMB = round((res.IdleRSSMB - res.IdleRSSBaseMB) * 1000 / float64(res.Connected))
			}
		}
		r.exchange(ctx, clients[:1], res)
		return
	}
	if !sleep(ctx, r.cfg.Settle) {
		res.TimedOut = true
		return
	}
	r.exchange(ctx, clients, res)
}

// exchange lets each of senders emit r.messages events and waits until every client received
// every one of them, nothing arrived for Stall after the last send, or ctx ends.
func (r *run) exchange(ctx context.Context, senders []*client, res *Result) {
	pid := r.cfg.PID
	var srv0, self0 procfs.Stat
	if pid > 0 {
		srv0, _ = procfs.Read(pid)
	}
	self0, _ = procfs.Read(os.Getpid())

	expected := int64(len(senders)) * int64(r.messages) * int64(res.Connected)
	res.Expected = expected
	first := r.now()
	r.last.Store(first)

	sendCtx, stopSending := context.WithCancel(ctx)
	defer stopSending()
	var sendWG sync.WaitGroup
	var sendErr atomic.Pointer[error]
	var lastSent atomic.Int64
	var interval time.Duration
	if r.cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) / r.cfg.Rate)
	}
	for i, c := range senders {
		sendWG.Add(1)
		r.wg.Add(1)
		// with a rate, senders are spread evenly over one interval instead of sending together
		offset := time.Duration(0)
		if interval > 0 {
			offset = interval * time.Duration(i) / time.Duration(len(senders))
		}
		go func() {
			defer r.wg.Done()
			defer sendWG.Done()
			if err := c.send(sendCtx, i, r.messages, interval, offset); err != nil && !r.closing.Load() {
				sendErr.CompareAndSwap(nil, &err)
			}
			storeMax(&lastSent, r.now())
		}()
	}
	sent := make(chan struct{})
	r.wg.Add(1)
	go func() { defer r.wg.Done(); sendWG.Wait(); close(sent) }()

	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	allSent := false
	stalled := false
loop:
	for r.unique.Load() < expected {
		select {
		case <-ctx.Done():
			res.TimedOut = true
			break loop
		case <-sent:
			allSent, sent = true, nil
		case <-tick.C:
			if e := sendErr.Load(); e != nil {
				res.Error = "send: " + (*e).Error()
				break loop
			}
			if allSent && time.Duration(r.now()-max(r.last.Load(), lastSent.Load()))*time.Microsecond > r.cfg.Stall {
				stalled = true
				break loop
			}
		}
	}
	end := r.now()
	stopSending()

	if pid > 0 {
		if srv1, err := procfs.Read(pid); err == nil {
			res.ServerCPUS = round(srv1.CPUSeconds - srv0.CPUSeconds)
		}
	}
	if self1, err := procfs.Read(os.Getpid()); err == nil {
		res.LoadgenCPUS = round(self1.CPUSeconds - self0.CPUSeconds)
	}
	lastDelivery := r.last.Load()
	if stalled || res.TimedOut || res.Error != "" {
		lastDelivery = end // what was measured is bounded by giving up, not by the last delivery
	}
	dur := time.Duration(lastDelivery-first) * time.Microsecond
	res.DurationS = round(dur.Seconds())
	if ls := lastSent.Load(); ls > first {
		res.SendS = round((time.Duration(ls-first) * time.Microsecond).Seconds())
	}
	if dur > 0 {
		res.DeliveriesPerS = round(float64(r.unique.Load()) / dur.Seconds())
		res.ServerCPUUtil = round(res.ServerCPUS / dur.Seconds())
		res.LoadgenCPUUtil = round(res.LoadgenCPUS / dur.Seconds())
	}
	if stalled && res.Error == "" {
		res.Error = fmt.Sprintf("stalled: nothing new for %s after the last send", r.cfg.Stall)
	}
	if res.Error == "" && !res.TimedOut && r.cfg.Linger > 0 {
		sleep(ctx, r.cfg.Linger)
	}
}

// connectAll connects n clients to the namespace, DialConcurrency at a time. On error it
// returns the clients connected so far.
func (r *run) connectAll(ctx context.Context, n int) ([]*client, error) {
	clients := make([]*client, n)
	ids := make(chan int)
	var mu sync.Mutex
	var firstErr error
	failed := 0
	var wg sync.WaitGroup
	workers := min(r.cfg.DialConcurrency, n)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				c, err := r.connect(ctx, id)
				mu.Lock()
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = fmt.Errorf("client %d: %w", id, err)
					}
				} else {
					clients[id] = c
				}
				mu.Unlock()
			}
		}()
	}
	for id := range n {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		ids <- id
	}
	close(ids)
	wg.Wait()
	ok := slices.DeleteFunc(clients, func(c *client) bool { return c == nil })
	if firstErr == nil && len(ok) < n {
		firstErr = ctx.Err()
		if firstErr == nil {
			firstErr = errors.New("not every client connected")
		}
	}
	if firstErr != nil {
		return ok, fmt.Errorf("connected %d of %d clients: %w", len(ok), n, firstErr)
	}
	return ok, nil
}

// closeAll closes every connection and waits for their goroutines.
func (r *run) closeAll(clients []*client) {
	r.closing.Store(true)
	for _, c := range clients {
		c.close()
	}
	r.wg.Wait()
}

// collect merges the receivers' records into res.
func (r *run) collect(clients []*client, res *Result) {
	res.Received = r.unique.Load()
	res.Duplicates = r.dups.Load()
	res.OrderViolations = r.order.Load()
	res.Malformed = r.malformed.Load()
	if res.Expected > 0 {
		res.Lost = res.Expected - res.Received
	}
	n := 0
	for _, c := range clients {
		n += len(c.lat)
	}
	if n == 0 {
		return
	}
	lat := make([]int64, 0, n)
	for _, c := range clients {
		lat = append(lat, c.lat...)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		i := int(p*float64(len(lat))+0.5) - 1
		i = max(0, min(i, len(lat)-1))
		return round(float64(lat[i]) / 1000)
	}
	res.LatencyP50Ms, res.LatencyP90Ms, res.LatencyP99Ms = pct(0.50), pct(0.90), pct(0.99)
	res.LatencyMaxMs = round(float64(lat[len(lat)-1]) / 1000)
}

// storeMax raises v to x unless it already holds more.
func storeMax(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if x <= old || v.CompareAndSwap(old, x) {
			return
		}
	}
}

// sleep waits d unless ctx ends first; it reports whether the full d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// round keeps three decimals, enough for the report and short in JSON.
func round(f float64) float64 { return math.Round(f*1000) / 1000 }

func mb(kb int64) float64 { return round(float64(kb) / 1024) }
