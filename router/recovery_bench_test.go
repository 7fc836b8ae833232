package router

import (
	"strings"
	"testing"
)

// BenchmarkRecoveryBroadcast is one broadcast to the namespace (one websocket recipient) with
// server.recovery off and on: what storing each packet with its offset costs (the offset
// appended, the packet kept, the store's lock), as against the broadcast alone.
func BenchmarkRecoveryBroadcast(b *testing.B) {
	for _, c := range []struct{ name, config string }{
		{"off", chatConfig},
		{"on", strings.Replace(chatConfig, "server:\n", "server:\n  recovery: { max_disconnection: 2m }\n", 1)},
	} {
		b.Run(c.name, func(b *testing.B) {
			cb := startChatBenchConfig(b, c.config)
			chat := cb.r.namespace("/chat")
			data := chatMessage()
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				_ = chat.Emit("new-message", data)
				n++
			}
			cb.drained(b, n)
		})
	}
}
