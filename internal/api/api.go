// Package api is ioroute's HTTP API for backends: emit to a namespace's rooms and sockets,
// make sockets join or leave rooms, disconnect them, and list them. What it acts on is a
// Server, which the router implements cluster-wide; this package checks the key, the method,
// the size and every field of a request, so a Server only sees requests that make sense.
//
// docs/api.yaml describes the same endpoints as OpenAPI; a test checks one against the other.
package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Server is what the API acts on: one server's namespaces, cluster-wide. targets are socket
// ids or room names (a socket id is a room holding that socket).
type Server interface {
	// Declared reports whether the config declares namespace ns.
	Declared(ns string) bool
	// Emit sends event with args to the sockets of ns in any of to (every socket when to is
	// empty) and in none of except, on every node.
	Emit(ns string, to, except []string, event string, args []any) error
	// Disconnect disconnects the sockets of ns in any of targets; close ends their whole
	// connection.
	Disconnect(ns string, targets []string, close bool) error
	// Join makes the sockets of ns in any of targets join room; Leave makes them leave it.
	Join(ns string, targets []string, room string) error
	Leave(ns string, targets []string, room string) error
	// Sockets lists the sockets of ns (in any of rooms, when given) as {id, rooms, data}.
	Sockets(ns string, rooms []string) ([]map[string]any, error)
}

// Options configure the API.
type Options struct {
	// Key is what requests carry as `Authorization: Bearer <key>`.
	Key string
	// MaxBody is the largest request body accepted, in bytes.
	MaxBody int
	// Log receives a debug line per action and the failures of the Server; never the key.
	Log *slog.Logger
	// Refused receives the lines of refused requests, which anyone who can reach the API can
	// cause; nil uses Log.
	Refused *slog.Logger
}

// Prefix is where the endpoints live.
const Prefix = "/api/"

// Handler serves the API's endpoints under Prefix.
func Handler(s Server, o Options) http.Handler {
	if o.Refused == nil {
		o.Refused = o.Log
	}
	h := &handler{s: s, o: o, key: sha256.Sum256([]byte(o.Key))}
	mux := http.NewServeMux()
	for _, r := range Routes {
		mux.Handle(Prefix+r.Name, h.route(r))
	}
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "", "no such endpoint; the API has "+routeList())
	})
	return h.authorized(mux)
}

type handler struct {
	s   Server
	o   Options
	key [sha256.Size]byte
}

// authorized refuses a request without the key before anything else is looked at, so an
// unauthorized client learns nothing of the API. The key is compared through its hash, in
// constant time, so neither its bytes nor its length show in the time an answer takes.
func (h *handler) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		ok := strings.EqualFold(scheme, "Bearer") // schemes are case-insensitive (RFC 9110)
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], h.key[:]) != 1 || !ok {
			h.o.Refused.Warn("api: refused a request without the right key", "method", r.Method, "path", r.URL.Path, "from", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="ioroute"`)
			writeError(w, http.StatusUnauthorized, "", "send the API key as `Authorization: Bearer <key>` (server.api.key)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// route serves one endpoint: its method, then its request, then the Server.
func (h *handler) route(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != rt.Method {
			w.Header().Set("Allow", rt.Method)
			writeError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("%s%s takes %s", Prefix, rt.Name, rt.Method))
			return
		}
		status, out, err := rt.serve(h, w, r)
		if err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				h.o.Refused.Warn("api: refused a request", "endpoint", rt.Name, "error", fe.msg, "from", r.RemoteAddr)
				writeError(w, status, fe.field, fe.msg)
				return
			}
			h.o.Log.Error("api: failed", "endpoint", rt.Name, "error", err.Error())
			writeError(w, status, "", err.Error())
			return
		}
		writeJSON(w, status, out)
	})
}

// fieldError is a request refused because of one of its fields (or its body, with no field).
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.msg }

// badField refuses a request for its field f.
func badField(f, format string, args ...any) error {
	return &fieldError{field: f, msg: f + ": " + fmt.Sprintf(format, args...)}
}

// errorBody is every error's JSON.
type errorBody struct {
	Error string `json:"error"`
	// Field names the field at fault, when one is.
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Field: field})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
