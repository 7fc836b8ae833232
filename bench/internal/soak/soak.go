// Package soak holds many chat users connected for minutes, each going round connect → join a
// room → chat → leave → disconnect, then lets them all go and watches the server return to
// where it started: its goroutines (none leaked), heap and resident memory.
//
// The users speak Engine.IO 4 / Socket.IO 5 through chatload.Session, to a config such as
// examples/chat-rooms: `join` and `leave` take a room name, `message` takes {room, text}.
package soak

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// Config describes one soak.
type Config struct {
	// URL is the server's base address, such as http://127.0.0.1:3001.
	URL string
	// Path is the Socket.IO path; default /socket.io/.
	Path string
	// Namespace is the chat's namespace; default /chat.
	Namespace string
	// Users are held connected at once; each reconnects as a new client when it leaves.
	Users int
	// Duration is how long users keep going round, ramp included.
	Duration time.Duration
	// Ramp spreads the users' first connections over this long; default 20s (less for
	// short soaks).
	Ramp time.Duration
	// Rooms is how many rooms users pick from; default one per 10 users.
	Rooms int
	// MinStay and MaxStay bound how long a user stays connected; default 10s and 60s.
	MinStay, MaxStay time.Duration
	// Every is how often a connected user sends a message; default 5s.
	Every time.Duration
	// Sample is how often the server is measured; default 5s.
	Sample time.Duration
	// Settle bounds the wait, once every user left, for the server's goroutines to return to
	// their baseline; default 60s.
	Settle time.Duration
	// DialConcurrency bounds connections being opened at once; default 64.
	DialConcurrency int
	// Progress receives a line per sample; nil for none.
	Progress io.Writer
}

