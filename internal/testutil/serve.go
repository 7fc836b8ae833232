package testutil

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// Wait is how long a test waits for something a user would see; it bounds a failure, it is
// not a timing assertion.
const Wait = 5 * time.Second

// Lines collects printed lines and lets a test wait for one.
type Lines struct {
	mu   sync.Mutex
	all  []string
	more chan struct{}
	buf  []byte
}

// NewLines returns an empty collector.
func NewLines() *Lines { return &Lines{more: make(chan struct{}, 1)} }

// Write records every complete line in p.
func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.all = append(l.all, string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	l.mu.Unlock()
	select {
	case l.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

// All returns the lines printed so far.
func (l *Lines) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.all...)
}

// WaitFor waits until a line equal to want was printed.
func (l *Lines) WaitFor(t testing.TB, want string) {
	t.Helper()
	deadline := time.After(Wait)
	for {
		got := l.All()
		for _, s := range got {
			if s == want {
				return
			}
		}
		select {
		case <-l.more:
		case <-deadline:
			t.Fatalf("never printed %q; printed: %q", want, got)
		}
	}
}

// Server is a router serving one config on a free loopback port for one test.
type Server struct {
	Router *router.Router
	// URL is http://127.0.0.1:PORT.
	URL string
	// Out receives what print actions print.
	Out *Lines
	// Log receives the router's log, shown when the test fails.
	Log *SyncBuffer
}

// Serve loads the config file at path as `ioroute run` does and serves it until the test ends.
func Serve(t testing.TB, path string) *Server {
	t.Helper()
	table, err := table.Load(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	s := &Server{Out: NewLines(), Log: &SyncBuffer{}}
	logger := slog.New(slog.NewTextHandler(s.Log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.Router, err = router.New(table, router.Options{Listen: "127.0.0.1:0", Logger: logger, Stdout: s.Out})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Router.Start(); err != nil {
		t.Fatal(err)
	}
	s.URL = "http://" + s.Router.Addr().String()
	t.Cleanup(func() {
		if err := s.Router.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		http.DefaultClient.CloseIdleConnections()
		if t.Failed() {
			t.Logf("router log:\n%s", s.Log.String())
		}
	})
	return s
}

// WaitForLog waits until log contains want, up to Wait.
func WaitForLog(t testing.TB, log *SyncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	for !strings.Contains(log.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q; log:\n%s", want, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
