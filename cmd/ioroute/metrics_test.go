package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMetricsListenerThatCannotBind: a metrics listener whose address is taken stops the
// start, saying which listener and why.
func TestMetricsListenerThatCannotBind(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var stderr bytes.Buffer
	code := Main([]string{"run", "--listen", "127.0.0.1:0", "--metrics-listen", taken.Addr().String(), "../../examples/chat/chat.yaml"}, io.Discard, &stderr)
	want := "metrics listener (server.metrics.listen) on " + taken.Addr().String()
	if code != 1 || !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "address already in use") {
		t.Fatalf("exit %d, want 1 with %q:\n%s", code, want, stderr.String())
	}
}

var servingMetrics = regexp.MustCompile(`msg="serving metrics" addr=(http://\S+)`)

// TestMetricsListenFlag runs `ioroute run --metrics-listen`: /metrics answers GET with the
// Socket.IO series, and refuses POST.
func TestMetricsListenFlag(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IOROUTE_TEST_ARGS=run --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 ../../examples/chat/chat.yaml")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var log strings.Builder
	url := ""
	for url == "" && lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if m := servingMetrics.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("never said where it serves metrics:\n%s", log.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`socketio_connected{namespace="/chat"} 0`, `ioroute_config_info{file="../../examples/chat/chat.yaml"`, "go_goroutines", "process_resident_memory_bytes"} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, lacks %q:\n%.2000s", url, resp.StatusCode, want, body)
		}
	}
	resp, err = http.Post(url, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST %s: %d, want 405", url, resp.StatusCode)
	}
	http.DefaultClient.CloseIdleConnections()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, log.String())
	}
}
