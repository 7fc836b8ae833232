package router

import (
	"strings"
	"testing"
)

// BenchmarkDispatchChatAdmin is BenchmarkDispatchChat's ioroute case without and with
// server.admin (development mode, no admin connected): reporting must cost nothing while no
// admin watches (issue 18 allows 5%).
func BenchmarkDispatchChatAdmin(b *testing.B) {
	withAdmin := strings.Replace(chatConfig, "server:\n", "server:\n  admin:\n    auth: false\n", 1)
	if withAdmin == chatConfig {
		b.Fatal("chatConfig has no server section")
	}
	for _, c := range []struct{ name, src string }{{"no-admin", chatConfig}, {"admin-idle", withAdmin}} {
		b.Run(c.name, func(b *testing.B) {
			cb := startChatBenchConfig(b, c.src)
			if (cb.r.admin != nil) != (c.name == "admin-idle") {
				b.Fatal("server.admin not as meant")
			}
			listener := cb.socket.ListenersAny()[0]
			data := chatMessage()
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				listener("message", data)
				n++
			}
			cb.drained(b, n)
		})
	}
}
