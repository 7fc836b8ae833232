package testrun

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// lines collects what the config prints, line by line; a printed step marks the lines it
// matched as used, so that each is expected once.
type lines struct {
	mu      sync.Mutex
	got     []string
	used    []bool
	partial []byte
	more    chan struct{}
}

func newLines() *lines { return &lines{more: make(chan struct{}, 1)} }

// Write records every complete line of p.
func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.got = append(l.got, string(l.partial[:i]))
		l.used = append(l.used, false)
		l.partial = l.partial[i+1:]
	}
	l.mu.Unlock()
	select {
	case l.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

func (l *lines) isUsed(i int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used[i]
}

// find marks and returns the first unused line from index after that match accepts, or -1.
func (l *lines) find(after int, match func(string) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := after; i < len(l.got); i++ {
		if !l.used[i] && match(l.got[i]) {
			l.used[i] = true
			return i
		}
	}
	return -1
}

// wait waits for another line until deadline; false when it passed.
func (l *lines) wait(deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-l.more:
		return true
	case <-t.C:
		return false
	}
}

// syncBuffer is the router's log of one test, written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// warnings returns the log's warning and error lines, at most 10: a step of the config that
// failed is among them, with its position.
func (s *syncBuffer) warnings() []string {
	s.mu.Lock()
	text := s.b.String()
	s.mu.Unlock()
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			if _, rest, ok := strings.Cut(line, " level="); ok {
				line = "level=" + rest // the time tells nothing here
			}
			out = append(out, line)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], "…")
	}
	return out
}
