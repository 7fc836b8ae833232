package soak_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/bench/internal/soak"
	"github.com/ioroute/ioroute/internal/testutil"
)

// TestMain fails the package when a server, user or probe goroutine outlives the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// TestSoakSmoke is `make soak` in miniature and in process: 20 users going round for a few
// seconds against examples/chat-rooms. It asserts only that the soak completes without
// failures and that the goroutines (the server's and the users' together) return to their
// baseline; no figure is timed.
func TestSoakSmoke(t *testing.T) {
	s := testutil.Serve(t, filepath.Join("..", "..", "..", "examples", "chat-rooms", "chat-rooms.yaml"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := soak.Run(ctx, soak.Config{URL: s.URL, Users: 20, Duration: 3 * time.Second,
		MinStay: 200 * time.Millisecond, MaxStay: time.Second, Every: 100 * time.Millisecond,
		Sample: time.Second, Settle: 20 * time.Second}, soak.SelfProbe{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d connections, %d events sent, %d received; goroutines %d → peak %d → %d",
		rep.Connections, rep.Sent, rep.Received, rep.Baseline.Goroutines, rep.Peak.Goroutines, rep.Final.Goroutines)
	if rep.Leaked != 0 || rep.Failed != 0 || rep.Dropped != 0 || rep.Connections < int64(rep.Users) {
		t.Fatalf("leaked %d goroutines, %d failed, %d dropped, %d connections (first error: %s)",
			rep.Leaked, rep.Failed, rep.Dropped, rep.Connections, rep.FirstError)
	}
}
