// Package router serves a compiled handler table (router/table) over Socket.IO: it builds the
// engine (github.com/zishang520/socket.io, with ioroute's plug-ins from internal/engine),
// admits sockets through its guard, dispatches their events to the table's handlers, and
// fronts it all with HTTP. The current table is held in an atomic pointer, so a reload swaps
// in a new one while sockets stay connected. With a Redis adapter it joins a cluster
// (internal/cluster) as that package's Host.
//
// The engine stays behind this package: actions see only actions.Conn.
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
	"github.com/ioroute/ioroute/internal/backend"
	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/logonce"
	"github.com/ioroute/ioroute/router/table"
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
	// MetricsListen serves Prometheus metrics on this address when not empty, overriding
	// server.metrics.listen (and turning metrics on for a config without server.metrics).
	MetricsListen string
	// CallTransport makes the HTTP requests of call steps; nil makes real ones. Tests (and
	// `ioroute test`) answer calls from stubs and record them here (internal/backend).
	CallTransport http.RoundTripper
}

// Router serves one config.
//
// Settings are read from one of two places, by what the setting's spec says (config.Field's
// Restart): those that need a restart from server, the settings the engine, listener and
// cluster were built with; those that apply on reload from the current table (live).
type Router struct {
	current atomic.Pointer[table.Table]
	server  config.Server
	// startFile is the config file's own server settings at start (without Options'
	// overrides): a reload that changes a restart-only setting is told apart from them.
	startFile config.Server
	log       *slog.Logger
	// clientLog is log for the lines clients can cause (a failing handler, a refused origin):
	// each is written once per window and the rest counted (internal/logonce).
	clientLog *slog.Logger
	// counted is clientLog's handler, whose counts are written every clientLogWindow while
	// the router serves (stopFlush ends that).
	counted   *logonce.Handler
	stopFlush chan struct{}
	flushDone chan struct{}
	out       io.Writer
	outMu     sync.Mutex
	environ   map[string]string
	io        *sio.Server
	upgrades  *engine.Upgrades
	nsps      sync.Map // namespace name -> sio.Namespace, for every namespace a table declared
	pending   sync.Map // *sio.Socket -> chan struct{}, closed once the engine recorded it
	arrivals  sync.Map // engine connection id -> *arrivals
	httpSrv   *http.Server
	listener  net.Listener
	closed    atomic.Bool
	reloadMu  sync.Mutex // one reload at a time
	// declareMu makes declare's check and creation one step.
	declareMu sync.Mutex
	panics    atomic.Int64
	cluster   cluster.Node // nil without server.adapter.redis or redis_streams
	// printLine is print, bound once rather than for every handler run.
	printLine func(line string)
	// ops is metrics, readiness and the connection log (router/ops.go).
	ops ops
	// calls makes the requests of call steps; apiLn is server.api's own listener, if any
	// (router/api.go).
	calls *backend.Client
	apiLn *apiListener
	// admin is server.admin's namespace (router/admin.go); nil without it.
	admin *admin
}

// clientLogWindow is how long lines clients can cause are counted after one was written.
const clientLogWindow = 10 * time.Second

// Panics counts the handler panics recovered since the router started.
func (r *Router) Panics() int64 { return r.panics.Load() }

// New prepares a router for table t; Start begins serving.
func New(t *table.Table, opts Options) (*Router, error) {
	r := &Router{server: t.File.Server, startFile: t.File.Server, log: opts.Logger, out: opts.Stdout, environ: environ()}
	r.printLine = r.print
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if r.out == nil {
		r.out = os.Stdout
	}
	r.counted = logonce.New(r.log.Handler(), clientLogWindow, "namespace", "event", "at", "origin")
	r.clientLog = slog.New(r.counted)
	if opts.Listen != "" {
		r.server.Listen = opts.Listen
	}
	r.current.Store(t)
	c, err := r.joinCluster(opts.RedisURL)
	if err != nil {
		return nil, err
	}
	r.cluster = c
	r.io, r.upgrades = newEngine(r.server, r.log, r.cluster)
	r.ops.connLog = newSampler(r.log, connLogRate, "connections and disconnections")
	r.ops.endLog = newSampler(r.log, endLogRate, "disconnections by the server")
	r.setupMetrics(opts.MetricsListen)
	r.calls = backend.New(opts.CallTransport, r.callLimits)
	r.watchNamespaces()
	if a := r.server.Admin; a != nil {
		r.admin = r.newAdmin(*a)
	}
	r.attach()
	return r, nil
}

