package router_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// bigConfig is a config with n events, each with an expression, a condition and a room.
func bigConfig(n, variant int) string {
	var b strings.Builder
	b.WriteString("version: 1\nnamespaces:\n  /big:\n    on:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      event-%d:\n        - emit: { event: out-%d, data: \"${{ data.x + %d }}\", to: \"room-${{ data.room }}\" }\n          when: data != nil\n        - print: \"%d ${{ event }}\"\n", i, i, variant, i)
	}
	return b.String()
}

func benchRouter(b *testing.B, src string) (*router.Router, string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	table, err := table.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	r, err := router.New(table, router.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Close() })
	return r, path
}

// BenchmarkReloadFile1000Events: read, check, compile and swap in a 1,000-event config.
func BenchmarkReloadFile1000Events(b *testing.B) {
	r, path := benchRouter(b, bigConfig(1000, 0))
	for i := 0; b.Loop(); i++ {
		if err := os.WriteFile(path, []byte(bigConfig(1000, i%2)), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := r.ReloadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWatchReload1000Events: from the file's change to the new table serving, through the
// watcher (which waits for the file to settle first).
func BenchmarkWatchReload1000Events(b *testing.B) {
	r, path := benchRouter(b, bigConfig(1000, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Watch(ctx, path); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(100 * time.Millisecond) // let the watcher start before the first change
	for i := 0; b.Loop(); i++ {
		before := r.Table()
		if err := os.WriteFile(path, []byte(bigConfig(1000, (i+1)%2)), 0o644); err != nil {
			b.Fatal(err)
		}
		for r.Table() == before {
			time.Sleep(time.Millisecond)
		}
	}
}
