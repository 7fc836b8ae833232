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
	"github.com/ioroute/ioroute/internal/tmpl"
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
	// read at load by examples/backend/chat.yaml, as `ioroute validate` would need them set
	t.Setenv("IOROUTE_API_KEY", "validate-only")
	t.Setenv("BACKEND_URL", "http://127.0.0.1:8080")
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// *.test.yaml are `ioroute test` files, which router/testrun loads and runs
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) && !strings.Contains(path, ".test.y") {
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
	runInBrowser(t, filepath.Join("chat", "chat.yaml"), "chat", nil,
		inTabs([]string{"connected", "received", "received-as-text", "no-img", "no-xss", "messages"}, "A", "B"))
}

// TestNicknameChatInBrowser runs examples/nickname-chat in two Chromium tabs: who is online,
// typing, a message, a private message, and a moderator's kick.
func TestNicknameChatInBrowser(t *testing.T) {
	const secret = "browser-secret"
	t.Setenv("JWT_SECRET", secret)
	token, err := tmpl.SignHS256(secret, "ann", "moderator", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	runInBrowser(t, filepath.Join("nickname-chat", "nickname-chat.yaml"), "nickname", map[string]any{"token": token},
		append(inTabs([]string{"connected", "online"}, "A", "B"),
			"typing/A", "message/A", "private/B", "private-sent/A", "kicked/B", "online-after-kick/A"))
}

// inTabs is each of checks in each of tabs, as runInBrowser takes them ("check/tab").
func inTabs(checks []string, tabs ...string) []string {
	var out []string
	for _, c := range checks {
		for _, tab := range tabs {
			out = append(out, c+"/"+tab)
		}
	}
	return out
}

// runInBrowser serves the config at path and runs browser.mjs's scenario against it, with
// extra arguments; it fails unless browser.mjs checked each of checks ("check/tab"), that the
// page loaded socket.io-client from the server, and finished.
func runInBrowser(t *testing.T, path, scenario string, extra map[string]any, checks []string) {
	node, script := browserTools(t)

	table, err := table.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
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

	arg := map[string]any{"url": "http://" + r.Addr().String() + "/", "script": scenario}
	for k, v := range extra {
		arg[k] = v
	}
	shot := os.Getenv("IOROUTE_SCREENSHOT")
	if shot == "" {
		dir, err := filepath.Abs(filepath.Join("..", "artifacts"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		shot = filepath.Join(dir, scenario+".png")
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

	// Exit 0 must come with the facts it stands for: each checked in every tab, then "done".
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
	for _, check := range checks {
		if !seen[check] {
			t.Errorf("browser.mjs exited 0 without checking %s", check)
		}
	}
	t.Logf("%s scenario in Chromium took %v", scenario, elapsed)
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
