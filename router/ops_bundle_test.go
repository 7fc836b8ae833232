package router_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/clientbundle"
)

// TestClientBundle: the router serves socket.io-client under its path, as Node's serveClient
// does, and server.serve_client: false (applied by a reload) answers 404 there.
func TestClientBundle(t *testing.T) {
	minJS, err := os.ReadFile(filepath.Join("..", "internal", "clientbundle", "dist", "socket.io.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	etag := `"` + clientbundle.Version + `"`
	const config = "version: 1\nserver: { path: /io, cors: { origins: [\"http://app.example\"] } }\nnamespaces:\n  /a:\n    on:\n" + syncHandler
	s := startRouter(t, config)
	for _, tt := range []struct {
		name, method, path string
		header             []string
		status             int
		check              func(t *testing.T, h map[string][]string, body string)
	}{
		{"min.js", "GET", "/io/socket.io.min.js", nil, 200, func(t *testing.T, h map[string][]string, body string) {
			if body != string(minJS) {
				t.Errorf("body is not socket.io.min.js (%d bytes)", len(body))
			}
			if h["Etag"][0] != etag || h["Cache-Control"][0] != "public, max-age=0" {
				t.Errorf("headers %v", h)
			}
		}},
		{"each file", "HEAD", "/io/socket.io.esm.min.js.map", nil, 200, nil},
		{"map", "GET", "/io/socket.io.min.js.map", nil, 200, nil},
		{"revalidated", "GET", "/io/socket.io.min.js", []string{"If-None-Match", etag}, 304, nil},
		{"allowed origin", "GET", "/io/socket.io.esm.min.js", []string{"Origin", "http://app.example"}, 200, func(t *testing.T, h map[string][]string, _ string) {
			if got := h["Access-Control-Allow-Origin"]; len(got) != 1 || got[0] != "http://app.example" {
				t.Errorf("Access-Control-Allow-Origin %v", got)
			}
		}},
		{"other origin gets no CORS header", "GET", "/io/socket.io.min.js", []string{"Origin", "http://evil.example"}, 200, func(t *testing.T, h map[string][]string, _ string) {
			if _, ok := h["Access-Control-Allow-Origin"]; ok {
				t.Errorf("Access-Control-Allow-Origin %v", h["Access-Control-Allow-Origin"])
			}
		}},
		{"POST", "POST", "/io/socket.io.min.js", nil, 405, nil},
		{"msgpack build is not served", "GET", "/io/socket.io.msgpack.min.js", nil, 400, nil},
		{"engine still answers", "GET", "/io/?EIO=4&transport=polling", nil, 200, func(t *testing.T, _ map[string][]string, body string) {
			if !strings.HasPrefix(body, `0{`) || !strings.Contains(body, `"sid":`) {
				t.Errorf("handshake %q", body)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, tt.method, s.url+tt.path, tt.header...)
			if status != tt.status {
				t.Fatalf("%s %s: %d %.200s, want %d", tt.method, tt.path, status, body, tt.status)
			}
			if tt.check != nil {
				tt.check(t, h, body)
			}
		})
	}
	status, h, body := get(t, "GET", s.url+"/io/socket.io.js", "Accept-Encoding", "gzip")
	if status != 200 || h.Get("Content-Encoding") != "gzip" || len(body) >= 154000/2 {
		t.Errorf("gzip: %d, Content-Encoding %q, %d bytes", status, h.Get("Content-Encoding"), len(body))
	}

	off := strings.Replace(config, "server: {", "server: { serve_client: false,", 1)
	s.reload(t, off)
	for _, name := range clientbundle.Files {
		if status, _, _ := get(t, "GET", s.url+"/io/"+name); status != 404 {
			t.Errorf("serve_client: false: GET /io/%s: %d, want 404", name, status)
		}
	}
}
