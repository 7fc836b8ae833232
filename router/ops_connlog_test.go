package router_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// TestConnectionLogAndTrustProxy: one info line per connection and disconnection, with the
// client's address (X-Forwarded-For only from a proxy in server.trust_proxy, which also sets
// socket.handshake.address), transport and protocol; on polling and on websocket, which the
// engine addresses from different places.
func TestConnectionLogAndTrustProxy(t *testing.T) {
	const xff = "198.51.100.1, 203.0.113.9" // the client's own claim, then what the proxy saw
	for _, tt := range []struct {
		name, trust, transport string
		version                int
		want                   string
	}{
		{"trusted proxy, polling", "[127.0.0.0/8]", "polling", 4, "203.0.113.9"},
		{"trusted proxy, websocket", "[\"127.0.0.1\"]", "websocket", 4, "203.0.113.9"},
		{"trusted proxy, Engine.IO 3", "[127.0.0.0/8]", "websocket", 2, "203.0.113.9"},
		{"untrusted peer", "[10.0.0.0/8]", "websocket", 4, "127.0.0.1"},
		{"no trust_proxy", "[]", "polling", 4, "127.0.0.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startRouter(t, `
version: 1
server: { trust_proxy: `+tt.trust+` }
namespaces:
  /a:
    on:
      connect:
        - print: "address ${{ socket.handshake.address }}"
`+syncHandler)
			script := nodeScript(s.url+"/a", tt.version, step{"wait": "connect"}, step{"emit": "__sync", "ack": true}, step{"disconnect": true})
			script["transports"] = []string{tt.transport}
			script["extraHeaders"] = map[string]string{"X-Forwarded-For": xff}
			msgs := runNode(t, "client", script)
			s.out.WaitFor(t, "address "+tt.want)
			protocol := map[int]string{4: "4", 2: "3"}[tt.version]
			connected := regexp.MustCompile(`level=INFO msg=connected namespace=/a socket=` + regexp.QuoteMeta(msgs[0].ID) +
				` address=` + regexp.QuoteMeta(tt.want) + ` transport=` + tt.transport + ` protocol=` + protocol + `\n`)
			disconnected := regexp.MustCompile(`level=INFO msg=disconnected namespace=/a socket=` + regexp.QuoteMeta(msgs[0].ID) +
				` connection=[\w-]+ address=` + regexp.QuoteMeta(tt.want) + ` transport=` + tt.transport + ` protocol=` + protocol +
				` reason="(client namespace disconnect|transport close)" ended_by=client connected_for=\d+(\.\d+)?m?s\n`)
			deadline := time.Now().Add(wait)
			for !disconnected.MatchString(s.log.String()) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			for _, re := range []*regexp.Regexp{connected, disconnected} {
				if !re.MatchString(s.log.String()) {
					t.Errorf("log lacks %s:\n%s", re, s.log.String())
				}
			}
		})
	}
}

// TestConnectionLogJSON: the same fields in --log-format json.
func TestConnectionLogJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nnamespaces:\n  /a:\n    on:\n"+syncHandler), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := table.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &testutil.SyncBuffer{}
	r, err := router.New(tab, router.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	runNode(t, "client", nodeScript("http://"+r.Addr().String()+"/a", 4, step{"wait": "connect"}, step{"disconnect": true}))
	deadline := time.Now().Add(wait)
	for !strings.Contains(logs.String(), `"msg":"disconnected"`) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		msg, _ := m["msg"].(string)
		if msg != "connected" && msg != "disconnected" {
			continue
		}
		seen[msg] = true
		want := []string{"namespace", "socket", "address", "transport", "protocol"}
		if msg == "disconnected" {
			want = append(want, "connection", "reason", "ended_by", "connected_for")
		}
		for _, k := range want {
			if _, ok := m[k]; !ok {
				t.Errorf("%s line lacks %q: %s", msg, k, line)
			}
		}
		if m["protocol"] != 4.0 || m["address"] != "127.0.0.1" || m["namespace"] != "/a" {
			t.Errorf("%s line: %s", msg, line)
		}
	}
	if !seen["connected"] || !seen["disconnected"] {
		t.Fatalf("no connection lines:\n%s", logs.String())
	}
}