func (c *Config) defaults() {
	if c.Path == "" {
		c.Path = "/socket.io/"
	}
	if c.Namespace == "" {
		c.Namespace = "/chat"
	}
	if c.Ramp == 0 {
		c.Ramp = min(20*time.Second, c.Duration/4)
	}
	if c.Rooms == 0 {
		c.Rooms = max(1, c.Users/10)
	}
	if c.MinStay == 0 {
		c.MinStay = 10 * time.Second
	}
	if c.MaxStay < c.MinStay {
		c.MaxStay = max(c.MinStay, 60*time.Second)
	}
	if c.Every == 0 {
		c.Every = 5 * time.Second
	}
	if c.Sample == 0 {
		c.Sample = 5 * time.Second
	}
	if c.Settle == 0 {
		c.Settle = 60 * time.Second
	}
	if c.DialConcurrency <= 0 {
		c.DialConcurrency = 64
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// Probe measures the server.
type Probe interface {
	// Goroutines counts the server's goroutines.
	Goroutines() (int, error)
	// Memory returns the server's resident memory now (KiB) and its live heap after a
	// garbage collection (KiB).
	Memory() (rssKB, heapKB int64, err error)
}

// Figures are the server's measurements at one moment.
type Figures struct {
	Goroutines int   `json:"goroutines"`
	RSSKB      int64 `json:"rss_kb"`
	HeapKB     int64 `json:"heap_kb"`
}

// Report is what one soak measured.
type Report struct {
	Users     int     `json:"users"`
	Rooms     int     `json:"rooms"`
	DurationS float64 `json:"duration_s"`
	// Connections counts the connections made, Failed those that could not be, Dropped those
	// the server ended while the user was still in it.
	Connections int64 `json:"connections"`
	Failed      int64 `json:"failed"`
	Dropped     int64 `json:"dropped"`
	// ServerEnded are the disconnections the server logged as its own (ended_by=server), by
	// reason, when the caller read its log (ServerEnded).
	ServerEnded *Ended `json:"server_ended,omitempty"`
	PeakUsers   int64  `json:"peak_users"`
	Sent        int64  `json:"sent"`     // join, message and leave events
	Received    int64  `json:"received"` // events the users received
	FirstError  string `json:"first_error,omitempty"`

	Baseline Figures `json:"baseline"` // the server before any user
	Peak     Figures `json:"peak"`     // the highest of each figure sampled while users were connected
	// PeakRSSKB is the highest resident memory of the server, from the kernel's record
	// (VmHWM) when the probe has it, else from the samples.
	PeakRSSKB int64   `json:"peak_rss_kb"`
	Final     Figures `json:"final"` // once every user left and the goroutines settled
	// Leaked is how many goroutines the server holds above its baseline at the end.
	Leaked  int     `json:"leaked"`
	SettleS float64 `json:"settle_s"` // from the last user leaving to Final
	// MaxSampleGapS is the longest time between two samples (Sample apart when all is
	// well): far longer means the server, or the whole machine, stalled, long enough to
	// miss heartbeats once it passes the ping timeout.
	MaxSampleGapS float64  `json:"max_sample_gap_s"`
	SampleS       float64  `json:"sample_s"` // how often samples are taken
	Samples       []Sample `json:"samples"`
}

// Sample is one measurement during the soak.
type Sample struct {
	AtS   float64 `json:"at_s"`
	Users int64   `json:"users"`
	Figures
}

// Run soaks the server at cfg.URL and measures it with probe. It returns an error only when
// the soak could not run at all; what it saw, leaks included, is in the Report.
func Run(ctx context.Context, cfg Config, probe Probe) (Report, error) {
	cfg.defaults()
	r := &soak{cfg: cfg, sem: make(chan struct{}, cfg.DialConcurrency)}
	rep := Report{Users: cfg.Users, Rooms: cfg.Rooms, SampleS: cfg.Sample.Seconds()}

	// the baseline is the server before any user; one user then checks that the chat answers
	base, err := steady(ctx, probe)
	if err != nil {
		return rep, err
	}
	rep.Baseline = base
	fmt.Fprintf(cfg.Progress, "baseline: %s\n", base)
	if err := r.user(ctx, -1, time.Now().Add(time.Hour), true); err != nil {
		return rep, fmt.Errorf("first user: %w", err)
	}

	start := time.Now()
	runCtx, stop := context.WithTimeout(ctx, cfg.Duration)
	defer stop()
	var wg sync.WaitGroup
	for i := range cfg.Users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !sleep(runCtx, time.Duration(int64(cfg.Ramp)*int64(i)/int64(cfg.Users))) {
				return
			}
			// the first stay lasts past the ramp, so that every user is connected at once
			from := start.Add(cfg.Ramp)
			for runCtx.Err() == nil {
				stay := cfg.MinStay + rand.N(cfg.MaxStay-cfg.MinStay+1)
				if err := r.user(runCtx, i, from.Add(stay), false); err != nil && runCtx.Err() == nil {
					sleep(runCtx, time.Second) // back off after a failed connection
				}
				from = time.Now()
			}
		}()
	}
	ticker := time.NewTicker(cfg.Sample)
	rep.Peak = base
sampling:
	for {
		select {
		case <-runCtx.Done():
			break sampling
		case <-ticker.C:
			f, err := measure(probe)
			if err != nil {
				fmt.Fprintf(cfg.Progress, "measure: %v\n", err)
				continue
			}
			s := Sample{AtS: round(time.Since(start).Seconds()), Users: r.online.Load(), Figures: f}
			prev := 0.0
			if n := len(rep.Samples); n > 0 {
				prev = rep.Samples[n-1].AtS
			}
			rep.MaxSampleGapS = max(rep.MaxSampleGapS, round(s.AtS-prev))
			rep.Samples = append(rep.Samples, s)
			rep.Peak = peak(rep.Peak, f)
			fmt.Fprintf(cfg.Progress, "%6.0fs  users %5d  connections %7d  failed %d  dropped %d  %s\n",
				s.AtS, s.Users, r.connections.Load(), r.failed.Load(), r.dropped.Load(), f)
		}
	}
	ticker.Stop()
	wg.Wait() // every user has left: the last ones leave when the run ends
	rep.DurationS = round(time.Since(start).Seconds())
	left := time.Now()

	// the server tears sockets down in its own goroutines; give them until Settle
	var final Figures
	for {
		final, err = measure(probe)
		if err == nil && final.Goroutines <= base.Goroutines || time.Since(left) > cfg.Settle || ctx.Err() != nil {
			break
		}
		sleep(ctx, 500*time.Millisecond)
	}
	if err != nil {
		return rep, err
	}
	rep.Final, rep.SettleS = final, round(time.Since(left).Seconds())
	rep.PeakRSSKB = rep.Peak.RSSKB
	if pp, ok := probe.(interface{ PeakRSS() (int64, error) }); ok {
		if hwm, err := pp.PeakRSS(); err == nil {
			rep.PeakRSSKB = max(rep.PeakRSSKB, hwm)
		}
	}
	rep.Leaked = max(0, final.Goroutines-base.Goroutines)
	rep.Connections, rep.Failed, rep.Dropped = r.connections.Load(), r.failed.Load(), r.dropped.Load()
	rep.PeakUsers, rep.Sent, rep.Received = r.peak.Load(), r.sent.Load(), r.received.Load()
	if e := r.firstErr.Load(); e != nil {
		rep.FirstError = *e
	}
	fmt.Fprintf(cfg.Progress, "final (after %.1fs): %s\n", rep.SettleS, final)
	return rep, nil
}

