package metrics

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Listener serves /metrics on a listener of its own, apart from the clients' port, so that
// the metrics can stay on loopback or a private network while clients connect from anywhere.
type Listener struct {
	ln  net.Listener
	srv *http.Server
}

// Listen serves m at http://addr/metrics until Close. A listener that cannot bind is an
// error, which stops the start: metrics that were asked for and silently missing would be
// found out only when needed.
func Listen(addr string, m *Metrics, log *slog.Logger) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener (server.metrics.listen) on %s: %w", addr, err)
	}
	l := &Listener{ln: ln, srv: &http.Server{Handler: m.Handler(log), ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "error", err)
		}
	}()
	return l, nil
}

// Addr is the address the metrics are served on.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Close stops serving.
func (l *Listener) Close() error { return l.srv.Close() }

// Handler answers GET and HEAD /metrics in Prometheus's formats (gzipped when accepted),
// 405 for other methods and 404 for other paths.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	prom := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorLog: errorLog{log}})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/metrics" {
			http.Error(w, "ioroute: metrics are at /metrics", http.StatusNotFound)
			return
		}
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		prom.ServeHTTP(w, req)
	})
}

// errorLog passes promhttp's errors (a collector that failed) to the router's log.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Println(v ...any) {
	if e.log != nil {
		e.log.Error("metrics: " + fmt.Sprint(v...))
	}
}
