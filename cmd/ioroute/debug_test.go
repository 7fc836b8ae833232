package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestDebugEndpoint: --debug-listen serves the goroutine and heap profiles on loopback only.
func TestDebugEndpoint(t *testing.T) {
	refused := []struct{ name, addr string }{
		{"every interface", "0.0.0.0:6060"},
		{"no host", ":6060"},
		{"a LAN address", "192.168.1.5:6060"},
		{"a host name", "localhost:6060"},
		{"no port", "127.0.0.1"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := Main([]string{"run", "--debug-listen", tt.addr, "missing.yaml"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "--debug-listen") {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
		})
	}

	var log bytes.Buffer
	stop, err := serveDebug("127.0.0.1:0", slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	m := regexp.MustCompile(`addr=(http://\S+)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no address logged: %s", log.String())
	}
	for _, profile := range []string{"goroutine?debug=1", "heap?debug=1"} {
		resp, err := http.Get(m[1] + profile)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "profile: ") {
			t.Fatalf("%s: %d %.200s", profile, resp.StatusCode, body)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}
