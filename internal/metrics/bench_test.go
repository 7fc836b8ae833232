package metrics

import (
	"testing"
	"time"
)

// BenchmarkPerEvent is what the router counts for one chat event broadcast to its
// namespace: the event received, its handler run timed, and the broadcast's deliveries and
// bytes (one add for all recipients).
func BenchmarkPerEvent(b *testing.B) {
	m := New(Options{})
	m.Declare([]string{"/chat"}, []string{"message", "new-message"})
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		ns := m.Namespace("/chat")
		ns.Event("message").Received()
		ns.Ran(start)
		m.Namespace("/chat").Event("new-message").Sent(50)
		m.BytesSent(50 * 60)
	}
}
