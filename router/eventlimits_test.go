package router_test

import (
	"strings"
	"testing"
	"time"
)

// TestEventRateOfItsOwn: an event listed under server.limits.events has a bucket of its own on
// each socket. Its excess is dropped and logged once per burst while the socket's other events
// and the other sockets go on; a socket that keeps flooding it is disconnected.
func TestEventRateOfItsOwn(t *testing.T) {
	s := startRouter(t, `
version: 1
server:
  limits:
    flood_limit: 20
    events:
      message: { per_second: 1, burst: 3 }
namespaces:
  /chat:
    on:
      message:
        - print: "message ${{ data }}"
      typing:
        - print: "typing ${{ data }}"
`+syncHandler)
	noisy := s.dial(t, "/chat", dialOpts{})
	calm := s.dial(t, "/chat", dialOpts{})
	for i := 1; i <= 10; i++ {
		noisy.emit("message", i)
	}
	for i := 1; i <= 10; i++ {
		noisy.emit("typing", i) // other events share the socket's default bucket
	}
	noisy.sync(t) // events of one socket are handled in order: all 20 have been by now
	waitLog(t, s, "limit=server.limits.events.message", 1)
	messages, typing := count(s.out.All(), "message "), count(s.out.All(), "typing ")
	if messages >= 10 || messages < 3 || typing != 10 {
		t.Fatalf("handled %d of 10 messages (the rate allows about 3) and %d of 10 typing (want all)", messages, typing)
	}

	calm.emit("message", "from calm") // a bucket per socket: the other socket is not limited
	s.out.WaitFor(t, "message from calm")

	gone := make(chan struct{})
	noisy.s.On("disconnect", func(...any) { close(gone) })
	for i := 0; i < 40; i++ {
		noisy.emit("message", 100+i)
	}
	select {
	case <-gone:
	case <-time.After(wait):
		t.Fatal("a socket flooding one event was not disconnected")
	}
	waitLog(t, s, "socket kept flooding: disconnecting it", 1)
	if n := strings.Count(s.log.String(), "socket over its event rate"); n != 1 {
		t.Fatalf("the drop was logged %d times, want once per burst", n)
	}
	calm.sync(t)
}

// TestEventRateErrors: rates that cannot apply are load errors with position and path.
func TestEventRateErrors(t *testing.T) {
	config := func(events string) string {
		return "version: 1\nserver:\n  limits:\n    events:\n" + events +
			"namespaces:\n  /chat:\n    on:\n      message:\n        - print: hi\n"
	}
	tests := []struct {
		name   string
		events string
		want   []string
	}{
		{"misspelt event", "      mesage: { per_second: 5 }\n",
			[]string{`c.yaml:5:7: server.limits.events.mesage: no namespace handles "mesage"; did you mean "message"?`}},
		{"lifecycle event", "      connect: { per_second: 5 }\n",
			[]string{`c.yaml:5:7: server.limits.events.connect: "connect" is not an event clients send, so it cannot have a rate`}},
		{"zero rate", "      message: { per_second: 0, burst: 0 }\n", []string{
			"c.yaml:5:30: server.limits.events.message.per_second: must be at least 1",
			"c.yaml:5:40: server.limits.events.message.burst: must be at least 1"}},
		{"rate missing", "      message: { burst: 5 }\n",
			[]string{`c.yaml:5:16: server.limits.events.message: missing required field "per_second"`}},
		{"unknown field", "      message: { per_second: 5, per_minute: 100 }\n",
			[]string{`c.yaml:5:33: server.limits.events.message.per_minute: unknown field (known: burst, per_second)`}},
		{"not a mapping", "      message: 5\n",
			[]string{`c.yaml:5:16: server.limits.events.message: expected a mapping, got integer`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadString(config(tt.events))
			if err == nil {
				t.Fatal("loaded")
			}
			if got := err.Error(); got != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(tt.want, "\n"))
			}
		})
	}
	if _, err := loadString(config("      message: { per_second: 5 }\n")); err != nil {
		t.Fatalf("a valid rate: %v", err)
	}
}

// count counts the lines starting with prefix.
func count(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
