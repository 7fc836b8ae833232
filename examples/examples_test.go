package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// TestMain fails the package when any server or socket goroutine outlives the tests.
// Goroutines that exist before any test are not ours to stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// TestExamplesValidate loads every example config the way `ioroute validate` does.
func TestExamplesValidate(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *.yaml files under examples/")
	}
	for _, path := range files {
		t.Run(filepath.ToSlash(path), func(t *testing.T) {
			if _, err := table.Load(path); err != nil {
				t.Errorf("ioroute validate %s:\n%v", path, err)
			}
		})
	}
}

// browserScript drives a page in Chromium; relative to this package's directory.
const browserScript = "../test/node/browser.mjs"

// chromiumPath is where Debian's chromium package puts the browser browser.mjs launches.
const chromiumPath = "/usr/bin/chromium"

// browserTimeout bounds the node process; browser.mjs has its own 30 s deadline, so a stuck
// step is reported by the script before the process is killed.
const browserTimeout = 60 * time.Second

// TestChatInBrowser serves examples/chat and runs the chat scenario of browser.mjs against it
// in two tabs of headless Chromium, with the network beyond the server closed (the CDN
// included): the page loads socket.io-client from the server, messages reach both tabs, and
// markup stays text.
//
// Screenshots of both tabs are kept as artifacts in ../artifacts (chat-a.png, chat-b.png), or
// where IOROUTE_SCREENSHOT=/path/to/file.png says.
func TestChatInBrowser(t *testing.T) {
	node, script := browserTools(t)

	table, err := table.Load(filepath.Join("chat", "chat.yaml"))
	if err != nil {
		t.Fatalf("load chat/chat.yaml: %v", err)
	}
	logs := &testutil.SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := router.New(table, router.Options{Listen: "127.0.0.1:0", Logger: logger, Stdout: logs})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close router: %v", err)
		}
	})

	arg := map[string]any{"url": "http://" + r.Addr().String() + "/", "script": "chat"}
	shot := os.Getenv("IOROUTE_SCREENSHOT")
	if shot == "" {
		dir, err := filepath.Abs(filepath.Join("..", "artifacts"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		shot = filepath.Join(dir, "chat.png")
	}
	arg["screenshot"] = shot
	js, err := json.Marshal(arg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, script, string(js))
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		t.Fatalf("node %s '%s' failed after %v: %v\nstdout:\n%s\nstderr:\n%s\nserver log:\n%s",
			browserScript, js, elapsed, err, stdout.String(), stderr.String(), logs.String())
	}

	// Exit 0 must come with the facts it stands for: each checked in both tabs, then "done".
	seen := map[string]bool{}
	done := false
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		var m struct {
			Check string `json:"check"`
			Tab   string `json:"tab"`
			OK    bool   `json:"ok"`
			Done  bool   `json:"done"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("browser.mjs printed a line that is not JSON (%v): %q", err, line)
		}
		t.Log(line)
		if m.Done {
			done = true
		}
		if m.Check != "" && m.OK {
			seen[m.Check+"/"+m.Tab] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !done {
		t.Errorf("browser.mjs exited 0 without its closing {\"done\":true} line")
	}
	if !seen["client-from-server/"] {
		t.Errorf("browser.mjs exited 0 without checking that the page loaded socket.io-client from the server")
	}
	for _, check := range []string{"connected", "received", "received-as-text", "no-img", "no-xss", "messages"} {
		for _, tab := range []string{"A", "B"} {
			if !seen[check+"/"+tab] {
				t.Errorf("browser.mjs exited 0 without checking %q in tab %s", check, tab)
			}
		}
	}
	t.Logf("chat scenario in Chromium took %v", elapsed)
}

// browserTools finds node, the browser script with its dependencies and Chromium, or fails
// the test saying what to install.
func browserTools(t *testing.T) (node, script string) {
	t.Helper()
	node, script = testutil.NodeScript(t, browserScript, "playwright-core")
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is not installed (%v): run `apt-get install -y chromium` (Debian's package provides %s)", err, chromiumPath)
	}
	return node, script
}
