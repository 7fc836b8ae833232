package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts the hub on a loopback HTTP server; both end with the test.
func serve(t *testing.T, ping time.Duration) string {
	t.Helper()
	h := newHub(ping)
	s := httptest.NewServer(h)
	t.Cleanup(func() {
		s.Close()
		h.close()
	})
	return s.URL
}

func TestChat(t *testing.T) {
	cases := []struct {
		name     string
		cfg      chatload.Config
		expected int64
	}{
		{"flood", chatload.Config{Clients: 5, Messages: 20}, 5 * 5 * 20},
		{"paced", chatload.Config{Clients: 4, Messages: 10, Rate: 100}, 4 * 4 * 10},
		{"padded", chatload.Config{Clients: 3, Messages: 5, Pad: 70_000}, 3 * 3 * 5}, // frames with a 64-bit length
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.URL = serve(t, 25*time.Second)
			cfg.Deadline, cfg.Stall, cfg.Settle = 20*time.Second, 5*time.Second, 20*time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res := chatload.Run(ctx, cfg)
			if !res.OK || res.Expected != tc.expected || res.Received != tc.expected || res.OrderViolations != 0 || res.Disconnects != 0 {
				t.Fatalf("want %d deliveries, once each, in order: %+v", tc.expected, res)
			}
		})
	}
}

func TestRefusedNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := chatload.Dial(ctx, serve(t, 25*time.Second), "/socket.io/", "/nope", nil)
	if err == nil || !strings.Contains(err.Error(), "Invalid namespace") {
		t.Fatalf("want the namespace refused, got %v", err)
	}
}

// A client that answers pings stays, and still receives the chat after several intervals;
// one that does not answer is closed after missing one.
func TestHeartbeat(t *testing.T) {
	base := serve(t, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	alive, err := chatload.Dial(ctx, base, "/socket.io/", "/chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer alive.Close()

	silent, _, err := websocket.DefaultDialer.DialContext(ctx, strings.Replace(base, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	var pings int
	for {
		_, msg, err := silent.ReadMessage()
		if err != nil {
			if pings < 1 {
				t.Fatalf("closed after %d pings: %v", pings, err)
			}
			break
		}
		if string(msg) == "2" {
			pings++
		}
	}

	if err := alive.Emit("message", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	for alive.Events() == 0 {
		select {
		case <-alive.Done():
			t.Fatal("the client that answered pings was closed")
		case <-ctx.Done():
			t.Fatal("no broadcast reached the client that answered pings")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := alive.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPollingRefused(t *testing.T) {
	resp, err := http.Get(serve(t, 25*time.Second) + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("polling: want 400, got %s", resp.Status)
	}
}
