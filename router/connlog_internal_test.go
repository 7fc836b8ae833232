package router

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSampler: lines beyond the rate are left out and told in one line, before the next line
// let through or at flush.
func TestSampler(t *testing.T) {
	t0 := time.Unix(1000, 0)
	for _, tt := range []struct {
		name    string
		at      []time.Duration // when each line comes, from t0
		flush   bool
		allowed int
		told    []string
	}{
		{"under the rate", repeat(10, 0), false, 10, nil},
		{"a burst: the rest counted", repeat(80, 0), true, 50, []string{"30 lines left out"}},
		{"counted until the budget refills", append(repeat(60, 0), time.Second), false, 51, []string{"10 lines left out"}},
		{"refills at the rate", append(repeat(50, 0), repeat(10, 100*time.Millisecond)...), false, 55, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := newSampler(slog.New(slog.NewTextHandler(&buf, nil)), 50, "connections and disconnections")
			allowed := 0
			for _, d := range tt.at {
				if s.allow(t0.Add(d)) {
					allowed++
				}
			}
			if tt.flush {
				s.flush()
			}
			if allowed != tt.allowed {
				t.Errorf("allowed %d lines, want %d", allowed, tt.allowed)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if buf.Len() == 0 {
				lines = nil
			}
			if len(lines) != len(tt.told) {
				t.Fatalf("told %q, want %q", lines, tt.told)
			}
			for i, want := range tt.told {
				if !strings.Contains(lines[i], want) {
					t.Errorf("line %q lacks %q", lines[i], want)
				}
			}
		})
	}
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}
