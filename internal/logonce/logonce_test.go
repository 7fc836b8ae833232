package logonce

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestOncePerWindow(t *testing.T) {
	var out bytes.Buffer
	h := New(slog.NewTextHandler(&out, nil), 10*time.Second, "at")
	now := time.Unix(1000, 0)
	h.st.now = func() time.Time { return now }
	log := slog.New(h)
	for range 5000 {
		log.Error("event failed", "at", "namespaces./chat.on.message[0]", "socket", "s1")
	}
	log.Error("event failed", "at", "namespaces./chat.on.message[1]")
	log.Warn("event failed", "at", "namespaces./chat.on.message[0]")
	now = now.Add(11 * time.Second)
	log.Error("event failed", "at", "namespaces./chat.on.message[0]", "socket", "s2")

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"level=ERROR msg=\"event failed\" at=namespaces./chat.on.message[0] socket=s1",
		"level=ERROR msg=\"event failed\" at=namespaces./chat.on.message[1]",
		"level=WARN msg=\"event failed\" at=namespaces./chat.on.message[0]",
		"level=ERROR msg=\"event failed\" at=namespaces./chat.on.message[0] socket=s2 repeated=4999 repeated_within=10s",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, l := range lines {
		if _, rest, _ := strings.Cut(l, " level="); !strings.HasPrefix("level="+rest, want[i]) {
			t.Errorf("line %d: %s\nwant: %s", i, l, want[i])
		}
	}
}

// TestKeysAreBounded: lines keyed by what clients send (a new origin each) are written once
// per window in all once too many keys are remembered.
func TestKeysAreBounded(t *testing.T) {
	var out bytes.Buffer
	h := New(slog.NewTextHandler(&out, nil), time.Minute, "origin")
	log := slog.New(h)
	for i := range 3 * maxKeys {
		log.Warn("refused cross-origin request", "origin", fmt.Sprintf("http://site%d", i))
	}
	if n := strings.Count(out.String(), "\n"); n != maxKeys+1 {
		t.Fatalf("%d lines, want %d", n, maxKeys+1)
	}
	if len(h.st.lines) != maxKeys+1 {
		t.Fatalf("%d keys remembered, want %d", len(h.st.lines), maxKeys+1)
	}
}

// TestFlush: the count of lines left out reaches the log without a later line of the key.
func TestFlush(t *testing.T) {
	var out bytes.Buffer
	h := New(slog.NewTextHandler(&out, nil), time.Hour, "at")
	log := slog.New(h)
	for i := range 3 {
		log.Error("event failed", "at", "x", "n", i)
	}
	h.Flush(context.Background())
	h.Flush(context.Background()) // nothing new: writes nothing
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "n=2 repeated=2 repeated_within=1h0m0s") {
		t.Fatalf("log:\n%s", out.String())
	}
	log.Error("event failed", "at", "x") // within the window: counted
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Fatalf("%d lines after the flush, want 2", n)
	}
}
