package router

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ioroute/ioroute/internal/engine"
)

// handler is the HTTP front: it answers the health endpoints (router/health.go) and the
// client bundle, refuses what the engine would wrongly accept, then hands Socket.IO requests
// to the engine and everything else to the static folder.
func (r *Router) handler() http.Handler {
	eio := r.io.ServeHandler(nil)
	engine.OwnHeartbeats(r.io) // the engine exists from ServeHandler on
	mux := http.NewServeMux()
	prefix := strings.TrimRight(r.server.Path, "/") + "/"
	r.serveClientBundle(mux, prefix)
	r.mountAPI(mux) // server.api on this listener, under /api/ (router/api.go)
	r.mountAdminUI(mux)
	mux.Handle(prefix, r.front(eio))
	if r.server.Path != prefix {
		mux.Handle(r.server.Path, r.front(eio))
	}
	// the static folder follows reloads, and files are read from disk at each request
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		dir := r.live().Static
		if dir == "" {
			http.Error(w, "ioroute: this server has no static folder (server.static)", http.StatusNotFound)
			return
		}
		http.FileServer(http.Dir(dir)).ServeHTTP(w, req)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.health(w, req) {
			return
		}
		// the engine keeps accepting handshakes after it is closed; refuse them while closing
		if r.closed.Load() {
			http.Error(w, "ioroute: shutting down", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, req)
	})
}

// front guards the engine: a disallowed origin is refused on every transport (the engine only
// checks CORS on polling), and polling requests for a session that upgraded to websocket get
// 400 as the Engine.IO protocol says.
func (r *Router) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if a := r.admin; a != nil && a.token != "" && req.Header.Get(adminHeader) != a.token {
			req.Header.Del(adminHeader) // only the admin listener marks its requests
		}
		if origin := req.Header.Get("Origin"); origin != "" && !r.originAllowed(origin, req) {
			r.clientLog.Warn("refused cross-origin request", "origin", origin)
			http.Error(w, `{"code":4,"message":"Origin not allowed"}`, http.StatusForbidden)
			return
		}
		q := req.URL.Query()
		if q.Get("sid") == "" {
			if max := r.live().Limits.MaxConnections; r.io.Engine().Clients().Len() >= max {
				r.clientLog.Warn("refused a connection: server.limits.max_connections reached", "max", max)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(`{"code":5,"message":"Server full"}`))
				return
			}
		}
		if q.Get("EIO") == "3" && !r.server.AllowEIO3 {
			// the engine would accept the websocket upgrade and only then close it, which
			// socket.io-client 2.x does not report; refuse before upgrading, as on polling
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"code":5,"message":"Unsupported protocol version"}`))
			return
		}
		if sid := q.Get("sid"); sid != "" && q.Get("transport") == "polling" {
			r.upgrades.Await(sid, upgradeWait)
			if s, ok := r.io.Engine().Clients().Load(sid); ok && s.Transport().Name() != "polling" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"code":3,"message":"Bad request"}`))
				return
			}
		}
		r.countOversized(req)
		next.ServeHTTP(engine.ForUpgrade(w, req))
	})
}

// upgradeWait bounds how long a polling request waits for its session's upgrade to the
// websocket to finish (engine.Upgrades). The upgrade packet is normally read within a
// millisecond; the bound is short because a client's poll sent just before it saw the probe's
// answer waits too, and delays that client's upgrade by as much.
const upgradeWait = 250 * time.Millisecond

// originAllowed applies server.cors.origins, or same-origin when none are configured.
func (r *Router) originAllowed(origin string, req *http.Request) bool {
	if len(r.server.Origins) == 0 {
		u, err := url.Parse(origin)
		return err == nil && strings.EqualFold(u.Host, req.Host)
	}
	for _, o := range r.server.Origins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}
