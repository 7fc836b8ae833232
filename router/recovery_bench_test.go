package router

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRecoveryBroadcast is one broadcast to the namespace (one websocket recipient) with
// server.recovery off and on: what storing each packet with its offset costs (the offset
// appended, the packet kept, the store's lock), as against the broadcast alone.
func BenchmarkRecoveryBroadcast(b *testing.B) {
	benchBroadcasts(b, []benchConfig{
		{"off", chatConfig},
		{"on", strings.Replace(chatConfig, "server:\n", "server:\n  recovery: { max_disconnection: 2m }\n", 1)},
	})
}

// benchConfig is a named config a benchmark runs under.
type benchConfig struct{ name, config string }

// benchBroadcasts runs, for each config, one broadcast of the chat message to /chat per
// iteration (one websocket recipient), until every one was delivered.
func benchBroadcasts(b *testing.B, configs []benchConfig) {
	for _, c := range configs {
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

// BenchmarkStreamsBroadcast is one broadcast to the namespace (one websocket recipient) on a
// node of a streams cluster (adapter.redis_streams, a real redis-server), with recovery off
// (delivered at once, the entry written after) and on (delivered when the entry is read back,
// with its id as offset); time per broadcast until every one was delivered.
func BenchmarkStreamsBroadcast(b *testing.B) {
	url := startBenchRedis(b)
	streams := strings.Replace(chatConfig, "server:\n", "server:\n  adapter: { redis_streams: { url: \""+url+"\" } }\n", 1)
	benchBroadcasts(b, []benchConfig{
		{"recovery off", streams},
		{"recovery on", strings.Replace(streams, "server:\n", "server:\n  recovery: { max_disconnection: 2m }\n", 1)},
	})
}

// startBenchRedis runs a redis-server on a free port until b ends and returns its URL
// (testutil.StartRedis, which this package's own tests cannot import).
func startBenchRedis(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close()
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", b.TempDir())
	if err := cmd.Start(); err != nil {
		b.Skipf("redis-server: %v", err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			_ = c.Close()
			return "redis://127.0.0.1:" + port + "/0"
		}
		if time.Now().After(deadline) {
			b.Fatal("redis-server did not start")
		}
	}
}
