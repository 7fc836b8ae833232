package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRunRefusesUnreachableRedis: with a Redis adapter whose server is not there, `ioroute run`
// exits 1 at once with an error naming the URL (password hidden), before listening.
func TestRunRefusesUnreachableRedis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close() // nothing listens there now
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	src := "version: 1\nnamespaces:\n  /chat:\n    on: {}\n"
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IOROUTE_REDIS_URL", "redis://:s3cret@127.0.0.1:"+port+"/0")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"run", "--listen", "127.0.0.1:0", cfg}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	log := stderr.String()
	for _, want := range []string{"cannot reach Redis at redis://:xxxxx@127.0.0.1:" + port + "/0", "connection refused"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr does not say %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "s3cret") || strings.Contains(log, "msg=listening") {
		t.Errorf("stderr shows the password or a listening line:\n%s", log)
	}
}
