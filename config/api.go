package config

import (
	"strings"
)

// API is the HTTP API through which a backend emits to sockets and manages them; nil when
// server.api is not written.
type API struct {
	// Key is the secret every request carries as `Authorization: Bearer <key>`.
	Key string
	// Listen is the API's own listener, host:port; "" serves the API on the main listener
	// under /api/.
	Listen string
}

// APIPrefix is where the API's endpoints live, on whichever listener serves them.
const APIPrefix = "/api/"

// apiFields declares the keys of server.api.
var apiFields = []Field{
	{Name: "key", Type: String, Required: true, Doc: "The secret that API requests carry as `Authorization: Bearer <key>`. " +
		"Read it from the environment (`key: ${{ env.IOROUTE_API_KEY }}`) rather than writing it in the file; it is never logged."},
	{Name: "listen", Type: String, Doc: "Serve the API on a listener of its own, host:port (a loopback or private address). " +
		"Without it the API is served on the main listener under /api/."},
}

// apiField declares server.api. Its listener is built at start, so a change needs a restart,
// the key's included: the API keeps checking the key it started with.
var apiField = Field{Name: "api", Type: Object, Fields: apiFields, Restart: true,
	Doc: "An HTTP API for backends: emit to rooms and sockets, make sockets join or leave rooms, disconnect them, and list them, " +
		"on every node of a cluster (see docs/api.yaml). Without it, no API.",
	Example: "api:\n  key: ${{ env.IOROUTE_API_KEY }}\n  listen: 127.0.0.1:3002"}

// decodeAPI reads server.api, n; server is the server section, whose path the API's must not
// overlap.
func decodeAPI(n, server *Node, s *Server, errs *Errors) {
	s.API = &API{}
	for _, e := range n.Entries {
		v := e.Value
		switch e.Key {
		case "key":
			s.API.Key = v.Text
			if strings.TrimSpace(v.Text) == "" {
				errs.Add(v.Pos, v.Path, "must not be empty: requests carry it as `Authorization: Bearer <key>`; read it from the environment, such as key: ${{ env.IOROUTE_API_KEY }}")
			}
		case "listen":
			s.API.Listen = v.Text
			if v.Text == "" {
				errs.Add(v.Pos, v.Path, "must not be empty; write host:port, such as \"127.0.0.1:3002\", or leave listen out to serve the API under /api/ of the main listener")
			}
		}
	}
	path := strings.TrimRight(server.Get("path").textOr(""), "/") + "/"
	if s.API.Listen == "" && strings.HasPrefix(path, APIPrefix) {
		errs.Add(n.Pos, n.Path, "the API is served under %s of the main listener, where server.path is too; move one of them, or give the API its own listen address", APIPrefix)
	}
}

// textOr is a scalar's text, or def for a missing node.
func (n *Node) textOr(def string) string {
	if n == nil {
		return def
	}
	return n.Text
}