// soak is the state shared by the users of one run.
type soak struct {
	cfg                                          Config
	sem                                          chan struct{}
	online, peak                                 atomic.Int64
	connections, failed, dropped, sent, received atomic.Int64
	firstErr                                     atomic.Pointer[string]
}

// user is one round of one user: connect, join a room, chat until leaveAt (or the run
// ends), leave the room and disconnect. once sends one message and leaves at once.
func (r *soak) user(ctx context.Context, id int, leaveAt time.Time, once bool) error {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	name := fmt.Sprintf("user-%d-%d", id, r.connections.Load())
	s, err := chatload.Dial(ctx, r.cfg.URL, r.cfg.Path, r.cfg.Namespace, map[string]any{"username": name})
	<-r.sem
	if err != nil {
		if !ended(ctx) {
			r.failed.Add(1)
			r.note(err)
		}
		return err
	}
	r.connections.Add(1)
	storeMax(&r.peak, r.online.Add(1))
	defer r.online.Add(-1)

	room := fmt.Sprintf("room-%d", rand.N(r.cfg.Rooms))
	emit := func(event string, arg any) bool {
		if err := s.Emit(event, arg); err != nil {
			return false
		}
		r.sent.Add(1)
		return true
	}
	ok := emit("join", room)
	for n := 0; ok; n++ {
		ok = emit("message", map[string]any{"room": room, "text": fmt.Sprintf("%s says %d", name, n)})
		if once {
			break
		}
		wait := r.cfg.Every/2 + rand.N(r.cfg.Every) // jittered, r.cfg.Every on average
		if time.Now().Add(wait).After(leaveAt) {
			sleep(ctx, time.Until(leaveAt))
			break
		}
		if !sleep(ctx, wait) {
			break
		}
	}
	if ok {
		emit("leave", room)
	}
	err = s.Close()
	r.received.Add(s.Events())
	if err != nil {
		r.dropped.Add(1)
		r.note(err)
	}
	return err
}

func (r *soak) note(err error) {
	msg := err.Error()
	r.firstErr.CompareAndSwap(nil, &msg)
}

// steady measures until the goroutine count reads the same twice in a row, half a second
// apart (the warm-up user's teardown may still be running), or for at most 10s.
func steady(ctx context.Context, p Probe) (Figures, error) {
	prev, err := measure(p)
	for range 20 {
		if err != nil || !sleep(ctx, 500*time.Millisecond) {
			break
		}
		var cur Figures
		if cur, err = measure(p); err == nil && cur.Goroutines == prev.Goroutines {
			return cur, nil
		}
		prev = cur
	}
	return prev, err
}

func measure(p Probe) (Figures, error) {
	g, err := p.Goroutines()
	if err != nil {
		return Figures{}, err
	}
	rss, heap, err := p.Memory()
	return Figures{Goroutines: g, RSSKB: rss, HeapKB: heap}, err
}

func peak(a, b Figures) Figures {
	return Figures{Goroutines: max(a.Goroutines, b.Goroutines), RSSKB: max(a.RSSKB, b.RSSKB), HeapKB: max(a.HeapKB, b.HeapKB)}
}

// String renders the figures for progress lines.
func (f Figures) String() string {
	return fmt.Sprintf("goroutines %6d  rss %7.1f MiB  heap %7.1f MiB", f.Goroutines, float64(f.RSSKB)/1024, float64(f.HeapKB)/1024)
}

func storeMax(v *atomic.Int64, x int64) {
	for {
		cur := v.Load()
		if x <= cur || v.CompareAndSwap(cur, x) {
			return
		}
	}
}

// ended reports whether ctx is done or past its deadline: a dial bounded by the deadline can
// fail a moment before ctx says so.
func ended(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ctx.Err() != nil || ok && !time.Now().Before(dl)
}

// sleep waits d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func round(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
