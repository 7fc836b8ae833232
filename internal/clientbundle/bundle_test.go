package clientbundle

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionIsPinned fails when the embedded client is not the socket.io-client that
// test/node pins (and the Node and browser tests use): refresh it with `make client-bundle`.
func TestVersionIsPinned(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "test", "node", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	pinned := pkg.Dependencies["socket.io-client"]
	if pinned != Version {
		t.Fatalf("embedded socket.io-client is %s, test/node/package.json pins %q: run `make client-bundle`", Version, pinned)
	}
	for _, name := range Files {
		if strings.HasSuffix(name, ".map") {
			continue
		}
		if !bytes.Contains(files[name].body[:200], []byte("Socket.IO v"+Version+"\n")) {
			t.Errorf("%s is not socket.io-client %s", name, Version)
		}
	}
	if _, err := dist.ReadFile("dist/LICENSE"); err != nil {
		t.Errorf("the client's LICENSE must stay beside it: %v", err)
	}
}

// TestServe checks the answers of Node's serveClient: headers, 304 on the ETag, gzip.
func TestServe(t *testing.T) {
	etag := `"` + Version + `"`
	for _, tt := range []struct {
		name, method, file string
		header             map[string]string
		status             int
		ctype, encoding    string
		body               bool
	}{
		{"min", "GET", "socket.io.min.js", nil, 200, "application/javascript; charset=utf-8", "", true},
		{"map", "GET", "socket.io.min.js.map", nil, 200, "application/json; charset=utf-8", "", true},
		{"esm", "GET", "socket.io.esm.min.js", nil, 200, "application/javascript; charset=utf-8", "", true},
		{"full", "GET", "socket.io.js", nil, 200, "application/javascript; charset=utf-8", "", true},
		{"gzip", "GET", "socket.io.js", map[string]string{"Accept-Encoding": "gzip, deflate, br"}, 200, "application/javascript; charset=utf-8", "gzip", true},
		{"gzip refused", "GET", "socket.io.js", map[string]string{"Accept-Encoding": "gzip;q=0, *"}, 200, "application/javascript; charset=utf-8", "", true},
		{"any encoding", "GET", "socket.io.js", map[string]string{"Accept-Encoding": "*"}, 200, "application/javascript; charset=utf-8", "gzip", true},
		{"head", "HEAD", "socket.io.min.js", nil, 200, "application/javascript; charset=utf-8", "", false},
		{"etag", "GET", "socket.io.min.js", map[string]string{"If-None-Match": etag}, 304, "", "", false},
		{"weak etag", "GET", "socket.io.min.js", map[string]string{"If-None-Match": "W/" + etag}, 304, "", "", false},
		{"other etag", "GET", "socket.io.min.js", map[string]string{"If-None-Match": `"4.0.0"`}, 200, "application/javascript; charset=utf-8", "", true},
		{"post", "POST", "socket.io.min.js", nil, 405, "text/plain; charset=utf-8", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/socket.io/"+tt.file, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			if !Serve(w, req, tt.file) {
				t.Fatal("Serve did not answer")
			}
			res := w.Result()
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if got := res.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := res.Header.Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tt.encoding)
			}
			if tt.status == 405 {
				if got := res.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow %q", got)
				}
				return
			}
			if got := res.Header.Get("ETag"); got != etag {
				t.Errorf("ETag %q, want %q", got, etag)
			}
			if tt.status == 200 && res.Header.Get("Cache-Control") != "public, max-age=0" {
				t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
			body, _ := io.ReadAll(res.Body)
			if !tt.body {
				if len(body) != 0 {
					t.Errorf("%d bytes of body, want none", len(body))
				}
				return
			}
			if tt.encoding == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, files[tt.file].body) {
				t.Errorf("body is not %s (%d bytes, want %d)", tt.file, len(body), len(files[tt.file].body))
			}
		})
	}
}

// TestServeOtherNames leaves names outside Files to the caller.
func TestServeOtherNames(t *testing.T) {
	for _, name := range []string{"", "socket.io.msgpack.min.js", "LICENSE", "../bundle.go", "index.html"} {
		w := httptest.NewRecorder()
		if Serve(w, httptest.NewRequest(http.MethodGet, "/socket.io/"+name, nil), name) {
			t.Errorf("Serve answered %q", name)
		}
	}
}
