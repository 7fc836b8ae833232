package router_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

// get requests method url and returns the status and body.
func get(t *testing.T, method, url string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip: the test sees what is sent
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// TestHealthEndpoints: /healthz and /readyz answer GET and HEAD before the static folder;
// other methods get 405.
func TestHealthEndpoints(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"healthz", "readyz"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("a static file"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := startRouter(t, "version: 1\nserver: { static: "+dir+", shutdown_drain: 0s }\nnamespaces:\n  /a:\n    on:\n"+syncHandler)
	for _, tt := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/healthz", 200, `{"ok":true}` + "\n"},
		{"GET", "/readyz", 200, `{"ok":true}` + "\n"},
		{"HEAD", "/healthz", 200, ""},
		{"HEAD", "/readyz", 200, ""},
		{"POST", "/healthz", 405, "method not allowed\n"},
		{"PUT", "/readyz", 405, "method not allowed\n"},
		{"GET", "/missing", 404, ""},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			status, h, body := get(t, tt.method, s.url+tt.path)
			if status != tt.status || (tt.status != 404 && body != tt.body) {
				t.Fatalf("%d %q, want %d %q", status, body, tt.status, tt.body)
			}
			if status == 405 && h.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", h.Get("Allow"))
			}
			if status == 200 && h.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
		})
	}
}

// TestReadyzDrainsBeforeShutdown: once a shutdown begins, /readyz answers 503 while the router
// goes on serving (a new client still connects) for server.shutdown_drain; then clients are
// disconnected.
func TestReadyzDrainsBeforeShutdown(t *testing.T) {
	// the drain leaves the test time to see /readyz go 503 and to connect and sync two
	// clients on a loaded machine (-race, other packages' tests) before the server stops
	const drain = 2 * time.Second
	s := startRouter(t, "version: 1\nserver: { shutdown_drain: 2s }\nnamespaces:\n  /a:\n    on:\n"+syncHandler)
	if status, _, _ := get(t, "GET", s.url+"/readyz"); status != 200 {
		t.Fatalf("/readyz before the shutdown: %d", status)
	}
	before := s.dial(t, "/a", dialOpts{})
	start := time.Now()
	closed := make(chan error, 1)
	go func() { closed <- s.Router.Close() }()
	deadline := time.Now().Add(wait)
	for {
		status, _, body := get(t, "GET", s.url+"/readyz")
		if status == 503 {
			var got struct {
				OK       bool              `json:"ok"`
				NotReady map[string]string `json:"not_ready"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil || got.OK || !strings.Contains(got.NotReady["shutdown"], "shutting down") {
				t.Fatalf("/readyz while draining: %q (%v)", body, err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz never answered 503 after the shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status, _, _ := get(t, "GET", s.url+"/healthz"); status != 200 {
		t.Errorf("/healthz while draining: %d, want 200 (still serving)", status)
	}
	during := s.dial(t, "/a", dialOpts{})
	before.sync(t)
	during.sync(t)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < drain {
		t.Errorf("Close returned after %v, before the %v drain", took, drain)
	}
	if !strings.Contains(s.log.String(), "serving on for 2s (server.shutdown_drain)") {
		t.Errorf("the drain was not logged:\n%s", s.log.String())
	}
}

// TestShutdownDrainSkips: with shutdown_drain 0, or when nothing ever asked /readyz, Close
// disconnects at once.
func TestShutdownDrainSkips(t *testing.T) {
	for _, tt := range []struct {
		name, server string
		askReady     bool
	}{
		{"drain 0", "{ shutdown_drain: 0s }", true},
		{"nobody watches readiness", "{ shutdown_drain: 1m }", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startRouter(t, "version: 1\nserver: "+tt.server+"\nnamespaces:\n  /a:\n    on:\n"+syncHandler)
			if tt.askReady {
				get(t, "GET", s.url+"/readyz")
			}
			start := time.Now()
			if err := s.Router.Close(); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("Close took %v", took)
			}
			if strings.Contains(s.log.String(), "server.shutdown_drain") {
				t.Errorf("drained:\n%s", s.log.String())
			}
		})
	}
}

// TestReadyzFollowsRedis: with a cluster, /readyz answers 503 naming Redis while Redis is
// down, and 200 once it is back; the cluster's metrics follow.
func TestReadyzFollowsRedis(t *testing.T) {
	redis := testutil.StartRedis(t)
	s := startRouter(t, "version: 1\nserver:\n  shutdown_drain: 0s\n  metrics: { listen: \"127.0.0.1:0\" }\n  adapter: { redis: { url: \""+redis.URL+"\" } }\n"+
		"namespaces:\n  /a:\n    on:\n      message:\n        - broadcast: { event: m, data: x }\n"+syncHandler)
	c := s.dial(t, "/a", dialOpts{})
	waitReady := func(want int, wantBody string) {
		t.Helper()
		deadline := time.Now().Add(3 * wait)
		for {
			status, _, body := get(t, "GET", s.url+"/readyz")
			if status == want && strings.Contains(body, wantBody) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz: %d %s, want %d with %q", status, body, want, wantBody)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitReady(200, `{"ok":true}`)
	c.emit("message")
	c.expect(t, "m")
	waitMetric(t, s, "ioroute_cluster_published_total", 1)
	waitMetric(t, s, "ioroute_cluster_redis_up", 1)
	redis.Stop()
	waitReady(503, `"redis":"Redis at redis://`+redis.Addr)
	waitMetric(t, s, "ioroute_cluster_redis_up", 0)
	c.emit("message")
	c.expect(t, "m") // delivered here; dropped for the other nodes
	waitMetric(t, s, "ioroute_cluster_dropped_total", 1)
	redis.Start()
	waitReady(200, `{"ok":true}`)
	waitMetric(t, s, "ioroute_cluster_redis_up", 1)
}
