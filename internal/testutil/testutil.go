// Package testutil holds helpers shared by the end-to-end tests of several packages.
package testutil

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// SyncBuffer is a log sink safe for writes from many goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// NodeScript finds node and a script of test/node whose npm dependencies (names under
// node_modules) are installed, or fails the test saying what to install. Tests never skip
// for want of them: a missing client is a failure.
func NodeScript(t testing.TB, script string, deps ...string) (node, abs string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed (%v): install Node.js >= 20, then run `npm ci` in test/node", err)
	}
	abs, err = filepath.Abs(script)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{abs}
	for _, d := range deps {
		paths = append(paths, filepath.Join(filepath.Dir(abs), "node_modules", d))
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("Node test client not ready (%v): run `npm ci` in test/node", err)
		}
	}
	return node, abs
}
