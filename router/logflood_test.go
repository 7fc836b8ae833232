package router_test

import (
	"strings"
	"testing"
)

// TestRepeatedFailuresAreCounted: a client sending two thousand payloads that make a handler
// fail (under the rate limit) costs a handful of log lines, not one each.
func TestRepeatedFailuresAreCounted(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits: { events_per_second: 100000, event_burst: 100000, flood_limit: 100000 }
namespaces:
  /w:
    on:
      join-room:
        - join_room: ${{ data.roomName }}
`+syncHandler)
	c := s.dial(t, "/w", dialOpts{})
	const bad = 2000
	for range bad {
		c.emit("join-room", "not an object")
	}
	c.sync(t)
	lines := strings.Count(s.log.String(), "event failed")
	if lines == 0 || lines > 20 {
		t.Fatalf("%d bad events wrote %d \"event failed\" lines, want 1 to 20:\n%.2000s", bad, lines, s.log.String())
	}
	_ = s.Router.Close() // writes the counts of what was left out
	if !strings.Contains(s.log.String(), "repeated=") {
		t.Fatalf("the count of the failures left out was never logged:\n%.2000s", s.log.String())
	}
}
