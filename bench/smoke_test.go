// Package bench_test runs the benchmark's smoke scenario in-process, so `go test ./...`
// covers the load generator and its bookkeeping against the real router. It asserts what was
// delivered, never how fast.
package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/bench/internal/chatload"
	"github.com/ioroute/ioroute/internal/testutil"
)

// TestMain fails the package when a client, server or load generator goroutine outlives the
// tests. Goroutines that exist before any test (started by package init) are not ours.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

var chatYAML = filepath.Join("..", "examples", "chat", "chat.yaml")

// run bounds one load generator run well inside the test timeout.
func run(t *testing.T, cfg chatload.Config) chatload.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg.Deadline, cfg.Stall, cfg.Settle = 20*time.Second, 5*time.Second, 50*time.Millisecond
	res := chatload.Run(ctx, cfg)
	if res.Error != "" || res.TimedOut {
		t.Fatalf("run failed: %s (timed out: %v); result %+v", res.Error, res.TimedOut, res)
	}
	return res
}

// The smoke scenario of `make bench-smoke`: 5 clients each send 20 messages; all 500
// broadcasts must reach every client exactly once, with socket.io-client 4 and 2 protocols.
func TestSmokeChat(t *testing.T) {
	for _, eio := range []int{4, 3} {
		t.Run(fmt.Sprintf("EIO%d", eio), func(t *testing.T) {
			s := testutil.Serve(t, chatYAML)
			res := run(t, chatload.Config{URL: s.URL, EIO: eio, Clients: 5, Messages: 20})
			if res.Expected != 5*5*20 || res.Received != res.Expected || res.Lost != 0 || res.Duplicates != 0 || res.Malformed != 0 {
				t.Fatalf("expected %d deliveries: received %d, lost %d, duplicated %d, malformed %d",
					5*5*20, res.Received, res.Lost, res.Duplicates, res.Malformed)
			}
			if !res.OK || res.Connected != 5 || res.Disconnects != 0 {
				t.Fatalf("result not ok: %+v", res)
			}
			t.Logf("out of order: %d; %.0f deliveries/s (not asserted)", res.OrderViolations, res.DeliveriesPerS)
		})
	}
}

// Idle mode holds connections, reads memory from /proc (here the test's own process, which
// serves too), then broadcasts once to all of them.
func TestSmokeIdle(t *testing.T) {
	s := testutil.Serve(t, chatYAML)
	res := run(t, chatload.Config{URL: s.URL, Idle: 20, Hold: 100 * time.Millisecond, PID: os.Getpid()})
	if res.Mode != "idle" || res.Connected != 20 || res.Expected != 20 || res.Received != 20 || !res.OK {
		t.Fatalf("idle run: %+v", res)
	}
	if res.IdleRSSMB <= 0 || res.ServerRSSPeakMB <= 0 {
		t.Fatalf("no memory figures from /proc: %+v", res)
	}
}

// A namespace the config does not declare is refused, and the run says so instead of hanging.
func TestSmokeRefusedNamespace(t *testing.T) {
	s := testutil.Serve(t, chatYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := chatload.Run(ctx, chatload.Config{URL: s.URL, Namespace: "/nope", Clients: 2, Messages: 1, Deadline: 20 * time.Second})
	if res.OK || res.Error == "" || res.Connected != 0 {
		t.Fatalf("want a CONNECT error, got %+v", res)
	}
	t.Logf("error: %s", res.Error)
}

// TestFirstConnectionsShareOneNamespace: clients that all connect at once to a namespace no
// socket has used yet end up in one namespace, so each hears every broadcast. (The engine
// creates a dynamic namespace without a lock; before the router declared its namespaces up
// front, two first connections could each create their own "/chat", and about 3 runs in 100 of
// TestSmokeChat lost the broadcasts of the sockets split off.)
func TestFirstConnectionsShareOneNamespace(t *testing.T) {
	for round := range 10 {
		s := testutil.Serve(t, chatYAML)
		res := run(t, chatload.Config{URL: s.URL, Clients: 20, Messages: 1, DialConcurrency: 20,
			Label: fmt.Sprintf("round %d", round)})
		if res.Lost != 0 {
			t.Fatalf("round %d: %d of %d broadcasts lost", round, res.Lost, res.Expected)
		}
	}
}
