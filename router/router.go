// Package router wires compiled handler tables to the Socket.IO engine and serves them.
//
// The engine (github.com/zishang520/socket.io) stays behind this package: actions see only
// actions.Conn. The current Table is held in an atomic pointer, so a later table can replace
// it while sockets stay connected.
package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/config"
)

// Options are the run-time settings that do not come from the config file.
type Options struct {
	// Listen overrides server.listen when not empty.
	Listen string
	// Logger receives the router's logs; nil discards them.
	Logger *slog.Logger
	// Stdout receives print output; nil means os.Stdout.
	Stdout io.Writer
	// RedisURL overrides server.adapter.redis.url when not empty, and turns the Redis
	// adapter on when the config has none (ioroute run reads it from IOROUTE_REDIS_URL).
	RedisURL string
}

// Router serves one config.
type Router struct {
	table    atomic.Pointer[Table]
	server   config.Server
	log      *slog.Logger
	out      io.Writer
	outMu    sync.Mutex
	environ  map[string]string
	io       *sio.Server
	nsps     sync.Map // namespace name -> sio.Namespace, for every namespace a table declared
	pending  sync.Map // *sio.Socket -> chan struct{}, closed once the engine recorded it
	httpSrv  *http.Server
	listener net.Listener
	closed   atomic.Bool
	reloadMu sync.Mutex // one reload at a time
	// declareMu makes declare's check and creation one step.
	declareMu sync.Mutex
	panics    atomic.Int64
	cluster   *cluster // nil without server.adapter.redis
	// printLine is print, bound once rather than for every handler run.
	printLine func(line string)
}

// Panics counts the handler panics recovered since the router started.
func (r *Router) Panics() int64 { return r.panics.Load() }

// New prepares a router for table; Start begins serving.
func New(t *Table, opts Options) (*Router, error) {
	r := &Router{server: t.File.Server, log: opts.Logger, out: opts.Stdout, environ: environ()}
	r.printLine = r.print
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if r.out == nil {
		r.out = os.Stdout
	}
	if opts.Listen != "" {
		r.server.Listen = opts.Listen
	}
	r.table.Store(t)
	if a := redisSettings(r.server.Adapter.Redis, opts.RedisURL); a != nil {
		c, err := newCluster(r, a)
		if err != nil {
			return nil, err
		}
		r.cluster = c
	}
	r.io = newEngine(r.server, r.log, r.cluster)
	r.attach()
	return r, nil
}

// Table returns the table currently serving.
func (r *Router) Table() *Table { return r.table.Load() }

// Start listens and serves in the background.
func (r *Router) Start() error {
	if r.cluster != nil {
		if err := r.cluster.start(r.table.Load().Names()); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", r.server.Listen)
	if err != nil {
		if r.cluster != nil {
			r.cluster.close(0)
		}
		return fmt.Errorf("listen on %s: %w", r.server.Listen, err)
	}
	r.listener = ln
	r.httpSrv = &http.Server{Handler: r.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := r.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("http server stopped", "error", err)
		}
	}()
	t := r.table.Load()
	r.log.Info("listening", "addr", "http://"+ln.Addr().String(), "path", r.server.Path, "config", t.File.Name)
	for _, name := range t.Names() {
		r.log.Info("namespace loaded", "namespace", name, "events", strings.Join(t.Namespaces[name].EventNames(), ","))
	}
	if r.server.Static != "" {
		r.log.Info("serving static files", "dir", r.server.Static)
	}
	return nil
}

// Addr is the address the router listens on, once started.
func (r *Router) Addr() net.Addr {
	if r.listener == nil {
		return nil
	}
	return r.listener.Addr()
}

// Close shuts down gracefully: it stops accepting connections, disconnects every client (their
// disconnect handlers run, with reason "server shutting down"), lets queued messages go out,
// and stops serving, within server.limits.shutdown_timeout.
func (r *Router) Close() error {
	if !r.closed.CompareAndSwap(false, true) {
		return nil
	}
	timeout := r.table.Load().File.Server.Limits.ShutdownTimeout
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan struct{})
	r.io.Close(func(error) { close(done) })
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Warn("clients were still disconnecting at the shutdown timeout", "timeout", timeout)
	}
	if r.cluster != nil {
		r.cluster.close(time.Until(deadline(ctx)))
	}
	if r.httpSrv == nil {
		return nil
	}
	if err := r.httpSrv.Shutdown(ctx); err != nil {
		_ = r.httpSrv.Close()
		return fmt.Errorf("shutdown after %s: %w", timeout, err)
	}
	return nil
}

// deadline is ctx's deadline, or now when it has none.
func deadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now()
}

// print writes one line to the router's output.
func (r *Router) print(line string) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	_, _ = io.WriteString(r.out, line+"\n")
}

func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
