package router

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Health endpoints on the main listener, answered before the static folder and the engine:
//
//   - /healthz: 200 while the server serves (a liveness probe: restart me when it fails);
//   - /readyz: 200 once the config is loaded and serving and, with a cluster, Redis answers; 503
//     with a JSON body naming what is not ready, and from the start of a shutdown on (a
//     readiness probe: send me no new clients when it fails).
const (
	healthzPath = "/healthz"
	readyzPath  = "/readyz"
)

// health answers path when it is a health endpoint, and reports whether it was.
func (r *Router) health(w http.ResponseWriter, req *http.Request) bool {
	if req.URL.Path != healthzPath && req.URL.Path != readyzPath {
		return false
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return true
	}
	w.Header().Set("Cache-Control", "no-store")
	notReady := map[string]string{}
	if req.URL.Path == healthzPath {
		if r.closed.Load() {
			notReady["server"] = "shutting down"
		}
	} else {
		r.ops.readyAsked.Store(true)
		notReady = r.notReady(req.Context())
	}
	status, body := http.StatusOK, map[string]any{"ok": true}
	if len(notReady) > 0 {
		status, body = http.StatusServiceUnavailable, map[string]any{"ok": false, "not_ready": notReady}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if req.Method == http.MethodGet {
		_, _ = w.Write(append(b, '\n'))
	}
	return true
}

// notReady names what keeps the router from taking new clients, with why; empty when ready.
func (r *Router) notReady(ctx context.Context) map[string]string {
	out := map[string]string{}
	if r.ops.draining.Load() || r.closed.Load() {
		out["shutdown"] = "shutting down: new clients should go to another node"
	}
	if r.current.Load() == nil || r.listener == nil {
		out["config"] = "no config serving yet"
	}
	if r.cluster != nil {
		if err := r.cluster.Ready(ctx); err != nil {
			out["redis"] = err.Error()
		}
	}
	return out
}

// drain begins a shutdown: /readyz answers 503 from now on and, when something asked it since
// the start (a load balancer watches it), everything else goes on serving for
// server.shutdown_drain, so the balancer stops sending new clients before this node
// disconnects its own. Nobody watching, the wait would only delay the shutdown. It reports
// false when a shutdown had begun already.
func (r *Router) drain() bool {
	if !r.ops.draining.CompareAndSwap(false, true) {
		return false
	}
	d := r.live().ShutdownDrain
	if d <= 0 || !r.ops.readyAsked.Load() || r.listener == nil {
		return true
	}
	r.log.Info(fmt.Sprintf("shutting down: /readyz answers 503; serving on for %s (server.shutdown_drain) before disconnecting clients", d))
	time.Sleep(d)
	return true
}
