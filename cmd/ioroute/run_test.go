package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as `ioroute` in a child process.
func TestMain(m *testing.M) {
	if args := os.Getenv("IOROUTE_TEST_ARGS"); args != "" {
		os.Exit(Main(strings.Split(args, " "), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

var listening = regexp.MustCompile(`msg=listening addr=(http://\S+)`)

// TestRunServesAndStopsOnSIGTERM runs `ioroute run` as a process: it logs where it listens and
// what it loaded, serves the page and the Socket.IO handshake, reloads on SIGHUP, and exits 0
// on SIGTERM.
func TestRunServesAndStopsOnSIGTERM(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	chatYAML, err := os.ReadFile("../../examples/chat/chat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "chat.yaml")
	if err := os.WriteFile(cfg, chatYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "index.js", "index.css"} {
		b, err := os.ReadFile(filepath.Join("../../examples/chat", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IOROUTE_TEST_ARGS=run --listen 127.0.0.1:0 "+cfg)
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
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("never said where it listens:\n%s", log.String())
	}
	for _, path := range []string{"/", "/index.js", "/socket.io/?EIO=4&transport=polling"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("GET %s: %d %q", path, resp.StatusCode, body)
		}
	}
	http.DefaultClient.CloseIdleConnections()

	// SIGHUP reloads the file: here a copy whose change is visible in the log
	changed := strings.Replace(string(chatYAML), "data: ${{ data }}", "data: ${{ data }}\n      ping:\n        - ack: pong", 1)
	if err := os.WriteFile(cfg, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(log.String(), "reloaded chat.yaml") && lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	if !strings.Contains(log.String(), "reloaded chat.yaml in ") || !strings.Contains(log.String(), "+1 event, ~0 events") {
		t.Fatalf("SIGHUP did not reload:\n%s", log.String())
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, log.String())
	}
	for _, want := range []string{`msg="namespace loaded" namespace=/chat events=message`, `msg="shutting down: disconnecting clients (signal again to exit at once)"`, `msg=stopped`} {
		if !strings.Contains(log.String(), want) {
			t.Fatalf("log lacks %q:\n%s", want, log.String())
		}
	}
}
