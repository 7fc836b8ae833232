package examples_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chatCDNTag is the chat page's socket.io-client script tag, which every example page must
// use as it is (the browser test answers exactly that URL and integrity hash).
func chatCDNTag(t *testing.T) string {
	t.Helper()
	chat, err := os.ReadFile(filepath.Join("chat", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(chat), "\n") {
		if strings.Contains(line, "https://cdn.socket.io/") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatal("chat/index.html has no socket.io CDN script tag")
	return ""
}
