package router

import (
	"net/http"

	"github.com/ioroute/ioroute/internal/clientbundle"
)

// serveClientBundle registers socket.io-client's files under the engine's prefix
// (`/socket.io/socket.io.min.js`), ahead of the engine, as Node's serveClient does.
// server.serve_client is read at each request, so a reload turns them on or off.
func (r *Router) serveClientBundle(mux *http.ServeMux, prefix string) {
	for _, name := range clientbundle.Files {
		mux.HandleFunc(prefix+name, func(w http.ResponseWriter, req *http.Request) {
			if !r.live().ServeClient {
				http.Error(w, "ioroute: the client bundle is not served here (server.serve_client: false)", http.StatusNotFound)
				return
			}
			// a page of an allowed origin may load it as a module or with crossorigin
			if origin := req.Header.Get("Origin"); origin != "" && r.originAllowed(origin, req) {
				w.Header().Set("Access-Control-Allow-Origin", origin)
				w.Header().Add("Vary", "Origin")
			}
			clientbundle.Serve(w, req, name)
		})
	}
}