// Table returns the table currently serving.
func (r *Router) Table() *table.Table { return r.current.Load() }

// live returns the settings that apply on reload: the current table's.
func (r *Router) live() *config.Server { return &r.current.Load().File.Server }

// Start listens and serves in the background.
func (r *Router) Start() error {
	if r.cluster != nil {
		names := r.current.Load().Names()
		if r.admin != nil {
			names = append(names, r.admin.cfg.Namespace)
		}
		if err := r.cluster.Start(names); err != nil {
			return err
		}
	}
	if err := r.startMetrics(); err != nil {
		if r.cluster != nil {
			r.cluster.Close(0)
		}
		r.stopMetrics()
		return err
	}
	if err := r.startAPI(); err != nil {
		if r.cluster != nil {
			r.cluster.Close(0)
		}
		r.stopMetrics()
		return err
	}
	ln, err := net.Listen("tcp", r.server.Listen)
	if err != nil {
		if r.cluster != nil {
			r.cluster.Close(0)
		}
		r.stopMetrics()
		r.stopAPI()
		return fmt.Errorf("listen on %s: %w", r.server.Listen, err)
	}
	r.listener = ln
	r.stopFlush, r.flushDone = make(chan struct{}), make(chan struct{})
	go r.flushCounts()
	r.httpSrv = &http.Server{Handler: r.handler(), ReadHeaderTimeout: 10 * time.Second}
	if r.admin != nil {
		r.admin.start() // the engine exists once handler made it
		if err := r.admin.startListener(); err != nil {
			_ = ln.Close()
			r.admin.close()
			if r.cluster != nil {
				r.cluster.Close(0)
			}
			r.stopMetrics()
			r.stopAPI()
			return err
		}
	}
	go func() {
		if err := r.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("http server stopped", "error", err)
		}
	}()
	t := r.current.Load()
	r.log.Info("listening", "addr", "http://"+ln.Addr().String(), "path", r.server.Path, "config", t.File.Name)
	for _, name := range t.Names() {
		r.log.Info("namespace loaded", "namespace", name, "events", strings.Join(t.Namespaces[name].EventNames(), ","))
	}
	if a := r.admin; a != nil && a.token == "" {
		attrs := []any{"namespace", a.cfg.Namespace, "mode", a.cfg.Mode, "readonly", a.cfg.Readonly, "login", a.cfg.Auth != nil}
		if a.cfg.UI {
			attrs = append(attrs, "ui", "http://"+ln.Addr().String()+"/admin/")
		}
		r.log.Info("admin namespace", attrs...)
	}
	if a := r.admin; a != nil && a.cfg.Auth == nil {
		r.log.Warn("the admin namespace has no login (server.admin.auth: false): whoever reaches it sees every socket and, unless readonly, can disconnect them", "namespace", a.cfg.Namespace)
	}
	if dir := r.live().Static; dir != "" {
		r.log.Info("serving static files", "dir", dir)
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

// Close shuts down gracefully: /readyz answers 503 at once and, when something watches it,
// the router serves on for server.shutdown_drain (drain); then it stops accepting connections,
// disconnects every client (their disconnect handlers run, with reason "server shutting
// down"), lets queued messages go out, and stops serving, within
// server.limits.shutdown_timeout.
func (r *Router) Close() error {
	if !r.drain() {
		return nil
	}
	r.closed.Store(true)
	if r.admin != nil {
		defer r.admin.close()
	}
	defer r.stopMetrics()
	defer r.stopAPI()
	timeout := r.live().Limits.ShutdownTimeout
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
		r.cluster.Close(time.Until(deadline(ctx)))
	}
	if r.stopFlush != nil {
		close(r.stopFlush)
		<-r.flushDone
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

// flushCounts writes the counts of the client lines left out, every clientLogWindow until
// the router closes, and once more then.
func (r *Router) flushCounts() {
	defer close(r.flushDone)
	t := time.NewTicker(clientLogWindow)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			r.counted.Flush(context.Background())
			r.ops.connLog.flush()
			r.ops.endLog.flush()
		case <-r.stopFlush:
			r.counted.Flush(context.Background())
			r.ops.connLog.flush()
			r.ops.endLog.flush()
			return
		}
	}
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
