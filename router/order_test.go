package router_test

import (
	"reflect"
	"strings"
	"testing"
)

// TestBinaryEventsKeepTheirPlace: events reach a websocket client in the order they were
// handled, binary ones included (a binary event is a text frame and its attachments, queued
// together), with recovery off and on.
func TestBinaryEventsKeepTheirPlace(t *testing.T) {
	for _, tc := range []struct{ name, config string }{
		{"recovery off", chatConfig},
		{"recovery on", strings.Replace(chatConfig, "server:\n", "server:\n  recovery: { max_disconnection: 1m }\n", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startRouter(t, tc.config)
			receiver := dialWire(t, s)
			receiver.send("40/chat,")
			if frame, _ := receiver.next(); !strings.HasPrefix(frame, "40/chat,") {
				t.Fatalf("CONNECT answered %q", frame)
			}
			sender := s.dial(t, "/chat", dialOpts{})
			want := []any{"a", []byte{1, 2}, "b", []byte{3}, []byte{4}, "c"}
			for _, m := range want {
				sender.emit("message", m)
			}
			var got []any
			for range want {
				args, bins := receiver.event()
				if len(bins) == 1 {
					got = append(got, bins[0])
				} else {
					got = append(got, args[1])
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("received %v, want %v in order", got, want)
			}
		})
	}
}
