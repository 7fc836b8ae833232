package examples_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clientPath is where the server serves socket.io-client (server.serve_client), which every
// example page loads instead of a CDN, so the pages work offline.
const clientPath = "/socket.io/socket.io.min.js"

// chatClientTag is the chat page's socket.io-client script tag, which every example page
// must use as it is.
func chatClientTag(t *testing.T) string {
	t.Helper()
	chat, err := os.ReadFile(filepath.Join("chat", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(chat), "\n") {
		if strings.Contains(line, `src="`+clientPath+`"`) {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("chat/index.html has no script tag loading %s", clientPath)
	return ""
}

// checkClientServed fails unless the server at base serves the client the pages load.
func checkClientServed(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + clientPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/javascript") {
		t.Errorf("GET %s: %d %s", clientPath, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestNoPageUsesACDN: every example page loads the client from the server it talks to.
func TestNoPageUsesACDN(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("*", "index.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages: %v", err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "cdn.") || !strings.Contains(string(b), `<script src="`+clientPath+`"></script>`) {
			t.Errorf("%s must load %s from the server, not a CDN", p, clientPath)
		}
	}
}
